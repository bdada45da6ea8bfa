#!/usr/bin/env bash
# Records a large real trace for the viewer's performance figures: the real server under load
# (echo, 100 connections, paced so nothing is dropped) with --trace-file, until the file holds at
# least EVENTS events. Usage: scripts/make-big-trace.sh [OUT.jsonl] [EVENTS]
set -euo pipefail
cd "$(dirname "$0")/.."
out="${1:-/tmp/rscope-1m.jsonl}"
events="${2:-1000000}"
# 9 events per echo request: requests needed, plus the connects and startup.
requests=$(( (events + 8) / 9 + 1000 ))
log="$(mktemp /tmp/rscope-big-XXXXXX.log)"
./build/bin/rscope server --port 0 --handler echo --worker-num 4 --reactor-num 2 --trace-listen off --trace-file "$out" >"$log" 2>&1 &
server=$!
trap 'kill -TERM $server 2>/dev/null; wait $server 2>/dev/null || true' EXIT
for _ in $(seq 200); do grep -q "listening on" "$log" && break; sleep 0.05; done
port="$(sed -n 's/.*listening on [0-9.]*:\([0-9]*\).*/\1/p' "$log" | head -1)"
./build/bin/rscope client --port "$port" --connections 100 --rate 40000 --requests "$requests" \
  --duration 600 >/dev/null
kill -TERM $server; wait $server || true; trap - EXIT
lines=$(wc -l <"$out")
echo "$out: $lines lines ($(du -h "$out" | cut -f1)); rerun: scripts/make-big-trace.sh $out $events"
