// Feeds the viewer's compact events to a tutorial CheckpointTracker: EventFactsFeed turns one
// store event into tutorial::EventFacts, decoding args from the args JSON text only when a
// matcher asks for them. Owner: the one TutorialSession that feeds it (GUI thread); not
// thread-safe.
#pragma once

#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "engine/tutorial/checkpoint_tracker.h"

namespace rscope::viewer
{

class TraceStore;

class EventFactsFeed
{
  public:
    EventFactsFeed();
    ~EventFactsFeed();
    EventFactsFeed(const EventFactsFeed&) = delete;
    EventFactsFeed& operator=(const EventFactsFeed&) = delete;

    // The facts of store[index], valid until the next call. No allocation per event: the facts
    // object and its arg callback are built once and re-pointed.
    const tutorial::EventFacts& facts(const TraceStore& store, size_t index);

  private:
    std::optional<std::string> arg(std::string_view key);

    struct Parsed;  // the simdjson parser and the parsed args of the current event
    std::unique_ptr<Parsed> parsed_;
    tutorial::EventFacts facts_;
    const TraceStore* store_ = nullptr;
    size_t index_ = 0;
};

// args.<key> of a JSON args object as a matcher compares it: strings unescaped, integers in
// decimal, booleans "true" / "false", other numbers shortest round-trip; nullopt when absent or
// not a scalar. Exposed for the tests.
std::optional<std::string> argText(std::string_view argsJson, std::string_view key);

}  // namespace rscope::viewer
