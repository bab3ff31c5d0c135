// The one translation unit that compiles stb_image (Debian libstb-dev ships the header only).
#define STB_IMAGE_IMPLEMENTATION
#include <stb_image.h>
