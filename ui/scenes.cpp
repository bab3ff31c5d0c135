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
  // Straight through the app, not key by key: the lock screen's own scenes and the UI tests type
  // passphrases; here it would only cost a hundred frames per screenshot.
  for (const auto& s : core::kDemoStaff) {
    if (s.name != name) continue;
    auto pass = crypto::SecureBuffer::copy_of(
        {reinterpret_cast<const std::uint8_t*>(s.passphrase.data()), s.passphrase.size()});
    const bool ok = d.app().unlock(name, pass).has_value();
    d.frames(2);
    return ok;
  }
  return false;
}

}  // namespace ik::ui
