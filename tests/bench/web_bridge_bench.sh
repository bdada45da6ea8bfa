#!/usr/bin/env bash
# `rscope web` under load (outside CTest): echo, 20 connections, 64 B, with no trace reader and
# with a browser on /live (tests/bench/web_live_bench), interleaved over several rounds (this
# VM's run-to-run noise is large: other work shares its 2 cores). Prints requests/s, the lines
# and MB/s the bridge delivered, lines per WebSocket message, and trace_dropped events seen
# (the server drops for a reader that falls behind instead of waiting for it).
# Usage: tests/bench/web_bridge_bench.sh [seconds per run, default 5] [rounds, default 2]
set -euo pipefail
cd "$(dirname "$0")/../.."
secs="${1:-5}"
rounds="${2:-2}"
bin="${RSCOPE:-./build/bin/rscope}"
reader=./build/bin/web_live_bench
out=$(mktemp -d /tmp/rscope-webbench-XXXXXX)
trap 'rm -rf "$out"' EXIT

source tests/bench/server_lib.sh

load() {
  $bin client --port "$port" --connections 20 --duration "$secs" --size 64 --json | tail -1 |
    python3 -c "import json,sys; print(round(json.load(sys.stdin)['requests_per_sec']))"
}

echo "# $(date -u +%F) $(nproc) cores, load $(cut -d' ' -f1 /proc/loadavg); rerun: tests/bench/web_bridge_bench.sh $secs $rounds"
for r in $(seq "$rounds"); do
  start_server --trace-listen 127.0.0.1:0
  echo "round $r, no reader:   $(load) requests/s"
  stop_server

  start_server --trace-listen 127.0.0.1:0
  $bin --log-level warn web --port 0 --trace "127.0.0.1:$tport" >"$out/web.log" 2>&1 &
  wpid=$!
  for _ in $(seq 200); do grep -q "serving http" "$out/web.log" && break; sleep 0.05; done
  wport=$(sed -n 's|.*serving http://127.0.0.1:\([0-9]*\)/.*|\1|p' "$out/web.log")
  "$reader" "$wport" "$(echo "$secs + 1" | bc)" >"$out/live.json" &
  rpid=$!
  sleep 0.5
  rps=$(load)
  wait "$rpid"
  hwm=$(awk '/VmHWM/ {print $2 " " $3}' "/proc/$wpid/status")  # rscope web's peak memory
  kill -TERM "$wpid"
  wait "$wpid" && webrc=0 || webrc=$?
  stop_server
  python3 - "$out/live.json" "$rps" "$webrc" "$r" "$hwm" <<'PY'
import json, sys
j = json.load(open(sys.argv[1]))
print(f"round {sys.argv[4]}, browser on /live: {sys.argv[2]} requests/s; bridged {j['lines']} lines "
      f"({j['lines'] / j['seconds']:.0f}/s, {j['bytes'] / j['seconds'] / 1e6:.1f} MB/s), "
      f"{j['lines_per_message']} lines/message, {j['trace_dropped_events']} trace_dropped events, "
      f"closed={j['closed']} {j['reason']!r}; rscope web peak RSS {sys.argv[5]}, exit {sys.argv[3]}")
PY
done
