// C-style escapes for command-line arguments such as --message 'hello world\n'.
#include <cctype>
#include <string>

#include "engine/cli/commands.h"

namespace rscope::cli
{

std::string unescape(const std::string& text)
{
    std::string out;
    for (size_t i = 0; i < text.size(); ++i)
    {
        char c = text[i];
        if (c != '\\' || i + 1 == text.size())
        {
            out += c;
            continue;
        }
        char e = text[++i];
        switch (e)
        {
            case 'n':
                out += '\n';
                break;
            case 'r':
                out += '\r';
                break;
            case 't':
                out += '\t';
                break;
            case '0':
                out += '\0';
                break;
            case '\\':
                out += '\\';
                break;
            case 'x':
                if (i + 2 < text.size() + 0 &&
                    std::isxdigit(static_cast<unsigned char>(text[i + 1])) &&
                    std::isxdigit(static_cast<unsigned char>(text[i + 2])))
                {
                    out += static_cast<char>(std::stoi(text.substr(i + 1, 2), nullptr, 16));
                    i += 2;
                    break;
                }
                out += "\\x";
                break;
            default:
                out += '\\';
                out += e;
        }
    }
    return out;
}

}  // namespace rscope::cli
