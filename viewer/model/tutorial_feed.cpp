// Store events as tutorial facts: ids from the compact Event (absent ids are nullopt), the
// kind and actor names from the schema and the interned actor, args parsed from the args text
// once per event and only when a matcher names one.
#include "viewer/model/tutorial_feed.h"

#include <simdjson.h>

#include <charconv>

#include <fmt/format.h>

#include "viewer/model/trace_store.h"

namespace rscope::viewer
{

namespace
{

std::optional<std::string> scalarText(simdjson::dom::element value)
{
    using simdjson::dom::element_type;
    switch (value.type())
    {
        case element_type::STRING:
            return std::string(std::string_view(value.get_string().value_unsafe()));
        case element_type::INT64:
            return std::to_string(value.get_int64().value_unsafe());
        case element_type::UINT64:
            return std::to_string(value.get_uint64().value_unsafe());
        case element_type::BOOL:
            return value.get_bool().value_unsafe() ? "true" : "false";
        case element_type::DOUBLE:
        {
            // The shortest text that reads back as the same double (fmt's, as std::to_chars;
            // the web build's libc++ has no floating-point to_chars).
            return fmt::format("{}", value.get_double().value_unsafe());
        }
        default:
            return std::nullopt;  // objects, arrays, null: no matcher compares with them
    }
}

std::optional<std::string> lookup(simdjson::dom::parser& parser, std::string_view json,
                                  std::string_view key)
{
    simdjson::dom::object object;
    if (json.empty() ||
        parser.parse(json.data(), json.size()).get_object().get(object) != simdjson::SUCCESS)
        return std::nullopt;
    simdjson::dom::element value;
    if (object.at_key(key).get(value) != simdjson::SUCCESS) return std::nullopt;
    return scalarText(value);
}

}  // namespace

struct EventFactsFeed::Parsed
{
    simdjson::dom::parser parser;
    simdjson::dom::object object;
    size_t index = static_cast<size_t>(-1);  // the event `object` belongs to
    bool ok = false;
};

EventFactsFeed::EventFactsFeed() : parsed_(std::make_unique<Parsed>())
{
    // Built once: the callback reads whichever event facts() last pointed at.
    facts_.arg = [this](std::string_view key) { return arg(key); };
}

EventFactsFeed::~EventFactsFeed() = default;

const tutorial::EventFacts& EventFactsFeed::facts(const TraceStore& store, size_t index)
{
    store_ = &store;
    index_ = index;
    parsed_->index = static_cast<size_t>(-1);  // a refilled store may reuse the index
    const Event& e = store[index];
    const Actor& actor = store.actorOf(e);
    facts_.kind = trace::kindInfo(e.kind).name;
    facts_.tsNs = e.tsNs;
    facts_.role = actor.role == Role::Unknown ? std::string_view() : roleName(actor.role);
    facts_.index = actor.index;
    // The compact event marks absent ids with -1 (fd, reactor, worker) or 0 (session, msg_id).
    facts_.session = e.session != 0 ? std::optional<int64_t>(e.session) : std::nullopt;
    facts_.fd = e.fd >= 0 ? std::optional<int64_t>(e.fd) : std::nullopt;
    facts_.reactor = e.reactor >= 0 ? std::optional<int64_t>(e.reactor) : std::nullopt;
    facts_.worker = e.worker >= 0 ? std::optional<int64_t>(e.worker) : std::nullopt;
    facts_.msgId = e.msgId != 0 ? std::optional<uint64_t>(e.msgId) : std::nullopt;
    return facts_;
}

std::optional<std::string> EventFactsFeed::arg(std::string_view key)
{
    if (!store_ || index_ >= store_->size()) return std::nullopt;
    Parsed& p = *parsed_;
    if (p.index != index_)
    {
        // One parse per event however many matchers ask; the parser keeps its buffers.
        std::string_view json = store_->args((*store_)[index_]);
        p.index = index_;
        p.ok =
            !json.empty() && p.parser.parse(json.data(), json.size()).get_object().get(p.object) ==
                                 simdjson::SUCCESS;
    }
    if (!p.ok) return std::nullopt;
    simdjson::dom::element value;
    if (p.object.at_key(key).get(value) != simdjson::SUCCESS) return std::nullopt;
    return scalarText(value);
}

std::optional<std::string> argText(std::string_view argsJson, std::string_view key)
{
    simdjson::dom::parser parser;
    return lookup(parser, argsJson, key);
}

}  // namespace rscope::viewer
