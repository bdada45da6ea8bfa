#!/usr/bin/env bash
# The README's pictures of the viewer in a browser: Debian's Chromium, headless, against
# `rscope web` on a free loopback port, at 1280x800: the article's request at event #21 on the
# sequence diagram, and lesson 2 step 3 in Chinese, opened from links to those moments.
# Usage: scripts/web-images.sh   (after scripts/build.sh and scripts/build-web.sh)
set -euo pipefail
cd "$(dirname "$0")/.."
img=docs/images
[ -f build-web/site/rscope-viewer.wasm ] || { echo "build first: bash scripts/build-web.sh" >&2; exit 1; }
log=$(mktemp /tmp/rscope-web-images-XXXXXX.log)
profile=$(mktemp -d /tmp/rscope-web-images-profile-XXXXXX)
./build/bin/rscope web --port 0 >"$log" 2>&1 &
web=$!
trap 'kill -TERM $web 2>/dev/null; wait $web 2>/dev/null; rm -rf "$log" "$profile"' EXIT
for _ in $(seq 100); do grep -q "serving http" "$log" && break; sleep 0.05; done
url=$(sed -n 's/^rscope web: serving \(http:[^ ]*\).*/\1/p' "$log" | head -1)
[ -n "$url" ] || { cat "$log" >&2; exit 1; }
# The flags a closed network and a root user need (docs/web-build.md, "Testing in Chromium").
shot() {
  chromium --headless=new --no-sandbox --use-angle=swiftshader --enable-unsafe-swiftshader \
    --disable-background-networking --disable-component-update --disable-sync --no-first-run \
    --user-data-dir="$profile" --window-size=1280,800 --virtual-time-budget=10000 \
    --screenshot="$1" "$url$2" 2>/dev/null
}
shot $img/web-article-sequence.png "?trace=traces/article.jsonl&event=21&picture=sequence"
shot $img/web-lesson-02-zh.png "?tutorial=02-one-request&step=3&lang=zh"
echo "$img/web-article-sequence.png $img/web-lesson-02-zh.png: look at them before committing"
