// A tutorial lesson (tutorials/README.md, "Format"): texts in English and Chinese, the server to
// start, and steps with highlights, an optional action and an optional checkpoint. Plain data,
// loaded and validated from JSON. No owner; immutable after loading.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace rscope::tutorial
{

inline constexpr const char* kFormatName = "reactorscope-tutorial";
inline constexpr int kFormatVersion = 1;

enum class Lang
{
    En,
    Zh
};
const char* langName(Lang lang);                      // "en" | "zh"
bool langByName(const std::string& name, Lang& out);  // false for anything else

struct Text
{
    std::string en;
    std::string zh;
    const std::string& in(Lang lang) const { return lang == Lang::Zh ? zh : en; }
};

// A value a matcher compares with: a literal, or a variable ("$w") bound by the first match.
struct MatchValue
{
    std::string variable;  // non-empty: "$w"
    std::string text;      // the literal as text ("2", "RECV_DATA", "true")
    bool isVariable() const { return !variable.empty(); }
};

struct Matcher
{
    std::vector<std::string> kinds;          // any of these kinds
    std::string actorRole;                   // "" = any; "worker", "reactor", "master", "manager"
    int actorIndex = -1;                     // -1 = any index
    std::map<std::string, MatchValue> ids;   // "session", "fd", "reactor", "worker", "msg_id"
    std::map<std::string, MatchValue> args;  // args.<key>
    int count = 1;
};

struct Checkpoint
{
    std::vector<Matcher> events;
    bool inOrder = true;
    int timeoutMs = 5000;
    Text hint;
};

struct Action
{
    std::string kind;  // "send_article", "kill_worker", ... (tutorials/README.md, "Actions")
    int count = 0;
    int connections = 0;
    int worker = -1;
    // kill_worker, pause_worker, resume_worker: "$w" names the worker an earlier step's
    // checkpoint bound (resolveAction turns it into `worker`); empty when `worker` is a number.
    std::string workerVariable;
    int bytes = 0;
    int ms = 0;
    int holdMs = 0;
    bool send = false;
    std::string message;                              // send_article, send_burst
    std::map<std::string, std::string> serverChange;  // restart_server: flag -> value
};

struct Highlight
{
    std::string picture;  // "architecture" | "startup" | "sequence" | "stats" | "" (keep)
    std::vector<std::string> nodes;
    std::vector<std::string> edges;
    std::vector<std::string> panels;
};

struct Step
{
    Text text;
    Highlight highlight;
    std::optional<Action> action;
    std::optional<Checkpoint> checkpoint;
};

struct Lesson
{
    std::string id;
    std::string path;  // the file it was read from
    Text title;
    Text summary;
    // `rscope server` flags without the dashes, in file order ("worker-num" -> "4").
    std::vector<std::pair<std::string, std::string>> server;
    std::string replay;  // a recording, relative to the source tree
    std::vector<Step> steps;
};

// A highlight with its variables resolved: "worker[$w]" -> "worker[2]", "pipe[$r->$w]" ->
// "pipe[0->2]". An id naming a variable that is not bound (yet) is left out, so a picture lights
// a node once the events have said which one it is.
Highlight resolveHighlight(const Highlight& highlight,
                           const std::map<std::string, std::string>& bindings);

// An action with its variables resolved: "worker": "$w" -> the worker `bindings` (those of the
// steps met so far) give $w. False with `error` when the variable is not bound (yet).
bool resolveAction(const Action& action, const std::map<std::string, std::string>& bindings,
                   Action& out, std::string& error);

// Reads and validates one lesson. On failure returns false with `error` = "FILE: where: what"
// (e.g. "tutorials/02.json: steps[3].text: no \"zh\"").
bool loadLesson(const std::string& path, Lesson& out, std::string& error);
// The same from the file's text already in memory; path only names it in errors and in out.path.
bool loadLessonText(std::string_view text, const std::string& path, Lesson& out,
                    std::string& error);
// Every tutorials/*.json in `dir`, sorted by file name.
std::vector<std::string> lessonFiles(const std::string& dir);

}  // namespace rscope::tutorial
