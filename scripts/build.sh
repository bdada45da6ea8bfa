#!/usr/bin/env bash
# Configures and builds Reactorscope (Release) into build/; binaries land in build/bin/.
# Usage: scripts/build.sh [TARGET...]: only those targets (the demo builds rscope and
# rscope-viewer, not the 40-odd test programs); everything without arguments.
set -euo pipefail
cd "$(dirname "$0")/.."
# Unity build: sources are compiled in batches of 8, so the big headers (CLI11, nlohmann, fmt,
# simdjson, ImGui) are parsed once a batch: rscope and rscope-viewer build in about half the CPU
# time, which is most of a first run. The sanitizer and fuzz builds stay one file at a time.
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release -DCMAKE_UNITY_BUILD=ON >/dev/null
if [ $# -gt 0 ]; then
  cmake --build build -j2 --target "$@"
else
  cmake --build build -j2
fi
