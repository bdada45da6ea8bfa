// ReactorThread: one of reactor_num threads in the master. Owns the client fds with
// fd % reactor_num == id (read, frame, dispatch, write replies, close) and reads the pipes of
// workers with id % reactor_num == id (model 2.9, 3.2-3.9).
// Owner: the master; its loop state lives on its own thread. Thread-safety: start/join from the
// master main thread; everything else on the reactor thread.
#pragma once

#include <memory>
#include <thread>

#include "engine/base/unique_fd.h"

namespace rscope::server
{

class Server;

class ReactorThread
{
  public:
    // notifyFd: this thread's end of the socketpair on which the main reactor sends INCOMING
    // and SHUTDOWN.
    ReactorThread(Server& server, int id, base::UniqueFd notifyFd);
    ~ReactorThread();
    ReactorThread(const ReactorThread&) = delete;
    ReactorThread& operator=(const ReactorThread&) = delete;

    // Starts the thread and returns once its loop has registered every pipe (the barrier of
    // model 2.9).
    void start();
    void join();
    int id() const { return id_; }

  private:
    class Loop;  // everything that lives on the thread (reactor_thread.cpp)

    Server& server_;
    int id_;
    base::UniqueFd notifyFd_;
    std::thread thread_;
};

}  // namespace rscope::server
