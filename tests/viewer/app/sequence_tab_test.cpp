// The Sequence tab end to end: the real viewer under Xvfb on traces/article.jsonl, its layout
// dump (the sequence picture at a cursor inside the request) and the tab's PNG export, which
// holds the whole diagram rather than the rows in view.
#include <stb_image.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "tests/viewer/app/viewer_run.h"

namespace
{

using json = nlohmann::json;
namespace fs = std::filesystem;

const std::string kViewer = RSCOPE_VIEWER;
const std::string kArticle = std::string(RSCOPE_SOURCE_DIR) + "/traces/article.jsonl";
constexpr int kOnReceiveEnterEvent = 26;  // callback_enter onReceive in worker[2] (seq 27)

using rscope::viewer::test::TempDir;

// The viewer under its own Xvfb, bounded in time; the exit code. `args` is written as on a
// command line: words split on spaces, single quotes keep a path with spaces in one word.
int runViewer(const std::string& args, const TempDir& dir)
{
    std::vector<std::string> words;
    std::string word;
    bool quoted = false, any = false;
    for (char c : args)
    {
        if (c == '\'')
            quoted = !quoted, any = true;
        else if (c == ' ' && !quoted)
        {
            if (any) words.push_back(word);
            word.clear();
            any = false;
        }
        else
            word += c, any = true;
    }
    if (any) words.push_back(word);
    return rscope::viewer::test::runViewer(kViewer, dir, words, std::chrono::seconds(90)).exitCode;
}

json readJson(const std::string& path)
{
    std::ifstream in(path);
    return json::parse(in, nullptr, false);
}

TEST(SequenceTab, DumpShowsTheArticleRequestAtTheCursor)
{
    TempDir dir;
    ASSERT_EQ(
        runViewer("--replay '" + kArticle + "' --at-event " + std::to_string(kOnReceiveEnterEvent) +
                      " --picture sequence --dump-layout '" + dir.file("d.json") + "'",
                  dir),
        0);
    json d = readJson(dir.file("d.json"));
    ASSERT_TRUE(d.is_object());
    EXPECT_EQ(d["picture_tab"], "sequence");
    ASSERT_EQ(d["pictures"].size(), 1u);
    const json& p = d["pictures"][0];
    EXPECT_EQ(p["picture"], "sequence");
    std::vector<std::string> heads;
    for (const json& n : p["nodes"])
        if (n["role"] == "lifeline") heads.push_back(n["id"]);
    EXPECT_EQ(heads, (std::vector<std::string>{"client[1]", "main_reactor", "reactor[0]",
                                               "pipe[0->2]", "worker[2]"}));
    // Nothing selected: the session at the cursor is shown, following the cursor, whose hop
    // (onReceive starting) is the emphasised row; later hops are faded.
    int messages = 0, emphasized = 0;
    for (const json& e : p["edges"])
    {
        if (e["kind"] != "message" && e["kind"] != "self") continue;
        ++messages;
        EXPECT_EQ(e["session"], 1);
        EXPECT_EQ(e["faded"].get<bool>(), e["event_index"].get<int>() > kOnReceiveEnterEvent)
            << e["id"];
        if (e["emphasized"].get<bool>())
        {
            ++emphasized;
            EXPECT_EQ(e["event_index"], kOnReceiveEnterEvent);
            EXPECT_EQ(e["label"], "swWorker_onTask  onReceive  +551 ns");
        }
    }
    EXPECT_GT(messages, 4);
    EXPECT_EQ(emphasized, 1);
    EXPECT_GT(p["content_height"].get<double>(), 0.0);
}

TEST(SequenceTab, BeforeTheFirstRequestTheNextSessionIsTheFuture)
{
    TempDir dir;
    ASSERT_EQ(runViewer("--replay '" + kArticle + "' --at-event 5 --picture sequence " +
                            "--dump-layout '" + dir.file("d.json") + "'",
                        dir),
              0);
    json d = readJson(dir.file("d.json"));
    ASSERT_TRUE(d.is_object());
    const json& p = d["pictures"][0];
    int messages = 0;
    for (const json& e : p["edges"])
        if (e["kind"] == "message" || e["kind"] == "self")
        {
            ++messages;
            EXPECT_TRUE(e["faded"].get<bool>()) << e["id"];
            EXPECT_FALSE(e["emphasized"].get<bool>()) << e["id"];
        }
    EXPECT_GT(messages, 4);
    EXPECT_TRUE(p["banner"].get<std::string>().empty());
}

// The splitter between the session list and the diagram (set here as a drag would set it):
// a narrower list gives the diagram the width, and its lanes get wider; a list wider than the
// tab still leaves the diagram room for its lanes.
TEST(SequenceTab, TheSessionListsSplitterGivesTheDiagramRoom)
{
    TempDir dir;
    auto canvasWith = [&](const std::string& extra, const std::string& name, double* laneW)
    {
        EXPECT_EQ(runViewer("--replay '" + kArticle + "' --at-event 26 --picture sequence " +
                                extra + " --dump-layout '" + dir.file(name) + "'",
                            dir),
                  0);
        json d = readJson(dir.file(name));
        if (!d.is_object()) return json::array();
        const json& p = d["pictures"][0];
        *laneW = 0;
        for (const json& n : p["nodes"])
            if (n["role"] == "lifeline") *laneW = n["rect"][2].get<double>();
        return p["canvas"];  // x, y, w, h
    };
    double defaultLane = 0, narrowLane = 0, wideLane = 0;
    json byDefault = canvasWith("", "default.json", &defaultLane);
    json narrow = canvasWith("--sequence-list-width 120", "narrow.json", &narrowLane);
    json wide = canvasWith("--sequence-list-width 5000", "wide.json", &wideLane);
    ASSERT_EQ(byDefault.size(), 4u);
    ASSERT_EQ(narrow.size(), 4u);
    ASSERT_EQ(wide.size(), 4u);
    double right = byDefault[0].get<double>() + byDefault[2].get<double>();
    // The list starts at the tab's left edge (~8 px) and ends 120 px on, then the splitter.
    EXPECT_LT(narrow[0].get<double>(), 150.0);
    EXPECT_LT(narrow[0].get<double>(), byDefault[0].get<double>() - 100);
    EXPECT_NEAR(narrow[0].get<double>() + narrow[2].get<double>(), right, 1.0);
    EXPECT_GT(narrowLane, defaultLane);
    // Clamped: the diagram keeps at least 20 font sizes (~260 px) of the tab.
    EXPECT_GT(wide[2].get<double>(), 250.0);
    EXPECT_NEAR(wide[0].get<double>() + wide[2].get<double>(), right, 1.0);
    EXPECT_GT(wideLane, 0.0);
}

TEST(SequenceTab, PngExportHoldsTheWholeDiagram)
{
    TempDir dir;
    ASSERT_EQ(runViewer("--replay '" + kArticle + "' --at-event 35 --picture sequence " +
                            "--select-session 1 --export-png '" + dir.file("s.png") +
                            "' --dump-layout '" + dir.file("d.json") + "'",
                        dir),
              0);
    int w = 0, h = 0, n = 0;
    unsigned char* pixels = stbi_load(dir.file("s.png").c_str(), &w, &h, &n, 3);
    ASSERT_NE(pixels, nullptr) << "no PNG written";
    // The last rows (the reply and the close, below the on-screen canvas) are drawn: the bottom
    // tenth holds bright arrow and text pixels, not just the background.
    int bright = 0;
    for (int y = h - h / 10; y < h; ++y)
        for (int x = 0; x < w; ++x)
        {
            const unsigned char* px = pixels + (static_cast<size_t>(y) * w + x) * 3;
            bright += px[0] + px[1] + px[2] > 300;
        }
    stbi_image_free(pixels);
    EXPECT_GT(bright, 200) << "the bottom of the exported diagram is empty";
    json d = readJson(dir.file("d.json"));
    ASSERT_TRUE(d.is_object());
    const json& p = d["pictures"][0];
    // The on-screen canvas shows part of the 25 rows; the export is tall enough for all of them.
    double canvasH = p["canvas"][3].get<double>();
    EXPECT_GT(h, canvasH);
    // Its heads are wider than on screen, so they may wrap onto fewer lines (two at most, of
    // 1.05 font heights): the export is at most that much shorter than the on-screen content.
    double contentH = p["content_height"].get<double>();
    EXPECT_LE(h, contentH + 2.0);
    EXPECT_GE(h, contentH - 2 * 1.05 * 15 - 2.0);
    // As wide as the whole tab: the session list gives its width to the exported diagram.
    EXPECT_GE(w, p["canvas"][2].get<double>());
}

// The Mermaid export of the article's session: a sequenceDiagram with the five lifelines and one
// line per hop, in the order of the events.
TEST(SequenceTab, MermaidExportListsEveryHopInOrder)
{
    TempDir dir;
    std::string out = dir.file("s.mmd");
    ASSERT_EQ(runViewer("--replay '" + kArticle + "' --at-event 35 --select-session 1 " +
                            "--export-mermaid '" + out + "'",
                        dir),
              0);
    std::ifstream in(out);
    std::vector<std::string> lines;
    for (std::string line; std::getline(in, line);) lines.push_back(line);
    ASSERT_FALSE(lines.empty()) << "no Mermaid file written";
    EXPECT_EQ(lines[0], "sequenceDiagram");
    int participants = 0, arrows = 0;
    for (const std::string& l : lines)
    {
        participants += l.find("participant ") != std::string::npos;
        arrows += l.find("->>") != std::string::npos;
    }
    EXPECT_EQ(participants, 5);  // client[1], main reactor, reactor[0], pipe[0->2], worker[2]
    EXPECT_GE(arrows, 10);
    auto at = [&](const std::string& text)
    {
        for (size_t i = 0; i < lines.size(); ++i)
            if (lines[i].find(text) != std::string::npos) return static_cast<int>(i);
        return -1;
    };
    int accept = at("swServer_master_onAccept"), read = at("swReactorThread_onRead"),
        receive = at("swWorker_onPipeReceive  RECV_DATA"), send = at("swReactorThread_send "),
        close = at("swReactorThread_close");
    ASSERT_TRUE(accept > 0 && read > 0 && receive > 0 && send > 0 && close > 0);
    EXPECT_LT(accept, read);
    EXPECT_LT(read, receive);
    EXPECT_LT(receive, send);
    EXPECT_LT(send, close);
    EXPECT_NE(lines[read].find("client_1->>reactor_0"), std::string::npos) << lines[read];
}

}  // namespace
