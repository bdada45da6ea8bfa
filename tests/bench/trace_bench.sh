#!/usr/bin/env bash
# Trace overhead benchmark (outside CTest). Full load: echo, 100 connections, 64 B, with tracing
# off, with a connected `rscope record`, and with --trace-file, interleaved over several rounds
# (this VM's run-to-run noise is +-15 %): requests/s medians and the share of events delivered.
# Paced load (--rate 20000): dropped events, whether every request's reply event is in the
# file, and the server's CPU time with tracing on vs off.
# Usage: [RSCOPE=binary] tests/bench/trace_bench.sh [seconds per run, default 10] [rounds, default 3]
set -euo pipefail
cd "$(dirname "$0")/../.."
secs="${1:-10}"
rounds="${2:-3}"
bin="${RSCOPE:-./build/bin/rscope}"  # RSCOPE=path: another build, e.g. the previous commit's
out=$(mktemp -d /tmp/rscope-tracebench-XXXXXX)
trap 'rm -rf "$out"' EXIT

source tests/bench/server_lib.sh

cpu_ticks() {  # utime+stime of the server's processes (threads included), in clock ticks
  local total=0 p
  for p in $pid $(pgrep -P "$pid") $(pgrep -P "$(pgrep -P "$pid" | head -1)" 2>/dev/null); do
    [ -r /proc/$p/stat ] && total=$((total + $(awk '{print $14 + $15}' /proc/$p/stat)))
  done
  echo $total
}

load() { $bin client --port "$port" --connections 100 --duration "$secs" --size 64 --json "$@" | tail -1; }
rps() { python3 -c "import json,sys; print(round(json.loads(sys.argv[1])['requests_per_sec']))" "$1"; }
# "events dropped" from a file's trace_end line; the file is deleted right away, so the kernel
# does not write its gigabyte back to disk during the next run (that run would measure it).
end_counts() {
  tail -1 "$1" | python3 -c "import json,sys; j=json.load(sys.stdin); print(j['events'], j['dropped'])"
}
# After a run's gigabytes are deleted: the file system frees (and, mounted with `discard`, trims)
# them in the background at its next journal commit, which would land in the next run. Let it
# finish first.
settle() { sync; sleep 2; }
median() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

echo "# $(date -u +%F) $(nproc) cores; rerun: ${RSCOPE:+RSCOPE=$RSCOPE }tests/bench/trace_bench.sh $secs $rounds"
echo "## full load: echo, 100 connections, 64 B, ${secs} s per run, $rounds interleaved rounds"
off=(); rec=(); fil=(); recd=(); fild=()
for r in $(seq "$rounds"); do
  start_server --trace-listen off
  off+=("$(rps "$(load)")"); stop_server

  start_server --trace-listen 127.0.0.1:0
  $bin record --from "127.0.0.1:$tport" --out "$out/rec.jsonl" >/dev/null 2>&1 &
  recorder=$!
  sleep 0.3
  rec+=("$(rps "$(load)")")
  sleep 0.5; kill -INT $recorder; wait $recorder || true
  stop_server
  read -r ev dr < <(end_counts "$out/rec.jsonl"); rm -f "$out/rec.jsonl"; settle
  recd+=("$(python3 -c "print(f'{100*$ev/max(1,$ev+$dr):.2f}% of {$ev+$dr}')")")

  start_server --trace-listen off --trace-file "$out/file.jsonl"
  fil+=("$(rps "$(load)")"); stop_server
  read -r ev dr < <(end_counts "$out/file.jsonl"); rm -f "$out/file.jsonl"; settle
  fild+=("$(python3 -c "print(f'{100*$ev/max(1,$ev+$dr):.2f}% of {$ev+$dr}')")")
  echo "round $r: off ${off[-1]}  recorder ${rec[-1]} (delivered ${recd[-1]})  file ${fil[-1]} (delivered ${fild[-1]})"
done
mo=$(median "${off[@]}"); mr=$(median "${rec[@]}"); mf=$(median "${fil[@]}")
printf 'median: off %d req/s; recorder %d (%.1f%% of off); --trace-file %d (%.1f%% of off)\n' \
  "$mo" "$mr" "$(python3 -c "print(100*$mr/$mo)")" "$mf" "$(python3 -c "print(100*$mf/$mo)")"
# The same rounds paired: each round's runs are a minute apart, so its ratios are less exposed
# to this VM's drift than ratios of medians over the whole run.
python3 - "${off[*]}" "${rec[*]}" "${fil[*]}" <<'PY'
import statistics, sys
off, rec, fil = ([int(x) for x in a.split()] for a in sys.argv[1:4])
r = [100 * b / a for a, b in zip(off, rec)]
f = [100 * b / a for a, b in zip(off, fil)]
print("per round: recorder " + " / ".join(f"{x:.1f}%" for x in r) + f" (median {statistics.median(r):.1f}%);"
      " --trace-file " + " / ".join(f"{x:.1f}%" for x in f) + f" (median {statistics.median(f):.1f}%)")
PY

echo "## paced load: --rate 20000, 100 connections, ${secs} s per run, $rounds interleaved rounds"
offc=(); onc=()
for r in $(seq "$rounds"); do
  start_server --trace-listen off
  c0=$(cpu_ticks); load --rate 20000 >/dev/null; c1=$(cpu_ticks); stop_server
  offc+=($((c1 - c0)))
  start_server --trace-listen off --trace-file "$out/paced.jsonl"
  c0=$(cpu_ticks); r2=$(load --rate 20000); c1=$(cpu_ticks); stop_server
  onc+=($((c1 - c0)))
  read -r ev dr < <(end_counts "$out/paced.jsonl")
  writes=$(grep -c '"kind":"reactor_write"' "$out/paced.jsonl" || true)
  rm -f "$out/paced.jsonl"; settle
  req2=$(python3 -c "import json,sys; print(json.loads(sys.argv[1])['requests'])" "$r2")
  printf 'round %d: server CPU off %d ticks, --trace-file %d ticks (%.2fx); %s requests, %d events, %d dropped, %d reactor_write events\n' \
    "$r" "${offc[-1]}" "${onc[-1]}" "$(python3 -c "print(${onc[-1]}/max(1,${offc[-1]}))")" "$req2" "$ev" "$dr" "$writes"
done
mo=$(median "${offc[@]}"); mn=$(median "${onc[@]}")
printf 'median: server CPU off %d, --trace-file %d ticks (%.2fx)\n' "$mo" "$mn" "$(python3 -c "print($mn/max(1,$mo))")"
