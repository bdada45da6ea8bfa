// stb_image_write's code for the web build (screenshots into the in-memory file system, then a
// download): Debian's libstb is an x86 library, so the header's implementation is compiled here.
#define STB_IMAGE_WRITE_IMPLEMENTATION
#include <stb_image_write.h>
