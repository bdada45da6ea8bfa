// fault_matrix: the server under the faults a hostile or unlucky user brings (kills, stops, a
// full disk, slow and never-reading clients, many connections and requests), one scenario a
// line: PASS/FAIL, the figure measured, and why a failure failed. Rerun:
//   build/bin/fault_matrix            the full matrix (a few minutes)
//   build/bin/fault_matrix --quick    the CTest smoke (scaled down)
//   build/bin/fault_matrix --only NAME[,NAME]
// Runs as root where it can: it then takes a mount namespace of its own, so the full-disk
// scenario's tmpfs is seen by nothing else on the machine.
#include <sched.h>
#include <sys/mount.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <set>
#include <sstream>
#include <string>

#include "tests/fault/fault_scenarios.h"

namespace
{

std::set<std::string> splitNames(const std::string& list)
{
    std::set<std::string> out;
    std::stringstream in(list);
    std::string name;
    while (std::getline(in, name, ','))
        if (!name.empty()) out.insert(name);
    return out;
}

}  // namespace

int main(int argc, char** argv)
{
    rscope::fault::Scale scale;
    std::set<std::string> only;
    for (int i = 1; i < argc; ++i)
    {
        std::string a = argv[i];
        if (a == "--quick")
            scale.quick = true;
        else if (a == "--only" && i + 1 < argc)
            only = splitNames(argv[++i]);
        else
        {
            std::fprintf(stderr, "usage: fault_matrix [--quick] [--only NAME[,NAME...]]\n");
            for (const auto& s : rscope::fault::allScenarios())
                std::fprintf(stderr, "  %-22s %s\n", s.name, s.what);
            return 2;
        }
    }
    if (::geteuid() == 0 && ::unshare(CLONE_NEWNS) == 0)
        ::mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr);

    int passed = 0, failed = 0, skipped = 0;
    for (const auto& s : rscope::fault::allScenarios())
    {
        if (!only.empty() && !only.count(s.name)) continue;
        auto start = std::chrono::steady_clock::now();
        rscope::fault::Outcome o = s.run(scale);
        double took =
            std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        const char* verdict = o.skipped ? "SKIP" : o.passed ? "PASS" : "FAIL";
        std::printf("%s  %-22s %5.1f s  %s\n", verdict, s.name, took, o.figure.c_str());
        if (!o.skipped && !o.passed) std::printf("      why: %s\n", o.why.c_str());
        std::fflush(stdout);
        (o.skipped ? skipped : o.passed ? passed : failed) += 1;
    }
    std::printf("fault matrix: %d passed, %d failed, %d skipped\n", passed, failed, skipped);
    return failed == 0 ? 0 : 1;
}
