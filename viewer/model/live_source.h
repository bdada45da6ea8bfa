// A live trace stream feeding the store: the base keeps the queue of decoded lines between the
// receiving side and the GUI thread's drain, the status and the last error; a platform class
// receives. SocketLiveSource (socket_live_source.h) is the desktop's socket thread on the
// server's trace socket; the web build's WebSocketLiveSource (viewer/web) reads `rscope web`'s
// bridge. makeLiveSource picks the one the binary was built with.
// Owner: the GUI thread owns the object; a receiving thread, where there is one, only feeds.
// Thread-safety: drain(), status(), queued() and lastError() are safe from the GUI thread; the
// queue is the only shared state (one mutex, held for a swap of two vectors).
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "engine/format/line_splitter.h"
#include "viewer/model/line_parser.h"

namespace rscope::viewer
{

class TraceStore;

enum class LiveStatus : uint8_t
{
    Connecting,
    Connected,
    Retrying,  // "disconnected, retrying": the UI shows this
    Stopped
};
const char* liveStatusName(LiveStatus s);

// Cuts a byte stream into lines (the format's LineSplitter) and decodes them into a batch: the
// part both receivers share. Bytes may end inside a line; the rest waits for the next feed.
// Owner: the receiving side.
class LineBatcher
{
  public:
    // Decodes the whole lines `bytes` completes. Returns "" or why the stream is broken (a
    // refused header, a line over tracefile::kMaxLineBytes): the connection should end.
    std::string feed(std::string_view bytes);
    void reset();  // a new connection: line numbers restart, a partial line is dropped
    bool insideLine() const { return !splitter_.partial().empty(); }

    std::vector<ParsedLine> batch;  // decoded lines [0, count); past count: spares
    size_t count = 0;
    // A refused header makes the next connection wait longer (the server will not change).
    bool headerRefused = false;

  private:
    bool decode(std::string_view line, std::string& why);

    LineParser parser_;
    tracefile::LineSplitter splitter_;
    uint64_t lineNo_ = 0;
};

class LiveSource
{
  public:
    // address: "HOST:PORT" (loopback by default) or "unix:PATH"; on the web, the bridge's.
    explicit LiveSource(std::string address) : address_(std::move(address)) {}
    virtual ~LiveSource() = default;
    LiveSource(const LiveSource&) = delete;
    LiveSource& operator=(const LiveSource&) = delete;

    virtual void start() = 0;
    virtual void stop() = 0;
    // Sends one command line to the server on the current connection ("hold", "step", "step 5",
    // "run": traces/FORMAT.md, "Client commands"). False when not connected or the line could
    // not go out at once (a command is a few bytes: the send buffer is never full of ours).
    virtual bool sendCommand(std::string_view line) = 0;

    // Moves up to `maxLines` decoded lines into the store: a header clears the store and starts a
    // new recording (a server restart or a reconnect); events are appended; errors recorded.
    // Returns how many lines were taken; `headerSeen` set when a new header arrived.
    size_t drain(TraceStore& store, size_t maxLines, bool& headerSeen);

    LiveStatus status() const { return status_.load(std::memory_order_relaxed); }
    const std::string& address() const { return address_; }
    std::string lastError() const;
    uint64_t linesReceived() const { return linesReceived_.load(std::memory_order_relaxed); }
    size_t queued() const;  // lines waiting for the GUI thread (lag indicator)

  protected:
    // The receiving side hands the batcher's decoded lines to the GUI thread; the batch gets
    // spare lines back (their strings keep their capacity) and its count is reset.
    void publish(LineBatcher& lines);
    void setLastError(std::string message);

    std::string address_;
    std::atomic<LiveStatus> status_{LiveStatus::Stopped};
    std::atomic<uint64_t> linesReceived_{0};

  private:
    mutable std::mutex mutex_;       // guards queue_, queueCount_ and lastError_
    std::vector<ParsedLine> queue_;  // decoded lines, oldest first; past queueCount_: spares
    size_t queueCount_ = 0;
    std::string lastError_;

    // GUI thread only: the batch being drained (swapped with queue_ when used up).
    std::vector<ParsedLine> pending_;
    size_t pendingCount_ = 0;
    size_t pendingPos_ = 0;
};

// The live source of this build: SocketLiveSource on the desktop, WebSocketLiveSource on the web.
std::unique_ptr<LiveSource> makeLiveSource(std::string address);

}  // namespace rscope::viewer
