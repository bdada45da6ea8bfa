// Internal pieces of the architecture layout shared by its source files: the topology digest,
// the client list, node contents and the edge book used while tokens are placed. Not for the
// painter (it reads only draw_records.h). Owner: the caller of layoutArchitecture (GUI thread).
#pragma once

#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

#include "viewer/layout/architecture_layout.h"
#include "viewer/model/architecture_state.h"
#include "viewer/model/trace_event.h"

namespace rscope::viewer::arch
{

// Sizes derived from the font: every box and gap scales with the text it holds.
struct Metrics
{
    float fontSize = 13;
    float lineHeight = 0;  // fontSize * 1.3
    float pad = 0;         // inside a box, around its text
    float gap = 0;         // between sibling boxes
};
Metrics metricsFor(float fontSize);
float nodeHeight(const Metrics& m, size_t lines);  // title + `lines`, padded

// What the picture is made of, from the header (and the state when it knows more, e.g. the pid
// of a restarted worker). Index lists are sorted and hold every reactor / worker once.
struct Facts
{
    bool hasManager = true;  // SWOOLE_BASE has none
    int masterPid = 0;
    int masterTid = 0;
    int managerPid = 0;
    std::vector<int> reactors;
    std::vector<int> workers;
    std::vector<int> taskWorkers;  // ids worker_num .. (model section 10), drawn in a column
    std::vector<Pipe> pipes;       // the topology's event-worker pipes, in header order
    std::string listen;            // "127.0.0.1:9502 fd 3"
};
Facts readFacts(const ArchitectureLayoutInput& in);

struct ClientInfo
{
    int64_t session = 0;
    int fd = -1;
    int reactor = -1;
    int worker = -1;
    std::string stage;  // "accepted", "open", "closing", "closed" (gone, token still flying)
    std::string peer;
    uint64_t requests = 0;
    int64_t queued = 0;     // bytes in its output buffer (SessionState::queued)
    bool overflow = false;  // between buffer_full and buffer_drain: send() to it fails
    BufferPressure pressure = BufferPressure::None;  // against socket_buffer_size
    int64_t limit = 0;                               // socket_buffer_size, 0 = unknown
    bool inFlight = false;                           // a token of this session is on an edge
};

// Open sessions plus those with a token in flight: the shown ones (sorted by session) and the
// rest, folded into the "clients" node. The selected session and those in flight are shown first.
struct ClientSet
{
    std::vector<ClientInfo> shown;
    std::vector<ClientInfo> folded;
    bool isShown(int64_t session) const;
};
ClientSet chooseClients(const ArchitectureLayoutInput& in);

// Node contents (ids, titles, lines, tooltips, state, colours); rects come later.
NodeRecord masterNode(const ArchitectureLayoutInput& in, const Facts& facts);
NodeRecord mainReactorNode(const ArchitectureLayoutInput& in, const Facts& facts);
NodeRecord reactorNode(const ArchitectureLayoutInput& in, const Facts& facts, int index);
NodeRecord managerNode(const ArchitectureLayoutInput& in, const Facts& facts);
NodeRecord workerNode(const ArchitectureLayoutInput& in, const Facts& facts, int index);
NodeRecord clientNode(const ArchitectureLayoutInput& in, const ClientInfo& client);
NodeRecord foldedClientsNode(const ArchitectureLayoutInput& in, const ClientSet& clients);
// Keeps the lines that fit the rect's height (the tooltip keeps everything).
void fitLines(NodeRecord& node, const Metrics& m);
// The state of reactor / worker `index` (nullptr without a state or when it is not there).
const ReactorState* findReactor(const ArchitectureState* state, int index);
const WorkerState* findWorker(const ArchitectureState* state, int index);

// The draw list under construction with id lookups, so edges can be added on demand while
// tokens and rates are placed (a hop on a pair the header has no pipe for, a folded session).
class EdgeBook
{
  public:
    EdgeBook(DrawList& list, const Metrics& m, float clientColumnRight);
    void indexNodes();
    // Where the handoff fan (below the main reactor) and the manager's fork fan start.
    void setFans(float handoffX, float managerX, float taskManagerX = 0);
    const NodeRecord* node(const std::string& id) const;
    NodeRecord* mutableNode(const std::string& id);
    EdgeRecord* edge(const std::string& id);
    // Adds an edge between two existing nodes; endpoints follow the kind. nullptr when a node
    // is missing. `slot`/`slots` spread several edges over one side of a box.
    EdgeRecord* addEdge(const std::string& id, const std::string& kind, const std::string& from,
                        const std::string& to, int slot = 0, int slots = 1);
    // An edge from the client column ("clients": the folded node when there is one) to `to`.
    EdgeRecord* addFromClientColumn(const std::string& id, const std::string& to);
    const Metrics& metrics() const { return m_; }
    DrawList& list() { return list_; }

  private:
    DrawList& list_;
    Metrics m_;
    float clientColumnRight_;
    float handoffX_ = 0;
    float managerX_ = 0;
    float taskManagerX_ = 0;  // the manager's fan beside the task workers
    std::unordered_map<std::string, size_t> nodeAt_;
    std::unordered_map<std::string, size_t> edgeAt_;
};

// A box's colours for its state ("idle", "busy", "exited", "killed", "stopped", "starting"...):
// shared by the boxes and the legend so the two always agree.
void stateColors(const std::string& role, const std::string& state, Color& fill, Color& border);

// The colour legend of the worker states, in `in.language`: from the top left of `area`, one
// line (more when `area` is narrow) at most area.w wide; the boxes below keep out of its
// legendHeight.
float legendHeight(const ArchitectureLayoutInput& in, const Metrics& m, float width);
void addLegend(const ArchitectureLayoutInput& in, const Metrics& m, const RectF& area,
               DrawList& list);

// Edge styling shared by static and on-demand edges.
Color edgeColor(const std::string& kind);
float baseThickness(const Metrics& m);

// The figure's fixed edges: accept, handoffs, client edges, one per pipe of the header, forks.
void addFigureEdges(const ArchitectureLayoutInput& in, const Facts& facts, const ClientSet& clients,
                    EdgeBook& book);
// Tokens for Activity::hops, or rates per edge in rate mode; both may add edges to `book`.
void addTokens(const ArchitectureLayoutInput& in, const ClientSet& clients, EdgeBook& book);
void addRates(const ArchitectureLayoutInput& in, const ClientSet& clients, EdgeBook& book);

std::string nodeIdClients();  // "clients": the folded node, and the client column as an edge end
std::string edgeIdClient(int64_t session, int reactor);
std::string edgeIdHandoff(int reactor);
std::string edgeIdManager(int worker);
std::string edgeIdManagerTask(int taskWorker);         // "manager->task_worker[2]"
std::string edgeIdTask(int worker, int taskWorker);    // tasks: "task[0->2]"
std::string edgeIdFinish(int taskWorker, int worker);  // results: "finish[2->0]"
// Between event workers (sendMessage, a close() forwarded to the owner): "message[0->1]".
std::string edgeIdMessage(int from, int to);
std::string edgeIdWrite(int reactor, int worker);
std::string edgeIdFoldedClients(int reactor);
// After the tokens, rates and highlights: a lesson's highlight of a pipe lights both of its
// directions, and edge labels move along their edges off the crossings.
void finishEdges(const ArchitectureLayoutInput& in, DrawList& list, const Metrics& m);

}  // namespace rscope::viewer::arch
