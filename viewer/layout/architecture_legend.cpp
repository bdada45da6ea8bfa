// The architecture picture's colour legend: what each worker colour means (issue 13: a graceful
// exit is grey, a kill red), as labels: a coloured swatch glyph and the state's words, in the UI
// language, along the top left of the canvas in a band the client and master columns leave free.
#include <algorithm>
#include <cstdint>
#include <iterator>
#include <string>
#include <string_view>
#include <vector>

#include "viewer/layout/architecture_parts.h"

namespace rscope::viewer::arch
{

namespace
{

struct Entry
{
    const char* state;  // NodeRecord::state, as the worker boxes use it
    const char* en;
    const char* zh;
};
// In the order a worker's life passes through them.
const Entry kEntries[] = {
    {"starting", "starting", "启动中"},
    {"idle", "idle", "空闲"},
    {"busy", "busy", "忙"},
    {"exited", "exited (graceful)", "已退出（正常）"},
    {"killed", "killed / crashed", "被杀死/崩溃"},
    {"stopped", "stopped", "已暂停"},
};
constexpr const char* kSwatch = "\u25A0";  // ■, in the UI font's geometric shapes range

// Text width without a font: Latin glyphs average ~0.5 em in DejaVu Sans, CJK ones are 1 em.
float textWidth(std::string_view s, float fontSize)
{
    float w = 0;
    for (size_t i = 0; i < s.size(); ++i)
    {
        auto c = static_cast<unsigned char>(s[i]);
        if (c < 0x80)
            w += 0.5f;
        else if (c >= 0xE0)
            w += 1.05f;  // a three-byte sequence: CJK or a symbol; its continuation bytes add 0
        else if (c >= 0xC0)
            w += 0.5f;
    }
    return w * fontSize;
}

// Where each piece of the legend goes: the title, then the entries left to right, wrapping
// before `width`. Returns the rows used.
struct Piece
{
    std::string text;
    float x = 0;  // from the legend's left edge
    int row = 0;
    float swatchX = -1;  // the entry's swatch, -1 for the title
    const Entry* entry = nullptr;
};

int flow(const ArchitectureLayoutInput& in, const Metrics& m, float width, std::vector<Piece>* out)
{
    const bool zh = in.language == "zh";
    const float fs = m.fontSize;
    const float swatchW = textWidth(kSwatch, fs) + 0.3f * fs;
    const float gap = fs;
    Piece title;
    title.text = zh ? "worker 颜色：" : "worker colours:";
    float x = textWidth(title.text, fs) + 0.5f * gap;
    if (out) out->push_back(title);
    int row = 0;
    for (const Entry& e : kEntries)
    {
        const char* words = zh ? e.zh : e.en;
        float w = swatchW + textWidth(words, fs);
        if (x > 0 && x + w > width)
        {
            ++row;
            x = 0;
        }
        if (out) out->push_back({words, x + swatchW, row, x, &e});
        x += w + gap;
    }
    return row + 1;
}

}  // namespace

float legendHeight(const ArchitectureLayoutInput& in, const Metrics& m, float width)
{
    return static_cast<float>(flow(in, m, width, nullptr)) * m.lineHeight;
}

void addLegend(const ArchitectureLayoutInput& in, const Metrics& m, const RectF& area,
               DrawList& list)
{
    std::vector<Piece> pieces;
    flow(in, m, area.w, &pieces);
    const Vec2f at{area.x, area.y};
    for (const Piece& p : pieces)
    {
        Vec2f pos{at.x + p.x, at.y + m.lineHeight * static_cast<float>(p.row)};
        if (p.entry == nullptr)
        {
            list.labels.push_back({p.text, pos, rgba(150, 158, 170), "legend"});
            continue;
        }
        Color fill = 0, border = 0;
        stateColors("worker", p.entry->state, fill, border);
        std::string id = std::string("legend.") + p.entry->state;
        list.labels.push_back({kSwatch, {at.x + p.swatchX, pos.y}, border, id + ".swatch"});
        list.labels.push_back({p.text, pos, rgba(205, 210, 220), id});
    }
}

}  // namespace rscope::viewer::arch
