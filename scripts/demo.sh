#!/usr/bin/env bash
# Quick-start command (1): install what is missing, build, then run the seed article's scenario:
# the server with the article's settings (4 workers, 2 reactor threads, dispatch_mode 2) and the
# article's client against it, printing what each process does.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
bash scripts/build.sh
port="${RSCOPE_DEMO_PORT:-9502}"
log="$(mktemp /tmp/rscope-demo-XXXXXX.log)"
./build/bin/rscope server --port "$port" --worker-num 4 --reactor-num 2 --dispatch-mode 2 \
  --handler article --log-level debug >"$log" 2>&1 &
server=$!
trap 'kill -TERM $server 2>/dev/null; wait $server 2>/dev/null || true' EXIT
for _ in $(seq 100); do grep -q "listening on" "$log" && break; sleep 0.05; done
echo "== server"; grep "listening on" "$log"
echo "== process tree (1 master with 1 + reactor_num threads, 1 manager, 4 workers)"
ps -o pid,ppid,nlwp,cmd --ppid "$server" --pid "$server" | sed 's/^/  /'
ps -o pid,ppid,nlwp,cmd --ppid "$(pgrep -P "$server" | head -1)" | tail -n +2 | sed 's/^/  /'
echo "== client: rscope client --port $port --message 'hello world\n'"
./build/bin/rscope client --port "$port" --message 'hello world\n'
sleep 0.2
echo "== server side (callbacks ran in a worker)"
grep -E "onConnect|onReceive|onClose" "$log" | sed 's/^/  /'
kill -TERM $server; wait $server; trap - EXIT
echo "== server stopped with status $?; full log: $log"
