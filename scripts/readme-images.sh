#!/usr/bin/env bash
# Regenerates the README's pictures (docs/images/) with the real viewer, headless under Xvfb at
# 1280x800: the article trace at its moments, the startup and sequence tabs, the exported sequence
# diagram, a planted model violation, statistics and rate mode on a freshly recorded 1M-event
# trace, the two tutorial shots, and lesson 2 step by step on a live server.
# The moments are found in the traces by kind, so a re-recorded trace keeps its pictures right.
# Usage: scripts/readme-images.sh   (after scripts/build.sh; look at the pictures afterwards)
set -euo pipefail
cd "$(dirname "$0")/.."
viewer=./build/bin/rscope-viewer
img=docs/images
tmp=$(mktemp -d /tmp/rscope-images-XXXXXX)
trap 'rm -rf "$tmp" /tmp/rscope-1m.jsonl' EXIT
[ -x "$viewer" ] || { echo "build first: bash scripts/build.sh" >&2; exit 1; }

# Under xvfb-run unless a display is already there.
if [ -z "${DISPLAY:-}" ]; then exec xvfb-run -a -s "-screen 0 1280x800x24" "$0" "$@"; fi
shot() { "$viewer" --width 1280 --height 800 "$@"; }

# 0-based index of the first event of KIND (with an arg equal to VALUE when given).
at() {
  python3 - "$1" "$2" "${3:-}" "${4:-}" <<'EOF'
import json, sys
path, kind, key, value = sys.argv[1:5]
i = 0
for line in open(path):
    j = json.loads(line)
    if "kind" not in j:
        continue
    if j["kind"] == kind and (not key or str(j.get("args", {}).get(key)) == value):
        print(i)
        break
    i += 1
else:
    sys.exit(f"{path}: no {kind} {key}={value}")
EOF
}

article=traces/article.jsonl
shot --replay $article --at-event "$(at $article callback_enter callback onReceive)" \
  --select-session 1 --screenshot $img/viewer-article.png
shot --replay $article --at-event "$(at $article worker_start)" --picture startup \
  --screenshot $img/viewer-startup.png
shot --replay $article --at-event "$(at $article callback_enter callback onClose)" \
  --picture sequence --select-session 1 --screenshot $img/viewer-sequence.png
"$viewer" --replay $article --picture sequence --select-session 1 \
  --export-png $img/sequence-article.png

# The planted violation: the article's read, edited to come from reactor[1].
python3 - $article "$tmp/planted.jsonl" <<'EOF'
import json, sys
src, dst = sys.argv[1:3]
with open(dst, "w") as out:
    for line in open(src):
        j = json.loads(line)
        if j.get("kind") == "read":
            j["actor"]["index"] = 1
            j["reactor"] = 1
            line = json.dumps(j, separators=(",", ":")) + "\n"
        out.write(line)
EOF
shot --replay "$tmp/planted.jsonl" --at-event "$(at $article read)" \
  --screenshot $img/viewer-findings.png

# A request through a task worker (lesson 9's recording): the FINISH on its way back to the
# calling worker on the architecture, and the whole round trip on the sequence diagram at onFinish.
task=traces/lesson-09-task-workers.jsonl
# The session of event N (0-based, as --at-event counts) of trace F.
session_at() {
  python3 -c 'import json, sys
events = [j for j in map(json.loads, open(sys.argv[1])) if "kind" in j]
print(events[int(sys.argv[2])].get("session", 0))' "$1" "$2"
}
finish=$(at $task pipe_write type FINISH)
shot --replay $task --at-event "$finish" --select-session "$(session_at $task "$finish")" \
  --screenshot $img/viewer-task.png
# The whole diagram of that session, exported: onReceive, task(), onTask in a task worker,
# finish(), the FINISH back on the worker's own pipe, onFinish and the reply.
"$viewer" --replay $task --picture sequence --select-session "$(session_at $task "$finish")" \
  --export-png $img/viewer-task-sequence.png

# Back-pressure (lesson 11's recording): the first reply refused for overflow, on the
# architecture (the client and its reactor red, what is queued) and on the sequence diagram.
bp=traces/lesson-11-back-pressure.jsonl
shot --replay $bp --at-event "$(at $bp discard reason overflow)" \
  --screenshot $img/viewer-backpressure.png
shot --replay $bp --at-event "$(at $bp discard reason overflow)" --picture sequence \
  --select-session 1 --screenshot $img/viewer-backpressure-sequence.png

# Statistics and rate mode need volume: a real recording under load.
big=/tmp/rscope-1m.jsonl  # the name the pictures show, as in make-big-trace.sh
bash scripts/make-big-trace.sh $big 1000000
shot --replay $big --at-event 900000 --picture stats --screenshot $img/viewer-stats.png
shot --replay $big --at-event 500000 --speed 1 --frames 30 \
  --screenshot $img/viewer-rates.png

# Lessons: lesson 2 step 5 in English, lesson 1 step 3 in Chinese, on their recordings; then
# lesson 2 step by step on a live server (what a learner sees after each Next).
shot --tutorial 02-one-request --tutorial-replay --tutorial-step 5 --lang en \
  --screenshot $img/tutorial-02-en.png
shot --tutorial 01-startup --tutorial-replay --tutorial-step 3 --lang zh \
  --screenshot $img/tutorial-01-zh.png
# Live frames run at 60 per second: 400 give the lesson's server time to start and be stepped.
for step in 1 2 3 4 5 6 7; do
  shot --tutorial 02-one-request --tutorial-step $step --lang en --frames 400 \
    --screenshot $img/lesson-02-step-$step.png
done
echo "docs/images: $(ls $img | wc -l) pictures; look at them before committing"
