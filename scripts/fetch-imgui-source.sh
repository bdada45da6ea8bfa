#!/usr/bin/env bash
# Fetches Dear ImGui 1.86's core sources (imgui.cpp, imgui_draw.cpp, imgui_tables.cpp,
# imgui_widgets.cpp) from Debian's source package `imgui`, the version libimgui-dev ships, into
# DIR (default build-web/imgui-src). The WebAssembly build (issue 17) compiles them with emcc:
# libimgui-dev has only headers, backends and an x86 libimgui.a.
# The system's apt configuration is not touched: a private deb-src list and private lists dir.
# Usage: scripts/fetch-imgui-source.sh [DIR]
set -euo pipefail
cd "$(dirname "$0")/.."
dest="${1:-build-web/imgui-src}"
if [ -f "$dest/imgui.cpp" ]; then
  echo "imgui sources already in $dest"
  exit 0
fi
work=$(mktemp -d /tmp/rscope-imgui-src-XXXXXX)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/sources" "$work/lists/partial"
# The same mirror, suite and component as the system's deb lines, as deb-src.
cat >"$work/sources/imgui-src.sources" <<'EOF'
Types: deb-src
URIs: http://deb.debian.org/debian
Suites: bookworm
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
EOF
apt_opts=(-o "Dir::Etc::SourceList=/dev/null" -o "Dir::Etc::SourceParts=$work/sources"
  -o "APT::Sandbox::User=root"
  -o "Dir::State::Lists=$work/lists")
apt-get "${apt_opts[@]}" update -qq
(cd "$work" && apt-get "${apt_opts[@]}" source --download-only imgui >/dev/null)
tarball=$(ls "$work"/imgui_*.orig.tar.* | head -1)
mkdir -p "$dest"
tar -xf "$tarball" -C "$work"
src=$(find "$work" -maxdepth 2 -name imgui.cpp -printf '%h\n' | head -1)
[ -n "$src" ] || { echo "imgui.cpp not found in $tarball" >&2; exit 1; }
cp "$src"/imgui*.cpp "$src"/im*.h "$dest"/
cp -r "$src"/backends "$dest"/
grep -q 'IMGUI_VERSION *"1.86"' "$dest/imgui.h" || { echo "not ImGui 1.86" >&2; exit 1; }
echo "imgui 1.86 sources in $dest ($(ls "$dest"/*.cpp | wc -l) .cpp files)"
