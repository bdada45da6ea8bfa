// The fault matrix's scenarios: each starts its own server on loopback, makes one fault, measures
// what the model promises still holds, and stops everything it started.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "tests/fault/fault_support.h"

namespace rscope::fault
{

struct Scenario
{
    const char* name;
    const char* what;
    std::function<Outcome(const Scale&)> run;
};

std::vector<Scenario> allScenarios();

}  // namespace rscope::fault
