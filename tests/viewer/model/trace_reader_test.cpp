// TraceReader and saveTrace on traces/article.jsonl and on broken copies of it: FILE:LINE errors
// that let the rest load, a refused newer major version, unknown kinds, and a save/load round trip.
#include "viewer/model/trace_reader.h"

#include <unistd.h>

#include <cstring>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "viewer/model/trace_store.h"

namespace rscope::viewer
{
namespace
{

const std::string kArticle = std::string(RSCOPE_SOURCE_DIR) + "/traces/article.jsonl";

std::vector<std::string> articleLines()
{
    std::ifstream in(kArticle);
    std::vector<std::string> lines;
    for (std::string line; std::getline(in, line);) lines.push_back(line);
    return lines;
}

// A file in the test's temp dir, removed at the end of the test.
class TempTrace
{
  public:
    explicit TempTrace(const std::string& name)
        : path_(::testing::TempDir() + "viewer_" + std::to_string(::getpid()) + "_" + name)
    {
    }
    ~TempTrace() { std::remove(path_.c_str()); }
    const std::string& path() const { return path_; }
    void write(const std::string& text) const { std::ofstream(path_, std::ios::binary) << text; }
    void writeLines(const std::vector<std::string>& lines) const
    {
        std::string text;
        for (const std::string& l : lines) text += l + "\n";
        write(text);
    }

