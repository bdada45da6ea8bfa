# The WebAssembly build's dependencies (RSCOPE_BUILD_WEB, Emscripten's toolchain): Debian's
# x86 libraries cannot link into wasm, so the same versions are compiled from source or used
# header-only, under the target names the native build's find_package gives.
#   imgui 1.86 core and backends, simdjson 3.0.1: fetched by scripts/fetch-web-sources.sh into
#     RSCOPE_WEB_SOURCES (Debian's source packages of libimgui-dev and libsimdjson-dev)
#   fmt (header-only), nlohmann/json, stb_image_write: Debian's headers, seen through a folder of
#     links (the whole of /usr/include would bring glibc's headers in over Emscripten's)
#   GLFW and WebGL 2: Emscripten's built-in port (-s USE_GLFW=3); threads: none
if(NOT EMSCRIPTEN)
  message(FATAL_ERROR "RSCOPE_BUILD_WEB needs Emscripten's toolchain: use scripts/build-web.sh "
    "(emcmake cmake -S . -B build-web -DRSCOPE_BUILD_WEB=ON)")
endif()
set(RSCOPE_WEB_SOURCES "${PROJECT_SOURCE_DIR}/build-web/src" CACHE PATH
  "Where scripts/fetch-web-sources.sh put imgui/ and simdjson/")
if(NOT EXISTS "${RSCOPE_WEB_SOURCES}/imgui/imgui.cpp" OR
   NOT EXISTS "${RSCOPE_WEB_SOURCES}/simdjson/simdjson.cpp")
  message(FATAL_ERROR "imgui or simdjson sources missing in ${RSCOPE_WEB_SOURCES}: run "
    "scripts/fetch-web-sources.sh")
endif()

set(web_include "${CMAKE_BINARY_DIR}/web-include")
file(MAKE_DIRECTORY "${web_include}")
foreach(link nlohmann fmt stb_image_write.h)
  set(target "/usr/include/${link}")
  if(link STREQUAL "stb_image_write.h")
    set(target "/usr/include/stb/stb_image_write.h")
  endif()
  if(NOT EXISTS "${target}")
    message(FATAL_ERROR "${target} missing: run scripts/install-deps.sh")
  endif()
  file(CREATE_LINK "${target}" "${web_include}/${link}" SYMBOLIC)
endforeach()

add_library(fmt::fmt INTERFACE IMPORTED)
target_include_directories(fmt::fmt SYSTEM INTERFACE "${web_include}")
target_compile_definitions(fmt::fmt INTERFACE FMT_HEADER_ONLY)
add_library(nlohmann_json::nlohmann_json INTERFACE IMPORTED)
target_include_directories(nlohmann_json::nlohmann_json SYSTEM INTERFACE "${web_include}")
add_library(Threads::Threads INTERFACE IMPORTED)

# simdjson picks its fallback kernel on wasm (no SIMD intrinsics for it there).
add_library(rscope_web_simdjson STATIC "${RSCOPE_WEB_SOURCES}/simdjson/simdjson.cpp")
target_include_directories(rscope_web_simdjson SYSTEM PUBLIC "${RSCOPE_WEB_SOURCES}/simdjson")
target_compile_options(rscope_web_simdjson PRIVATE -w)
add_library(simdjson::simdjson ALIAS rscope_web_simdjson)

set(imgui_src "${RSCOPE_WEB_SOURCES}/imgui")
add_library(rscope_web_imgui STATIC
  ${imgui_src}/imgui.cpp
  ${imgui_src}/imgui_draw.cpp
  ${imgui_src}/imgui_tables.cpp
  ${imgui_src}/imgui_widgets.cpp
  ${imgui_src}/backends/imgui_impl_glfw.cpp
  ${imgui_src}/backends/imgui_impl_opengl3.cpp
)
target_include_directories(rscope_web_imgui SYSTEM PUBLIC ${imgui_src} ${imgui_src}/backends)
target_compile_options(rscope_web_imgui PRIVATE -w -sUSE_GLFW=3)
target_link_options(rscope_web_imgui INTERFACE -sUSE_GLFW=3 -sUSE_WEBGL2=1 -sFULL_ES3=1)

# The viewer catches exceptions (a lesson's JSON, a file that vanished): WebAssembly's own
# exception handling, which costs nothing until a throw (Emscripten's JavaScript emulation
# wraps every call that may throw).
add_compile_options(-fwasm-exceptions)
add_link_options(-fwasm-exceptions)
