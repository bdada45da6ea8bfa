#!/usr/bin/env bash
# Configures and builds Reactorscope (Release) into build/; binaries land in build/bin/.
# Usage: scripts/build.sh [TARGET...]: only those targets (the demo builds rscope and
# rscope-viewer, not the 40-odd test programs); everything without arguments.
set -euo pipefail
cd "$(dirname "$0")/.."
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release >/dev/null
if [ $# -gt 0 ]; then
  cmake --build build -j2 --target "$@"
else
  cmake --build build -j2
fi
