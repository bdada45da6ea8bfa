// The web build's host: JavaScript of the page (index.html's rscopePage) through EM_ASM.
#include <emscripten.h>

#include <cstdlib>

#include "viewer/app/platform.h"

namespace rscope::viewer
{

bool platformIsWeb()
{
    return true;
}

void platformFileWritten(const std::string& path)
{
    // The page reads the file out of the in-memory file system and offers it as a download.
    EM_ASM({ rscopePage.download(UTF8ToString($0)); }, path.c_str());
}

std::string platformShowLink(const std::string& query, bool copy)
{
    // wasm32: a pointer fits the int EM_ASM_INT returns.
    char* address = reinterpret_cast<char*>(EM_ASM_INT(
        {
            var url = rscopePage.showLink(UTF8ToString($0), $1);
            var n = lengthBytesUTF8(url) + 1;
            var p = _malloc(n);
            stringToUTF8(url, p, n);
            return p;
        },
        query.c_str(), copy ? 1 : 0));
    std::string out = address ? address : "";
    std::free(address);
    return out;
}

void platformPickFile()
{
    EM_ASM({ rscopePage.pickFile(); });
}

}  // namespace rscope::viewer
