// The sequence diagram as Mermaid text (a `sequenceDiagram` block): participants with aliases,
// one line per message (arrows, notes for steps on one lifeline), for the Export button.
#pragma once

#include <string>

namespace rscope::viewer
{

struct SequenceModel;

// Valid Mermaid: aliases are [A-Za-z0-9_], texts have ';', '#', quotes, '<' '>' and newlines
// written as Mermaid entity codes (#59; ...), which Mermaid would otherwise take as syntax.
std::string toMermaid(const SequenceModel& model);
// The escaping alone (exposed for the tests).
std::string mermaidEscape(const std::string& text);

}  // namespace rscope::viewer
