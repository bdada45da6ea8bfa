// TraceCollector: drain rings every few milliseconds, merge by timestamp behind a short
// hold-back window, number, serialise once, fan out to every socket client and, as frames, to
// the trace-file writer.
#include "engine/trace/trace_collector.h"

#include <fcntl.h>
#include <sched.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <mutex>
#include <vector>

#include "engine/base/clock.h"
#include "engine/base/log.h"
#include "engine/base/log_rate_limit.h"
#include "engine/base/process_globals.h"
#include "engine/base/unique_fd.h"
#include "engine/format/trace_json.h"
#include "engine/format/trace_wire.h"
#include "engine/reactor/channel.h"
#include "engine/reactor/event_loop.h"
#include "engine/reactor/socket_ops.h"
#include "engine/reactor/timer.h"
#include "engine/trace/client_command.h"
#include "engine/trace/step_gate.h"
#include "engine/trace/trace_buffers.h"
#include "engine/trace/trace_emitter.h"
#include "engine/trace/trace_file_writer.h"
#include "engine/trace/trace_header.h"

namespace rscope::trace
{

namespace
{
// Every 8 ms: each wakeup costs the collector ~20 us whatever it finds (at 20k requests/s, 4 ms
// cost 0.3-0.4 us a request, 8 ms 0.2); a ring (16384 slots) holds 40-80 ms of a busy reactor
// thread's events, so this still leaves a wide margin before anything is dropped.
constexpr int kDrainIntervalMs = 8;
constexpr int64_t kHoldBackNs = 2'000'000;      // records younger than this wait a tick
constexpr size_t kClientMaxPending = 16 << 20;  // then a slow client loses events
// In total (queue capacity), whatever the number of clients: 200 slow readers once took the
// master to 1 GB.
constexpr size_t kTotalMaxPending = 64 << 20;
constexpr size_t kMaxClients = 32;                // more are refused (closed at once)
constexpr size_t kKeptPendingCapacity = 1 << 20;  // a drained queue keeps at most this
constexpr size_t kMaxStartupLines = 4096;         // startup events replayed to late clients
constexpr size_t kMaxCommandLine = 256;           // client commands are short words
constexpr int64_t kFileHandOverNs = 50'000'000;   // frames to an idle trace-file writer

// Binds "host:port" (TCP) or "unix:PATH"; returns fd or -errno, *bound = resolved address.
int openListener(const std::string& spec, std::string* bound)
{
    if (spec.rfind("unix:", 0) == 0)
    {
        std::string path = spec.substr(5);
        base::UniqueFd fd(::socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
        sockaddr_un addr{};
        addr.sun_family = AF_UNIX;
        if (path.size() >= sizeof addr.sun_path) return -ENAMETOOLONG;
        std::memcpy(addr.sun_path, path.c_str(), path.size() + 1);
        ::unlink(path.c_str());
        if (::bind(fd.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr) < 0) return -errno;
        if (::listen(fd.get(), 16) < 0) return -errno;
        *bound = spec;
        return fd.release();
    }
    auto colon = spec.rfind(':');
    if (colon == std::string::npos) return -EINVAL;
    std::string host = spec.substr(0, colon);
    int port = std::atoi(spec.c_str() + colon + 1);
    const char* what = "";
    int fd = reactor::bindTcp(host, static_cast<uint16_t>(port), false, &what);
    if (fd < 0) return fd;
    if (int rc = reactor::listenFd(fd, 16); rc < 0)
    {
        ::close(fd);
        return rc;
    }
    *bound = host + ":" + std::to_string(reactor::localPort(fd));
    return fd;
}
}  // namespace

class TraceCollector::Impl
{
  public:
    Impl(TopologySource topology, TraceBuffers& buffers, TraceOptions options)
        : topology_(std::move(topology)), buffers_(buffers), options_(std::move(options))
    {
        actorFields_.resize(buffers.ringCount());
        actorGenerations_.assign(buffers.ringCount(), 0);
        nextActor_.resize(buffers.ringCount());
        nextActorFrom_.assign(buffers.ringCount(), kNoNextActor);
        droppedSeen_.assign(buffers.ringCount(), 0);
        batch_.reserve(1 << 20);
        cursor_.assign(buffers.ringCount(), 0);
        end_.assign(buffers.ringCount(), 0);
        headTs_.assign(buffers.ringCount(), INT64_MAX);
    }

