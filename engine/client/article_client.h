// The seed article's client: connect, send one message, print the reply and how it ended.
// Owner: the calling thread (blocking, poll-based). Thread-safety: reentrant.
#pragma once

#include <cstdint>
#include <string>

namespace rscope::client
{

// Prints "Connected to ...", "Received: <reply>" (bytes as received) and how the connection
// ended ("Connection closed by server") to stdout. Returns 0 when a reply arrived and the
// connection ended cleanly (closed by the server, or left silent after the reply); 1 on connect
// failure, timeout, reset or an empty reply. Every step shares one deadline of timeoutMs.
int runArticleClient(const std::string& host, uint16_t port, const std::string& message,
                     int timeoutMs);

}  // namespace rscope::client
