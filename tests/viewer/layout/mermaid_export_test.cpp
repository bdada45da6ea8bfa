// Mermaid export of the article's sequence: the header line, one participant per lifeline in
// order, one line per message in order (arrows, dashed pickups, notes), and the escaping of
// the characters Mermaid would read as syntax.
#include "viewer/layout/mermaid_export.h"

#include <cstring>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "tests/viewer/model/derived/trace_fixtures.h"
#include "viewer/layout/sequence_layout.h"
#include "viewer/model/sequence_model.h"
#include "viewer/model/session_index.h"

namespace rscope::viewer
{
namespace
{

std::vector<std::string> lines(const std::string& text)
{
    std::vector<std::string> out;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) out.push_back(line);
    return out;
}

// Mermaid reads ';' as a statement end and '#' as an entity start: outside our entity codes
// neither may appear.
bool onlyEntityCodes(std::string text)
{
    for (const char* code : {"#59;", "#35;", "#quot;", "#lt;", "#gt;"})
        for (size_t at; (at = text.find(code)) != std::string::npos;) text.erase(at, strlen(code));
    return text.find_first_of(";#\"") == std::string::npos;
}

TEST(MermaidExportTest, ArticleSequence)
{
    TraceStore store;
    test::loadArticle(store);
    SessionIndex index;
    index.extend(store);
    std::vector<int64_t> sessions{1};
    SequenceModel model = buildSequence(store, index, sessions, store.size() - 1, 200);
    std::string text = toMermaid(model);
    std::vector<std::string> l = lines(text);
    ASSERT_EQ(l.size(), 1 + model.lifelines.size() + model.messages.size());
    EXPECT_EQ(l[0], "sequenceDiagram");
    EXPECT_EQ(l[1], "    participant client_1 as client[1]<br/>127.0.0.1:33002  fd 30");
    EXPECT_EQ(l[2], "    participant main_reactor as main reactor<br/>master pid 20769 tid 20769");
    EXPECT_EQ(l[3], "    participant reactor_0 as reactor[0]<br/>pid 20769 tid 20776");
    EXPECT_EQ(l[4], "    participant pipe_0_2 as pipe[0-#gt;2]<br/>socketpair fds 9 / 8");
    EXPECT_EQ(l[5], "    participant worker_2 as worker[2]<br/>pid 20780");
    EXPECT_EQ(l[6], "    client_1->>main_reactor: swServer_master_onAccept  accept fd 30");
    EXPECT_EQ(l[7],
              "    Note over main_reactor: swServer_master_onAccept  fd 30 % 2 = reactor 0  "
              "+491 ns");
    EXPECT_EQ(l[12],
              "    client_1->>reactor_0: swReactorThread_onRead  12B #quot;hello world\\n#quot;"
              "  +40 \xC2\xB5s");
    // One line per message, in the model's order, with the picture's label.
    for (size_t i = 0; i < model.messages.size(); ++i)
    {
        const SequenceMessage& msg = model.messages[i];
        const std::string& line = l[6 + i];
        std::string arrow = msg.isSelf() ? "Note over " : (msg.derived ? "-->>" : "->>");
        EXPECT_NE(line.find(arrow), std::string::npos) << line;
        EXPECT_NE(line.find(mermaidEscape(sequenceLabel(msg))), std::string::npos) << line;
        EXPECT_TRUE(onlyEntityCodes(line)) << line;
    }
    EXPECT_EQ(l[27], "    pipe_0_2-->>reactor_0: swReactorThread_onPipeReceive  SEND_DATA 83B");
    EXPECT_EQ(l.back(),
              "    reactor_0->>client_1: swReactorThread_close  close fd 30 (server_close)  "
              "+9.0 \xC2\xB5s");
}

TEST(MermaidExportTest, TruncatedWindowSaysSoInComments)
{
    TraceStore store;
    test::loadArticle(store);
    SessionIndex index;
    index.extend(store);
    std::vector<int64_t> sessions{1};
    SequenceModel model = buildSequence(store, index, sessions, test::indexOfSeq(store, 26), 6);
    std::vector<std::string> l = lines(toMermaid(model));
    ASSERT_EQ(l.size(), 1 + model.lifelines.size() + model.messages.size() + 2);
    EXPECT_EQ(l[1 + model.lifelines.size()].rfind("    %% ", 0), 0u);
    EXPECT_EQ(l.back().rfind("    %% ", 0), 0u);
}

TEST(MermaidExportTest, EscapesWhatMermaidReadsAsSyntax)
{
    EXPECT_EQ(mermaidEscape("a;b#c\"d<e>\nf"), "a#59;b#35;c#quot;d#lt;e#gt;<br/>f");
    EXPECT_EQ(mermaidEscape("plain text: 12B"), "plain text: 12B");
    SequenceModel m;
    m.lifelines.push_back({"client[7]", "client[7]", "", LifelineKind::Client, 7, -1, -1});
    m.lifelines.push_back({"reactor[1]", "reactor[1]", "", LifelineKind::Reactor, 0, 1, -1});
    SequenceMessage msg;
    msg.from = 0;
    msg.to = 1;
    msg.fn = "swReactorThread_onRead";
    msg.label = "5B \"a;b#c\"";
    m.messages.push_back(msg);
    std::vector<std::string> l = lines(toMermaid(m));
    ASSERT_EQ(l.size(), 4u);
    EXPECT_EQ(l[3], "    client_7->>reactor_1: swReactorThread_onRead  5B #quot;a#59;b#35;c#quot;");
}

}  // namespace
}  // namespace rscope::viewer
