// loadLesson: JSON -> Lesson with every rule of tutorials/README.md checked; the first problem
// is reported as "FILE: where: what" so an author can find it without reading the loader.
#include "engine/tutorial/lesson.h"

#include <dirent.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <fstream>
#include <set>
#include <sstream>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "engine/base/json_depth.h"
#include "engine/format/trace_event.h"

namespace rscope::tutorial
{

namespace
{
using json = nlohmann::ordered_json;  // keeps the server flags in file order

// Thrown inside the loader only and turned into the error string at its boundary.
struct LoadError
{
    std::string where;
    std::string what;
};

[[noreturn]] void fail(const std::string& where, const std::string& what)
{
    throw LoadError{where, what};
}

std::string at(const std::string& where, const std::string& key)
{
    return where.empty() ? key : where + "." + key;
}

std::string at(const std::string& where, size_t index)
{
    return where + "[" + std::to_string(index) + "]";
}

const json& need(const json& obj, const std::string& where, const char* key)
{
    auto it = obj.find(key);
    if (it == obj.end()) fail(where, fmt::format("no \"{}\"", key));
    return *it;
}

std::string stringOf(const json& v, const std::string& where)
{
    if (!v.is_string()) fail(where, "must be a string");
    return v.get<std::string>();
}

int intOf(const json& v, const std::string& where, int min)
{
    if (!v.is_number_integer()) fail(where, "must be an integer");
    int64_t n = v.get<int64_t>();
    if (n < min || n > 1'000'000'000)
        fail(where, fmt::format("{} is out of range (>= {})", n, min));
    return static_cast<int>(n);
}

// A scalar as the text a matcher compares ("2", "RECV_DATA", "true").
std::string scalarText(const json& v, const std::string& where)
{
    if (v.is_string()) return v.get<std::string>();
    if (v.is_boolean()) return v.get<bool>() ? "true" : "false";
    if (v.is_number_integer()) return std::to_string(v.get<int64_t>());
    fail(where, "must be a string, an integer or a boolean");
}

Text textOf(const json& obj, const std::string& where, const char* key)
{
    std::string w = at(where, key);
    const json& v = need(obj, where, key);
    if (!v.is_object()) fail(w, "must be an object {\"en\": ..., \"zh\": ...}");
    Text t;
    for (Lang lang : {Lang::En, Lang::Zh})
    {
        auto it = v.find(langName(lang));
        if (it == v.end()) fail(w, fmt::format("no \"{}\"", langName(lang)));
        std::string s = stringOf(*it, at(w, langName(lang)));
        if (s.find_first_not_of(" \t\r\n") == std::string::npos)
            fail(at(w, langName(lang)), "is empty");
        (lang == Lang::En ? t.en : t.zh) = std::move(s);
    }
    return t;
}

std::vector<std::string> stringList(const json& obj, const std::string& where, const char* key)
{
    std::vector<std::string> out;
    auto it = obj.find(key);
    if (it == obj.end()) return out;
    if (!it->is_array()) fail(at(where, key), "must be a list of strings");
    for (size_t i = 0; i < it->size(); ++i)
        out.push_back(stringOf((*it)[i], at(at(where, key), i)));
    return out;
}

MatchValue matchValueOf(const json& v, const std::string& where)
{
    MatchValue m;
    if (v.is_string() && !v.get<std::string>().empty() && v.get<std::string>()[0] == '$')
    {
        m.variable = v.get<std::string>();
        if (m.variable.size() < 2) fail(where, "a variable needs a name after '$'");
        return m;
    }
    m.text = scalarText(v, where);
    return m;
}

void parseActor(const std::string& text, const std::string& where, Matcher& m)
{
    static const std::set<std::string> kRoles = {"master", "reactor", "manager", "worker",
                                                 "task_worker"};
    std::string role = text;
    size_t open = text.find('[');
    if (open != std::string::npos)
    {
        role = text.substr(0, open);
        if (text.back() != ']' || open + 2 > text.size() - 1)
            fail(where, fmt::format("\"{}\" is not ROLE or ROLE[N]", text));
        std::string digits = text.substr(open + 1, text.size() - open - 2);
        if (digits.find_first_not_of("0123456789") != std::string::npos || digits.size() > 6)
            fail(where, fmt::format("\"{}\": the index must be a number", text));
        m.actorIndex = std::stoi(digits);
    }
    if (!kRoles.count(role))
        fail(where,
             fmt::format("unknown actor \"{}\" (master, reactor, manager, worker, task_worker)",
                         role));
    m.actorRole = role;
}

Matcher matcherOf(const json& v, const std::string& where)
{
    static const std::set<std::string> kIds = {"session", "fd", "reactor", "worker", "msg_id"};
    if (!v.is_object()) fail(where, "a matcher must be an object");
    Matcher m;
    for (auto it = v.begin(); it != v.end(); ++it)
    {
        const std::string& key = it.key();
        std::string w = at(where, key);
        if (key == "kind")
        {
            std::vector<std::string> kinds;
            if (it->is_array())
                for (size_t i = 0; i < it->size(); ++i)
                    kinds.push_back(stringOf((*it)[i], at(w, i)));
            else
                kinds.push_back(stringOf(*it, w));
            if (kinds.empty()) fail(w, "an empty list matches nothing");
            for (const std::string& k : kinds)
                if (trace::kindByName(k.c_str()) == trace::EventKind::Count)
                    fail(w,
                         fmt::format("unknown event kind \"{}\" (traces/FORMAT.md, section 6)", k));
            m.kinds = std::move(kinds);
        }
        else if (key == "actor")
            parseActor(stringOf(*it, w), w, m);
        else if (kIds.count(key))
        {
            if (!it->is_number_integer() && !it->is_string())
                fail(w, "must be a number or a variable \"$name\"");
            m.ids[key] = matchValueOf(*it, w);
            if (!m.ids[key].isVariable() && !it->is_number_integer())
                fail(w, "must be a number or a variable \"$name\"");
        }
        else if (key == "args")
        {
            if (!it->is_object()) fail(w, "must be an object of arg values");
            for (auto a = it->begin(); a != it->end(); ++a)
                m.args[a.key()] = matchValueOf(*a, at(w, a.key()));
        }
        else if (key == "count")
            m.count = intOf(*it, w, 1);
        else
            // A misspelt key would silently widen the matcher, so it is refused (unlike elsewhere).
            fail(w,
                 "unknown matcher key (kind, actor, session, fd, reactor, worker, msg_id, "
                 "args, count)");
    }
    if (m.kinds.empty()) fail(where, "no \"kind\"");
    return m;
}

Checkpoint checkpointOf(const json& v, const std::string& where)
{
    if (!v.is_object()) fail(where, "must be an object");
    Checkpoint c;
    const json& events = need(v, where, "events");
    std::string w = at(where, "events");
    if (!events.is_array() || events.empty()) fail(w, "must be a non-empty list of matchers");
    for (size_t i = 0; i < events.size(); ++i) c.events.push_back(matcherOf(events[i], at(w, i)));
    if (auto it = v.find("order"); it != v.end())
    {
        std::string order = stringOf(*it, at(where, "order"));
        if (order != "in_order" && order != "any_order")
            fail(at(where, "order"), fmt::format("\"{}\" is not in_order or any_order", order));
        c.inOrder = order == "in_order";
    }
    if (auto it = v.find("timeout_ms"); it != v.end())
        c.timeoutMs = intOf(*it, at(where, "timeout_ms"), 1);
    c.hint = textOf(v, where, "hint");
    return c;
}

Action actionOf(const json& v, const std::string& where)
{
    static const std::set<std::string> kKinds = {
        "start_server",     "stop_server",  "restart_server", "send_article",
        "open_connections", "send_burst",   "send_requests",  "send_big",
        "kill_worker",      "pause_worker", "resume_worker",  "reload",
        "slow_reader",      "client_close", "server_close",   "never_reads"};
    if (!v.is_object()) fail(where, "must be an object {\"do\": ...}");
    Action a;
    a.kind = stringOf(need(v, where, "do"), at(where, "do"));
    if (!kKinds.count(a.kind)) fail(at(where, "do"), fmt::format("unknown action \"{}\"", a.kind));
    auto num = [&](const char* key, int& out, int min)
    {
        if (auto it = v.find(key); it != v.end()) out = intOf(*it, at(where, key), min);
    };
    num("count", a.count, 1);
    num("connections", a.connections, 1);
    if (auto it = v.find("worker"); it != v.end())
    {
        // A number, or "$w": the worker an earlier checkpoint bound (the one a request reached).
        if (it->is_string())
        {
            MatchValue m = matchValueOf(*it, at(where, "worker"));
            if (!m.isVariable())
                fail(at(where, "worker"), "must be a number or a variable \"$name\"");
            a.workerVariable = m.variable;
        }
        else
            a.worker = intOf(*it, at(where, "worker"), 0);
    }
    num("bytes", a.bytes, 1);
    num("ms", a.ms, 1);
    num("hold_ms", a.holdMs, 0);
    if (auto it = v.find("send"); it != v.end())
    {
        if (!it->is_boolean()) fail(at(where, "send"), "must be true or false");
        a.send = it->get<bool>();
    }
    if (auto it = v.find("message"); it != v.end()) a.message = stringOf(*it, at(where, "message"));
    if (auto it = v.find("server"); it != v.end())
    {
        if (!it->is_object()) fail(at(where, "server"), "must be an object of server flags");
        for (auto f = it->begin(); f != it->end(); ++f)
            a.serverChange[f.key()] = scalarText(*f, at(at(where, "server"), f.key()));
    }
    // Fields an action cannot do without.
    bool needsWorker =
        a.kind == "kill_worker" || a.kind == "pause_worker" || a.kind == "resume_worker";
    if (needsWorker && a.worker < 0 && a.workerVariable.empty())
        fail(where, fmt::format("{} needs \"worker\"", a.kind));
    if (a.kind == "send_burst" && a.count == 1)
        fail(at(where, "count"), "send_burst needs 2 or more messages (one is send_article)");
    if ((a.kind == "open_connections" || a.kind == "send_requests") && a.count <= 0)
        fail(where, fmt::format("{} needs \"count\"", a.kind));
    if (a.kind == "send_big" && a.bytes <= 0) fail(where, "send_big needs \"bytes\"");
    if (a.kind == "slow_reader" && a.ms <= 0) fail(where, "slow_reader needs \"ms\"");
    if (a.kind == "never_reads" && a.bytes <= 0) fail(where, "never_reads needs \"bytes\"");
    return a;
}

Highlight highlightOf(const json& v, const std::string& where)
{
    static const std::set<std::string> kPictures = {"architecture", "startup", "sequence", "stats"};
    if (!v.is_object()) fail(where, "must be an object");
    Highlight h;
    if (auto it = v.find("picture"); it != v.end())
    {
        h.picture = stringOf(*it, at(where, "picture"));
        if (!kPictures.count(h.picture))
            fail(at(where, "picture"),
                 fmt::format("\"{}\" is not architecture, startup, sequence or stats", h.picture));
    }
    h.nodes = stringList(v, where, "nodes");
    h.edges = stringList(v, where, "edges");
    h.panels = stringList(v, where, "panels");
    return h;
}

Step stepOf(const json& v, const std::string& where)
{
    if (!v.is_object()) fail(where, "a step must be an object");
    Step s;
    s.text = textOf(v, where, "text");
    if (auto it = v.find("highlight"); it != v.end())
        s.highlight = highlightOf(*it, at(where, "highlight"));
    if (auto it = v.find("action"); it != v.end()) s.action = actionOf(*it, at(where, "action"));
    if (auto it = v.find("checkpoint"); it != v.end())
        s.checkpoint = checkpointOf(*it, at(where, "checkpoint"));
    return s;
}

std::string stemOf(const std::string& path)
{
    size_t slash = path.find_last_of('/');
    std::string name = slash == std::string::npos ? path : path.substr(slash + 1);
    if (name.size() > 5 && name.compare(name.size() - 5, 5, ".json") == 0)
        name.resize(name.size() - 5);
    return name;
}

Lesson lessonOf(const json& doc, const std::string& path)
{
    if (!doc.is_object()) fail("", "the file must hold one JSON object");
    std::string format = stringOf(need(doc, "", "format"), "format");
    if (format != kFormatName)
        fail("format", fmt::format("\"{}\" is not \"{}\"", format, kFormatName));
    int version = intOf(need(doc, "", "version"), "version", 1);
    if (version > kFormatVersion)
        fail("version", fmt::format("{} is newer than this reader ({}); use a newer rscope",
                                    version, kFormatVersion));
    Lesson l;
    l.path = path;
    l.id = stringOf(need(doc, "", "id"), "id");
    if (l.id != stemOf(path))
        fail("id", fmt::format("\"{}\" must be the file name without .json (\"{}\")", l.id,
                               stemOf(path)));
    l.title = textOf(doc, "", "title");
    l.summary = textOf(doc, "", "summary");
    if (auto it = doc.find("server"); it != doc.end())
    {
        if (!it->is_object()) fail("server", "must be an object of rscope server flags");
        for (auto f = it->begin(); f != it->end(); ++f)
            l.server.emplace_back(f.key(), scalarText(*f, at("server", f.key())));
    }
    if (auto it = doc.find("replay"); it != doc.end()) l.replay = stringOf(*it, "replay");
    if (!doc.contains("server") && l.replay.empty())
        fail("", "no \"server\" and no \"replay\": a lesson needs one of them");
    const json& steps = need(doc, "", "steps");
    if (!steps.is_array() || steps.empty()) fail("steps", "must be a non-empty list");
    for (size_t i = 0; i < steps.size(); ++i) l.steps.push_back(stepOf(steps[i], at("steps", i)));
    return l;
}
}  // namespace

const char* langName(Lang lang)
{
    return lang == Lang::Zh ? "zh" : "en";
}

bool langByName(const std::string& name, Lang& out)
{
    if (name == "en")
        out = Lang::En;
    else if (name == "zh")
        out = Lang::Zh;
    else
        return false;
    return true;
}

Highlight resolveHighlight(const Highlight& highlight,
                           const std::map<std::string, std::string>& bindings)
{
    // Replaces every $name (letters, digits, '_'); false when one is unbound.
    auto resolve = [&](const std::string& id, std::string& out)
    {
        out.clear();
        for (size_t i = 0; i < id.size();)
        {
            if (id[i] != '$')
            {
                out += id[i++];
                continue;
            }
            size_t end = i + 1;
            while (end < id.size() &&
                   (std::isalnum(static_cast<unsigned char>(id[end])) || id[end] == '_'))
                ++end;
            auto it = bindings.find(id.substr(i, end - i));
            if (it == bindings.end()) return false;
            out += it->second;
            i = end;
        }
        return true;
    };
    auto list = [&](const std::vector<std::string>& ids)
    {
        std::vector<std::string> out;
        std::string one;
        for (const std::string& id : ids)
            if (resolve(id, one)) out.push_back(one);
        return out;
    };
    Highlight h;
    h.picture = highlight.picture;
    h.nodes = list(highlight.nodes);
    h.edges = list(highlight.edges);
    h.panels = list(highlight.panels);
    return h;
}

bool resolveAction(const Action& action, const std::map<std::string, std::string>& bindings,
                   Action& out, std::string& error)
{
    out = action;
    if (action.workerVariable.empty()) return true;
    auto it = bindings.find(action.workerVariable);
    int worker = -1;
    if (it != bindings.end())
    {
        const std::string& text = it->second;
        auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), worker);
        if (ec != std::errc() || end != text.data() + text.size() || worker < 0) worker = -1;
    }
    if (worker < 0)
    {
        error = it == bindings.end()
                    ? fmt::format("{}: {} is not bound by an earlier step's checkpoint",
                                  action.kind, action.workerVariable)
                    : fmt::format("{}: {} is \"{}\", not a worker number", action.kind,
                                  action.workerVariable, it->second);
        return false;
    }
    out.worker = worker;
    out.workerVariable.clear();
    return true;
}

