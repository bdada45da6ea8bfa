// Whole-line batching of the trace stream (line_batcher.h).
#include "engine/web/line_batcher.h"

namespace rscope::web
{

bool LineBatcher::append(std::string_view bytes)
{
    // Only the new bytes are searched: a long unfinished line is not scanned again per read.
    if (size_t nl = bytes.rfind('\n'); nl != std::string_view::npos)
        wholeBytes_ = buffer_.size() + nl + 1;
    buffer_.append(bytes);
    return buffer_.size() - wholeBytes_ <= maxLineBytes_;
}

std::string LineBatcher::takeLines()
{
    if (wholeBytes_ == 0) return {};
    std::string lines = buffer_.substr(0, wholeBytes_);
    buffer_.erase(0, wholeBytes_);
    wholeBytes_ = 0;
    return lines;
}

}  // namespace rscope::web
