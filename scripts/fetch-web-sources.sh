#!/usr/bin/env bash
# Fetches the C++ sources the WebAssembly build compiles that Debian ships only as x86 libraries:
# Dear ImGui 1.86's core (imgui.cpp, imgui_draw.cpp, imgui_tables.cpp, imgui_widgets.cpp; the
# backends too) from source package `imgui`, and simdjson's single-file amalgamation
# (simdjson.h, simdjson.cpp) from source package `simdjson`: the versions libimgui-dev and
# libsimdjson-dev ship, so both builds compile the same code.
# The system's apt configuration is not touched: a private deb-src list and private lists dir.
# Usage: scripts/fetch-web-sources.sh [DIR]   (default build-web/src: DIR/imgui, DIR/simdjson)
set -euo pipefail
cd "$(dirname "$0")/.."
dest="${1:-build-web/src}"
if [ -f "$dest/imgui/imgui.cpp" ] && [ -f "$dest/simdjson/simdjson.cpp" ]; then
  echo "web sources already in $dest"
  exit 0
fi
work=$(mktemp -d /tmp/rscope-web-src-XXXXXX)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/sources" "$work/lists/partial"
# The system's own mirror and suites as deb-src lines (a snapshot mirror stays a snapshot).
if [ -f /etc/apt/sources.list.d/debian.sources ]; then
  sed 's/^Types: *deb$/Types: deb-src/' /etc/apt/sources.list.d/debian.sources \
    >"$work/sources/web-src.sources"
else
  cat >"$work/sources/web-src.sources" <<'SRC'
Types: deb-src
URIs: http://deb.debian.org/debian
Suites: bookworm
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SRC
fi
apt_opts=(-o "Dir::Etc::SourceList=/dev/null" -o "Dir::Etc::SourceParts=$work/sources"
  -o "APT::Sandbox::User=root"
  -o "Dir::State::Lists=$work/lists")
apt-get "${apt_opts[@]}" update -qq
# The source package of the installed -dev package's version, not the newest the mirror has.
# A binary-only rebuild (+b1) has no source of its own: its source version is without it.
version_of() { dpkg-query -W -f='${Version}' "$1" 2>/dev/null | sed 's/+b[0-9]*$//' || true; }
fetch() {  # fetch PACKAGE DEV_PACKAGE
  local v
  v=$(version_of "$2")
  if [ -n "$v" ]; then
    (cd "$work" && apt-get "${apt_opts[@]}" source --download-only "$1=$v" >/dev/null)
  else
    (cd "$work" && apt-get "${apt_opts[@]}" source --download-only "$1" >/dev/null)
  fi
  mkdir -p "$work/$1-x"
  tar -xf "$(ls "$work"/"$1"_*.orig.tar.* | head -1)" -C "$work/$1-x"
}

fetch imgui libimgui-dev
src=$(find "$work/imgui-x" -maxdepth 2 -name imgui.cpp -printf '%h\n' | head -1)
[ -n "$src" ] || { echo "imgui.cpp not found in the imgui source package" >&2; exit 1; }
mkdir -p "$dest/imgui"
cp "$src"/imgui*.cpp "$src"/im*.h "$dest/imgui"/
cp -r "$src"/backends "$dest/imgui"/
grep -q 'IMGUI_VERSION *"1.86"' "$dest/imgui/imgui.h" || { echo "not ImGui 1.86" >&2; exit 1; }

fetch simdjson libsimdjson-dev
single=$(find "$work/simdjson-x" -maxdepth 3 -path '*singleheader/simdjson.cpp' -printf '%h\n' | head -1)
[ -n "$single" ] || { echo "singleheader/simdjson.cpp not found" >&2; exit 1; }
mkdir -p "$dest/simdjson"
cp "$single"/simdjson.cpp "$single"/simdjson.h "$dest/simdjson"/
echo "imgui 1.86 and simdjson $(grep -m1 'define SIMDJSON_VERSION ' "$dest/simdjson/simdjson.h" \
  | awk '{print $3}') sources in $dest"
