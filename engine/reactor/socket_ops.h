// Thin syscall wrappers: results or -errno (EINTR retried except on close), OrDie variants for
// startup steps that cannot go on. Thread-safety: all functions are reentrant.
#pragma once

#include <netinet/in.h>
#include <sys/types.h>

#include <cstdint>
#include <string>

#include "engine/base/unique_fd.h"

namespace rscope::reactor
{

// "127.0.0.1" + port -> sockaddr_in; false when the host is not an IPv4 literal or "localhost".
bool makeAddress(const std::string& host, uint16_t port, sockaddr_in* out);
std::string addressText(const sockaddr_in& addr);
// "localhost", 127.0.0.0/8 or ::1: an address only this machine can reach.
bool isLoopbackHost(const std::string& host);
// The peer of a connected socket is this machine: a unix socket, or a loopback address.
bool isLoopbackPeer(int fd);

// Nonblocking CLOEXEC TCP socket bound to host:port (SO_REUSEADDR, optionally SO_REUSEPORT).
// Returns -errno on failure, the fd otherwise; *what names the failing call.
int bindTcp(const std::string& host, uint16_t port, bool reusePort, const char** what);
int listenFd(int fd, int backlog);
uint16_t localPort(int fd);

// accept4 with CLOEXEC|NONBLOCK; -errno (EAGAIN when the queue is empty).
int acceptConnection(int listenFd, sockaddr_in* peer);

// Nonblocking connect to host:port; returns fd or -errno. EINPROGRESS is success.
int connectTcp(const sockaddr_in& addr, bool nonblocking);

ssize_t readSome(int fd, void* buf, size_t len);         // -errno on error, 0 on EOF
ssize_t writeSome(int fd, const void* buf, size_t len);  // MSG_NOSIGNAL; -errno on error

void setNoDelay(int fd);
int setBufferSizes(int fd, int bytes);  // SO_SNDBUF + SO_RCVBUF; -errno on failure

// Blocks all signals the server handles through signalfd (call before creating threads).
void blockServerSignals();

// Exit the process after logging "<call>(<object>): <reason>; exiting".
[[noreturn]] void dieWithErrno(const char* call, const std::string& object, int err);

}  // namespace rscope::reactor
