#include "ui/driver.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "ui/input.hpp"
#include "ui/osk.hpp"

namespace ik::ui {
namespace {

// The characters of a UTF-8 string.
std::vector<std::string> chars(std::string_view s) {
  std::vector<std::string> out;
  for (std::size_t i = 0; i < s.size();) {
    const auto c = static_cast<unsigned char>(s[i]);
    const std::size_t len = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : 4;
    out.emplace_back(s.substr(i, len));
    i += len;
  }
  return out;
}

}  // namespace

void Driver::frames(int n) {
  for (int i = 0; i < n; ++i) render_();
}

bool Driver::tap(std::string_view key) {
  const auto* it = semantics().find(key);
  if (it == nullptr || !it->enabled) return false;
  const ImVec2 c = it->centre();
  input::pointer_move(c.x, c.y);
  frames(1);
  input::pointer_button(true);
  frames(1);
  input::pointer_button(false);
  frames(2);
  app_.note_input(app_.now());
  return true;
}

bool Driver::drag(std::string_view key, float dy) {
  const auto* it = semantics().find(key);
  if (it == nullptr) return false;
  ImVec2 p = it->centre();
  input::pointer_move(p.x, p.y);
  frames(1);
  input::pointer_button(true);
  frames(1);
  for (int step = 1; step <= 8; ++step) {
    input::pointer_move(p.x, p.y + dy * static_cast<float>(step) / 8.0f);
    frames(1);
  }
  input::pointer_button(false);
  frames(2);
  return true;
}

bool Driver::reveal(std::string_view key, std::string_view scroll, int max_drags) {
  for (int i = 0; i < max_drags; ++i) {
    const auto* it = find(key);
    const auto* sc = find(scroll);
    if (it == nullptr) return false;
    if (sc == nullptr) return true;  // not in a scroll region: on screen as it is
    const float cy = it->centre().y, top = sc->min.y + 8, bottom = sc->max.y - 8;
    if (cy >= top && cy <= bottom) return true;
    const float lim = (sc->max.y - sc->min.y) * 0.4f;
    drag(scroll, std::clamp((sc->min.y + sc->max.y) * 0.5f - cy, -lim, lim));
  }
  return false;
}

bool Driver::tap_key(std::string_view key_id) { return tap(key_id); }

bool Driver::type(std::string_view text) {
  auto& kb = keyboard();
  for (const auto& ch : chars(text)) {
    if (!kb.active()) return false;
    if (ch == " ") {
      if (!tap_key("key:space")) return false;
      continue;
    }
    const auto id = fmt::format("key:{}", ch);
    if (semantics().find(id) != nullptr) {
      if (!tap_key(id)) return false;
      continue;
    }
    // Not on the keys shown: try shift, the symbols page, then the other layouts.
    bool done = false;
    for (const char* toggle : {"key:shift", "key:symbols"}) {
      if (semantics().find(toggle) == nullptr) continue;
      tap_key(toggle);
      if (semantics().find(id) != nullptr) {
        done = tap_key(id);
        break;
      }
      tap_key(toggle);
    }
    for (const char* layout : {"key:layout-AZ", "key:layout-RU", "key:layout-EN"}) {
      if (done || semantics().find(layout) == nullptr) continue;
      tap_key(layout);
      if (semantics().find(id) != nullptr) {
        done = tap_key(id);
        break;
      }
      tap_key("key:shift");
      if (semantics().find(id) != nullptr) {
        done = tap_key(id);
        break;
      }
      if (kb.active() && semantics().find("key:shift") && semantics().find("key:shift")->label != "\u21E7")
        tap_key("key:shift");
    }
    if (!done) return false;
  }
  return true;
}

}  // namespace ik::ui