  private:
    std::string path_;
};

std::string allErrors(const TraceStore& store)
{
    std::string s;
    for (const ParseError& e : store.errors()) s += e.text() + "\n";
    return s;
}

bool sameEvent(const Event& a, const Event& b)
{
    // Offsets into the arena may differ; everything the viewer reads must not.
    return a.tsNs == b.tsNs && a.seq == b.seq && a.flow == b.flow && a.session == b.session &&
           a.msgId == b.msgId && a.actor == b.actor && a.fd == b.fd && a.bytes == b.bytes &&
           a.reactor == b.reactor && a.worker == b.worker && a.kind == b.kind &&
           a.pipeType == b.pipeType && a.direction == b.direction && a.callback == b.callback &&
           a.cause == b.cause && a.argsLength == b.argsLength && a.payloadLength == b.payloadLength;
}

TEST(TraceReader, LoadsTheArticleTraceWithItsTopology)
{
    TraceStore store;
    TraceReader reader(kArticle);
    ASSERT_TRUE(reader.loadAll(store)) << reader.error();
    EXPECT_EQ(store.errorCount(), 0u) << allErrors(store);
    ASSERT_EQ(store.size(), 36u);
    EXPECT_EQ(store[0].seq, 1u);
    EXPECT_EQ(store[0].kind, EventKind::ServerStart);
    EXPECT_EQ(store[35].seq, 36u);
    EXPECT_EQ(store[35].kind, EventKind::Close);
    EXPECT_EQ(store.args(store[35]), R"({"cause":"server_close","dropped_bytes":0})");
    EXPECT_DOUBLE_EQ(reader.progress(), 1.0);

    ASSERT_TRUE(store.hasHeader());
    const Topology& t = store.topology();
    EXPECT_EQ(t.reactorNum, 2);
    EXPECT_EQ(t.workerNum, 4);
    EXPECT_EQ(t.pipes.size(), 4u);
    EXPECT_EQ(t.threads.size(), 8u);
    EXPECT_EQ(t.processes.size(), 6u);
    EXPECT_EQ(t.mode, "process");
    EXPECT_EQ(t.liveFromSeq, 14u);
    // The header's threads are the actors, in header order; the events add none.
    ASSERT_EQ(store.actors().size(), 8u);
    EXPECT_EQ(store.actors()[1].name, "reactor[0]");
    EXPECT_EQ(store.actorOf(store[0]).name, "master");
}

TEST(TraceReader, MalformedLineIsAnErrorAtFileLineAndTheRestLoads)
{
    std::vector<std::string> lines = articleLines();
    lines[4] = R"({"seq":4,"ts":7371141132350,"kind":"pipe_create",)";  // line 5
    TempTrace file("malformed.jsonl");
    file.writeLines(lines);
    TraceStore store;
    TraceReader reader(file.path());
    ASSERT_TRUE(reader.loadAll(store)) << reader.error();
    EXPECT_EQ(store.size(), 35u);
    ASSERT_EQ(store.errorCount(), 1u);
    std::string text = store.errors()[0].text();
    EXPECT_EQ(text.rfind(file.path() + ":5: invalid JSON", 0), 0u) << text;
}

TEST(TraceReader, TruncatedLastLineIsAnErrorAndTheRestLoads)
{
    std::vector<std::string> lines = articleLines();
    lines.pop_back();  // trace_end
    std::string text;
    for (const std::string& l : lines) text += l + "\n";
    text.resize(text.size() - 40);  // cut inside the last event, no final '\n'
    TempTrace file("truncated.jsonl");
    file.write(text);
    TraceStore store;
    TraceReader reader(file.path());
    ASSERT_TRUE(reader.loadAll(store)) << reader.error();
    EXPECT_EQ(store.size(), 35u);
    ASSERT_EQ(store.errorCount(), 1u);
    std::string error = store.errors()[0].text();
    EXPECT_EQ(error.rfind(file.path() + ":37: truncated last line", 0), 0u) << error;
}

TEST(TraceReader, NewerMajorVersionIsRefused)
{
    std::vector<std::string> lines = articleLines();
    size_t at = lines[0].find("\"version\":\"1.0\"");
    ASSERT_NE(at, std::string::npos);
    lines[0].replace(at, std::strlen("\"version\":\"1.0\""), "\"version\":\"2.0\"");
    TempTrace file("newer.jsonl");
    file.writeLines(lines);
    TraceStore store;
    TraceReader reader(file.path());
    EXPECT_FALSE(reader.loadAll(store));
    EXPECT_TRUE(reader.fatal());
    EXPECT_EQ(store.size(), 0u);
    EXPECT_EQ(reader.error().rfind(file.path() + ":1: trace format version 2.0 is newer", 0), 0u)
        << reader.error();
}

// A 10 KB file whose header claims 20,000,000 workers once made the viewer allocate until the
// machine ran out of memory: a count beyond the server's own limits refuses the file.
TEST(TraceReader, HeaderCountsBeyondTheServersLimitsAreRefused)
{
    struct Case
    {
        const char* from;
        const char* to;
        const char* message;
    };
    for (const Case& c : {Case{"\"worker_num\":4", "\"worker_num\":20000000",
                               "header: worker_num 20000000 is beyond the server's limit of 1024"},
                          Case{"\"reactor_num\":2", "\"reactor_num\":1000000",
                               "header: reactor_num 1000000 is beyond the server's limit of 1024"},
                          Case{"\"worker\":3", "\"worker\":2000000000",
                               "header: a pipe's worker 2000000000 is beyond"}})
    {
        std::vector<std::string> lines = articleLines();
        size_t at = lines[0].find(c.from);
        ASSERT_NE(at, std::string::npos) << c.from;
        lines[0].replace(at, std::strlen(c.from), c.to);
        TempTrace file("huge.jsonl");
        file.writeLines(lines);
        TraceStore store;
        TraceReader reader(file.path());
        EXPECT_FALSE(reader.loadAll(store)) << c.to;
        EXPECT_TRUE(reader.fatal());
        EXPECT_EQ(reader.error().rfind(file.path() + ":1: " + c.message, 0), 0u) << reader.error();
    }
}

TEST(TraceReader, UnknownKindIsSkippedAndCounted)
{
    std::vector<std::string> lines = articleLines();
    lines.insert(lines.begin() + 10,
                 R"({"seq":9,"ts":7371142030000,"kind":"teleport","fn":"swTeleport",)"
                 R"("actor":{"role":"worker","index":0,"pid":10871,"tid":10871},"args":{"x":1}})");
    TempTrace file("unknown.jsonl");
    file.writeLines(lines);
    TraceStore store;
    TraceReader reader(file.path());
    ASSERT_TRUE(reader.loadAll(store)) << reader.error();
    EXPECT_EQ(store.size(), 36u);
    EXPECT_EQ(store.unknownKinds(), 1u);
    EXPECT_EQ(store.errorCount(), 0u) << allErrors(store);
}

TEST(TraceReader, FileWithoutHeaderLoadsItsEventsWithAnError)
{
    std::vector<std::string> lines = articleLines();
    lines.erase(lines.begin());
    TempTrace file("headerless.jsonl");
    file.writeLines(lines);
    TraceStore store;
    TraceReader reader(file.path());
    ASSERT_TRUE(reader.loadAll(store)) << reader.error();
    EXPECT_FALSE(store.hasHeader());
    EXPECT_EQ(store.size(), 36u);
    ASSERT_EQ(store.errorCount(), 1u);
    EXPECT_EQ(store.errors()[0].text().rfind(file.path() + ":1: missing header", 0), 0u)
        << allErrors(store);
}

TEST(TraceReader, SeqGoingBackwardsIsSkippedWithAnError)
{
    std::vector<std::string> lines = articleLines();
    lines.insert(lines.begin() + 5, lines[2]);  // seq 2 again, as line 6
    TempTrace file("backwards.jsonl");
    file.writeLines(lines);
    TraceStore store;
    TraceReader reader(file.path());
    ASSERT_TRUE(reader.loadAll(store)) << reader.error();
    EXPECT_EQ(store.size(), 36u);
    EXPECT_EQ(store.rejected(), 1u);
    ASSERT_EQ(store.errorCount(), 1u);
    EXPECT_EQ(store.errors()[0].text(),
              file.path() + ":6: seq 2 is not after seq 4; event skipped");
}

TEST(TraceReader, TraceDroppedCountsTheLostEvents)
{
    std::vector<std::string> lines = articleLines();
    lines.insert(
        lines.end() - 1,
        R"({"seq":37,"ts":7371760075000,"kind":"trace_dropped","fn":"rscope_trace_collect",)"
        R"("actor":{"role":"reactor","index":1,"pid":10865,"tid":10873},"args":{"count":17}})");
    TempTrace file("dropped.jsonl");
    file.writeLines(lines);
    TraceStore store;
    TraceReader reader(file.path());
    ASSERT_TRUE(reader.loadAll(store)) << reader.error();
    EXPECT_EQ(store.size(), 37u);
    EXPECT_EQ(store.droppedByServer(), 17u);
}

TEST(TraceReader, StepLoadsInSlicesAndTheFirstStepClearsTheStore)
{
    TraceStore store;
    TraceReader first(kArticle);
    ASSERT_TRUE(first.loadAll(store));
    TraceReader reader(kArticle);
    ASSERT_TRUE(reader.open()) << reader.error();
    EXPECT_TRUE(reader.step(store, 10));  // header + 9 events
    EXPECT_EQ(store.size(), 9u);
    double before = reader.progress();
    EXPECT_GT(before, 0.0);
    EXPECT_LT(before, 1.0);
    int steps = 0;
    while (reader.step(store, 10)) ++steps;
    EXPECT_EQ(steps, 2);
    EXPECT_EQ(store.size(), 36u);
    EXPECT_DOUBLE_EQ(reader.progress(), 1.0);
}

TEST(TraceReader, MissingOrEmptyFileCannotBeOpened)
{
    TraceReader missing("/nonexistent/dir/trace.jsonl");
    EXPECT_FALSE(missing.open());
    EXPECT_EQ(missing.error(), "open(/nonexistent/dir/trace.jsonl): No such file or directory");
    TempTrace file("empty.jsonl");
    file.write("");
    TraceReader empty(file.path());
    TraceStore store;
    EXPECT_FALSE(empty.loadAll(store));
    EXPECT_NE(empty.error().find("empty file"), std::string::npos) << empty.error();
}

TEST(TraceReader, SavedTraceLoadsBackIdentically)
{
    std::vector<std::string> lines = articleLines();
    // Add what the article lacks: a payload with escapes and a trace_dropped.
    lines.insert(lines.end() - 1,
                 R"({"seq":37,"ts":7371760075000,"kind":"read","fn":"swReactorThread_onRead",)"
                 R"("actor":{"role":"reactor","index":0,"pid":10865,"tid":10870},"session":2,)"
                 R"("fd":31,"reactor":0,"args":{"bytes":12,"buffered_total":0},)"
                 R"("payload":"hi \"x\"\\n\u0001"})");
    lines.insert(
        lines.end() - 1,
        R"({"seq":38,"ts":7371760076000,"kind":"trace_dropped","fn":"rscope_trace_collect",)"
        R"("actor":{"role":"reactor","index":1,"pid":10865,"tid":10873},"args":{"count":3}})");
    TempTrace source("source.jsonl");
    source.writeLines(lines);
    TraceStore original;
    TraceReader reader(source.path());
    ASSERT_TRUE(reader.loadAll(original)) << reader.error();
    ASSERT_EQ(original.errorCount(), 0u) << allErrors(original);

