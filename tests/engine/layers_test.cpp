// The engine's layers, checked two ways: no source file includes a header of a layer above its
// own (the table below is the one place that says what may use what), and the trace tools'
// library holds no symbol of the server, so `rscope trace ...` cannot reach into it.
#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace rscope
{
namespace
{
namespace fs = std::filesystem;

const fs::path kRoot = RSCOPE_SOURCE_DIR;

// Each layer and the layers its files may include (besides its own). Lower layers first; the
// CMake targets of engine/CMakeLists.txt link the same graph, so a call upwards also fails to
// link.
const std::map<std::string, std::set<std::string>>& allowedIncludes()
{
    static const std::map<std::string, std::set<std::string>> kTable = {
        {"engine/base", {}},
        {"engine/format", {"engine/base"}},
        {"engine/reactor", {"engine/base"}},
        {"engine/protocol", {"engine/base"}},
        {"engine/dispatch", {"engine/base"}},
        {"engine/trace", {"engine/base", "engine/format", "engine/reactor"}},
        {"engine/ipc", {"engine/base", "engine/format", "engine/reactor", "engine/trace"}},
        {"engine/server",
         {"engine/base", "engine/format", "engine/reactor", "engine/protocol", "engine/dispatch",
          "engine/trace", "engine/ipc"}},
        {"engine/client", {"engine/base", "engine/format", "engine/reactor", "engine/protocol"}},
        {"engine/tracefile", {"engine/base", "engine/format"}},
        {"engine/tutorial", {"engine/base", "engine/format"}},
        {"engine/web", {"engine/base", "engine/format"}},
        {"engine/cli",
         {"engine/base", "engine/format", "engine/reactor", "engine/protocol", "engine/dispatch",
          "engine/trace", "engine/ipc", "engine/server", "engine/client", "engine/tracefile",
          "engine/tutorial", "engine/web"}},
        {"viewer/model", {"engine/base", "engine/format", "engine/tutorial"}},
        {"viewer/layout", {"engine/format", "viewer/model"}},
        {"viewer/view", {"engine/format", "engine/tutorial", "viewer/model", "viewer/layout"}},
        {"viewer/app",
         {"engine/base", "engine/format", "engine/tutorial", "viewer/model", "viewer/layout",
          "viewer/view"}},
        // The web build's host: the app compiled for a browser page.
        {"viewer/web",
         {"engine/base", "engine/format", "engine/tutorial", "viewer/model", "viewer/layout",
          "viewer/view", "viewer/app"}},
    };
    return kTable;
}

struct Violation
{
    std::string where;  // file:line
    std::string include;
};

std::vector<Violation> upwardIncludes()
{
    static const std::regex kInclude(R"re(^\s*#\s*include\s+"((engine|viewer)/[a-z_]+)/)re");
    std::vector<Violation> found;
    for (const auto& [layer, allowed] : allowedIncludes())
    {
        fs::path dir = kRoot / layer;
        if (!fs::exists(dir)) continue;
        for (const auto& entry : fs::recursive_directory_iterator(dir))
        {
            if (!entry.is_regular_file()) continue;
            std::string ext = entry.path().extension().string();
            if (ext != ".h" && ext != ".cpp") continue;
            std::ifstream in(entry.path());
            std::string line;
            for (int n = 1; std::getline(in, line); ++n)
            {
                std::smatch m;
                if (!std::regex_search(line, m, kInclude)) continue;
                std::string target = m[1].str();
                if (target == layer || allowed.count(target) > 0) continue;
                found.push_back(
                    {fs::relative(entry.path(), kRoot).string() + ":" + std::to_string(n), line});
            }
        }
    }
    return found;
}

TEST(Layers, EveryEngineAndViewerFolderIsInTheTable)
{
    for (const char* top : {"engine", "viewer"})
        for (const auto& entry : fs::directory_iterator(kRoot / top))
            if (entry.is_directory())
            {
                std::string layer = std::string(top) + "/" + entry.path().filename().string();
                EXPECT_EQ(allowedIncludes().count(layer), 1u)
                    << layer << " is not in the layer table of " << __FILE__;
            }
}

TEST(Layers, NoFileIncludesAHigherLayer)
{
    std::vector<Violation> found = upwardIncludes();
    for (const Violation& v : found) ADD_FAILURE() << v.where << ": " << v.include;
    EXPECT_TRUE(found.empty());
}

// Runs `nm` over a static library and returns the demangled names of every symbol, defined or
// undefined.
std::vector<std::string> symbolsOf(const std::string& library)
{
    std::string command = "nm -C " + library + " 2>/dev/null";
    std::vector<std::string> names;
    FILE* pipe = ::popen(command.c_str(), "r");
    if (pipe == nullptr) return names;
    std::array<char, 4096> buf{};
    while (std::fgets(buf.data(), buf.size(), pipe) != nullptr) names.emplace_back(buf.data());
    ::pclose(pipe);
    return names;
}

// By hand, from the build folder (prints 0):
//   nm -C engine/librscope_{cli_trace,tracefile,format}.a | grep -cE 'rscope::(server|ipc)::'
// Undefined symbols count too: a call into the server from these would show as "U".
TEST(Layers, TraceToolsHoldNoServerSymbol)
{
    for (const char* library : {RSCOPE_CLI_TRACE_LIB, RSCOPE_TRACEFILE_LIB, RSCOPE_FORMAT_LIB})
    {
        std::vector<std::string> symbols = symbolsOf(library);
        ASSERT_GT(symbols.size(), 100u) << "nm read nothing from " << library;
        int serverSymbols = 0;
        for (const std::string& s : symbols)
            if (s.find("rscope::server::") != std::string::npos ||
                s.find("rscope::ipc::") != std::string::npos)
            {
                if (++serverSymbols <= 5) ADD_FAILURE() << library << ": " << s;
            }
        EXPECT_EQ(serverSymbols, 0) << library;
    }
}

}  // namespace
}  // namespace rscope
