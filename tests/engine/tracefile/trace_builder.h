// Test helper: hand-made traces. Builds a header and event lines whose args follow the kind
// table, writes them to a per-test temporary file, and collects reader problems.
#pragma once

#include <cstdint>
#include <fstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "engine/format/trace_event.h"
#include "engine/format/trace_types.h"

namespace rscope::tracefile::testing
{

using nlohmann::json;

inline const json kMaster = {{"role", "master"}, {"index", -1}, {"pid", 100}, {"tid", 100}};
inline const json kReactor0 = {{"role", "reactor"}, {"index", 0}, {"pid", 100}, {"tid", 103}};
inline const json kWorker0 = {{"role", "worker"}, {"index", 0}, {"pid", 102}, {"tid", 102}};

inline json headerJson(const std::string& version = "1.0")
{
    json settings = {{"mode", "process"},
                     {"host", "127.0.0.1"},
                     {"port", 9502},
                     {"worker_num", 1},
                     {"reactor_num", 1},
                     {"dispatch_mode", 2},
                     {"protocol", "raw"},
                     {"package_max_length", 2097152},
                     {"max_request", 0},
                     {"heartbeat_idle_time", 0},
                     {"heartbeat_check_interval", 0}};
    json topology = {
        {"processes",
         {{{"role", "master"}, {"index", -1}, {"pid", 100}},
          {{"role", "manager"}, {"index", -1}, {"pid", 101}},
          {{"role", "worker"}, {"index", 0}, {"pid", 102}, {"generation", 1}}}},
        {"threads",
         {{{"role", "master"}, {"index", -1}, {"pid", 100}, {"tid", 100}, {"name", "master"}},
          {{"role", "reactor"}, {"index", 0}, {"pid", 100}, {"tid", 103}, {"name", "reactor[0]"}},
          {{"role", "manager"}, {"index", -1}, {"pid", 101}, {"tid", 101}, {"name", "manager"}},
          {{"role", "worker"}, {"index", 0}, {"pid", 102}, {"tid", 102}, {"name", "worker[0]"}}}},
        {"pipes", {{{"worker", 0}, {"master_fd", 7}, {"worker_fd", 6}, {"reactor", 0}}}},
        {"listeners", {{{"host", "127.0.0.1"}, {"port", 9502}, {"fd", 3}}}},
        {"connections", json::array()}};
    return {{"type", "header"},
            {"format", "reactorscope-trace"},
            {"version", version},
            {"created_ns", 1000},
            {"wall_time", "2026-11-27T03:55:00Z"},
            {"trace_payload", "preview"},
            {"settings", settings},
            {"topology", topology}};
}

// Args of a kind with plausible values of the right JSON type, from the kind table.
inline json tableArgs(trace::EventKind kind)
{
    json args = json::object();
    for (const trace::ArgInfo& arg : trace::kindInfo(kind).args)
    {
        if (arg.name == nullptr) break;
        switch (arg.type)
        {
            case trace::ArgType::Int:
                args[arg.name] = 12;
                break;
            case trace::ArgType::Bool:
                args[arg.name] = false;
                break;
            case trace::ArgType::PipeType:
                args[arg.name] = "RECV_DATA";
                break;
            case trace::ArgType::Callback:
                args[arg.name] = "onReceive";
                break;
            case trace::ArgType::Cause:
                args[arg.name] = "eof";
                break;
            case trace::ArgType::Protocol:
                args[arg.name] = "raw";
                break;
            case trace::ArgType::Direction:
                args[arg.name] = "to_worker";
                break;
            case trace::ArgType::Ipv4:
                args[arg.name] = "127.0.0.1";
                break;
            case trace::ArgType::Phase:
                args[arg.name] = "begin";
                break;
        }
    }
    return args;
}

// trace::Direction of a JSON direction name; 0xff when unknown.
inline uint8_t directionIndex(const json& name)
{
    for (uint8_t i = 0; i < trace::kDirectionCount; ++i)
        if (name.is_string() && name.get<std::string>() == trace::directionName(i)) return i;
    return 0xff;
}

class TraceBuilder
{
  public:
    explicit TraceBuilder(const std::string& version = "1.0")
    {
        text_ = headerJson(version).dump() + "\n";
    }
    // A trace under the given header line (headerJson() with settings changed, say).
    static TraceBuilder withHeader(const json& header)
    {
        TraceBuilder b;
        b.text_ = header.dump() + "\n";
        return b;
    }

