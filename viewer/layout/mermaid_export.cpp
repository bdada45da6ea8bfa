// Mermaid text of a sequence model: the same lifelines, order and labels as the picture.
#include "viewer/layout/mermaid_export.h"

#include <cctype>

#include "viewer/layout/sequence_layout.h"
#include "viewer/model/sequence_model.h"

namespace rscope::viewer
{

namespace
{

// "pipe[0->2]" -> "pipe_0_2": Mermaid participant ids are plain words.
std::string alias(const std::string& id)
{
    std::string out;
    for (char c : id)
    {
        if (std::isalnum(static_cast<unsigned char>(c)))
            out += c;
        else if (!out.empty() && out.back() != '_')
            out += '_';
    }
    while (!out.empty() && out.back() == '_') out.pop_back();
    return out.empty() ? "p" : out;
}

}  // namespace

std::string mermaidEscape(const std::string& text)
{
    std::string out;
    out.reserve(text.size());
    for (char c : text)
    {
        switch (c)
        {
            case ';':
                out += "#59;";
                break;
            case '#':
                out += "#35;";
                break;
            case '"':
                out += "#quot;";
                break;
            case '<':
                out += "#lt;";
                break;
            case '>':
                out += "#gt;";
                break;
            case '\n':
                out += "<br/>";
                break;
            case '\r':
                break;
            default:
                out += c;
        }
    }
    return out;
}

std::string toMermaid(const SequenceModel& model)
{
    std::string out = "sequenceDiagram\n";
    std::vector<std::string> aliases;
    for (const SequenceLifeline& l : model.lifelines)
    {
        aliases.push_back(alias(l.id));
        std::string text = l.title;
        if (!l.subtitle.empty()) text += "\n" + l.subtitle;
        out += "    participant " + aliases.back() + " as " + mermaidEscape(text) + "\n";
    }
    if (model.truncatedBefore())
        out += "    %% " + std::to_string(model.eventsBefore) + " earlier events left out\n";
    for (const SequenceMessage& msg : model.messages)
    {
        const std::string& from = aliases[msg.from];
        std::string text = mermaidEscape(sequenceLabel(msg));
        if (msg.isSelf())
            out += "    Note over " + from + ": " + text + "\n";
        else
            // A derived pickup (no event of its own) is dashed, as in the picture.
            out += "    " + from + (msg.derived ? "-->>" : "->>") + aliases[msg.to] + ": " + text +
                   "\n";
    }
    if (model.truncatedAfter())
        out += "    %% " + std::to_string(model.eventsAfter) + " later events left out\n";
    return out;
}

}  // namespace rscope::viewer
