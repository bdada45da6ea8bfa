#!/usr/bin/env bash
# Builds the WebAssembly viewer into build-web/site (index.html, rscope-viewer.js, .wasm, .data):
# fetches ImGui's and simdjson's sources from Debian (scripts/fetch-web-sources.sh), configures
# with Emscripten's CMake wrapper and RSCOPE_BUILD_WEB, builds. `rscope web` serves the folder.
# Usage: scripts/build-web.sh [extra cmake args]   (needs: apt-get install emscripten)
set -euo pipefail
cd "$(dirname "$0")/.."
command -v emcmake >/dev/null || { echo "emcmake missing: apt-get install emscripten" >&2; exit 1; }
bash scripts/fetch-web-sources.sh build-web/src
# Emscripten's JavaScript optimizer needs Debian's acorn, which a node from elsewhere on PATH
# does not see.
export NODE_PATH="${NODE_PATH:+$NODE_PATH:}/usr/share/nodejs"
if [ ! -f build-web/build.ninja ]; then
  emcmake cmake -S . -B build-web -G Ninja -DRSCOPE_BUILD_WEB=ON -DCMAKE_BUILD_TYPE=Release \
    -DRSCOPE_WERROR=ON "$@"
fi
nice ninja -C build-web -j2
# A gzip copy beside each large file: rscope web (civetweb) sends FILE.gz to a browser that
# accepts gzip, so a page downloads ~3.6 MB instead of ~11 MB.
for f in build-web/site/rscope-viewer.{js,wasm,data}; do
  [ "$f.gz" -nt "$f" ] || gzip -9 -k -f "$f"
done
ls -l build-web/site
