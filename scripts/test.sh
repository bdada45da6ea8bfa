#!/usr/bin/env bash
# Quick-start command (2): install what is missing, build, run the whole test suite.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
bash scripts/build.sh
# The web tests (label web) open the WebAssembly build in chromium through playwright-core:
# build the site (build-web/site; ~6 min the first time on 2 cores, then incremental) and install
# tests/web's pinned node_modules from its package-lock.json.
bash scripts/build-web.sh
(cd tests/web && npm ci --no-audit --no-fund)
ctest --test-dir build --output-on-failure --timeout 300
