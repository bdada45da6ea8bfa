#!/usr/bin/env bash
# Builds Reactorscope with a sanitizer into build-SANITIZER/ and runs the engine, integration and
# tutorial tests under it (the viewer is not built: its tests need a display and GL drivers that
# the sanitizers do not know).
# Usage: scripts/sanitize.sh address|thread|undefined [CTEST_REGEX [TARGET...]]
# With targets, only those are built (CI's asan_smoke: the programs of a named subset).
set -euo pipefail
cd "$(dirname "$0")/.."
kind=${1:?usage: scripts/sanitize.sh address|thread|undefined [ctest regex]}
regex=${2:-}
shift $(($# < 2 ? $# : 2))
targets=("$@")
case "$kind" in address | thread | undefined) ;; *)
  echo "sanitize.sh: the sanitizer is address, thread or undefined, not $kind" >&2
  exit 2
  ;;
esac
dir=build-$kind
# Ninja and unity batches, as scripts/build.sh: the sanitized build is most of asan_smoke's time.
if [ -f "$dir/CMakeCache.txt" ] && ! grep -q '^CMAKE_GENERATOR:INTERNAL=Ninja$' "$dir/CMakeCache.txt"; then
  rm -rf "$dir"  # configured by make before: cmake refuses to switch generators in place
fi
cmake -S . -B "$dir" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DRSCOPE_SANITIZE="$kind" \
  -DCMAKE_UNITY_BUILD=ON -DRSCOPE_BUILD_VIEWER=OFF >/dev/null
if [ ${#targets[@]} -gt 0 ]; then
  cmake --build "$dir" -j2 --target "${targets[@]}"
else
  cmake --build "$dir" -j2
fi
# halt_on_error: a finding fails its test at once. detect_leaks stays on: a leak is a finding.
export ASAN_OPTIONS=halt_on_error=1:abort_on_error=1:detect_stack_use_after_return=1
export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
export TSAN_OPTIONS=halt_on_error=1:second_deadlock_stack=1
args=(--test-dir "$dir" --output-on-failure --timeout 600 -LE "viewer|fuzz|sanitize")
[ -n "$regex" ] && args+=(-R "$regex")
ctest "${args[@]}"
