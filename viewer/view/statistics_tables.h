// The statistics tab's tables (statistics_tables.cpp), each painted over the layout box of the
// same id (statistics_layout.h). Owner: the GUI thread, inside the statistics tab.
#pragma once

#include "viewer/layout/draw_records.h"

namespace rscope::trace
{
class TaskTally;
}

namespace rscope::viewer
{

struct FrameContext;

// "workers": the event workers at the cursor (ArchitectureState).
void statisticsWorkersTable(const RectF& r, FrameContext& ctx, float f);
// "reactors": the reactor threads at the cursor.
void statisticsReactorsTable(const RectF& r, FrameContext& ctx, float f);
// "task_workers": tasks run and onTask time per task worker, from the tally at the cursor.
void statisticsTaskWorkersTable(const RectF& r, const trace::TaskTally& tasks, float f);
// "task_dispatch": tasks each event worker dispatched, to an idle or a busy task worker.
void statisticsTaskDispatchTable(const RectF& r, const trace::TaskTally& tasks, float f);

}  // namespace rscope::viewer
