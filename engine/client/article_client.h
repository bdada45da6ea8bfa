// The seed article's client: connect, send one message, print the reply and how it ended.
// Owner: the calling thread (blocking, poll-based). Thread-safety: reentrant.
#pragma once

#include <cstdint>
#include <string>

namespace rscope::client
{

// Prints what the seed article's PHP client prints, byte for byte, to stdout: "bool(true)" (its
// var_dump of the asynchronous connect), "Received: <reply>" plus a newline, "Connection close";
// "Connect failed" when the connection cannot be made. Reasons go to stderr. Returns 0 when a
// reply arrived and the connection ended cleanly (closed by the server, or left silent after the
// reply); 1 on connect failure, timeout, reset or an empty reply. Every step shares one deadline
// of timeoutMs. traceFrom ("host:port", the server's trace socket; empty = none): a deadline that
// comes while a step client holds the server (live step mode) moves on by timeoutMs instead of
// ending the client, so the time a learner holds the server does not count against it.
int runArticleClient(const std::string& host, uint16_t port, const std::string& message,
                     int timeoutMs, const std::string& traceFrom = {});

}  // namespace rscope::client
