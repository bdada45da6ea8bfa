// Channel: one fd's epoll interest and its read/write callbacks. Does not own the fd.
// Owner: the loop thread it is registered with. Thread-safety: loop thread only.
#pragma once

#include <cstdint>
#include <functional>

namespace rscope::reactor
{

class EventLoop;

class Channel
{
  public:
    using Callback = std::function<void()>;

    Channel(EventLoop* loop, int fd) : loop_(loop), fd_(fd) {}
    // Aborts when called from this channel's own callback: the dispatch still reads the
    // channel afterwards. Owners destroy channels through EventLoop::runAfterEvents.
    ~Channel();
    Channel(const Channel&) = delete;
    Channel& operator=(const Channel&) = delete;

    // Set once at setup: never rebuilt per event.
    void setReadCallback(Callback cb) { readCallback_ = std::move(cb); }
    void setWriteCallback(Callback cb) { writeCallback_ = std::move(cb); }

    void enableReading() { update(events_ | kRead); }
    void disableReading() { update(events_ & ~kRead); }
    void enableWriting() { update(events_ | kWrite); }
    void disableWriting() { update(events_ & ~kWrite); }
    void disableAll() { update(0); }
    // Leaves epoll for good (the fd stays open); safe to call twice.
    void remove();

    bool isWriting() const { return events_ & kWrite; }
    int fd() const { return fd_; }

    // Called by the loop with the ready mask from epoll.
    void handleEvents(uint32_t ready);

    static constexpr uint32_t kRead = 0x001;   // EPOLLIN
    static constexpr uint32_t kWrite = 0x004;  // EPOLLOUT

  private:
    friend class EventLoop;
    void update(uint32_t events);

    EventLoop* loop_;
    int fd_;
    uint32_t events_ = 0;
    bool registered_ = false;      // in epoll (maybe with an empty mask)
    bool handlingEvents_ = false;  // inside handleEvents (muduo's eventHandling_)
    Callback readCallback_;
    Callback writeCallback_;
};

}  // namespace rscope::reactor
