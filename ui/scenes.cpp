#include "ui/scenes.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "core/demo_data.hpp"

namespace ik::ui {
namespace {
std::vector<Scene>& registry() {
  static std::vector<Scene> r;
  return r;
}
}  // namespace

bool register_scene(Scene scene) {
  registry().push_back(std::move(scene));
  return true;
}

std::vector<Scene> scenes() {
  auto s = registry();
  std::stable_sort(s.begin(), s.end(), [](const Scene& a, const Scene& b) { return a.order < b.order; });
  return s;
}

bool unlock_demo(Driver& d, std::string_view name) {
  for (const auto& s : core::kDemoStaff)
    if (s.name == name) return d.tap(fmt::format("staff:{}", name)) && d.type(s.passphrase) && d.tap("btn:unlock");
  return false;
}

}  // namespace ik::ui
