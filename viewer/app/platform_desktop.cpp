// The desktop build's host: the files it writes stay where the learner named them; a link to a
// moment needs a page, which the desktop viewer does not have.
#include "viewer/app/platform.h"

namespace rscope::viewer
{

bool platformIsWeb()
{
    return false;
}

void platformFileWritten(const std::string& /*path*/) {}

std::string platformShowLink(const std::string& /*query*/, bool /*copy*/)
{
    return "";
}

void platformPickFile() {}

}  // namespace rscope::viewer
