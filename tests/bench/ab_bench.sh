#!/usr/bin/env bash
# A/B benchmark for a change near the hot path (outside CTest): two rscope binaries, interleaved
# run by run (A, B, A, B, ...) so that this VM's drift lands on both, under the same load as
# trace_bench.sh: echo, 4 workers, 2 reactor threads, 100 connections, 64 B. Configurations:
# tracing off, and --trace-file (every event recorded). Prints each run and the medians.
# Usage: tests/bench/ab_bench.sh A_RSCOPE B_RSCOPE [seconds per run, default 5] [rounds, default 5]
# e.g. build the previous commit in a worktree (git worktree add /tmp/rs-old HEAD~1; cmake ...
# -DRSCOPE_BUILD_TESTS=OFF -DRSCOPE_BUILD_VIEWER=OFF; --target rscope), then
#   tests/bench/ab_bench.sh /tmp/rs-old/build/bin/rscope build/bin/rscope 5 5
set -euo pipefail
cd "$(dirname "$0")/../.."
a=${1:?usage: ab_bench.sh A_RSCOPE B_RSCOPE [seconds] [rounds]}
b=${2:?usage: ab_bench.sh A_RSCOPE B_RSCOPE [seconds] [rounds]}
secs=${3:-5}
rounds=${4:-5}
out=$(mktemp -d /tmp/rscope-abbench-XXXXXX)
trap 'rm -rf "$out"' EXIT
source tests/bench/server_lib.sh

median() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
one() {  # binary, config -> requests/s
  bin=$1
  case $2 in
    off) start_server --trace-listen off ;;
    file) start_server --trace-listen off --trace-file "$out/t.jsonl" ;;
  esac
  local j
  j=$($bin client --port "$port" --connections 100 --duration "$secs" --size 64 --json | tail -1)
  stop_server
  rm -f "$out/t.jsonl"
  sync
  sleep 1
  python3 -c "import json,sys; print(round(json.loads(sys.argv[1])['requests_per_sec']))" "$j"
}

echo "# $(date -u +%F) $(nproc) cores; rerun: tests/bench/ab_bench.sh $a $b $secs $rounds"
echo "# A = $a ($(git -C "$(dirname "$a")/../.." log --oneline -1 2>/dev/null | cut -c1-60))"
echo "# B = $b ($(git log --oneline -1 | cut -c1-60)$(git diff --quiet || echo ', with uncommitted changes'))"
for config in off file; do
  ra=() rb=()
  for r in $(seq "$rounds"); do
    ra+=("$(one "$a" "$config")")
    rb+=("$(one "$b" "$config")")
    echo "tracing $config round $r: A ${ra[-1]} req/s, B ${rb[-1]} req/s"
  done
  ma=$(median "${ra[@]}")
  mb=$(median "${rb[@]}")
  echo "tracing $config median: A $ma req/s, B $mb req/s ($(python3 -c "print(f'{($mb/$ma-1)*100:+.1f} %')"))"
done