    // An event of a known kind with table args (overridden by args), numbered in order.
    TraceBuilder& event(const char* kind, int64_t tsNs, const json& actor, json extra = {},
                        json args = nullptr)
    {
        trace::EventKind k = trace::kindByName(kind);
        json line = {{"seq", ++seq_},
                     {"ts", tsNs},
                     {"kind", kind},
                     {"fn", k == trace::EventKind::Count ? "x" : trace::kindInfo(k).historicFn},
                     {"actor", actor},
                     {"args", k == trace::EventKind::Count ? json::object() : tableArgs(k)}};
        if (!args.is_null())
            for (auto it = args.begin(); it != args.end(); ++it) line["args"][it.key()] = *it;
        if (k != trace::EventKind::Count && line["args"].contains("direction"))
            line["fn"] = trace::historicFn(k, directionIndex(line["args"]["direction"]));
        if (!extra.is_null())
            for (auto it = extra.begin(); it != extra.end(); ++it) line[it.key()] = *it;
        return raw(line.dump());
    }

    // The nine events of one request on flow `flow`, starting at t0: read ... reactor_write.
    TraceBuilder& request(uint64_t flow, int64_t t0, int64_t requestNs = 12000)
    {
        json ids = {{"session", 1}, {"flow", flow}};
        event("read", t0, kReactor0, ids);
        event("dispatch", t0 + 1000, kReactor0, ids);
        event("pipe_write", t0 + 2000, kReactor0, ids);
        event("worker_receive", t0 + 5000, kWorker0, ids);
        event("callback_enter", t0 + 6000, kWorker0, ids);
        event("send_request", t0 + 8000, kWorker0, ids);
        event("pipe_write", t0 + 8500, kWorker0, ids, {{"direction", "to_reactor"}});
        event("callback_exit", t0 + 9000, kWorker0, ids);
        return event("reactor_write", t0 + requestNs, kReactor0, ids);
    }

    TraceBuilder& end(uint64_t dropped = 0, std::vector<uint64_t> cutFlows = {})
    {
        json line = {
            {"type", "trace_end"}, {"events", seq_}, {"dropped", dropped}, {"cut_flows", cutFlows}};
        return raw(line.dump());
    }

    TraceBuilder& raw(const std::string& line)
    {
        text_ += line + "\n";
        return *this;
    }
    // Uses up a seq number without writing a line, for hand-written lines.
    uint64_t nextSeq() { return ++seq_; }

    const std::string& text() const { return text_; }

  private:
    std::string text_;
    uint64_t seq_ = 0;
};

// A file under the test temp dir named after the running test.
inline std::string writeTrace(const std::string& text, const std::string& suffix = ".jsonl")
{
    const ::testing::TestInfo* info = ::testing::UnitTest::GetInstance()->current_test_info();
    std::string path =
        ::testing::TempDir() + "rscope_" + info->test_suite_name() + "_" + info->name() + suffix;
    std::ofstream(path, std::ios::binary | std::ios::trunc) << text;
    return path;
}

inline std::string readFile(const std::string& path)
{
    std::ifstream in(path, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

// Problems of one read, by severity.
struct Collected
{
    std::vector<Problem> errors;
    std::vector<Problem> warnings;

    void add(const Problem& p) { (p.severity == Severity::Error ? errors : warnings).push_back(p); }
    std::string describe() const
    {
        std::string out;
        for (const Problem& p : errors) out += "error: " + p.where.toString() + "\n";
        for (const Problem& p : warnings) out += "warning: " + p.where.toString() + "\n";
        return out;
    }
};

}  // namespace rscope::tracefile::testing
