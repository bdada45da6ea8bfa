#!/usr/bin/env bash
# Builds the libFuzzer targets of tests/fuzz with clang into build-fuzz/ and runs each for SECONDS
# (default 60). Prints, per target, the inputs executed, the coverage reached (libFuzzer's cov: and
# ft:) and the corpus size; exits 1 when any target crashed (the input is kept under
# build-fuzz/artifacts/), 77 when clang or its fuzzer runtime is missing. docs/fuzzing.md.
# Usage: scripts/fuzz.sh [SECONDS] [TARGET...]   e.g. scripts/fuzz.sh 600 lesson
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
seconds=${1:-60}
shift || true
all=(frame_decoder pipe_codec trace_line_parser lesson client_command)
[ $# -gt 0 ] && targets=("$@") || targets=("${all[@]}")

if ! command -v clang++ >/dev/null; then
  echo "fuzz.sh: clang++ is not installed (apt-get install clang libclang-rt-14-dev)" >&2
  exit 77
fi
if ! echo 'extern "C" int LLVMFuzzerTestOneInput(const char*, unsigned long) { return 0; }' |
  clang++ -x c++ -fsanitize=fuzzer - -o /tmp/rscope-fuzz-probe.$$ 2>/dev/null; then
  echo "fuzz.sh: clang++ cannot link -fsanitize=fuzzer (apt-get install libclang-rt-14-dev)" >&2
  exit 77
fi
rm -f /tmp/rscope-fuzz-probe.$$

out=$root/build-fuzz
# Optimised with asserts and debug info: libFuzzer's speed matters, and so do the stack traces.
CC=clang CXX=clang++ cmake -S . -B "$out" -DRSCOPE_FUZZ=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -g" >/dev/null
build_start=$(date +%s)
nice -n 10 cmake --build "$out" -j2 --target "${targets[@]/%/_fuzzer}" >"$out/build.log" 2>&1 || {
  tail -40 "$out/build.log" >&2
  exit 2
}
echo "fuzz.sh: built ${#targets[@]} targets in $(($(date +%s) - build_start)) s"

# Seeds. Traces and lessons are read from the tree each time, so a changed format is seeded too;
# what the fuzzer found is kept in corpus/NAME between runs (delete build-fuzz/ to start over).
seeds=$out/seeds
rm -rf "$seeds"
mkdir -p "$seeds" "$out/artifacts"
python3 - "$root" "$seeds" <<'EOF'
import json, os, re, sys
root, seeds = sys.argv[1], sys.argv[2]
def put(target, name, data):
    d = os.path.join(seeds, target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), "wb") as f:
        f.write(data if isinstance(data, bytes) else data.encode())
# Trace lines: each recording's header plus slices of its events (every kind appears somewhere),
# for the one line parser (the trace tools' and the viewer's).
tdir = os.path.join(root, "traces")
for fn in sorted(os.listdir(tdir)):
    if not fn.endswith(".jsonl"): continue
    with open(os.path.join(tdir, fn), "rb") as f:
        lines = f.read().split(b"\n")[:400]
    base = fn[:-6]
    for i in range(0, len(lines), 20):
        chunk = b"\n".join(lines[i:i + 20])
        put("trace_line_parser", f"{base}-{i:04d}", chunk)
# Lessons under the fuzzer's own name (the loader wants the id to match the file).
ldir = os.path.join(root, "tutorials")
for fn in sorted(os.listdir(ldir)):
    if not fn.endswith(".json"): continue
    with open(os.path.join(ldir, fn), encoding="utf-8") as f:
        text = f.read()
    text = re.sub(r'"id"\s*:\s*"[^"]*"', '"id": "fuzz"', text, count=1)
    put("lesson", fn[:-5], text)
# Trace-socket command lines (traces/FORMAT.md section 10).
for i, line in enumerate(["binary", "hold", "run", "step", "step 1", "step 10", "step  7 ",
                          "step 99999999999999999999", "step -1", "run\r", "stop", ""]):
    put("client_command", f"cmd-{i:02d}", line)
EOF
# Checked-in inputs: what once crashed a target, replayed on every run.
for t in "${all[@]}"; do
  mkdir -p "$seeds/$t"
  if [ -d "tests/fuzz/corpus/$t" ]; then cp "tests/fuzz/corpus/$t"/* "$seeds/$t/"; fi
done

status=0
printf '%-20s %12s %10s %8s %8s %8s  %s\n' target executions exec/s cov ft corpus result
for t in "${targets[@]}"; do
  corpus=$out/corpus/$t
  mkdir -p "$corpus"
  log=$out/$t.log
  rc=0
  "$out/bin/${t}_fuzzer" "$corpus" "$seeds/$t" -max_total_time="$seconds" -timeout=10 \
    -rss_limit_mb=2048 -max_len=65536 -print_final_stats=1 \
    -artifact_prefix="$out/artifacts/$t-" >"$log" 2>&1 || rc=$?
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  speed=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
  last=$(grep -E '^#[0-9]+' "$log" | tail -1 || true)
  cov=$(sed -n 's/.* cov: \([0-9]*\).*/\1/p' <<<"$last")
  ft=$(sed -n 's/.* ft: \([0-9]*\).*/\1/p' <<<"$last")
  files=$(find "$corpus" -type f | wc -l)
  result=ok
  if [ $rc -ne 0 ]; then
    result="CRASH (rc $rc, $log)"
    status=1
    grep -E 'ERROR|SUMMARY|==[0-9]+==|Test unit written' "$log" | head -8 >&2 || true
  fi
  printf '%-20s %12s %10s %8s %8s %8s  %s\n' "$t" "${execs:-?}" "${speed:-?}" "${cov:-?}" \
    "${ft:-?}" "$files" "$result"
done
exit $status
