#pragma once
// Drives the kiosk like a finger: taps labelled items, types on the on-screen keyboard, reads
// what is shown (from the widgets' Semantics). Used by the UI tests (headless ImGui, no GPU) and
// by `intake-kiosk --screenshots` (real window). `render` draws one complete frame.
#include <functional>
#include <string>
#include <string_view>

#include "ui/app.hpp"
#include "ui/widgets.hpp"

namespace ik::ui {

class Driver {
 public:
  Driver(KioskApp& app, std::function<void()> render) : app_(app), render_(std::move(render)) {}

  void frames(int n = 1);
  // Taps the centre of the item whose id or label is `key`; false (with nothing tapped) when it
  // is not on screen.
  bool tap(std::string_view key);
  // Drags from an item's centre by dy pixels (touch scrolling).
  bool drag(std::string_view key, float dy);
  // Drags the scroll region `scroll` (an item id) until `key`'s centre is inside it, as a finger
  // would before tapping something below the fold; false when `key` is not on screen at all.
  bool reveal(std::string_view key, std::string_view scroll, int max_drags = 20);
  // Types text key by key on the on-screen keyboard (switching layout and shift as needed).
  bool type(std::string_view text);
  bool shows(std::string_view text) const { return semantics().shows(text); }
  const SemanticItem* find(std::string_view key) const { return semantics().find(key); }
  std::string dump() const { return semantics().dump(); }
  KioskApp& app() { return app_; }

 private:
  bool tap_key(std::string_view key_id);
  KioskApp& app_;
  std::function<void()> render_;
};

}  // namespace ik::ui
