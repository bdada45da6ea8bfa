#!/usr/bin/env bash
# Records traces/article.jsonl: the seed article's scenario (4 workers, 2 reactor threads,
# dispatch_mode 2, the article's handler, one client sending "hello world\n") captured live by
# `rscope record` from the trace socket, then validated with `rscope trace check`.
# The viewer tests name this trace's events by seq: startup and the CONNECT/data interleaving
# race, so when replacing traces/article.jsonl keep a run whose kinds come in the same order.
set -euo pipefail
cd "$(dirname "$0")/.."
bin=./build/bin/rscope
out="${1:-traces/article.jsonl}"
log=$(mktemp /tmp/rscope-article-XXXXXX.log)
$bin server --port 0 --worker-num 4 --reactor-num 2 --dispatch-mode 2 --handler article \
  --trace-listen 127.0.0.1:0 >"$log" 2>&1 &
server=$!
trap 'kill -TERM $server 2>/dev/null || true; rm -f "$log"' EXIT
for _ in $(seq 100); do grep -q "listening on" "$log" && break; sleep 0.05; done
port=$(sed -n 's/.*listening on [0-9.]*:\([0-9]*\) .*/\1/p' "$log" | head -1)
tport=$(sed -n 's/.*trace 127.0.0.1:\([0-9]*\)).*/\1/p' "$log" | head -1)
sleep 0.3  # every worker has started: its worker_start is in the replay
$bin record --from "127.0.0.1:$tport" --out "$out" --duration 1.5 &
recorder=$!
sleep 0.3
$bin client --port "$port" --message 'hello world\n'
wait $recorder
$bin trace check "$out"
