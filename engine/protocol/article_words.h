// The seed article's server words, byte for byte: what its onReceive answers. The server's
// `article` handler says it and the load client (`rscope client --reply article`) checks it, so
// both sides read it from here, the lowest layer they share.
#pragma once

#include <string_view>

namespace rscope::protocol
{

// $serv->send($fd, 'From TcpServer Swoole: '.$data)
inline constexpr std::string_view kArticleReplyPrefix = "From TcpServer Swoole: ";

}  // namespace rscope::protocol