    TempTrace saved("saved.jsonl");
    std::string error;
    ASSERT_TRUE(saveTrace(original, saved.path(), error)) << error;
    TraceStore loaded;
    TraceReader again(saved.path());
    ASSERT_TRUE(again.loadAll(loaded)) << again.error();
    EXPECT_EQ(loaded.errorCount(), 0u) << allErrors(loaded);

    ASSERT_EQ(loaded.size(), original.size());
    for (size_t i = 0; i < original.size(); ++i)
    {
        EXPECT_TRUE(sameEvent(loaded[i], original[i])) << "event " << i;
        EXPECT_EQ(loaded.args(loaded[i]), original.args(original[i])) << "event " << i;
        EXPECT_EQ(loaded.payload(loaded[i]), original.payload(original[i])) << "event " << i;
    }
    EXPECT_EQ(loaded.payload(loaded[36]), R"(hi \"x\"\\n\u0001)");
    ASSERT_EQ(loaded.actors().size(), original.actors().size());
    for (size_t i = 0; i < original.actors().size(); ++i)
        EXPECT_EQ(loaded.actors()[i].name, original.actors()[i].name);
    EXPECT_EQ(loaded.topology().headerJson, original.topology().headerJson);
    EXPECT_EQ(loaded.droppedByServer(), 3u);

    // The event lines are those of the source (the article is written in the same key order),
    // and a second save writes the same bytes.
    std::ifstream in(saved.path());
    std::stringstream savedText;
    savedText << in.rdbuf();
    std::string text = savedText.str();
    for (size_t i = 0; i + 1 < lines.size(); ++i)
        EXPECT_NE(text.find(lines[i] + "\n"), std::string::npos) << "line " << i + 1;
    TempTrace resaved("resaved.jsonl");
    ASSERT_TRUE(saveTrace(loaded, resaved.path(), error)) << error;
    std::ifstream in2(resaved.path());
    std::stringstream resavedText;
    resavedText << in2.rdbuf();
    EXPECT_EQ(resavedText.str(), text);
}

TEST(TraceReader, SaveIntoAMissingDirectoryFailsWithAReason)
{
    TraceStore store;
    std::string error;
    EXPECT_FALSE(saveTrace(store, "/nonexistent/dir/out.jsonl", error));
    EXPECT_NE(error.find("/nonexistent/dir/out.jsonl.tmp"), std::string::npos) << error;
    EXPECT_NE(error.find("No such file or directory"), std::string::npos) << error;
}

}  // namespace
}  // namespace rscope::viewer
