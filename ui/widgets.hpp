#pragma once
// Touch-first widgets over Dear ImGui. Every widget also records what it shows in a per-frame
// list (Semantics): the UI test driver finds "the button labelled X" there, taps its centre and
// reads the texts on screen, without a GPU and without parsing vertex buffers.
//
// What must stay true: every tappable thing is at least metrics().touch_px tall; nothing shows
// information only on hover; a text field never takes input from anything but the on-screen
// keyboard or a physical keyboard, and only while it is the active field.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <imgui.h>

#include "core/error.hpp"
#include "crypto/secure_buffer.hpp"

namespace ik::ui {

enum class ItemKind { Text, Button, Field, Toggle, Key, Tile };

struct SemanticItem {
  ItemKind kind = ItemKind::Text;
  std::string id;     // stable id ("field:given_name", "btn:Save"), for tests
  std::string label;  // what a person reads
  std::string value;  // field content (masked for secrets), toggle state "on"/"off"
  ImVec2 min, max;    // screen rectangle
  bool enabled = true;
  ImVec2 centre() const { return ImVec2((min.x + max.x) * 0.5f, (min.y + max.y) * 0.5f); }
};

class Semantics {
 public:
  void begin_frame() { items_.clear(); }
  void add(SemanticItem item);
  const std::vector<SemanticItem>& items() const { return items_; }
  const SemanticItem* find(std::string_view label_or_id) const;
  bool shows(std::string_view text) const;  // any item's label or value contains text
  std::string dump() const;                 // one line per item, for test failure messages

 private:
  std::vector<SemanticItem> items_;
};
Semantics& semantics();

// --- text ---
void title(std::string_view text);
void label(std::string_view text);
void muted(std::string_view text);
void error_text(std::string_view text);
void wrapped(std::string_view text);

// --- buttons ---
enum class Style { Primary, Secondary, Danger, Quiet };
bool button(std::string_view label, ImVec2 size = ImVec2(0, 0), Style style = Style::Primary, bool enabled = true,
            std::string_view id = {});
// A big square-ish tile for the home screen.
bool tile(std::string_view label, std::string_view caption, ImVec2 size, bool enabled = true);
bool toggle(std::string_view label, bool* value, std::string_view id = {});
// One code from a list, as a wrapped row of big buttons; returns true when changed.
bool choice(std::string_view id, const std::vector<std::pair<std::string, std::string>>& options,
            std::string* value, bool allow_none = false);
// Several codes (comma-joined), as toggles.
bool multi_choice(std::string_view id, const std::vector<std::pair<std::string, std::string>>& options,
                  std::string* joined);
// A button in a left-to-right flow that wraps at the region's edge (callers SameLine() after).
bool flow_button(std::string_view label, bool selected, std::string_view id);
// A whole-width row that toggles: a large check box and a label that may wrap.
bool big_toggle(std::string_view label, bool* value, std::string_view id);
// Buttons are labelled in bold: their widths are measured in bold.
float bold_width(std::string_view s);
// Options of a code list from core::codes, labels translated.
std::vector<std::pair<std::string, std::string>> code_options(std::string_view list);

// --- fields (typed on the on-screen keyboard) ---
enum class FieldKind { Text, Multiline, Number, Date, Phone, Secret };
// Draws a field bound to `value`. Tapping it makes it the active field; while active it takes
// the keyboard's edits. `error`, when set, is drawn under it (already translated).
bool text_field(std::string_view id, std::string_view label, std::string* value, FieldKind kind = FieldKind::Text,
                const char* error = nullptr, std::size_t max_chars = 200);
// Same with an optional value (empty text = nullopt).
bool text_field(std::string_view id, std::string_view label, std::optional<std::string>* value,
                FieldKind kind = FieldKind::Text, const char* error = nullptr, std::size_t max_chars = 200);
// A passphrase: its bytes live only in the SecureBuffer (capacity fixed), shown as dots.
bool secret_field(std::string_view id, std::string_view label, crypto::SecureBuffer* buffer, std::size_t* length,
                  const char* error = nullptr);

// The first error for `field` among `errors`, translated, or nullptr.
const char* field_error(const std::vector<core::FieldError>& errors, std::string_view field);

// --- scrolling ---
// A child region that scrolls by dragging its content (and the wheel). A drag past the threshold
// cancels the tap that started it.
bool begin_scroll(std::string_view id, ImVec2 size);
void end_scroll();

// Text width helper for layout.
float text_width(std::string_view s);

}  // namespace ik::ui
