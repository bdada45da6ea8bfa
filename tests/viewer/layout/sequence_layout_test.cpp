// The sequence picture of the article trace: lifeline heads in travel order, one record per
// message in event order with its function, detail and delta, future hops faded at an early
// cursor, activation bars, only the rows in view, and the fields the layout dump carries.
#include "viewer/layout/sequence_layout.h"

#include <algorithm>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "tests/viewer/model/derived/trace_fixtures.h"
#include "viewer/layout/layout_dump.h"
#include "viewer/layout/startup_parts.h"
#include "viewer/model/sequence_model.h"
#include "viewer/model/session_index.h"

namespace rscope::viewer
{
namespace
{

struct Article
{
    TraceStore store;
    SessionIndex index;
    SequenceModel model;
    Article()
    {
        test::loadArticle(store);
        index.extend(store);
        std::vector<int64_t> sessions{1};
        model = buildSequence(store, index, sessions, store.size() - 1, 200);
    }
    size_t at(uint64_t seq) const { return test::indexOfSeq(store, seq); }
    SequenceLayoutInput input(size_t position, RectF canvas = {0, 0, 1200, 2000}) const
    {
        SequenceLayoutInput in;
        in.model = &model;
        in.canvas = canvas;
        in.fontSize = 13.0f;
        in.position = position;
        return in;
    }
};

std::vector<const EdgeRecord*> messages(const DrawList& list)
{
    std::vector<const EdgeRecord*> out;
    for (const EdgeRecord& e : list.edges)
        if (e.kind == "message" || e.kind == "self") out.push_back(&e);
    return out;
}

unsigned alphaOf(Color c)
{
    return (c >> 24) & 0xFF;
}

TEST(SequenceLayoutTest, ArticleLifelinesInOrder)
{
    Article a;
    DrawList list = layoutSequence(a.input(a.store.size()));
    EXPECT_EQ(list.picture, "sequence");
    std::vector<std::string> heads;
    float lastX = -1;
    for (const NodeRecord& n : list.nodes)
        if (n.role == "lifeline")
        {
            heads.push_back(n.id);
            EXPECT_GT(n.rect.center().x, lastX) << n.id;
            lastX = n.rect.center().x;
            EXPECT_GE(n.rect.x, list.canvas.x);
            EXPECT_LE(n.rect.x + n.rect.w, list.canvas.x + list.canvas.w);
        }
    EXPECT_EQ(heads, (std::vector<std::string>{"client[1]", "main_reactor", "reactor[0]",
                                               "pipe[0->2]", "worker[2]"}));
    EXPECT_EQ(list.findNode("worker[2]")->lines, std::vector<std::string>{"pid 20780"});
    int lifelines = 0;
    for (const EdgeRecord& e : list.edges)
        if (e.kind == "lifeline")
        {
            ++lifelines;
            EXPECT_TRUE(e.dashed);
            const NodeRecord* head = list.findNode(e.from);
            ASSERT_NE(head, nullptr);
            EXPECT_FLOAT_EQ(e.a.x, head->rect.center().x);  // runs down from its head
            EXPECT_GT(e.b.y, e.a.y);
        }
    EXPECT_EQ(lifelines, 5);
}

TEST(SequenceLayoutTest, ArticleArrowsInOrderWithLabels)
{
    Article a;
    DrawList list = layoutSequence(a.input(a.store.size()));
    std::vector<const EdgeRecord*> msgs = messages(list);
    ASSERT_EQ(msgs.size(), 25u);  // 23 events + the two pickups from the reply pipe
    for (size_t i = 1; i < msgs.size(); ++i)
    {
        EXPECT_GT(msgs[i]->b.y, msgs[i - 1]->b.y) << msgs[i]->id;
        EXPECT_GE(msgs[i]->eventIndex, msgs[i - 1]->eventIndex);
    }
    // The functions of the article's hops appear in this order.
    std::vector<std::string> fns{"swServer_master_onAccept",
                                 "swReactorEpoll_add",
                                 "swReactorThread_send2worker",
                                 "swReactorThread_onRead",
                                 "swFactoryProcess_dispatch",
                                 "swWorker_onPipeReceive",
                                 "swWorker_onTask",
                                 "swFactoryProcess_finish",
                                 "swWorker_send2reactor",
                                 "swFactoryProcess_end",
                                 "swReactorThread_onPipeReceive  SEND_DATA",
                                 "swReactorThread_send  35B",
                                 "swReactorThread_close"};
    size_t next = 0;
    for (const EdgeRecord* e : msgs)
        if (next < fns.size() && e->label.rfind(fns[next], 0) == 0) ++next;
    EXPECT_EQ(next, fns.size()) << "missing or out of order: "
                                << fns[std::min(next, fns.size() - 1)];

    const EdgeRecord* accept = list.findEdge("msg[" + std::to_string(a.at(14)) + "]");
    ASSERT_NE(accept, nullptr);
    EXPECT_EQ(accept->kind, "message");
    EXPECT_EQ(accept->from, "client[1]");
    EXPECT_EQ(accept->to, "main_reactor");
    EXPECT_LT(accept->a.x, accept->b.x);
    EXPECT_EQ(accept->label, "swServer_master_onAccept  accept fd 30");  // first hop: no delta

    // The read: 39586 ns after the CONNECT went into the pipe (seq 19 -> 20 in the file).
    const EdgeRecord* read = list.findEdge("msg[" + std::to_string(a.at(20)) + "]");
    ASSERT_NE(read, nullptr);
    EXPECT_EQ(read->label, "swReactorThread_onRead  12B \"hello world\\n\"  +40 \xC2\xB5s");
    EXPECT_EQ(read->session, 1);

    const EdgeRecord* dispatch = list.findEdge("msg[" + std::to_string(a.at(21)) + "]");
    ASSERT_NE(dispatch, nullptr);
    EXPECT_EQ(dispatch->kind, "self");
    EXPECT_EQ(dispatch->from, "reactor[0]");
    EXPECT_NE(dispatch->label.find("fd 30 % 4 = 2"), std::string::npos);
    EXPECT_LT(dispatch->a.y, dispatch->b.y);

    const EdgeRecord* pickup = list.findEdge("msg[" + std::to_string(a.at(35)) + "].pickup");
    ASSERT_NE(pickup, nullptr);
    EXPECT_TRUE(pickup->dashed);
    EXPECT_EQ(pickup->from, "pipe[0->2]");
    EXPECT_EQ(pickup->to, "reactor[0]");
    const EdgeRecord* reply = list.findEdge("msg[" + std::to_string(a.at(35)) + "]");
    ASSERT_NE(reply, nullptr);
    EXPECT_EQ(reply->to, "client[1]");
    EXPECT_GT(reply->a.x, reply->b.x);  // right to left
    EXPECT_EQ(reply->label, "swReactorThread_send  35B  +1.2 ms");
    const EdgeRecord* close = list.findEdge("msg[" + std::to_string(a.at(36)) + "]");
    ASSERT_NE(close, nullptr);
    EXPECT_EQ(close->label, "swReactorThread_close  close fd 30 (server_close)  +9.0 \xC2\xB5s");

    EXPECT_GT(list.contentHeight, msgs.back()->b.y - list.canvas.y);
}

TEST(SequenceLayoutTest, FutureArrowsFadedAtAnEarlyCursor)
{
    Article a;
    size_t position = a.at(20) + 1;  // the read has just happened
    DrawList list = layoutSequence(a.input(position));
    std::vector<const EdgeRecord*> msgs = messages(list);
    ASSERT_EQ(msgs.size(), 25u);
    int emphasized = 0;
    for (const EdgeRecord* e : msgs)
    {
        bool future = e->eventIndex >= static_cast<int64_t>(position);
        EXPECT_EQ(e->faded, future) << e->id;
        if (future)
            EXPECT_LT(alphaOf(e->color), 128u) << e->id;
        else
            EXPECT_EQ(alphaOf(e->color), 255u) << e->id;
        if (e->emphasized)
        {
            ++emphasized;
            EXPECT_EQ(e->eventIndex, static_cast<int64_t>(a.at(20)));
            EXPECT_GT(e->thickness, 2.5f);
        }
    }
    EXPECT_EQ(emphasized, 1);
    EXPECT_EQ(sequenceNewestRow(a.model, position), 6);
    EXPECT_EQ(sequenceNewestRow(a.model, 0), -1);

    // Before the session began everything is the future.
    DrawList before = layoutSequence(a.input(a.at(14)));
    for (const EdgeRecord* e : messages(before)) EXPECT_TRUE(e->faded) << e->id;
}

TEST(SequenceLayoutTest, CallbacksDrawActivationBars)
{
    Article a;
    DrawList list = layoutSequence(a.input(a.store.size()));
    std::vector<const NodeRecord*> bars;
    for (const NodeRecord& n : list.nodes)
        if (n.role == "activation") bars.push_back(&n);
    ASSERT_EQ(bars.size(), 3u);  // onConnect, onReceive and onClose nested in it
    const NodeRecord* onReceive = list.findNode("activation[" + std::to_string(a.at(27)) + "]");
    const NodeRecord* onClose = list.findNode("activation[" + std::to_string(a.at(31)) + "]");
    ASSERT_NE(onReceive, nullptr);
    ASSERT_NE(onClose, nullptr);
    EXPECT_EQ(onReceive->lines, std::vector<std::string>{"worker[2]"});
    EXPECT_TRUE(onReceive->parent.empty());  // heads are not containers: they keep their lines
    EXPECT_EQ(onReceive->title, "onReceive");
    // Nested: inside onReceive's span, shifted right.
    EXPECT_GT(onClose->rect.y, onReceive->rect.y);
    EXPECT_LT(onClose->rect.y + onClose->rect.h, onReceive->rect.y + onReceive->rect.h);
    EXPECT_GT(onClose->rect.x, onReceive->rect.x);
    float workerX = list.findNode("worker[2]")->rect.center().x;
    EXPECT_LT(onReceive->rect.x, workerX);
    EXPECT_GT(onReceive->rect.x + onReceive->rect.w, workerX);
}

TEST(SequenceLayoutTest, OnlyRowsInViewGetRecords)
{
    Article a;
    RectF small{100, 50, 900, 300};
    DrawList top = layoutSequence(a.input(a.store.size(), small));
    std::vector<const EdgeRecord*> msgs = messages(top);
    ASSERT_FALSE(msgs.empty());
    EXPECT_LT(msgs.size(), 25u);
    EXPECT_GT(top.contentHeight, small.h);
    float headBottom = top.findNode("client[1]")->rect.y + top.findNode("client[1]")->rect.h;
    for (const EdgeRecord* e : msgs)
    {
        EXPECT_GT(std::min(e->a.y, e->b.y), headBottom) << e->id;
        EXPECT_LE(e->b.y, small.y + small.h) << e->id;
    }
    EXPECT_NE(top.findEdge("msg[" + std::to_string(a.at(14)) + "]"), nullptr);

    SequenceLayoutInput in = a.input(a.store.size(), small);
    in.scrollY = top.contentHeight - small.h;
    DrawList bottom = layoutSequence(in);
    EXPECT_EQ(bottom.findEdge("msg[" + std::to_string(a.at(14)) + "]"), nullptr);
    EXPECT_NE(bottom.findEdge("msg[" + std::to_string(a.at(36)) + "]"), nullptr);
    // Heads stay at the top while the rows scroll.
    EXPECT_FLOAT_EQ(bottom.findNode("client[1]")->rect.y, top.findNode("client[1]")->rect.y);
    // The row of an event matches sequenceRowY, so the panel can scroll to it.
    const EdgeRecord* close = bottom.findEdge("msg[" + std::to_string(a.at(36)) + "]");
    EXPECT_FLOAT_EQ(close->b.y, small.y + sequenceRowY(a.model, 24, 13.0f, small.w) - in.scrollY);
    EXPECT_FLOAT_EQ(top.contentHeight, sequenceContentHeight(a.model, 13.0f, small.w));
}

// The heads at the diagram's width in a 1280x800 and a 1024x700 window (the viewer's 15 px
// font): each title and subtitle line inside its head, the pids wrapped onto further lines
// rather than cut ("pid 20769" / "tid 20776"), the whole subtitle in the tooltip; rows below
// the taller heads. A head too narrow even for that (360 px) ends in "…".
TEST(SequenceLayoutTest, HeadsWrapInsteadOfCuttingAtTheIssuesWindowSizes)
{
    Article a;
    const float fs = 15.0f;
    for (float width : {640.0f, 510.0f, 360.0f})
    {
        SCOPED_TRACE(width);
        SequenceLayoutInput in = a.input(a.store.size(), {8, 80, width, 330});
        in.fontSize = fs;
        DrawList list = layoutSequence(in);
        size_t heads = 0, wrapped = 0;
        for (const NodeRecord& n : list.nodes)
        {
            if (n.role != "lifeline") continue;
            ++heads;
            float room = n.rect.w - 0.9f * fs;
            EXPECT_LE(startup::textWidth(n.title, fs), room) << n.id;
            EXPECT_LE(0.36f + 1.15f + 1.05f * static_cast<float>(n.lines.size() - 1) + 1.0f,
                      n.rect.h / fs)
                << n.id;
            for (const std::string& line : n.lines)
            {
                EXPECT_LE(startup::textWidth(line, fs), room) << n.id << " " << line;
                if (width >= 500)
                {
                    EXPECT_EQ(line.find("…"), std::string::npos) << line;
                }
            }
            if (n.lines.size() > 1) ++wrapped;
            ASSERT_GE(n.tooltip.size(), 2u) << n.id;
            std::string joined;
            for (const std::string& line : n.lines) joined += line;
            std::string whole = n.tooltip[1];
            whole.erase(std::remove(whole.begin(), whole.end(), ' '), whole.end());
            joined.erase(std::remove(joined.begin(), joined.end(), ' '), joined.end());
            if (joined.find("…") == std::string::npos)
            {
                EXPECT_EQ(joined, whole) << n.id;
            }
        }
        EXPECT_EQ(heads, a.model.lifelines.size());
        EXPECT_GT(wrapped, 0u);  // these widths are too narrow for "pid N tid N" on one line
        float headBottom = 0;
        for (const NodeRecord& n : list.nodes)
            if (n.role == "lifeline") headBottom = std::max(headBottom, n.rect.y + n.rect.h);
        for (const EdgeRecord* e : messages(list))
            EXPECT_GT(std::min(e->a.y, e->b.y), headBottom) << e->id;
    }
    // Wide enough, nothing wraps and the heads keep their one-line height.
    DrawList wide = layoutSequence(a.input(a.store.size()));
    for (const NodeRecord& n : wide.nodes)
        if (n.role == "lifeline")
        {
            EXPECT_LE(n.lines.size(), 1u) << n.id;
        }
}

TEST(SequenceLayoutTest, SelectionAndDumpFields)
{
    Article a;
    SequenceLayoutInput in = a.input(a.store.size());
    in.selectedSession = 1;
    in.selectedEvent = static_cast<int64_t>(a.at(20));
    DrawList list = layoutSequence(in);
    EXPECT_TRUE(list.findNode("client[1]")->selected);
    int selected = 0;
    for (const EdgeRecord* e : messages(list))
    {
        selected += e->selected;
        if (!e->emphasized)
        {
            EXPECT_FLOAT_EQ(e->thickness, 2.2f);
        }
    }
    EXPECT_EQ(selected, 1);

    nlohmann::json j = toJson(list);
    EXPECT_EQ(j["picture"], "sequence");
    EXPECT_FLOAT_EQ(j["content_height"].get<float>(), list.contentHeight);
    bool found = false;
    for (const nlohmann::json& e : j["edges"])
        if (e["id"] == "msg[" + std::to_string(a.at(20)) + "]")
        {
            found = true;
            EXPECT_EQ(e["event_index"], a.at(20));
            EXPECT_EQ(e["session"], 1);
            EXPECT_EQ(e["selected"], true);
            EXPECT_EQ(e["faded"], false);
            EXPECT_EQ(e["kind"], "message");
        }
    EXPECT_TRUE(found);
}

TEST(SequenceLayoutTest, EmptyModelSaysSo)
{
    SequenceModel empty;
    SequenceLayoutInput in;
    in.model = &empty;
    in.canvas = {0, 0, 800, 600};
    DrawList list = layoutSequence(in);
    EXPECT_TRUE(list.edges.empty());
    EXPECT_FALSE(list.banner.empty());
}

TEST(SequenceLayoutTest, DeltaFormat)
{
    EXPECT_EQ(formatDelta(-1), "");
    EXPECT_EQ(formatDelta(40), "+40 ns");
    EXPECT_EQ(formatDelta(1451), "+1.5 \xC2\xB5s");
    EXPECT_EQ(formatDelta(37216), "+37 \xC2\xB5s");
    EXPECT_EQ(formatDelta(2500000), "+2.5 ms");
    EXPECT_EQ(formatDelta(3210000000), "+3.21 s");
}

}  // namespace
}  // namespace rscope::viewer
