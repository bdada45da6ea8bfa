#!/usr/bin/env bash
# Where the CPU goes at full load, per thread, in microseconds per request (outside CTest).
# Runs the echo server (4 workers, 2 reactor threads) in one tracing configuration under the
# full-load client (100 connections, 64 B) and prints the busy CPU time of every thread on the
# machine over the middle of the run, divided by the requests served. Threads are named
# rs-ROLE-N (server), rs-trace (collector), rs-record, rs-load-N.
# Usage: tests/bench/thread_cpu.sh off|unread|file|file-shm|record|record-json [seconds, default 10]
#        [rate: requests/s of the paced load, default 0 = full load]
# (unread: tracing on, nobody connected: emits and the collector's merge, no serialisation)
set -euo pipefail
cd "$(dirname "$0")/../.."
mode="${1:-off}"
secs="${2:-10}"
rate="${3:-0}"
bin=./build/bin/rscope
out=$(mktemp -d /tmp/rscope-threadcpu-XXXXXX)
trap 'rm -rf "$out" "/dev/shm/rscope-threadcpu-$$.jsonl"' EXIT
args=(--trace-listen off)
case "$mode" in
  off) ;;
  file) args=(--trace-listen off --trace-file "$out/trace.jsonl") ;;
  file-shm) args=(--trace-listen off --trace-file "/dev/shm/rscope-threadcpu-$$.jsonl") ;;
  record | record-json | unread) args=(--trace-listen 127.0.0.1:0) ;;  # unread: no client
  *) echo "usage: $0 off|unread|file|file-shm|record|record-json [seconds]" >&2; exit 2 ;;
esac
source tests/bench/server_lib.sh
start_server "${args[@]}"

recorder=""
if [[ "$mode" == record* ]]; then
  stream=binary; [ "$mode" = record-json ] && stream=json
  $bin record --from "127.0.0.1:$tport" --out "$out/rec.jsonl" --stream "$stream" >/dev/null 2>&1 &
  recorder=$!
  sleep 0.3
fi
snap() {  # "pid/task/tid name ticks" for every thread on the machine
  python3 -c '
import glob
for f in glob.glob("/proc/[0-9]*/task/[0-9]*/stat"):
    try: s = open(f).read()
    except OSError: continue
    name = s[s.index("(") + 1:s.rindex(")")].replace(" ", "_"); r = s[s.rindex(")") + 2:].split()
    print(f[6:-5], name, int(r[11]) + int(r[12]))'
}
$bin client --port "$port" --connections 100 --duration "$secs" --size 64 --rate "$rate" --json | tail -1 \
  >"$out/client.json" &
client=$!
sleep 1; snap >"$out/a"; head -1 /proc/stat >"$out/sa"; t0=$(date +%s.%N)
sleep $((secs - 3)); snap >"$out/b"; head -1 /proc/stat >"$out/sb"; t1=$(date +%s.%N)
wait $client
[ -n "$recorder" ] && { kill -INT "$recorder"; wait "$recorder" || true; }
stop_server
python3 - "$out" "$t0" "$t1" "$mode" <<'PY'
import collections, json, os, sys
out, t0, t1, mode = sys.argv[1], float(sys.argv[2]), float(sys.argv[3]), sys.argv[4]
hz = os.sysconf("SC_CLK_TCK")
def load(f):
    return {k: (n, int(t)) for k, n, t in (l.split() for l in open(f))}
a, b = load(out + "/a"), load(out + "/b")
per = collections.Counter()
for k, (n, t) in b.items():
    per[n] += t - a.get(k, (n, 0))[1]
rps = json.load(open(out + "/client.json"))["requests_per_sec"]
req = rps * (t1 - t0)
sa = list(map(int, open(out + "/sa").read().split()[1:]))
sb = list(map(int, open(out + "/sb").read().split()[1:]))
d = [y - x for x, y in zip(sa, sb)]
busy = sum(d) - d[3] - d[4]
us = lambda ticks: 1e6 * ticks / hz / req
print(f"# {mode}: {rps:.0f} requests/s; machine busy {us(busy):.2f} us per request "
      f"(user {us(d[0]):.2f}, system {us(d[2]):.2f}, softirq {us(d[6]):.2f}, "
      f"steal {us(d[7]):.2f}); idle {100 * (d[3] + d[4]) / sum(d):.1f} %")
for n, t in per.most_common(12):
    if t > 0: print(f"{n:28s} {us(t):6.2f} us/request")
PY
