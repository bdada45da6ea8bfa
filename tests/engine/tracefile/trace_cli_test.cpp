// The rscope binary's trace subcommands end to end: exit codes, FILE:LINE output, --json,
// export to a file, --help of every subcommand.
#include <sys/wait.h>

#include <cstdio>
#include <string>

#include <gtest/gtest.h>

#include "tests/engine/tracefile/trace_builder.h"

namespace rscope::tracefile
{
namespace
{
using nlohmann::json;
using testing::readFile;
using testing::TraceBuilder;
using testing::writeTrace;

struct CommandRun
{
    int exitCode = -1;
    std::string output;  // stdout and stderr
};

CommandRun rscope(const std::string& args)
{
    CommandRun run;
    std::string command = std::string(RSCOPE_BIN) + " " + args + " 2>&1";
    FILE* pipe = ::popen(command.c_str(), "r");
    if (pipe == nullptr) return run;
    char buf[4096];
    size_t n;
    while ((n = std::fread(buf, 1, sizeof buf, pipe)) > 0) run.output.append(buf, n);
    int status = ::pclose(pipe);
    run.exitCode = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    return run;
}

TEST(TraceCli, CheckExitsZeroOnAValidTraceAndPrintsTheSummary)
{
    TraceBuilder b;
    b.request(1, 1'000'000).end();
    std::string path = writeTrace(b.text());
    CommandRun run = rscope("trace check " + path);
    EXPECT_EQ(run.exitCode, 0) << run.output;
    EXPECT_EQ(run.output, path +
                              ": 9 events, 8 kinds, 1 flows (0 cut), 0 errors, 0 warnings, 0 "
                              "unknown-kind events skipped\n");
}

TEST(TraceCli, CheckExitsOneWithFileAndLineOfEachError)
{
    TraceBuilder b;
    b.request(1, 1'000'000);
    b.event("read", 2'000'000, testing::kReactor0, {{"seq", "10"}});
    std::string path = writeTrace(b.text());
    CommandRun run = rscope("trace check " + path);
    EXPECT_EQ(run.exitCode, 1) << run.output;
    EXPECT_NE(run.output.find(path + ":11: \"seq\" must be an unsigned integer"), std::string::npos)
        << run.output;
    EXPECT_NE(run.output.find(path + ": warning: no trace_end line"), std::string::npos)
        << run.output;

    CommandRun quiet = rscope("trace check --quiet " + path);
    EXPECT_EQ(quiet.exitCode, 1);
    EXPECT_EQ(quiet.output.find("warning"), std::string::npos) << quiet.output;
    EXPECT_EQ(quiet.output.find("events,"), std::string::npos) << quiet.output;
    EXPECT_NE(quiet.output.find(":11: "), std::string::npos) << quiet.output;
}

TEST(TraceCli, StatsJsonIsOneObject)
{
    TraceBuilder b;
    b.request(1, 1'000'000, 20'000).end();
    CommandRun run = rscope("trace stats --json " + writeTrace(b.text()));
    ASSERT_EQ(run.exitCode, 0) << run.output;
    nlohmann::json j = nlohmann::json::parse(run.output);
    EXPECT_EQ(j.at("events"), 9);
    EXPECT_EQ(j.at("latency_us").at("read->write").at("p50_us"), 20.0);  // one sample: exact
}

TEST(TraceCli, ExportWritesChromeJson)
{
    TraceBuilder b;
    b.request(1, 1'000'000).end();
    std::string in = writeTrace(b.text());
    std::string out = writeTrace("", ".chrome.json");
    CommandRun run = rscope("trace export --format chrome " + in + " -o " + out);
    ASSERT_EQ(run.exitCode, 0) << run.output;
    nlohmann::json doc = nlohmann::json::parse(readFile(out));
    EXPECT_EQ(doc.at("traceEvents").size(), 9u + 2u * (3u + 4u));  // slices + named pids, tids

    CommandRun badFormat = rscope("trace export --format svg " + in + " -o " + out);
    EXPECT_NE(badFormat.exitCode, 0);
}

// A line of 100,000 '[' (or an event whose args nest that deep) overflowed the stack of check,
// stats and export; now it is one error at its line, and the rest of the file is read.
TEST(TraceCli, DeeplyNestedLinesAreAnErrorAtTheirLineNotACrash)
{
    TraceBuilder b;
    b.request(1, 1'000'000);
    std::string deep = std::string(100000, '[') + std::string(100000, ']');
    std::string text = b.text();
    std::string deepArgs = text.substr(0, text.rfind('\n', text.size() - 2) + 1);
    std::string lastLine = text.substr(deepArgs.size());
    // The last event again, its args nested deep.
    std::string nestedArgs = lastLine;
    size_t argsAt = nestedArgs.find("\"args\":{");
    ASSERT_NE(argsAt, std::string::npos) << lastLine;
    nestedArgs.insert(argsAt + 8, "\"x\":" + deep + ",");
    for (const std::string& bad : {deep + "\n", nestedArgs})
    {
        std::string path = writeTrace(text + bad);
        for (const char* cmd : {"trace check ", "trace stats ", "trace export --format chrome "})
        {
            std::string args = cmd + path;
            if (std::string(cmd).find("export") != std::string::npos)
                args += " -o " + writeTrace("", ".chrome.json");
            CommandRun run = rscope(args);
            EXPECT_GE(run.exitCode, 0) << args << " crashed";
            EXPECT_LE(run.exitCode, 2) << args << "\n" << run.output.substr(0, 500);
            if (std::string(cmd).find("check") != std::string::npos)
            {
                EXPECT_NE(run.output.find(path + ":11: nested too deep"), std::string::npos)
                    << run.output.substr(0, 500);
            }
            EXPECT_LT(run.output.size(), 4000u) << "the error does not echo the line";
        }
    }
}

// A bad token of megabytes is quoted by its first bytes only, escaped.
TEST(TraceCli, ABadTokenIsQuotedShortAndEscaped)
{
    TraceBuilder b;
    b.request(1, 1'000'000);
    std::string path =
        writeTrace(b.text() + "{\"seq\":\"" + std::string(1 << 20, 'x') + "\x1b[2J\n");
    CommandRun run = rscope("trace check " + path);
    EXPECT_EQ(run.exitCode, 1);
    EXPECT_NE(run.output.find(path + ":11: "), std::string::npos) << run.output.substr(0, 500);
    EXPECT_LT(run.output.size(), 1000u) << run.output.substr(0, 500);
    EXPECT_EQ(run.output.find('\x1b'), std::string::npos) << "no escape sequence on the terminal";
}

TEST(TraceCli, EverySubcommandHasHelp)
{
    for (const char* cmd : {"trace --help", "trace check --help", "trace stats --help",
                            "trace export --help", "record --help"})
    {
        CommandRun run = rscope(cmd);
        EXPECT_EQ(run.exitCode, 0) << cmd << "\n" << run.output;
        EXPECT_NE(run.output.find("Usage"), std::string::npos) << cmd << "\n" << run.output;
    }
}

TEST(TraceCli, RecordWithoutServerFailsClearly)
{
    CommandRun run =
        rscope("record --from unix:/nonexistent/rscope.sock --out " + writeTrace("", ".jsonl"));
    EXPECT_EQ(run.exitCode, 1) << run.output;
    EXPECT_NE(run.output.find("connect(unix:/nonexistent/rscope.sock)"), std::string::npos)
        << run.output;
}

}  // namespace
}  // namespace rscope::tracefile
