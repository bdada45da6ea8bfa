// The OpenGL declarations of this build: glad's OpenGL 3.3 core loader on the desktop, OpenGL
// ES 3.0 (WebGL 2) from Emscripten on the web. The calls the app makes exist in both.
#pragma once

#ifdef __EMSCRIPTEN__
#include <GLES3/gl3.h>
#else
#include <glad/gl.h>
#endif