bool loadLesson(const std::string& path, Lesson& out, std::string& error)
{
    std::ifstream in(path);
    if (!in)
    {
        error = path + ": cannot open the file";
        return false;
    }
    std::stringstream text;
    text << in.rdbuf();
    return loadLessonText(text.str(), path, out, error);
}

bool loadLessonText(std::string_view text, const std::string& path, Lesson& out, std::string& error)
{
    json doc;
    if (base::jsonNestedDeeperThan(text, base::kMaxLessonDepth))
    {
        error = fmt::format("{}: nested too deep (more than {} levels of arrays and objects)", path,
                            base::kMaxLessonDepth);
        return false;
    }
    try
    {
        doc = json::parse(text);
    }
    catch (const json::exception& e)  // parse_error, and out_of_range for a number like 66e666
    {
        error = fmt::format("{}: not JSON: {}", path, e.what());
        return false;
    }
    try
    {
        out = lessonOf(doc, path);
        return true;
    }
    catch (const LoadError& e)
    {
        error = e.where.empty() ? fmt::format("{}: {}", path, e.what)
                                : fmt::format("{}: {}: {}", path, e.where, e.what);
        return false;
    }
}

std::vector<std::string> lessonFiles(const std::string& dir)
{
    std::vector<std::string> out;
    DIR* d = ::opendir(dir.c_str());
    if (d == nullptr) return out;
    while (dirent* e = ::readdir(d))
    {
        std::string name = e->d_name;
        if (name.size() > 5 && name.compare(name.size() - 5, 5, ".json") == 0 && name[0] != '.')
            out.push_back(dir + "/" + name);
    }
    ::closedir(d);
    std::sort(out.begin(), out.end());
    return out;
}

}  // namespace rscope::tutorial
