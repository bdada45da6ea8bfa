#!/usr/bin/env bash
# Engine throughput benchmark (outside CTest): rscope client load against rscope server
# --handler echo, in process and base mode, plus connect-per-request. Prints one line per run
# and the command to rerun it. Usage: [RSCOPE=binary] tests/bench/engine_bench.sh [seconds] (default 10).
set -euo pipefail
cd "$(dirname "$0")/../.."
secs="${1:-10}"
bin="${RSCOPE:-./build/bin/rscope}"  # RSCOPE=path: another build, e.g. the previous commit's
[ -x "$bin" ] || { echo "build first: bash scripts/build.sh" >&2; exit 1; }

run() {  # name, server args, client args
  local name="$1" sargs="$2" cargs="$3" log port pid out
  log=$(mktemp /tmp/rscope-bench-XXXXXX.log)
  # shellcheck disable=SC2086
  $bin --log-level warn server --port 0 --handler echo --trace-listen off $sargs >"$log" 2>&1 &
  pid=$!
  for _ in $(seq 200); do grep -q "listening on" "$log" && break; sleep 0.05; done
  port=$(sed -n 's/.*listening on [0-9.]*:\([0-9]*\) .*/\1/p' "$log" | head -1)
  sleep 0.3
  # shellcheck disable=SC2086
  out=$($bin client --port "$port" $cargs --json | tail -1)
  kill -TERM "$pid"; wait "$pid" || true
  rm -f "$log"
  printf "%-36s %s\n" "$name" "$(echo "$out" | python3 -c "import json,sys; j=json.load(sys.stdin); print(\"rps {:>9.0f}  p50 {:>7.0f}us  p99 {:>7.0f}us  p999 {:>7.0f}us  errors {}  requests {}\".format(j[\"requests_per_sec\"], j[\"p50_us\"], j[\"p99_us\"], j[\"p999_us\"], j[\"errors\"], j[\"requests\"]))")"
}

echo "# $(date -u +%F) $(nproc) cores; rerun: ${RSCOPE:+RSCOPE=$RSCOPE }tests/bench/engine_bench.sh $secs"
run "process 4w/2r, 100 conn, 64 B" "--mode process --worker-num 4 --reactor-num 2" \
    "--connections 100 --duration $secs --size 64"
run "process, --sched normal" "--mode process --worker-num 4 --reactor-num 2 --sched normal" \
    "--connections 100 --duration $secs --size 64"
run "base 4w, 100 conn, 64 B" "--mode base --worker-num 4" \
    "--connections 100 --duration $secs --size 64"
run "process 4w/2r, connect/request, 50" "--mode process --worker-num 4 --reactor-num 2" \
    "--connections 50 --duration $secs --size 64 --connect-per-request"
