#!/usr/bin/env bash
# Quick-start command (1): install what is missing, build, then run the seed article's scenario
# and watch it: the server with the article's settings (4 workers, 2 reactor threads,
# dispatch_mode 2), the article's client plus gentle echo traffic, and rscope-viewer connected to
# the trace socket. With no display it says so, records a few seconds of the trace and renders the
# article's three pictures from it (architecture, startup call flow, sequence) to PNG files.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh demo
bash scripts/build.sh rscope rscope-viewer
# The same viewer for a browser (WebAssembly, build-web/site), served below by `rscope web`.
bash scripts/build-web.sh >/dev/null
port="${RSCOPE_DEMO_PORT:-9502}"
trace="${RSCOPE_DEMO_TRACE:-127.0.0.1:9600}"
web_port="${RSCOPE_DEMO_WEB_PORT:-8080}"
log="$(mktemp /tmp/rscope-demo-XXXXXX.log)"
./build/bin/rscope server --port "$port" --worker-num 4 --reactor-num 2 --dispatch-mode 2 \
  --handler article --trace-listen "$trace" --trace-step --log-level debug >"$log" 2>&1 &
server=$!
traffic=""
web=""
cleanup()
{
  [ -n "$traffic" ] && kill "$traffic" 2>/dev/null || true
  [ -n "$web" ] && kill -TERM "$web" 2>/dev/null && wait "$web" 2>/dev/null || true
  kill -TERM "$server" 2>/dev/null || true
  wait "$server" 2>/dev/null || true
}
trap cleanup EXIT
for _ in $(seq 100); do grep -q "listening on" "$log" && break; sleep 0.05; done
echo "== server"; grep "listening on" "$log"
echo "== process tree (1 master with 1 + reactor_num threads, 1 manager, 4 workers)"
ps -o pid,ppid,nlwp,cmd --ppid "$server" --pid "$server" | sed 's/^/  /'
ps -o pid,ppid,nlwp,cmd --ppid "$(pgrep -P "$server" | head -1)" | tail -n +2 | sed 's/^/  /'
echo "== client: rscope client --port $port --message 'hello world\n'"
./build/bin/rscope client --port "$port" --message 'hello world\n' --trace-from "$trace"
sleep 0.2
echo "== server side (callbacks ran in a worker)"
grep -E "onConnect|onReceive|onClose" "$log" | head -3 | sed 's/^/  /'

# Traffic the viewer can animate: one article request (connect, send, reply, close) every 1.5 s.
# --trace-from: while the viewer steps the server (held), a client waits instead of timing out.
( while true; do
    ./build/bin/rscope client --port "$port" --message 'hello world\n' --trace-from "$trace" \
      >/dev/null 2>&1 || true
    sleep 1.5
  done ) &
traffic=$!

# The browser's way in: rscope web serves the WebAssembly viewer and bridges its live view to the
# trace socket (loopback only).
weblog="$(mktemp /tmp/rscope-demo-web-XXXXXX.log)"
./build/bin/rscope web --port "$web_port" --trace "$trace" >"$weblog" 2>&1 &
web=$!
for _ in $(seq 100); do grep -q "serving http" "$weblog" && break; sleep 0.05; done
if grep -q "serving http" "$weblog"; then
  url="$(sed -n 's/^rscope web: serving \(http:[^ ]*\).*/\1/p' "$weblog" | head -1)"
  echo "== in a browser (rscope web, loopback only; open while this demo runs):"
  echo "  live, this server:      ${url}?live=1"
  echo "  the article's request:  ${url}?trace=traces/article.jsonl&event=21&picture=sequence"
  echo "  a lesson:               ${url}?tutorial=02-one-request"
else
  echo "== rscope web did not start (port $web_port busy? RSCOPE_DEMO_WEB_PORT=...):"
  sed 's/^/  /' "$weblog"
  web=""
fi

if [ -n "${DISPLAY:-}" ] && [ -z "${RSCOPE_DEMO_HEADLESS:-}" ]; then
  echo "== rscope-viewer --connect $trace --tutorial 01-startup  (close the window to stop)"
  ./build/bin/rscope-viewer --connect "$trace" --tutorial 01-startup --pace-ms 500
else
  out="${RSCOPE_DEMO_OUT:-/tmp/rscope-demo}"
  echo "== no display (DISPLAY is not set): recording 4 s of the live trace instead -> $out.jsonl"
  ./build/bin/rscope record --from "$trace" --out "$out.jsonl" --duration 4 >/dev/null
  ./build/bin/rscope trace check --model "$out.jsonl" | tail -2 | sed 's/^/  /'
  # The three pictures of the article at telling moments of the recording: a worker inside
  # onReceive (architecture), the end of startup (call flow), a whole request (sequence).
  read -r busy startup session last < <(python3 - "$out.jsonl" <<'PY'
import json, sys
busy = startup = session = last = 0
for i, line in enumerate(l for l in open(sys.argv[1]) if '"kind"' in l):
    e = json.loads(line)
    if e["kind"] in ("listen", "reactor_start", "worker_start", "manager_start"): startup = i
    if e["kind"] == "callback_enter" and e["args"].get("callback") == "onReceive": busy = i
    if e["kind"] == "close" and e.get("session"): session, last = e["session"], i
print(busy, startup, session, last)
PY
)
  viewer=(xvfb-run -a -s "-screen 0 1280x800x24" ./build/bin/rscope-viewer --replay "$out.jsonl")
  "${viewer[@]}" --at-event "$busy" --screenshot "$out-architecture.png"
  "${viewer[@]}" --at-event "$startup" --picture startup --screenshot "$out-startup.png"
  "${viewer[@]}" --at-event "$last" --picture sequence --select-session "$session" \
    --screenshot "$out-sequence.png" --export-png "$out-sequence-full.png" \
    --export-mermaid "$out-sequence.mmd"
  echo "== the three pictures (open them with any image viewer):"
  for f in "$out-architecture.png" "$out-startup.png" "$out-sequence.png" \
           "$out-sequence-full.png" "$out-sequence.mmd"; do
    echo "  $f"
  done
  echo "== replay it later with a display: ./build/bin/rscope-viewer --replay $out.jsonl"
fi
cleanup; trap - EXIT
echo "== server stopped; full log: $log"