    std::string openSinks()
    {
        std::string bound;
        if (options_.listen != "off")
        {
            int fd = openListener(options_.listen, &bound);
            if (fd < 0)
            {
                RS_WARN("trace socket {}: {}; running without a trace socket", options_.listen,
                        base::errnoText(fd));
                bound.clear();
            }
            else
                listenFd_.reset(fd);
        }
        if (!options_.file.empty())
        {
            TraceFileWriter::Options fileOptions;
            fileOptions.stopBudgetMs = options_.fileStopBudgetMs;
            fileWriter_ = std::make_unique<TraceFileWriter>(options_.file, fileOptions);
            std::string error;
            if (!fileWriter_->open(&error))
            {
                RS_ERROR("trace file: {}; not recording to a file", error);
                fileWriter_.reset();
            }
        }
        return bound;
    }

    void run()
    {
        base::setThreadRole(base::Role::Master, -1);
        base::nameThread("rs-trace");
        // The server threads run SCHED_BATCH; the collector must not wait behind them for a
        // time slice, or the rings fill up. Its 8 ms wakeups are too few to matter to them.
        sched_param param{};
        ::sched_setscheduler(0, SCHED_OTHER, &param);
        if (fileWriter_) fileWriter_->start();
        reactor::EventLoop loop;
        std::unique_ptr<reactor::Channel> accept;
        if (listenFd_.valid())
        {
            accept = std::make_unique<reactor::Channel>(&loop, listenFd_.get());
            accept->setReadCallback([this] { onAccept(); });
            accept->enableReading();
        }
        reactor::PeriodicTimer tick(&loop, kDrainIntervalMs, [this] { drain(false); });
        {
            std::lock_guard<std::mutex> lock(loopMutex_);
            loop_.store(&loop);
        }
        loop.loop();
        {
            // From here the loop is on its way out (its eventfd closes with it): stop() must
            // not write a wakeup into it any more (TSan found that race at shutdown).
            std::lock_guard<std::mutex> lock(loopMutex_);
            loop_.store(nullptr);
            loopEnded_ = true;
        }
        drain(true);
        finish();
        for (auto& c : clients_) flushClient(c.get());  // best effort: the tail of the stream
        // Nobody can step any more: the last events of the stop must not wait.
        if (options_.stepGate != nullptr) options_.stepGate->close();
        holder_ = nullptr;
        clients_.clear();
        graveyard_.clear();
        if (options_.listen.rfind("unix:", 0) == 0 && listenFd_.valid())
            ::unlink(options_.listen.c_str() + 5);  // leave no stale socket file behind
    }

    // Thread-safe: false while the loop is not running yet; true once told to quit or ended.
    bool quitIfRunning()
    {
        std::lock_guard<std::mutex> lock(loopMutex_);
        if (loopEnded_) return true;
        reactor::EventLoop* loop = loop_.load();
        if (loop == nullptr) return false;
        loop->quit();
        return true;
    }

  private:
    struct Client
    {
        base::UniqueFd fd;
        std::unique_ptr<reactor::Channel> channel;
        std::string pending;
        size_t offset = 0;
        uint64_t dropped = 0;          // events this client missed, not yet reported
        uint64_t firstDroppedSeq = 0;  // the notice takes this seq: no gap for anyone else
        std::string input;             // a command line not complete yet
        bool warnedBadCommand = false;
        bool local = false;   // a unix-socket or loopback peer: may send step commands
        bool binary = false;  // asked for binary frames (trace_wire.h) instead of JSON lines
        bool dead = false;
    };

