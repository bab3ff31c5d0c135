#pragma once
// Screenshot scenes: each screen file registers how to reach its screens from the lock screen,
// and `intake-kiosk --screenshots` renders every scene in every language.
#include <functional>
#include <string>
#include <vector>

#include "ui/driver.hpp"

namespace ik::ui {

struct Scene {
  int order = 0;  // position in the gallery
  std::string name;
  std::function<bool(Driver&)> setup;  // false when a step was not on screen
};

bool register_scene(Scene scene);
std::vector<Scene> scenes();  // sorted by order

// Unlocks as one of core::kDemoStaff (by name) through the lock screen.
bool unlock_demo(Driver& d, std::string_view name);

}  // namespace ik::ui
