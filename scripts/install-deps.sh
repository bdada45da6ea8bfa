#!/usr/bin/env bash
# Installs the Debian 12 packages Reactorscope builds and tests with; only what is missing.
# Usage: scripts/install-deps.sh [demo]: with "demo", only what scripts/demo.sh needs (build
# rscope and rscope-viewer, run them, render the pictures headlessly), so a first run does not
# wait for the test tools (GoogleTest, clang and its fuzzer runtime, xdotool, ImageMagick).
set -euo pipefail

demo_packages=(
  build-essential cmake ninja-build g++ pkg-config
  libcli11-dev libfmt-dev nlohmann-json3-dev
  procps
  # rscope web: HTTP, static files and WebSockets for the browser viewer (civetweb)
  libcivetweb-dev
  # the viewer in a browser (scripts/build-web.sh): Emscripten compiles it to WebAssembly
  emscripten
  # viewer: Dear ImGui 1.86 (GLFW + OpenGL3 backends inside libimgui.a), GLFW, glad 2 generator,
  # simdjson (trace lines), stb_image_write (screenshots), fonts with CJK glyphs
  libimgui-dev libglfw3-dev python3-glad libsimdjson-dev libstb-dev
  fonts-dejavu-core fonts-wqy-microhei
  # headless pictures: Xvfb needs xauth (only recommended); Mesa llvmpipe for GL
  xvfb xauth libgl1-mesa-dri libglx-mesa0
)
test_packages=(
  libgtest-dev libgmock-dev libbenchmark-dev
  # for looking at and comparing screenshots by hand (compare, montage)
  imagemagick
  # real mouse and keyboard in the viewer tests (tests/viewer/app/real_viewer.h)
  xdotool
  # the fuzz smoke (scripts/fuzz.sh): clang with its libFuzzer and sanitizer runtimes
  clang libclang-rt-14-dev
  # the web tests (tests/web): the WebAssembly build (emscripten, a demo package; it brings
  # nodejs, which runs the tests) opened in Debian's chromium, headless on its swiftshader WebGL;
  # playwright-core drives it and downloads no browser
  chromium
)

packages=("${demo_packages[@]}")
if [ "${1:-}" != "demo" ]; then
  packages+=("${test_packages[@]}")
fi

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
# npm installs tests/web's playwright-core (npm ci). Debian's nodejs comes without it (package
# npm); a nodejs that bundles it (NodeSource's) conflicts with Debian's npm, so only when absent.
if [ "${1:-}" != "demo" ] && ! command -v npm >/dev/null; then
  missing+=(npm)
fi
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing: ${missing[*]}"
  SUDO=""
  [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}"
fi
