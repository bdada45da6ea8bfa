#!/usr/bin/env bash
# Trace overhead benchmark (outside CTest). Full load: echo, 100 connections, 64 B, with tracing
# off, with a connected `rscope record`, and with --trace-file: requests/s and the share of
# events delivered. Paced load (--rate 20000): dropped events, whether every request's events
# are in the file, and the server's CPU time with tracing on vs off.
# Usage: tests/bench/trace_bench.sh [seconds] (default 10).
set -euo pipefail
cd "$(dirname "$0")/../.."
secs="${1:-10}"
bin=./build/bin/rscope
out=$(mktemp -d /tmp/rscope-tracebench-XXXXXX)
trap 'rm -rf "$out"' EXIT

start_server() {  # args...; sets pid, port, tport
  $bin --log-level warn server --port 0 --handler echo --worker-num 4 --reactor-num 2 "$@" \
    >"$out/server.log" 2>&1 &
  pid=$!
  for _ in $(seq 200); do grep -q "listening on" "$out/server.log" && break; sleep 0.05; done
  port=$(sed -n 's/.*listening on [0-9.]*:\([0-9]*\) .*/\1/p' "$out/server.log" | head -1)
  tport=$(sed -n 's/.*trace 127.0.0.1:\([0-9]*\)).*/\1/p' "$out/server.log" | head -1)
  sleep 0.3
}

cpu_ticks() {  # utime+stime of the server's processes (threads included), in clock ticks
  local total=0 p
  for p in $pid $(pgrep -P "$pid") $(pgrep -P "$(pgrep -P "$pid" | head -1)" 2>/dev/null); do
    [ -r /proc/$p/stat ] && total=$((total + $(awk '{print $14 + $15}' /proc/$p/stat)))
  done
  echo $total
}

load() { $bin client --port "$port" --connections 100 --duration "$secs" --size 64 --json "$@" | tail -1; }
field() { python3 -c "import json,sys; print(json.loads(sys.argv[1])[sys.argv[2]])" "$1" "$2"; }
trace_counts() {  # file -> "events dropped reactor_writes"
  python3 - "$1" <<'PY'
import json, sys
events = dropped = writes = 0
for line in open(sys.argv[1]):
    if '"trace_end"' in line:
        j = json.loads(line); dropped = max(dropped, j.get("dropped", 0)); continue
    if '"seq"' not in line: continue
    events += 1
    if '"kind":"reactor_write"' in line: writes += 1
    elif '"kind":"trace_dropped"' in line: dropped += 0  # counted in trace_end
print(events, dropped, writes)
PY
}

echo "# $(date -u +%F) $(nproc) cores; rerun: tests/bench/trace_bench.sh $secs"
echo "## full load: echo, 100 connections, 64 B, ${secs} s"
start_server --trace-listen off
off=$(field "$(load)" requests_per_sec); kill -TERM $pid; wait $pid || true
printf '%-22s %9.0f req/s\n' "tracing off" "$off"

start_server --trace-listen 127.0.0.1:0
$bin record --from "127.0.0.1:$tport" --out "$out/rec.jsonl" >/dev/null 2>&1 &
rec=$!
sleep 0.3
on=$(field "$(load)" requests_per_sec)
sleep 0.5; kill -INT $rec; wait $rec || true
kill -TERM $pid; wait $pid || true
read -r ev dr wr < <(trace_counts "$out/rec.jsonl")
printf '%-22s %9.0f req/s  %5.1f%% of off  events %d  dropped %d  delivered %.2f%%\n' \
  "recorder connected" "$on" "$(python3 -c "print(100*$on/$off)")" "$ev" "$dr" \
  "$(python3 -c "print(100*$ev/max(1,$ev+$dr))")"

start_server --trace-listen off --trace-file "$out/file.jsonl"
on=$(field "$(load)" requests_per_sec); kill -TERM $pid; wait $pid || true
read -r ev dr wr < <(trace_counts "$out/file.jsonl")
printf '%-22s %9.0f req/s  %5.1f%% of off  events %d  dropped %d  delivered %.2f%%\n' \
  "--trace-file" "$on" "$(python3 -c "print(100*$on/$off)")" "$ev" "$dr" \
  "$(python3 -c "print(100*$ev/max(1,$ev+$dr))")"

echo "## paced load: --rate 20000, 100 connections, ${secs} s"
start_server --trace-listen off
c0=$(cpu_ticks); r=$(load --rate 20000); c1=$(cpu_ticks); kill -TERM $pid; wait $pid || true
cpu_off=$((c1 - c0))
printf '%-22s %7d requests  server CPU %d ticks\n' "tracing off" "$(field "$r" requests)" "$cpu_off"
start_server --trace-listen off --trace-file "$out/paced.jsonl"
c0=$(cpu_ticks); r=$(load --rate 20000); c1=$(cpu_ticks); kill -TERM $pid; wait $pid || true
cpu_on=$((c1 - c0))
read -r ev dr wr < <(trace_counts "$out/paced.jsonl")
printf '%-22s %7d requests  server CPU %d ticks (%.2fx off)  events %d  dropped %d  reactor_write events %d\n' \
  "--trace-file" "$(field "$r" requests)" "$cpu_on" "$(python3 -c "print($cpu_on/max(1,$cpu_off))")" \
  "$ev" "$dr" "$wr"