    void onAccept()
    {
        for (;;)
        {
            int fd = ::accept4(listenFd_.get(), nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
            if (fd < 0) return;
            if (clients_.size() >= kMaxClients)
            {
                ::close(fd);
                RS_WARN_LIMITED(
                    "trace client refused: {} clients are connected, the limit; "
                    "closing its connection",
                    clients_.size());
                continue;
            }
            auto client = std::make_unique<Client>();
            client->fd.reset(fd);
            client->local = reactor::isLoopbackPeer(fd);
            client->channel = std::make_unique<reactor::Channel>(loop_.load(), fd);
            Client* raw = client.get();
            client->channel->setReadCallback([this, raw] { onClientReadable(raw); });
            client->channel->setWriteCallback([this, raw] { flushClient(raw); });
            client->channel->enableReading();
            // A late client gets the topology now, the startup events, then live events.
            raw->pending =
                buildHeaderLine(topology_(), buffers_, options_, startupLines_.size(), seq_ + 1);
            for (const std::string& line : startupLines_) raw->pending += line;
            clients_.push_back(std::move(client));
            flushClient(raw);
            RS_INFO("trace client connected ({} now)", clients_.size());
        }
    }

    // Clients send one command per line (traces/FORMAT.md, "Client commands").
    void onClientReadable(Client* c)
    {
        char buf[256];
        for (;;)
        {
            ssize_t n = ::recv(c->fd.get(), buf, sizeof buf, 0);
            if (n > 0)
            {
                c->input.append(buf, static_cast<size_t>(n));
                size_t nl;
                while ((nl = c->input.find('\n')) != std::string::npos)
                {
                    std::string line = c->input.substr(0, nl);
                    c->input.erase(0, nl + 1);
                    onCommand(c, line);
                }
                if (c->input.size() > kMaxCommandLine)
                {
                    warnBadCommand(c, "a line longer than 256 bytes");
                    c->input.clear();
                }
                continue;
            }
            if (n < 0 && errno == EINTR) continue;
            if (n == 0 || errno != EAGAIN) c->dead = true;
            break;
        }
        reapClients();
    }

    void onCommand(Client* c, std::string line)
    {
        if (!line.empty() && line.back() == '\r') line.pop_back();
        StepGate* gate = options_.stepGate;
        const ClientCommand command = parseClientCommand(line);
        if (command.kind == ClientCommandKind::Empty) return;
        if (command.kind == ClientCommandKind::Binary)
        {
            switchToBinary(c);
            return;
        }
        if (!command.isStepMode())
        {
            warnBadCommand(c, fmt::format("unknown command \"{}\"", base::printableText(line, 40)));
            return;
        }
        if (gate == nullptr)
        {
            warnBadCommand(c, fmt::format("\"{}\" needs rscope server --trace-step",
                                          base::printableText(line, 40)));
            return;
        }
        if (!c->local && !options_.allowRemote)
        {
            warnBadCommand(c, fmt::format("\"{}\" from a non-loopback peer needs "
                                          "rscope server --trace-allow-remote",
                                          line));
            return;
        }
        if (command.kind == ClientCommandKind::BadStepCount)
        {
            warnBadCommand(c,
                           fmt::format("bad step count in \"{}\"", base::printableText(line, 40)));
            return;
        }
        if (command.kind == ClientCommandKind::Hold)
        {
            // A second holder takes over: the gate opens when the last one to hold leaves.
            TraceRecord r = makeRecord(EventKind::GateHold);
            if (gate->hold())
            {
                holdSinceNs_ = r.tsNs;
                holdSteps_ = 0;
                gateRecords_.push_back(r);
            }
            if (gate->holding())
            {
                if (holder_ != c) RS_INFO("trace client holds the step gate");
                holder_ = c;
            }
        }
        else if (command.kind == ClientCommandKind::Run)
        {
            openGate();
        }
        else
        {
            const uint32_t count = command.count;
            // Stamped before the threads go on, so it comes before the events they emit.
            TraceRecord r = makeRecord(EventKind::GateStep);
            r.a0 = count;
            r.a1 = gate->step(count);
            if (r.a1 > 0 && holdSinceNs_ != 0)
            {
                ++holdSteps_;
                gateRecords_.push_back(r);
            }
        }
    }

    // Opens the step gate (run, or its holder left) and says so on the stream.
    void openGate()
    {
        TraceRecord r = makeRecord(EventKind::GateRelease);
        options_.stepGate->run();
        holder_ = nullptr;
        noteGateOpen(r);
    }

    // The gate_release of the hold in force, if any: r is stamped when the gate opened.
    void noteGateOpen(TraceRecord r)
    {
        if (holdSinceNs_ == 0) return;
        r.a0 = std::max<int64_t>(0, r.tsNs - holdSinceNs_);
        r.a1 = holdSteps_;
        gateRecords_.push_back(r);
        holdSinceNs_ = 0;
        holdSteps_ = 0;
    }

    // From the next drain on, c gets binary frames: first the line that says so, then the
    // actor of every ring seen so far, queued behind whatever JSON c has not been sent yet. No
    // refresh here: a ring whose actor changed since gets its new actor frame, for every binary
    // client at once, when serialize() next meets it (as does a ring never seen).
    void switchToBinary(Client* c)
    {
        if (c->binary) return;
        c->binary = true;
        TextBuffer start;
        start.append(kBinaryStartLine.data(), kBinaryStartLine.size());
        for (int i = 0; i < buffers_.ringCount(); ++i)
            if (!actorFields_[i].empty())
                appendActorFrame(start, static_cast<uint16_t>(i), actorFields_[i]);
        sendToClient(c, start.data(), start.size());
        RS_INFO("trace client switched to binary frames");
    }

    void warnBadCommand(Client* c, const std::string& what)
    {
        if (c->warnedBadCommand) return;  // once per client: a noisy client must not flood
        c->warnedBadCommand = true;
        RS_WARN("trace client: {}; ignoring it (and further bad commands of this client)", what);
    }

    // Sends data to c: straight from the caller's buffer while nothing is queued (no copy into
    // pending at full load), the rest queued for EPOLLOUT.
    void sendToClient(Client* c, const char* data, size_t size)
    {
        size_t sent = 0;
        if (c->offset == c->pending.size() && !c->dead) sent = sendSome(c, data, size);
        if (sent < size)
        {
            if (c->offset == c->pending.size()) c->pending.clear(), c->offset = 0;
            c->pending.append(data + sent, size - sent);
        }
        flushClient(c);
    }

    // send() until done or EAGAIN; returns the bytes sent. A broken client is marked dead.
    size_t sendSome(Client* c, const char* data, size_t size)
    {
        size_t sent = 0;
        while (sent < size)
        {
            ssize_t n = ::send(c->fd.get(), data + sent, size - sent, MSG_NOSIGNAL | MSG_DONTWAIT);
            if (n > 0)
            {
                sent += static_cast<size_t>(n);
                continue;
            }
            if (n < 0 && errno == EINTR) continue;
            if (n < 0 && errno == EAGAIN) break;
            c->dead = true;
            break;
        }
        return sent;
    }

    void flushClient(Client* c)
    {
        if (!c->dead && c->offset < c->pending.size())
            c->offset += sendSome(c, c->pending.data() + c->offset, c->pending.size() - c->offset);
        if (c->offset == c->pending.size())
        {
            // A queue that held megabytes for a slow client gives them back once drained.
            if (c->pending.capacity() > kKeptPendingCapacity)
                std::string().swap(c->pending);
            else
                c->pending.clear();
            c->offset = 0;
            if (c->dropped > 0 && !c->dead)
            {
                // Caught up: tell it how much it missed, then carry on live.
                TraceRecord r = makeRecord(EventKind::TraceDropped);
                r.a0 = static_cast<int64_t>(c->dropped);
                c->dropped = 0;
                // Ring 0 is the master's main thread: its actor never changes, so no binary
                // client needs a new actor frame for it here.
                refreshActor(0);
                if (c->binary)
                {
                    TextBuffer frame;
                    appendEventFrame(frame, c->firstDroppedSeq, 0, r, nullptr);
                    c->pending.append(frame.data(), frame.size());
                }
                else
                    appendEventLine(c->pending, c->firstDroppedSeq, r, actorFields_[0]);
                flushClient(c);
                return;
            }
        }
        bool wantWrite = !c->pending.empty() && !c->dead;
        if (wantWrite != c->channel->isWriting())
            wantWrite ? c->channel->enableWriting() : c->channel->disableWriting();
    }

    void reapClients()
    {
        for (auto& c : clients_)
            if (c->dead && c.get() == holder_)
            {
                // A viewer that went away mid-step must not leave the server paused.
                openGate();
                RS_INFO("the trace client holding the step gate left; the server runs on");
            }
        // Called from a client's own callback (and from the drain timer, whose batch may still
        // name another client's channel): a dead client leaves the list now and is freed after
        // the batch (muduo's queueInLoop), never under its channel's dispatch.
        size_t before = clients_.size();
        bool graveyardWasEmpty = graveyard_.empty();
        for (auto& c : clients_)
            if (c->dead) graveyard_.push_back(std::move(c));
        std::erase(clients_, nullptr);
        if (clients_.size() == before) return;
        RS_INFO("trace client left ({} now)", clients_.size());
        reactor::EventLoop* loop = loop_.load();
        if (loop != nullptr && loop->dispatching())
        {
            if (graveyardWasEmpty) loop->runAfterEvents([this] { graveyard_.clear(); });
        }
        else
            graveyard_.clear();
    }

    // Rebuilds ring i's actor field when its generation changed; true if it did. A restarted
    // worker's predecessor may have left events the collector has not read: while the cursor is
    // below the new generation's first slot the old actor stays, and the new one waits in
    // nextActor_ until takeNextActor at that slot (events keep the pid that wrote them).
    bool refreshActor(uint32_t i)
    {
        const RingHeader& h = buffers_.ring(static_cast<int>(i)).header;
        uint32_t gen = h.generation.load(std::memory_order_acquire);
        if (gen == actorGenerations_[i] && !actorFields_[i].empty()) return false;
        actorGenerations_[i] = gen;
        ActorField next = actorJson(actorRoleName(static_cast<ActorRole>(h.role)), h.index,
                                    h.pid.load(), h.tid.load());
        uint64_t from = h.attachHead.load(std::memory_order_relaxed);
        if (!actorFields_[i].empty() && cursor_[i] < from)
        {
            nextActor_[i] = next;
            nextActorFrom_[i] = from;
            return false;
        }
        nextActorFrom_[i] = kNoNextActor;
        actorFields_[i] = next;
        return true;
    }

    // At ring i's slot `at`: the waiting actor of a new generation takes over once its first
    // slot is reached (with an actor frame for binary clients and the file).
    void takeNextActor(int i, uint64_t at)
    {
        if (nextActorFrom_[i] == kNoNextActor || at < nextActorFrom_[i]) return;
        nextActorFrom_[i] = kNoNextActor;
        actorFields_[i] = nextActor_[i];
        emitActorFrame(i);
    }

    // A k-way merge straight out of the rings: each ring is in time order (one producer), so
    // the next event is the oldest ring head. Records are serialised in place and the tails
    // released afterwards: no copy, no sort. Records younger than the hold-back window wait, so
    // a slower producer's older event still gets in front of them. The heads' timestamps sit in
    // one dense array (INT64_MAX = nothing to take), not read from each ring's slot per event.
    void drain(bool final)
    {
        const int rings = buffers_.ringCount();
        int64_t now = base::monotonicNs();
        int64_t cutoff = final ? INT64_MAX : now - kHoldBackNs;
        for (int i = 0; i < rings; ++i)
        {
            Ring& ring = buffers_.ring(i);
            cursor_[i] = ring.header.tail.load(std::memory_order_relaxed);
            end_[i] = ring.header.head.load(std::memory_order_acquire);
            headTs_[i] = headTs(i, cutoff);
        }
        // A gate opened without a command (a shutdown closes it) still ends its hold.
        if (holdSinceNs_ != 0 && !options_.stepGate->holding())
            noteGateOpen(makeRecord(EventKind::GateRelease));
        size_t binaryClients = 0;
        for (const auto& c : clients_) binaryClients += c->binary ? 1 : 0;
        wantBinary_ = binaryClients > 0;
        wantJson_ = clients_.size() > binaryClients;
        bool consumers = wantJson_ || wantBinary_ || fileWriter_ != nullptr;
        batch_.clear();
        binaryBatch_.clear();
        // Actors are looked at once a drain, for the rings with something new: the ring header
        // shares its cache line with the head the producer writes per event, so reading it per
        // event would pull that line away from the producer each time. Read after the head
        // (acquire), a new generation is seen before the events it wrote.
        for (int i = 0; i < rings; ++i)
            if (cursor_[i] != end_[i]) refreshActorForBatch(i);
        size_t emitted = 0;
        size_t gateNext = 0;
        for (;;)
        {
            int best = 0;
            for (int i = 1; i < rings; ++i)
                if (headTs_[i] < headTs_[best]) best = i;
            // The gate's own records join the merge like a ring of their own, under ring 0's
            // actor (the master, whose collector thread saw the command).
            if (gateNext < gateRecords_.size() && gateRecords_[gateNext].tsNs <= cutoff &&
                gateRecords_[gateNext].tsNs <= headTs_[best])
            {
                refreshActorForBatch(0);
                serialize(gateRecords_[gateNext++], 0, consumers);
                ++emitted;
                continue;
            }
            if (headTs_[best] == INT64_MAX) break;
            Ring& ring = buffers_.ring(best);
            takeNextActor(best, cursor_[best]);
            const TraceRecord& record = ring.slots[cursor_[best]++ & (kRingSlots - 1)];
            const char* preview = nullptr;
            if (record.previewLen > 0)  // the preview rides in the next slot
                preview =
                    reinterpret_cast<const char*>(&ring.slots[cursor_[best]++ & (kRingSlots - 1)]);
            serialize(record, best, consumers, preview);
            headTs_[best] = headTs(best, cutoff);
            ++emitted;
        }
        gateRecords_.erase(gateRecords_.begin(), gateRecords_.begin() + gateNext);
        for (int i = 0; i < rings; ++i)
        {
            Ring& ring = buffers_.ring(i);
            takeNextActor(i, cursor_[i]);  // the predecessor's events are all out
            ring.header.tail.store(cursor_[i], std::memory_order_release);
            uint64_t dropped = ring.header.dropped.load(std::memory_order_relaxed);
            if (dropped != droppedSeen_[i])
            {
                TraceRecord r = makeRecord(EventKind::TraceDropped);
                r.a0 = static_cast<int64_t>(dropped - droppedSeen_[i]);
                droppedSeen_[i] = dropped;
                refreshActorForBatch(i);
                serialize(r, i, consumers);
                ++emitted;
            }
        }
        if (emitted > 0) publish(emitted);
        // A writer with nothing to do gets the frames every 50 ms, not only once a chunk is
        // full, so a file followed live is that far behind; not every drain: each hand-over
        // wakes the writer.
        if (fileWriter_ && (final || now - fileHandOverNs_ >= kFileHandOverNs) &&
            fileWriter_->queue().handOverIfIdle())
            fileHandOverNs_ = now;
    }

    // Refreshes ring i's actor before this drain serialises its events; binary clients and the
    // file writer get a new actor frame ahead of them.
    void refreshActorForBatch(int i)
    {
        if (refreshActor(static_cast<uint32_t>(i))) emitActorFrame(i);
    }

    // Binary clients and the file writer get ring i's current actor ahead of its next events.
    void emitActorFrame(int i)
    {
        if (wantBinary_) appendActorFrame(binaryBatch_, static_cast<uint16_t>(i), actorFields_[i]);
        if (fileWriter_)
        {
            FrameQueue& q = fileWriter_->queue();
            char* p = q.reserve(kMaxActorFrame);
            q.advance(static_cast<size_t>(
                writeActorFrame(p, static_cast<uint16_t>(i), actorFields_[i]) - p));
        }
    }

    // Timestamp of ring i's next record, or INT64_MAX if it has none older than cutoff.
    int64_t headTs(int i, int64_t cutoff) const
    {
        if (cursor_[i] == end_[i]) return INT64_MAX;
        int64_t ts = buffers_.ring(i).slots[cursor_[i] & (kRingSlots - 1)].tsNs;
        return ts <= cutoff ? ts : INT64_MAX;
    }

    // Lines go into batch_, for JSON clients; frames into binaryBatch_, for binary clients, and
    // into the file writer's queue (it makes the file's lines). Startup lines are always made:
    // late clients get them.
    void serialize(const TraceRecord& record, int ring, bool consumers,
                   const char* preview = nullptr)
    {
        bool startup = record.kind <= static_cast<uint8_t>(EventKind::Listen);
        if (!consumers && !startup)
        {
            ++seq_;  // numbered even when nobody listens, so seq counts real events
            return;
        }
        ++seq_;
        if (wantBinary_)
            appendEventFrame(binaryBatch_, seq_, static_cast<uint16_t>(ring), record, preview);
        if (fileWriter_)
        {
            if (!fileHeaderQueued_) queueFileHeader();
            FrameQueue& q = fileWriter_->queue();
            char* p = q.reserve(kMaxWireFrame);
            q.advance(static_cast<size_t>(
                writeEventFrame(p, seq_, static_cast<uint16_t>(ring), record, preview) - p));
            fileWriter_->countQueued();
        }
        if (!wantJson_ && !startup) return;
        char* line = batch_.reserve(kMaxEventLineBytes);
        size_t size = static_cast<size_t>(
            writeEventLine(line, seq_, record, actorFields_[ring], preview) - line);
        if (startup && startupLines_.size() < kMaxStartupLines)
            startupLines_.emplace_back(line, size);
        if (wantJson_) batch_.advance(size);
    }

    // The file's header is made when its first event is (the topology is complete by then).
    void queueFileHeader()
    {
        fileWriter_->queue().pushText(buildHeaderLine(topology_(), buffers_, options_));
        fileHeaderQueued_ = true;
    }

    void publish(size_t events)
    {
        const char* data = batch_.data();
        size_t size = batch_.size();
        if (size == 0 && binaryBatch_.empty()) return;
        // Memory, not bytes: a queue's capacity is what the master holds for it.
        size_t heldTotal = 0;
        for (const auto& c : clients_) heldTotal += c->pending.capacity();
        for (auto& c : clients_)
        {
            const char* bytes = c->binary ? binaryBatch_.data() : data;
            size_t count = c->binary ? binaryBatch_.size() : size;
            if (count == 0) continue;
            size_t queued = c->pending.size() - c->offset;
            // Once dropping, keep dropping until the backlog is gone and the notice is out, so
            // the client's stream has exactly one gap, right after the notice.
            if (c->dropped > 0 || queued + count > kClientMaxPending ||
                heldTotal + count > kTotalMaxPending)
            {
                // The safety valve: this client is too slow. The batch held seqs
                // seq_ - events + 1 .. seq_.
                if (c->dropped == 0) c->firstDroppedSeq = seq_ - events + 1;
                c->dropped += events;
                continue;
            }
            size_t held = c->pending.capacity();
            sendToClient(c.get(), bytes, count);
            heldTotal = heldTotal - held + c->pending.capacity();
        }
        reapClients();
    }

    // The writer gets the rest of the frames, writes its trace_end and is joined: the file is
    // complete when the collector stops.
    void finish()
    {
        if (!fileWriter_) return;
        if (!fileHeaderQueued_) queueFileHeader();
        fileWriter_->finish();
    }

    TopologySource topology_;
    TraceBuffers& buffers_;
    TraceOptions options_;
    std::atomic<reactor::EventLoop*> loop_{nullptr};  // published by the collector thread
    std::mutex loopMutex_;    // loop_ set or cleared vs. stop() telling the loop to quit
    bool loopEnded_ = false;  // guarded by loopMutex_
    base::UniqueFd listenFd_;
    std::unique_ptr<TraceFileWriter> fileWriter_;  // --trace-file
    bool fileHeaderQueued_ = false;
    int64_t fileHandOverNs_ = 0;  // when frames last went to the idle file writer
    std::vector<std::unique_ptr<Client>> clients_;
    std::vector<std::unique_ptr<Client>> graveyard_;  // dead, freed after the event batch
    Client* holder_ = nullptr;  // the client whose `hold` is in force (step mode)
    // Step mode: gate_hold / gate_step / gate_release records waiting for their drain (merged
    // by time with the rings' events); when the hold in force began (0 = none) and its steps.
    std::vector<TraceRecord> gateRecords_;
    int64_t holdSinceNs_ = 0;
    uint32_t holdSteps_ = 0;
    std::vector<ActorField> actorFields_;
    std::vector<uint32_t> actorGenerations_;
    // A new generation's actor waiting for its first slot (refreshActor), per ring.
    static constexpr uint64_t kNoNextActor = UINT64_MAX;
    std::vector<ActorField> nextActor_;
    std::vector<uint64_t> nextActorFrom_;
    std::vector<uint64_t> droppedSeen_;
    std::vector<std::string> startupLines_;
    TextBuffer batch_;
    TextBuffer binaryBatch_;        // this drain's frames, while a client wants binary
    bool wantJson_ = false;         // this drain: the file or a JSON client wants lines
    bool wantBinary_ = false;       // this drain: a client wants binary frames
    std::vector<uint64_t> cursor_;  // per ring: next record to merge
    std::vector<uint64_t> end_;     // per ring: head seen at the start of this drain
    std::vector<int64_t> headTs_;   // per ring: timestamp of cursor_'s record (see drain)
    uint64_t seq_ = 0;
};

TraceCollector::TraceCollector(TopologySource topology, TraceBuffers& buffers, TraceOptions options)
    : impl_(std::make_unique<Impl>(std::move(topology), buffers, std::move(options)))
{
}

TraceCollector::~TraceCollector()
{
    stop();
}

void TraceCollector::start()
{
    boundAddress_ = impl_->openSinks();
    thread_ = std::thread([this] { impl_->run(); });
}

void TraceCollector::stop()
{
    if (!thread_.joinable()) return;
    // The loop may not be running yet if stop() follows start() at once: retry briefly.
    for (int i = 0; i < 1000; ++i)
    {
        if (impl_->quitIfRunning()) break;
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    thread_.join();
}

}  // namespace rscope::trace
