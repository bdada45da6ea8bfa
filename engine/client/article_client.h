// The seed article's client: connect, send one message, print the reply and how it ended.
#pragma once

#include <cstdint>
#include <string>

namespace rscope::client
{

// Prints "Received: <reply>" and the close to stdout; returns 0, or 1 on failure/timeout.
int runArticleClient(const std::string& host, uint16_t port, const std::string& message,
                     int timeoutMs);

}  // namespace rscope::client
