#pragma once
// `intake-kiosk --screenshots DIR`: a throwaway demo device (synthetic data, in a temp dir), every
// main screen in each language, one PNG per screen and language, then exit.
#include <filesystem>

#include "firmware-app/platform.hpp"

namespace ik::app {

int run_screenshots(Platform& platform, const std::filesystem::path& out_dir);

}  // namespace ik::app
