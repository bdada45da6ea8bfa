#!/usr/bin/env bash
# Configures and builds Reactorscope (Release) into build/; binaries land in build/bin/.
# Usage: scripts/build.sh [TARGET...]: only those targets (the demo builds rscope and
# rscope-viewer, not the 40-odd test programs); everything without arguments.
set -euo pipefail
cd "$(dirname "$0")/.."
# Unity build: sources are compiled in batches of 8, so the big headers (CLI11, nlohmann, fmt,
# simdjson, ImGui) are parsed once a batch: rscope and rscope-viewer build in about half the CPU
# time, which is most of a first run. scripts/sanitize.sh batches too; the fuzz build stays one file at a time.
# Ninja, not make: make builds a target's objects only after the libraries it links are done,
# which left one of the two cores idle for about 30 s of a first build.
# Warnings are errors here (so in the demo and CI): a new one fails where it is written.
if [ -f build/CMakeCache.txt ] && ! grep -q '^CMAKE_GENERATOR:INTERNAL=Ninja$' build/CMakeCache.txt; then
  rm -rf build  # configured by make before: cmake refuses to switch generators in place
fi
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release -DCMAKE_UNITY_BUILD=ON -DRSCOPE_WERROR=ON \
  >/dev/null
if [ $# -gt 0 ]; then
  cmake --build build -j2 --target "$@"
else
  cmake --build build -j2
fi
