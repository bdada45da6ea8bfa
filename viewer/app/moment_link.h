// Links to a moment: the query of a web viewer address (`?trace=traces/article.jsonl&event=21&
// picture=sequence`) read into the viewer's start options, and the moment on screen written back
// as such a query, so a blog post or a course can link to the hop it explains. Plain C++ (the
// web app uses it; tests run it natively).
//
// Keys: trace (a path under the page: a bundled trace or a file `rscope web` serves), event (the
// number the event log shows, #N: 1-based), picture (architecture | startup | sequence | stats),
// session (the sequence diagram's session), tutorial (a lesson's name), step (1-based), lang
// (en | zh), live (1: watch the server behind `rscope web`'s bridge); and how the timeline plays
// from there: speed (real time x N, 0.01-100) or pace (ms per event, teaching pace).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace rscope::viewer
{

struct ViewerOptions;

struct Moment
{
    std::string trace;
    std::optional<int64_t> event;  // #N, 1-based
    std::string picture;
    int64_t session = 0;  // 0: none
    std::string tutorial;
    int step = 0;  // 0: the lesson's first
    std::string lang;
    bool live = false;
    std::optional<double> speed;
    std::optional<double> pace;
};

// Reads "?a=b&c=d" (the '?' optional; %XX and '+' decoded). Unknown keys are ignored (a newer
// viewer's links still open); a bad value is skipped with a sentence in `problems`.
Moment parseMomentQuery(std::string_view query, std::vector<std::string>& problems);

// The query of `m` ("trace=...&event=21&picture=sequence"), keys in the order above, values
// percent-encoded; empty fields left out.
std::string formatMomentQuery(const Moment& m);

// The start options that open `m`: event #N is --at-event N-1, tutorial=NAME runs the lesson
// on its recording (a page cannot start a server); live is the caller's (the bridge's URL).
void applyMoment(const Moment& m, ViewerOptions& options);

}  // namespace rscope::viewer
