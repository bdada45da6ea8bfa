// The one trace-socket client: the address forms every tool takes (`rscope record`, `rscope
// trace step`, the tutorial runner, the viewer) and the connect with a timeout, with one set of
// error messages. Addresses: "HOST:PORT" (IPv4 or "[IPv6]:PORT"), ":PORT" or "PORT" (loopback),
// "unix:PATH" ("unix:@name": Linux abstract namespace). Plain functions; any thread.
#pragma once

#include <sys/socket.h>

#include <string>

namespace rscope::tracefile
{

inline constexpr const char* kDefaultTraceAddress = "127.0.0.1:9600";

// Fills *addr and *len for address; false with *error set ("ADDR: why").
bool resolveTraceAddress(const std::string& address, sockaddr_storage* addr, socklen_t* len,
                         std::string* error);

// What connectTraceSocket returns when wakeFd became readable before the connection was made.
inline constexpr int kConnectWoken = -2;

// A connected, non-blocking stream socket to address, waiting up to timeoutMs; -1 with *error
// set on failure. With wakeFd >= 0, the wait also ends when wakeFd becomes readable (a stop
// request): then kConnectWoken and *error is left alone.
int connectTraceSocket(const std::string& address, int timeoutMs, std::string* error,
                       int wakeFd = -1);

}  // namespace rscope::tracefile
