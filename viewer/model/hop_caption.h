// The one-line caption under the architecture picture: what the cursor's newest event did, in
// plain words ("reactor[0] put RECV_DATA (60 B) into worker[2]'s pipe"), in English or Chinese.
// Pure function of the store; any thread that owns the store (the GUI thread).
#pragma once

#include <cstddef>
#include <string>

namespace rscope::viewer
{

class TraceStore;

enum class CaptionLang
{
    En,
    Zh,
};

// The caption of event `index` of `store`; "" when there is no such event.
std::string hopCaption(const TraceStore& store, size_t index, CaptionLang lang);

}  // namespace rscope::viewer
