#pragma once
// The on-screen keyboard: Azerbaijani, Russian and English layouts (shift, digits, backspace),
// a numeric pad for numbers and phone numbers, and a month calendar for dates. It is shown
// whenever a field is active, docked at the bottom; the screen above shrinks so the active field
// stays visible. Edits are queued here and applied by the active field itself during its frame.
#include <string>
#include <string_view>
#include <vector>

#include <imgui.h>

#include "ui/widgets.hpp"

namespace ik::ui {

enum class Layout { Az, Ru, En };

class Keyboard {
 public:
  // Field side.
  void activate(std::string_view field_id, FieldKind kind);
  void deactivate();
  bool active() const { return !field_.empty(); }
  bool is_active(std::string_view field_id) const { return field_ == field_id; }
  FieldKind kind() const { return kind_; }
  // True once after activation: the field scrolls itself into view above the keyboard.
  bool take_scroll_request() {
    const bool r = scroll_request_;
    scroll_request_ = false;
    return r;
  }
  // Applies queued edits to a text value (UTF-8); for dates the calendar sets the whole value.
  bool apply(std::string* value, std::size_t max_chars);
  bool apply_secret(crypto::SecureBuffer* buf, std::size_t* len);

  // The active field reports its value each frame (the calendar highlights the chosen day).
  void note_value(std::string_view v) { current_ = std::string(v); }
  const std::string& current_value() const { return current_; }

  // Screen side: the keyboard's height at the current metrics (0 when hidden) and drawing it.
  float height() const;
  void draw(ImVec2 pos, ImVec2 size, std::string_view current_value);

  Layout layout = Layout::Az;

 private:
  void press(std::string_view text);
  std::string field_;
  std::string current_;
  FieldKind kind_ = FieldKind::Text;
  std::vector<std::string> pending_;  // each item: text to insert, or "\b" backspace, "\x01…" set-all
  bool shift_ = false;
  bool symbols_ = false;
  bool scroll_request_ = false;
  int cal_year_ = 0, cal_month_ = 0;
};

Keyboard& keyboard();

// UTF-8 helpers shared by the fields.
void utf8_pop_back(std::string& s);
std::size_t utf8_chars(std::string_view s);

}  // namespace ik::ui
