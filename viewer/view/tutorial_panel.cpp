// The tutorial window (right column, above the details): the lesson title and the EN / 中文
// switch, step k of n with a progress bar, the step's text, the checkpoint's state (waiting with
// its elapsed time, met, the hint in amber once the timeout passed), and Back / Next.
#include <algorithm>
#include <cstdio>
#include <string>

#include <imgui.h>

#include "viewer/model/tutorial_session.h"
#include "viewer/view/panels.h"

namespace rscope::viewer
{

namespace
{

using tutorial::Lang;

const ImVec4 kAmberText{1.0f, 0.77f, 0.24f, 1.0f};
const ImVec4 kGreenText{0.45f, 0.85f, 0.5f, 1.0f};
const ImVec4 kDim{0.62f, 0.66f, 0.72f, 1.0f};

// The panel's own words in both languages (the lesson brings its texts).
struct Words
{
    const char* step;
    const char* back;
    const char* next;
    const char* skip;
    const char* repeat;
    const char* show;
    const char* finished;
    const char* noCheckpoint;
    const char* waiting;
    const char* met;
    const char* ahead;
    const char* doneEarlier;
    const char* timedOut;
    const char* notInRecording;
    const char* live;
    const char* replay;
    const char* ready;         // "Press Next to %s." (the action, below)
    const char* readyReplay;   // a recording: Next shows what the action did
    const char* readyRunning;  // start_server on a server the lesson did not start
};
constexpr Words kEn{"Step",
                    "< Back",
                    "Next >",
                    "Skip >",
                    "Repeat",
                    "Show",
                    "Lesson complete.",
                    "Read, then press Next.",
                    "Waiting for the server",
                    "Checkpoint met",
                    "In the recording at event",
                    "Done earlier",
                    "Still waiting",
                    "Not in the recording",
                    "live",
                    "replay",
                    "Press Next to %s.",
                    "Press Next to see it in the recording.",
                    "The server runs already (not started by the lesson): press Next to see its "
                    "startup."};
constexpr Words kZh{"步骤",
                    "< 上一步",
                    "下一步 >",
                    "跳过 >",
                    "重做",
                    "查看",
                    "本课完成。",
                    "读完后按“下一步”。",
                    "等待服务器",
                    "检查点已达成",
                    "录制中的事件",
                    "之前已完成",
                    "仍在等待",
                    "录制中没有",
                    "实时",
                    "回放",
                    "按“下一步”%s。",
                    "按“下一步”查看录制中的这一步。",
                    "服务器已经在运行（不是本课启动的）：按“下一步”查看它的启动过程。"};

const Words& words(Lang lang)
{
    return lang == Lang::Zh ? kZh : kEn;
}

// One UTF-8 code point at `p` (< end); its length in `len` (1 for a stray byte).
unsigned decodeUtf8(const char* p, const char* end, int& len)
{
    auto b = static_cast<unsigned char>(*p);
    int n = b < 0x80 ? 1 : (b >> 5) == 0x6 ? 2 : (b >> 4) == 0xE ? 3 : (b >> 3) == 0x1E ? 4 : 1;
    if (end - p < n) n = 1;
    unsigned c = n == 1 ? b : b & (0x7F >> n);
    for (int i = 1; i < n; ++i) c = (c << 6) | (static_cast<unsigned char>(p[i]) & 0x3F);
    len = n;
    return c;
}

bool isWide(unsigned c)
{
    return c >= 0x2E80;  // CJK and fullwidth forms: a line may break around each
}

// Fullwidth closing punctuation never starts a line (，。、：；！？）」).
bool closesLine(unsigned c)
{
    switch (c)
    {
        case 0xFF0C:
        case 0x3002:
        case 0x3001:
        case 0xFF1A:
        case 0xFF1B:
        case 0xFF01:
        case 0xFF1F:
        case 0xFF09:
        case 0x300D:
        case 0x300F:
        case 0x201D:
            return true;
        default:
            return false;
    }
}

// Fullwidth opening punctuation never ends a line (（「『“).
bool opensLine(unsigned c)
{
    return c == 0xFF08 || c == 0x300C || c == 0x300E || c == 0x201C;
}

// Wrapped text that also breaks between Chinese characters: ImGui 1.86 breaks only at spaces,
// and a Chinese sentence has none, so its lines would overflow or break at the next Latin word.
// Returns the number of lines; draws them unless `draw` is false (measuring).
int wrappedText(const std::string& text, float width, bool draw = true)
{
    int lines = 0;
    ImFont* font = ImGui::GetFont();
    const float scale = ImGui::GetFontSize() / font->FontSize;
    const char* s = text.data();
    const char* end = s + text.size();
    while (s < end)
    {
        const char* p = s;
        const char* lastBreak = nullptr;
        float w = 0;
        bool newline = false;
        unsigned prev = 0;
        while (p < end)
        {
            int len = 1;
            unsigned c = decodeUtf8(p, end, len);
            if (c == '\n')
            {
                newline = true;
                break;
            }
            float advance =
                font->GetCharAdvance(static_cast<ImWchar>(c <= 0xFFFF ? c : '?')) * scale;
            if (isWide(c) && !closesLine(c) && p > s && !opensLine(prev))
                lastBreak = p;  // before it
            if (w + advance > width && p > s) break;
            w += advance;
            p += len;
            prev = c;
            int nextLen = 1;
            bool closing = p < end && closesLine(decodeUtf8(p, end, nextLen));
            if ((c == ' ' || isWide(c)) && !closing && !opensLine(c)) lastBreak = p;  // after it
        }
        const char* lineEnd = p;
        if (!newline && p < end && lastBreak != nullptr) lineEnd = lastBreak;
        if (draw) ImGui::TextUnformatted(s, lineEnd);
        ++lines;
        s = lineEnd;
        if (newline && s == p) ++s;  // the newline itself
        while (s < end && *s == ' ') ++s;
    }
    return lines;
}

// EN | 中文: the active language drawn as a pressed button.
void languageSwitch(const TutorialSession& session, Commands& out)
{
    const ImGuiStyle& style = ImGui::GetStyle();
    float w = ImGui::CalcTextSize("EN").x + ImGui::CalcTextSize("中文").x +
              style.FramePadding.x * 4 + style.ItemSpacing.x * 0.5f;
    ImGui::SameLine(std::max(ImGui::GetCursorPosX(), ImGui::GetWindowContentRegionMax().x - w));
    struct Choice
    {
        Lang lang;
        const char* label;
        const char* name;
    };
    for (Choice c : {Choice{Lang::En, "EN", "en"}, Choice{Lang::Zh, "中文", "zh"}})
    {
        bool active = session.lang() == c.lang;
        if (active)
            ImGui::PushStyleColor(ImGuiCol_Button, ImGui::GetStyleColorVec4(ImGuiCol_ButtonActive));
        if (ImGui::SmallButton(c.label) && !active)
            out.push_back(Command::make(Command::Type::TutorialLang).withText(c.name));
        if (active) ImGui::PopStyleColor();
        if (c.lang == Lang::En) ImGui::SameLine(0, style.ItemSpacing.x * 0.5f);
    }
}

// What a Ready step's Next will do, in the learner's words.
const char* actionWords(const std::string& kind, Lang lang)
{
    struct Entry
    {
        const char* kind;
        const char* en;
        const char* zh;
    };
    static constexpr Entry kEntries[] = {
        {"start_server", "start the server", "启动服务器"},
        {"stop_server", "stop the server", "停止服务器"},
        {"restart_server", "restart the server with the new settings", "用新的设置重启服务器"},
        {"send_article", "run the article's client", "运行原文中的客户端"},
        {"send_requests", "send the requests", "发送这些请求"},
        {"send_big", "send the packet", "发送这个包"},
        {"send_burst", "send the messages", "发送这几条消息"},
        {"open_connections", "open the connections", "打开这些连接"},
        {"client_close", "run the client", "运行客户端"},
        {"kill_worker", "kill the worker", "杀掉这个 worker"},
        {"pause_worker", "pause the worker", "暂停这个 worker"},
        {"resume_worker", "resume the worker", "恢复这个 worker"},
        {"reload", "reload the workers", "重载所有 worker"},
        {"slow_reader", "connect the slow trace reader", "接入一个慢速的 trace 读者"},
        {"never_reads", "connect the client that never reads", "接入一个从不读取的客户端"},
    };
    for (const Entry& e : kEntries)
        if (kind == e.kind) return lang == Lang::Zh ? e.zh : e.en;
    return lang == Lang::Zh ? "执行这一步的操作" : "run this step's action";
}

// What Next does on a Ready step ("Press Next to run the article's client.").
std::string readyLine(const TutorialSession& s, const FrameContext& ctx)
{
    const Words& w = words(s.lang());
    const std::string kind = s.current().action ? s.current().action->kind : "";
    if (s.mode() == TutorialMode::Replay) return w.readyReplay;
    if (kind == "start_server" && ctx.view.tutorialAttached) return w.readyRunning;
    char line[256];
    std::snprintf(line, sizeof line, w.ready, actionWords(kind, s.lang()));
    return line;
}

void checkpointLine(const TutorialSession& s, const FrameContext& ctx, Commands& out)
{
    const Words& w = words(s.lang());
    double sec = static_cast<double>(s.elapsedMs(ctx.nowMs)) / 1000.0;
    switch (s.status())
    {
        case CheckpointStatus::Ready:
            // The action has not run: the picture still shows the moment before it.
            ImGui::PushStyleColor(ImGuiCol_Text, kAmberText);
            wrappedText(readyLine(s, ctx), ImGui::GetContentRegionAvail().x);
            ImGui::PopStyleColor();
            break;
        case CheckpointStatus::None:
            ImGui::TextColored(kDim, "%s", w.noCheckpoint);
            break;
        case CheckpointStatus::Waiting:
            ImGui::TextColored(kDim, "%s… %.1f s  (%zu/%zu)", w.waiting, sec, s.satisfied(),
                               s.total());
            break;
        case CheckpointStatus::TimedOut:
            ImGui::TextColored(kAmberText, "%s… %.1f s  (%zu/%zu)", w.timedOut, sec, s.satisfied(),
                               s.total());
            break;
        case CheckpointStatus::Ahead:
            // #N as the log and the timeline number events: 1-based.
            ImGui::TextColored(kDim, "%s #%lld", w.ahead, static_cast<long long>(s.metEvent()) + 1);
            ImGui::SameLine();
            if (ImGui::SmallButton(w.show))
            {
                out.push_back(Command::make(Command::Type::SeekEvent).withIndex(s.metEvent()));
                out.push_back(Command::make(Command::Type::SelectEvent).withIndex(s.metEvent()));
            }
            break;
        case CheckpointStatus::Met:
            if (s.metEvent() >= 0)
                ImGui::TextColored(kGreenText, "✓ %s  (#%lld)", w.met,
                                   static_cast<long long>(s.metEvent()) + 1);
            else
                ImGui::TextColored(kGreenText, "✓ %s", w.met);
            break;
        case CheckpointStatus::DoneEarlier:
            ImGui::TextColored(kGreenText, "✓ %s", w.doneEarlier);
            break;
        case CheckpointStatus::NotInRecording:
            ImGui::TextColored(kAmberText, "%s", w.notInRecording);
            break;
    }
    bool hint =
        s.status() == CheckpointStatus::TimedOut || s.status() == CheckpointStatus::NotInRecording;
    if (hint && !s.hint().empty())
    {
        ImGui::PushStyleColor(ImGuiCol_Text, kAmberText);
        wrappedText(s.hint(), ImGui::GetContentRegionAvail().x);
        ImGui::PopStyleColor();
    }
}

// The rectangle of the item just drawn, for the layout dump.
ScreenRow lastItemRect()
{
    ImVec2 a = ImGui::GetItemRectMin();
    ImVec2 b = ImGui::GetItemRectMax();
    return ScreenRow{0, a.x, a.y, b.x - a.x, b.y - a.y};
}

void buttons(const TutorialSession& s, ViewState& view, Commands& out)
{
    const Words& w = words(s.lang());
    bool first = s.step() == 0;
    // The last step still has Next while its action waits for it.
    bool last = s.step() + 1 >= s.steps() && !s.actionPending();
    ImGui::BeginDisabled(first);
    if (ImGui::Button(w.back)) out.push_back(Command::make(Command::Type::TutorialBack));
    view.tutorialBack = lastItemRect();
    ImGui::EndDisabled();
    ImGui::SameLine();
    ImGui::BeginDisabled(last);
    // Next once the checkpoint holds; before that the same button skips, shown as such.
    bool advance = s.canAdvance();
    if (advance) ImGui::PushStyleColor(ImGuiCol_Button, ImVec4(0.22f, 0.5f, 0.3f, 1.0f));
    if (ImGui::Button(advance ? w.next : w.skip))
        out.push_back(Command::make(Command::Type::TutorialNext));
    view.tutorialNext = lastItemRect();
    if (advance) ImGui::PopStyleColor();
    ImGui::EndDisabled();
    ImGui::SameLine();
    ImGui::BeginDisabled(s.actionPending());  // nothing to repeat before the action ran
    if (ImGui::Button(w.repeat)) out.push_back(Command::make(Command::Type::TutorialRepeat));
    view.tutorialRepeat = lastItemRect();
    ImGui::EndDisabled();
    if (last && s.canAdvance())
    {
        ImGui::SameLine();
        ImGui::TextColored(kGreenText, "%s", w.finished);
    }
}

}  // namespace

void drawTutorialPanel(const RectF& window, FrameContext& ctx, Commands& out)
{
    ctx.view.tutorialBack = ctx.view.tutorialNext = ctx.view.tutorialRepeat = ScreenRow{};
    if (!ctx.view.tutorialOpen || ctx.tutorial == nullptr || ctx.tutorial->steps() == 0) return;
    const TutorialSession& s = *ctx.tutorial;
    const Words& w = words(s.lang());
    ImGui::SetNextWindowPos(ImVec2(window.x, window.y), ImGuiCond_Always);
    ImGui::SetNextWindowSize(ImVec2(window.w, window.h), ImGuiCond_Always);
    char title[160];
    std::snprintf(title, sizeof title, "Tutorial: %s###tutorial", s.lesson().id.c_str());
    ImGui::Begin(title, nullptr, kTiledWindowFlags);
    drawPanelFrame();

    // Progress and the language switch on one row, the (long) title wrapped below them.
    const ImGuiStyle& style = ImGui::GetStyle();
    float switchW = ImGui::CalcTextSize("EN").x + ImGui::CalcTextSize("中文").x +
                    style.FramePadding.x * 4 + style.ItemSpacing.x * 1.5f;
    char progress[64];
    std::snprintf(progress, sizeof progress, "%s %zu / %zu", w.step, s.step() + 1, s.steps());
    ImGui::ProgressBar(static_cast<float>(s.step() + 1) / static_cast<float>(s.steps()),
                       ImVec2(std::max(1.0f, ImGui::GetContentRegionAvail().x - switchW), 0),
                       progress);
    languageSwitch(s, out);
    ImGui::PushStyleColor(ImGuiCol_Text, kAmberText);
    wrappedText(s.title(), ImGui::GetContentRegionAvail().x);
    ImGui::PopStyleColor();
    ImGui::TextColored(kDim, "%s: %s", s.mode() == TutorialMode::Live ? w.live : w.replay,
                       ctx.view.tutorialSource.c_str());

    // The text scrolls inside the space the footer (status, hint, buttons) leaves.
    float line = ImGui::GetFrameHeightWithSpacing();
    bool hint = (s.status() == CheckpointStatus::TimedOut ||
                 s.status() == CheckpointStatus::NotInRecording) &&
                !s.hint().empty();
    float footer = line * 2 + style.ItemSpacing.y * 2 + style.WindowPadding.y;
    if (s.actionPending())  // the Ready line may wrap: each extra line takes from the text
        footer += static_cast<float>(
                      wrappedText(readyLine(s, ctx), ImGui::GetContentRegionAvail().x, false) - 1) *
                  ImGui::GetTextLineHeightWithSpacing();
    if (hint)
        footer +=
            static_cast<float>(wrappedText(s.hint(), ImGui::GetContentRegionAvail().x, false)) *
            ImGui::GetTextLineHeightWithSpacing();
    float textH = std::max(line * 2, ImGui::GetContentRegionAvail().y - footer);
    ImGui::BeginChild("##steptext", ImVec2(0, textH), true);
    wrappedText(s.text(), ImGui::GetContentRegionAvail().x);
    ImGui::EndChild();

    checkpointLine(s, ctx, out);
    buttons(s, ctx.view, out);
    ImGui::End();
}

void drawTutorialMenu(FrameContext& ctx, Commands& out)
{
    if (!ImGui::BeginMenu("Tutorial")) return;
    const ViewState& view = ctx.view;
    if (view.tutorialLessons.empty()) ImGui::TextDisabled("no lessons found (tutorials/*.json)");
    for (const auto& [id, path] : view.tutorialLessons)
    {
        bool open = view.tutorialOpen && view.tutorialId == id;
        // Opening a lesson starts its server (the previous lesson's stops).
        if (ImGui::MenuItem(id.c_str(), nullptr, open, !open))
            out.push_back(Command::make(Command::Type::OpenLesson).withText(path));
    }
    ImGui::Separator();
    if (ImGui::MenuItem("Close lesson", nullptr, false, view.tutorialOpen))
        out.push_back(Command::make(Command::Type::CloseLesson));
    ImGui::EndMenu();
}

}  // namespace rscope::viewer
