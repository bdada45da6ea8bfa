// Draw records to ImDrawList: rounded boxes with titles and counters, edges with arrowheads and
// rate labels, tokens as filled circles with labels, glow halos, the banner; the sequence
// picture's lifelines, arrows, self notes and activation bars; hit-testing.
#include "viewer/view/paint.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <string>
#include <vector>

#include "viewer/view/text_format.h"

namespace rscope::viewer
{

namespace
{

// Fallbacks when a record leaves a colour at 0 (a layout that only sets geometry still paints).
constexpr ImU32 kDefaultFill = IM_COL32(44, 52, 66, 255);
constexpr ImU32 kDefaultBorder = IM_COL32(120, 134, 156, 255);
constexpr ImU32 kDefaultEdge = IM_COL32(140, 150, 168, 220);
constexpr ImU32 kDefaultToken = IM_COL32(255, 196, 64, 255);
constexpr ImU32 kGlowColor = IM_COL32(255, 190, 70, 255);
constexpr ImU32 kSelectColor = IM_COL32(90, 200, 255, 255);
constexpr ImU32 kLabelBg = IM_COL32(20, 24, 32, 215);
constexpr ImU32 kBannerBg = IM_COL32(250, 200, 80, 235);
constexpr ImU32 kBannerText = IM_COL32(30, 24, 10, 255);

ImVec2 toIm(Vec2f v)
{
    return ImVec2(v.x, v.y);
}

ImU32 orDefault(Color c, ImU32 fallback)
{
    return c != 0 ? static_cast<ImU32>(c) : fallback;
}

ImU32 withAlpha(ImU32 c, float alpha)
{
    uint32_t a = static_cast<uint32_t>(std::clamp(alpha, 0.0f, 1.0f) * 255.0f);
    return (c & ~IM_COL32_A_MASK) | (a << IM_COL32_A_SHIFT);
}

float dist2(Vec2f a, Vec2f b)
{
    return (a.x - b.x) * (a.x - b.x) + (a.y - b.y) * (a.y - b.y);
}

// Distance from p to the segment ab (edge hover).
float segmentDistance(Vec2f p, Vec2f a, Vec2f b)
{
    float dx = b.x - a.x, dy = b.y - a.y;
    float len2 = dx * dx + dy * dy;
    float t = len2 > 0 ? ((p.x - a.x) * dx + (p.y - a.y) * dy) / len2 : 0.0f;
    t = std::clamp(t, 0.0f, 1.0f);
    Vec2f q{a.x + t * dx, a.y + t * dy};
    return std::sqrt(dist2(p, q));
}

bool isContainer(const DrawList& list, const NodeRecord& node)
{
    return std::any_of(list.nodes.begin(), list.nodes.end(),
                       [&](const NodeRecord& n) { return n.parent == node.id; });
}

void paintGlow(ImDrawList* dl, const RectF& r, float glow, float rounding, float fontSize)
{
    // Three widening rings whose alpha falls off: a halo readable on a dark background.
    for (int i = 3; i >= 1; --i)
    {
        float grow = fontSize * 0.22f * static_cast<float>(i);
        ImVec2 a(r.x - grow, r.y - grow);
        ImVec2 b(r.x + r.w + grow, r.y + r.h + grow);
        dl->AddRectFilled(a, b, withAlpha(kGlowColor, glow * 0.22f / static_cast<float>(i)),
                          rounding + grow);
    }
}

void paintNode(ImDrawList* dl, const NodeRecord& node, bool container, float fontSize)
{
    const RectF& r = node.rect;
    float rounding = fontSize * 0.4f;
    ImVec2 a(r.x, r.y), b(r.x + r.w, r.y + r.h);
    if (node.glow > 0.01f) paintGlow(dl, r, node.glow, rounding, fontSize);
    ImU32 fill = orDefault(node.fill, kDefaultFill);
    dl->AddRectFilled(a, b, fill, rounding);
    ImU32 border = node.selected ? kSelectColor : orDefault(node.border, kDefaultBorder);
    dl->AddRect(a, b, border, rounding, 0, node.selected || node.highlighted ? 3.0f : 1.5f);

    // Text stays inside its box: a narrow box clips rather than spilling onto its neighbours.
    float pad = fontSize * 0.45f;
    dl->PushClipRect(ImVec2(r.x + 1, r.y + 1), ImVec2(r.x + r.w - 1, r.y + r.h - 1), true);
    ImU32 text = textColorOn(node.fill != 0 ? node.fill : kDefaultFill);
    ImU32 dim = withAlpha(text, 0.78f);
    float y = r.y + pad * (container ? 0.6f : 0.8f);
    if (!node.title.empty())
    {
        dl->AddText(ImVec2(r.x + pad, y), text, node.title.c_str());
        y += fontSize * 1.15f;
    }
    if (!container)
    {
        for (const std::string& line : node.lines)
        {
            if (y + fontSize > r.y + r.h) break;
            dl->AddText(ImVec2(r.x + pad, y), dim, line.c_str());
            y += fontSize * 1.05f;
        }
    }
    dl->PopClipRect();
}

void paintArrowhead(ImDrawList* dl, Vec2f from, Vec2f to, ImU32 color, float size)
{
    float dx = to.x - from.x, dy = to.y - from.y;
    float len = std::sqrt(dx * dx + dy * dy);
    if (len < 1.0f) return;
    dx /= len, dy /= len;
    ImVec2 tip(to.x, to.y);
    ImVec2 base(to.x - dx * size, to.y - dy * size);
    ImVec2 left(base.x - dy * size * 0.5f, base.y + dx * size * 0.5f);
    ImVec2 right(base.x + dy * size * 0.5f, base.y - dx * size * 0.5f);
    dl->AddTriangleFilled(tip, left, right, color);
}

// A label with a dark pill behind it, so it stays readable over lines and boxes.
ImVec4 paintPillText(ImDrawList* dl, ImVec2 center, const std::string& text, ImU32 color, ImU32 bg)
{
    ImVec2 size = ImGui::CalcTextSize(text.c_str());
    float padX = ImGui::GetFontSize() * 0.3f, padY = ImGui::GetFontSize() * 0.08f;
    ImVec2 a(center.x - size.x / 2 - padX, center.y - size.y / 2 - padY);
    ImVec2 b(center.x + size.x / 2 + padX, center.y + size.y / 2 + padY);
    dl->AddRectFilled(a, b, bg, ImGui::GetFontSize() * 0.3f);
    dl->AddText(ImVec2(a.x + padX, a.y + padY), color, text.c_str());
    return ImVec4(a.x, a.y, b.x, b.y);
}

void paintEdge(ImDrawList* dl, const EdgeRecord& edge, float fontSize)
{
    ImU32 color = orDefault(edge.color, kDefaultEdge);
    float thickness = std::max(1.0f, edge.thickness);
    dl->AddLine(toIm(edge.a), toIm(edge.b), color, thickness);
    paintArrowhead(dl, edge.a, edge.b, color, fontSize * 0.55f + thickness);
}

// [SECTION] Sequence picture: lifelines, message arrows, self notes, their labels.

constexpr float kLoopWidth = 1.6f;  // self-note loop, in font heights

bool isSequenceEdge(const EdgeRecord& e)
{
    return e.kind == "lifeline" || e.kind == "message" || e.kind == "self";
}

void paintDashedLine(ImDrawList* dl, Vec2f a, Vec2f b, ImU32 color, float thickness, float dash)
{
    float dx = b.x - a.x, dy = b.y - a.y;
    float len = std::sqrt(dx * dx + dy * dy);
    if (len < 1.0f) return;
    dx /= len, dy /= len;
    for (float t = 0; t < len; t += 2 * dash)
    {
        float e = std::min(len, t + dash);
        dl->AddLine(ImVec2(a.x + dx * t, a.y + dy * t), ImVec2(a.x + dx * e, a.y + dy * e), color,
                    thickness);
    }
}

void paintSegment(ImDrawList* dl, Vec2f a, Vec2f b, ImU32 color, float thickness, bool dashed,
                  float fontSize)
{
    if (dashed)
        paintDashedLine(dl, a, b, color, thickness, fontSize * 0.35f);
    else
        dl->AddLine(toIm(a), toIm(b), color, thickness);
}

// The loop of a self note: right from a, down, back left to b (where the arrowhead points).
void selfLoop(const EdgeRecord& e, float fontSize, Vec2f out[4])
{
    float w = kLoopWidth * fontSize;
    out[0] = e.a;
    out[1] = {e.a.x + w, e.a.y};
    out[2] = {e.a.x + w, e.b.y};
    out[3] = e.b;
}

void paintSequenceEdge(ImDrawList* dl, const EdgeRecord& e, float fontSize)
{
    ImU32 color = orDefault(e.color, kDefaultEdge);
    float thickness = std::max(1.0f, e.thickness);
    if (e.kind == "lifeline")
    {
        paintDashedLine(dl, e.a, e.b, color, thickness, fontSize * 0.3f);
        return;
    }
    Vec2f pts[4] = {e.a, e.b, e.b, e.b};
    int count = 2;
    if (e.kind == "self")
    {
        selfLoop(e, fontSize, pts);
        count = 4;
    }
    // Halos under the line: the selected event, and the cursor's newest hop.
    for (int i = 0; i + 1 < count; ++i)
    {
        if (e.selected) dl->AddLine(toIm(pts[i]), toIm(pts[i + 1]), kSelectColor, thickness + 4.0f);
        if (e.emphasized)
            dl->AddLine(toIm(pts[i]), toIm(pts[i + 1]), withAlpha(color, 0.3f), thickness + 6.0f);
    }
    for (int i = 0; i + 1 < count; ++i)
        paintSegment(dl, pts[i], pts[i + 1], color, thickness, e.dashed, fontSize);
    paintArrowhead(dl, pts[count - 2], pts[count - 1], color, fontSize * 0.5f + thickness);
}

// Where a message's label goes: centred above its arrow, or right of a self note's loop (left
// of its lifeline when the canvas ends first); always inside the canvas when it fits.
ImVec4 sequenceLabelRect(const EdgeRecord& e, float fontSize, const RectF& canvas)
{
    ImVec2 size = ImGui::CalcTextSize(e.label.c_str());
    float padX = fontSize * 0.3f;
    float w = size.x + 2 * padX;
    float x = 0, y = 0;
    if (e.kind == "self")
    {
        // Right of the loop, else left of the lifeline, else above the loop: never over it.
        float right = e.a.x + (kLoopWidth + 0.3f) * fontSize;
        float left = e.a.x - fontSize * 0.5f - w;
        y = (e.a.y + e.b.y) / 2 - size.y / 2;
        if (right + w <= canvas.x + canvas.w)
            x = right;
        else if (left >= canvas.x)
            x = left;
        else
        {
            x = e.a.x;
            y = std::min(e.a.y, e.b.y) - fontSize * 0.15f - size.y;
        }
    }
    else
    {
        x = (e.a.x + e.b.x) / 2 - w / 2;
        y = e.a.y - fontSize * 0.2f - size.y;
    }
    x = std::max(canvas.x, std::min(x, canvas.x + canvas.w - w));
    return ImVec4(x, y, x + w, y + size.y);
}

void paintSequenceLabel(ImDrawList* dl, const EdgeRecord& e, float fontSize, const RectF& canvas)
{
    if (e.label.empty()) return;
    ImVec4 r = sequenceLabelRect(e, fontSize, canvas);
    ImU32 color = orDefault(e.color, kDefaultEdge);
    // Future labels stay legible while their arrows fade.
    float alpha = static_cast<float>((color >> IM_COL32_A_SHIFT) & 0xFF) / 255.0f;
    ImU32 text = withAlpha(color, std::max(alpha, e.faded ? 0.5f : 0.85f));
    dl->AddRectFilled(ImVec2(r.x, r.y), ImVec2(r.z, r.w),
                      withAlpha(kLabelBg, e.faded ? 0.5f : 0.8f), fontSize * 0.25f);
    dl->AddText(ImVec2(r.x + fontSize * 0.3f, r.y), text, e.label.c_str());
}

// The message under the pointer: its row band, arrow span and label.
bool hitsSequenceMessage(const EdgeRecord& e, Vec2f p, float fontSize, const RectF& canvas)
{
    ImVec4 label = sequenceLabelRect(e, fontSize, canvas);
    float x0 = std::min({e.a.x, e.b.x, label.x});
    float x1 = std::max({e.a.x, e.b.x, label.z});
    if (e.kind == "self") x1 = std::max(x1, e.a.x + kLoopWidth * fontSize);
    float y0 = std::min({e.a.y, e.b.y, label.y}) - fontSize * 0.1f;
    float y1 = std::max(e.a.y, e.b.y) + fontSize * 0.35f;
    return p.x >= x0 && p.x <= x1 && p.y >= y0 && p.y <= y1;
}

// The session of a client node ("client[42]" in the architecture, a sequence lane's head), or 0.
int64_t clientNodeSession(const NodeRecord& n)
{
    if (n.id.rfind("client[", 0) != 0) return 0;
    return std::strtoll(n.id.c_str() + 7, nullptr, 10);
}

bool overlaps(const ImVec4& r, const std::vector<ImVec4>& taken)
{
    return std::any_of(taken.begin(), taken.end(),
                       [&](const ImVec4& t)
                       { return r.x < t.z && t.x < r.z && r.y < t.w && t.y < r.w; });
}

void paintTokens(ImDrawList* dl, const DrawList& list, float fontSize,
                 std::vector<ImVec4>& takenLabels)
{
    // Circles first, then labels, selected tokens' labels before the others: when labels would
    // overlap, the later one is left out (its tooltip still shows it).
    for (const TokenRecord& t : list.tokens)
    {
        ImU32 color = orDefault(t.color, kDefaultToken);
        float radius = std::max(3.0f, t.radius);
        dl->AddCircleFilled(toIm(t.pos), radius * 1.9f, withAlpha(color, 0.22f));
        dl->AddCircleFilled(toIm(t.pos), radius, color);
        dl->AddCircle(toIm(t.pos), radius, IM_COL32(255, 255, 255, 200), 0, 1.2f);
        if (t.selected) dl->AddCircle(toIm(t.pos), radius + 3.0f, kSelectColor, 0, 2.5f);
    }
    std::vector<const TokenRecord*> order;
    order.reserve(list.tokens.size());
    for (const TokenRecord& t : list.tokens) order.push_back(&t);
    std::stable_partition(order.begin(), order.end(),
                          [](const TokenRecord* t) { return t->selected; });
    // Boxes with text are soft obstacles: a label goes above, below, right or left of its token
    // (then diagonally), the first place that hides no other label and, if possible, no box.
    std::vector<ImVec4> boxes;
    for (const NodeRecord& n : list.nodes)
        if (!isContainer(list, n))
            boxes.push_back(ImVec4(n.rect.x, n.rect.y, n.rect.x + n.rect.w, n.rect.y + n.rect.h));
    float padX = fontSize * 0.3f;
    for (const TokenRecord* t : order)
    {
        if (t->label.empty()) continue;
        ImVec2 size = ImGui::CalcTextSize(t->label.c_str());
        float r = std::max(3.0f, t->radius) + fontSize * 0.15f;
        float halfW = size.x / 2 + padX, halfH = size.y / 2;
        const ImVec2 centers[] = {
            {t->pos.x, t->pos.y - r - halfH},         {t->pos.x, t->pos.y + r + halfH},
            {t->pos.x + r + halfW, t->pos.y},         {t->pos.x - r - halfW, t->pos.y},
            {t->pos.x - halfW, t->pos.y - r - halfH}, {t->pos.x + halfW, t->pos.y - r - halfH},
            {t->pos.x - halfW, t->pos.y + r + halfH}, {t->pos.x + halfW, t->pos.y + r + halfH}};
        int chosen = -1, fallback = -1;
        for (int i = 0; i < 8 && chosen < 0; ++i)
        {
            ImVec4 rect(centers[i].x - halfW, centers[i].y - halfH, centers[i].x + halfW,
                        centers[i].y + halfH);
            if (overlaps(rect, takenLabels)) continue;
            // A label the canvas would cut (a token at the picture's edge) goes another way.
            const RectF& c = list.canvas;
            if (rect.x < c.x || rect.y < c.y || rect.z > c.x + c.w || rect.w > c.y + c.h) continue;
            if (fallback < 0) fallback = i;
            if (!overlaps(rect, boxes)) chosen = i;
        }
        if (chosen < 0) chosen = fallback;
        if (chosen < 0 && t->selected) chosen = 0;
        if (chosen < 0) continue;  // no free place: the tooltip still tells
        ImU32 color = orDefault(t->color, kDefaultToken);
        takenLabels.push_back(paintPillText(dl, centers[chosen], t->label, color, kLabelBg));
    }
}

}  // namespace

ImU32 textColorOn(Color fill)
{
    float r = static_cast<float>(fill & 0xff), g = static_cast<float>((fill >> 8) & 0xff),
          b = static_cast<float>((fill >> 16) & 0xff);
    float luminance = 0.299f * r + 0.587f * g + 0.114f * b;
    return luminance > 150.0f ? IM_COL32(20, 22, 28, 255) : IM_COL32(236, 240, 246, 255);
}

void paintDrawList(ImDrawList* dl, const DrawList& list)
{
    float fontSize = ImGui::GetFontSize();
    const RectF& c = list.canvas;
    dl->PushClipRect(ImVec2(c.x, c.y), ImVec2(c.x + c.w, c.y + c.h), true);

    // Enclosing boxes (the master around its threads) first, then edges, then the boxes they
    // join, so arrows stay visible where they cross the master's frame.
    std::vector<bool> container(list.nodes.size());
    for (size_t i = 0; i < list.nodes.size(); ++i) container[i] = isContainer(list, list.nodes[i]);
    for (size_t i = 0; i < list.nodes.size(); ++i)
        if (container[i]) paintNode(dl, list.nodes[i], true, fontSize);
    // The sequence row of the cursor's newest hop: a faint band across the canvas.
    for (const EdgeRecord& e : list.edges)
        if (e.emphasized)
            dl->AddRectFilled(ImVec2(c.x, std::min(e.a.y, e.b.y) - fontSize * 1.3f),
                              ImVec2(c.x + c.w, std::max(e.a.y, e.b.y) + fontSize * 0.45f),
                              IM_COL32(255, 255, 255, 14));
    for (const EdgeRecord& e : list.edges)
    {
        if (isSequenceEdge(e))
            paintSequenceEdge(dl, e, fontSize);
        else
            paintEdge(dl, e, fontSize);
    }
    for (size_t i = 0; i < list.nodes.size(); ++i)
    {
        const NodeRecord& n = list.nodes[i];
        if (container[i]) continue;
        if (n.role == "activation")
        {
            // A callback's bar on a lifeline: too narrow for text (its tooltip names it).
            dl->AddRectFilled(ImVec2(n.rect.x, n.rect.y),
                              ImVec2(n.rect.x + n.rect.w, n.rect.y + n.rect.h), n.fill);
            dl->AddRect(ImVec2(n.rect.x, n.rect.y),
                        ImVec2(n.rect.x + n.rect.w, n.rect.y + n.rect.h), n.border, 0, 0, 1.2f);
        }
        else
            paintNode(dl, n, false, fontSize);
    }
    for (const EdgeRecord& e : list.edges)
        if (e.kind == "message" || e.kind == "self") paintSequenceLabel(dl, e, fontSize, c);

    // Edge labels (rates, counts) after the boxes so no box hides them.
    std::vector<ImVec4> taken;
    for (const EdgeRecord& e : list.edges)
    {
        if (e.label.empty() || isSequenceEdge(e)) continue;
        Vec2f at = e.labelAt.value_or(Vec2f{(e.a.x + e.b.x) / 2, (e.a.y + e.b.y) / 2});
        ImVec2 mid(at.x, at.y);
        taken.push_back(paintPillText(dl, mid, e.label, IM_COL32(230, 236, 245, 255), kLabelBg));
    }
    for (const LabelRecord& l : list.labels)
    {
        ImU32 color = orDefault(l.color, IM_COL32(220, 226, 236, 255));
        dl->AddText(toIm(l.pos), color, l.text.c_str());
        ImVec2 size = ImGui::CalcTextSize(l.text.c_str());
        taken.push_back(ImVec4(l.pos.x, l.pos.y, l.pos.x + size.x, l.pos.y + size.y));
    }
    paintTokens(dl, list, fontSize, taken);
    if (!list.banner.empty())
    {
        ImVec2 size = ImGui::CalcTextSize(list.banner.c_str());
        float pad = fontSize * 0.4f;
        ImVec2 a(c.x + (c.w - size.x) / 2 - pad, c.y + c.h - size.y - 3 * pad);
        ImVec2 b(a.x + size.x + 2 * pad, a.y + size.y + 2 * pad);
        dl->AddRectFilled(a, b, kBannerBg, fontSize * 0.3f);
        dl->AddText(ImVec2(a.x + pad, a.y + pad), kBannerText, list.banner.c_str());
    }
    dl->PopClipRect();
}

HitResult hitTest(const DrawList& list, Vec2f p)
{
    HitResult hit;
    float best = 1e30f;
    for (const TokenRecord& t : list.tokens)
    {
        // The halo painted around the circle is part of the token: a click on it counts.
        float r = std::max(std::max(3.0f, t.radius) + 3.0f, t.radius * 1.9f);
        float d = dist2(p, t.pos);
        if (d <= r * r && d < best) best = d, hit.token = &t;
    }
    if (hit.token) return hit;
    float smallest = 1e30f;
    for (const NodeRecord& n : list.nodes)
    {
        float area = n.rect.w * n.rect.h;
        if (n.rect.contains(p) && area < smallest) smallest = area, hit.node = &n;
    }
    float fontSize = ImGui::GetFontSize();
    float nearest = fontSize * 0.35f;
    float nearestRow = 1e30f;
    for (const EdgeRecord& e : list.edges)
    {
        if (e.kind == "lifeline") continue;  // the head names it; the line is only a guide
        if (e.kind == "message" || e.kind == "self")
        {
            float d = std::fabs(p.y - e.b.y);
            if (hitsSequenceMessage(e, p, fontSize, list.canvas) && d < nearestRow)
                nearestRow = d, nearest = 0, hit.edge = &e;
            continue;
        }
        float d = segmentDistance(p, e.a, e.b);
        if (d < nearest) nearest = d, hit.edge = &e;
    }
    if (hit.edge) hit.node = nullptr;  // an edge near the pointer is the more specific target
    return hit;
}

void handlePictureInput(const DrawList& list, bool canvasHovered, Commands& out)
{
    if (!canvasHovered) return;
    ImVec2 mouse = ImGui::GetMousePos();
    if (!list.canvas.contains({mouse.x, mouse.y})) return;
    HitResult hit = hitTest(list, {mouse.x, mouse.y});
    if (hit.empty()) return;

    ImGui::BeginTooltip();
    if (hit.token)
    {
        ImGui::TextUnformatted(hit.token->label.c_str());
        ImGui::Separator();
        for (const std::string& line : hit.token->tooltip) ImGui::TextUnformatted(line.c_str());
        ImGui::TextDisabled("click: follow this request everywhere");
    }
    else if (hit.node)
    {
        ImGui::TextUnformatted(hit.node->title.c_str());
        ImGui::Separator();
        for (const std::string& line : hit.node->tooltip) ImGui::TextUnformatted(line.c_str());
        // The layout's tooltip usually states the status already; the bare state is a fallback.
        if (hit.node->tooltip.empty() && !hit.node->state.empty())
            ImGui::Text("state: %s", hit.node->state.c_str());
        if (clientNodeSession(*hit.node) != 0)
            ImGui::TextDisabled("click: follow this session everywhere");
    }
    else if (hit.edge->eventIndex >= 0)
    {
        const EdgeRecord& e = *hit.edge;
        ImGui::TextUnformatted(e.label.c_str());
        ImGui::Separator();
        ImGui::Text("%s -> %s", e.from.c_str(), e.to.c_str());
        // The same "#N" as the log and the details (text_format.h).
        ImGui::Text("event %s  session %lld%s",
                    eventNumber(static_cast<size_t>(e.eventIndex)).c_str(),
                    static_cast<long long>(e.session),
                    e.dashed ? "  (implied: the pipe read before this event)" : "");
        ImGui::TextDisabled("click: select this event and move the cursor to it");
    }
    else
    {
        ImGui::Text("%s  (%s -> %s)", hit.edge->id.c_str(), hit.edge->from.c_str(),
                    hit.edge->to.c_str());
        ImGui::Text("%llu hops so far", static_cast<unsigned long long>(hit.edge->count));
        if (hit.edge->ratePerSec > 0) ImGui::Text("%.1f hops/s", hit.edge->ratePerSec);
    }
    ImGui::EndTooltip();

    if (!ImGui::IsMouseClicked(ImGuiMouseButton_Left)) return;
    if (hit.token)
    {
        // A token of no session (a startup hop) selects its event and keeps the selection.
        if (hit.token->session != 0)
            out.push_back(
                Command::make(Command::Type::SelectSession).withSession(hit.token->session));
        out.push_back(Command::make(Command::Type::SelectEvent)
                          .withIndex(static_cast<int64_t>(hit.token->eventIndex)));
    }
    else if (hit.edge && hit.edge->eventIndex >= 0)
    {
        // A sequence message: the request everywhere, and the cursor on its event.
        int64_t index = hit.edge->eventIndex;
        out.push_back(Command::make(Command::Type::SelectSession).withSession(hit.edge->session));
        out.push_back(Command::make(Command::Type::SelectEvent).withIndex(index));
        out.push_back(Command::make(Command::Type::SeekEvent).withIndex(index));
    }
    else if (hit.node && clientNodeSession(*hit.node) != 0)
    {
        out.push_back(
            Command::make(Command::Type::SelectSession).withSession(clientNodeSession(*hit.node)));
    }
}

}  // namespace rscope::viewer
