#!/usr/bin/env bash
# Quick-start command (1): install what is missing, build, then run the seed article's scenario
# and watch it: the server with the article's settings (4 workers, 2 reactor threads,
# dispatch_mode 2), the article's client plus gentle echo traffic, and rscope-viewer connected to
# the trace socket. With no display it falls back to a headless capture under Xvfb and prints
# what the viewer saw (a PNG and the layout dump).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
bash scripts/build.sh
port="${RSCOPE_DEMO_PORT:-9502}"
trace="${RSCOPE_DEMO_TRACE:-127.0.0.1:9600}"
log="$(mktemp /tmp/rscope-demo-XXXXXX.log)"
./build/bin/rscope server --port "$port" --worker-num 4 --reactor-num 2 --dispatch-mode 2 \
  --handler article --trace-listen "$trace" --log-level debug >"$log" 2>&1 &
server=$!
traffic=""
cleanup()
{
  [ -n "$traffic" ] && kill "$traffic" 2>/dev/null || true
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
./build/bin/rscope client --port "$port" --message 'hello world\n'
sleep 0.2
echo "== server side (callbacks ran in a worker)"
grep -E "onConnect|onReceive|onClose" "$log" | head -3 | sed 's/^/  /'

# Traffic the viewer can animate: one article request (connect, send, reply, close) every 1.5 s.
( while true; do
    ./build/bin/rscope client --port "$port" --message 'hello world\n' >/dev/null 2>&1 || true
    sleep 1.5
  done ) &
traffic=$!

if [ -n "${DISPLAY:-}" ] && [ -z "${RSCOPE_DEMO_HEADLESS:-}" ]; then
  echo "== rscope-viewer --connect $trace  (close the window to stop the demo)"
  ./build/bin/rscope-viewer --connect "$trace" --pace-ms 500
else
  out="${RSCOPE_DEMO_OUT:-/tmp/rscope-demo}"
  echo "== no display: headless viewer under Xvfb for 4 s -> $out.png, $out.layout.json"
  xvfb-run -a -s "-screen 0 1280x800x24" ./build/bin/rscope-viewer --connect "$trace" \
    --frames 240 --screenshot "$out.png" --dump-layout "$out.layout.json"
  python3 - "$out.layout.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
for p in d["pictures"]:
    roles = {}
    for n in p["nodes"]:
        roles[n["role"]] = roles.get(n["role"], 0) + 1
    print("  picture %s: nodes %s" % (p["picture"], ", ".join("%s x%d" % kv for kv in sorted(roles.items()))))
    for n in p["nodes"]:
        if n["role"] == "worker":
            print("    %-10s %-8s %s" % (n["id"], n["state"], " | ".join(n["lines"][1:3])))
    print("  edges %d, tokens in flight %d" % (len(p["edges"]), len(p["tokens"])))
PY
  echo "== open $out.png to see the frame"
fi
cleanup; trap - EXIT
echo "== server stopped; full log: $log"
