#include "ui/widgets.hpp"

#include <algorithm>
#include <cstring>

#include <fmt/format.h>
#include <imgui_internal.h>

#include "core/codes.hpp"
#include "ui/fonts.hpp"
#include "ui/i18n.hpp"
#include "ui/osk.hpp"
#include "ui/theme.hpp"

namespace ik::ui {
namespace {

Semantics g_semantics;

void record(ItemKind kind, std::string_view id, std::string_view label, std::string_view value = {},
            bool enabled = true) {
  SemanticItem it;
  it.kind = kind;
  // Text gets no id of its own: a name shown as text must never become something a test (or
  // anything else) can address by.
  it.id = std::string(!id.empty() ? id : kind == ItemKind::Text ? std::string_view() : label);
  it.label = std::string(label);
  it.value = std::string(value);
  it.min = ImGui::GetItemRectMin();
  it.max = ImGui::GetItemRectMax();
  it.enabled = enabled;
  g_semantics.add(std::move(it));
}

ImU32 style_colour(Style s) {
  switch (s) {
    case Style::Primary: return colour::kAccent;
    case Style::Secondary: return IM_COL32(0xE3, 0xE8, 0xEE, 0xFF);
    case Style::Danger: return colour::kDanger;
    case Style::Quiet: return IM_COL32(0, 0, 0, 0);
  }
  return colour::kAccent;
}

ImU32 style_text(Style s) {
  return s == Style::Primary || s == Style::Danger ? colour::kAccentText : colour::kText;
}

}  // namespace

void Semantics::add(SemanticItem item) { items_.push_back(std::move(item)); }

const SemanticItem* Semantics::find(std::string_view key) const {
  for (const auto& it : items_)
    if (it.id == key) return &it;
  for (const auto& it : items_)
    if (it.label == key) return &it;
  return nullptr;
}

bool Semantics::shows(std::string_view text) const {
  return std::any_of(items_.begin(), items_.end(), [&](const SemanticItem& it) {
    return it.label.find(text) != std::string::npos || it.value.find(text) != std::string::npos;
  });
}

std::string Semantics::dump() const {
  std::string out;
  for (const auto& it : items_)
    out += fmt::format("[{}] id='{}' label='{}' value='{}' at ({:.0f},{:.0f})-({:.0f},{:.0f}){}\n",
                       static_cast<int>(it.kind), it.id, it.label, it.value, it.min.x, it.min.y, it.max.x, it.max.y,
                       it.enabled ? "" : " disabled");
  return out;
}

Semantics& semantics() { return g_semantics; }

float text_width(std::string_view s) { return ImGui::CalcTextSize(s.data(), s.data() + s.size()).x; }

float bold_width(std::string_view s) {
  ImGui::PushFont(fonts().bold);
  const float w = text_width(s);
  ImGui::PopFont();
  return w;
}

void title(std::string_view text) {
  ImGui::PushFont(fonts().title);
  ImGui::TextUnformatted(text.data(), text.data() + text.size());
  ImGui::PopFont();
  record(ItemKind::Text, {}, text);
}

void label(std::string_view text) {
  ImGui::PushFont(fonts().bold);
  ImGui::TextUnformatted(text.data(), text.data() + text.size());
  ImGui::PopFont();
  record(ItemKind::Text, {}, text);
}

void muted(std::string_view text) {
  ImGui::PushStyleColor(ImGuiCol_Text, colour::kMuted);
  ImGui::TextUnformatted(text.data(), text.data() + text.size());
  ImGui::PopStyleColor();
  record(ItemKind::Text, {}, text);
}

void error_text(std::string_view text) {
  ImGui::PushStyleColor(ImGuiCol_Text, colour::kDanger);
  ImGui::PushTextWrapPos(0.0f);
  ImGui::TextUnformatted(text.data(), text.data() + text.size());
  ImGui::PopTextWrapPos();
  ImGui::PopStyleColor();
  record(ItemKind::Text, "error", text);
}

void wrapped(std::string_view text) {
  ImGui::PushTextWrapPos(0.0f);
  ImGui::TextUnformatted(text.data(), text.data() + text.size());
  ImGui::PopTextWrapPos();
  record(ItemKind::Text, {}, text);
}

bool button(std::string_view lbl, ImVec2 size, Style style, bool enabled, std::string_view id) {
  const auto& m = metrics();
  const std::string label_s(lbl);
  if (size.y < m.touch_px) size.y = m.touch_px;
  if (size.x <= 0) size.x = std::max(m.touch_px * 1.5f, bold_width(label_s) + m.gap * 3);
  ImGui::PushID(id.empty() ? label_s.c_str() : std::string(id).c_str());
  ImGui::PushStyleColor(ImGuiCol_Button, style_colour(style));
  ImGui::PushStyleColor(ImGuiCol_ButtonHovered, style_colour(style));
  ImGui::PushStyleColor(ImGuiCol_Text, style_text(style));
  ImGui::PushFont(fonts().bold);
  if (!enabled) ImGui::BeginDisabled();
  bool pressed = ImGui::ButtonEx(label_s.c_str(), size, 0);
  if (!enabled) ImGui::EndDisabled();
  ImGui::PopFont();
  ImGui::PopStyleColor(3);
  ImGui::PopID();
  record(ItemKind::Button, id.empty() ? std::string_view(label_s) : id, label_s, {}, enabled);
  return pressed && enabled;
}

bool tile(std::string_view lbl, std::string_view caption, ImVec2 size, bool enabled) {
  const std::string label_s(lbl);
  ImGui::PushID(label_s.c_str());
  const ImVec2 pos = ImGui::GetCursorScreenPos();
  const bool pressed = ImGui::InvisibleButton("tile", size) && enabled;
  const bool held = ImGui::IsItemActive();
  ImDrawList* dl = ImGui::GetWindowDrawList();
  const auto& m = metrics();
  dl->AddRectFilled(pos, ImVec2(pos.x + size.x, pos.y + size.y),
                    enabled ? (held ? IM_COL32(0x17, 0x48, 0x6A, 0xFF) : colour::kAccent) : IM_COL32(0xB8, 0xBE, 0xC4, 0xFF),
                    m.gap);
  ImGui::PushFont(fonts().title);
  const ImVec2 ts = ImGui::CalcTextSize(label_s.c_str(), nullptr, false, size.x - 2 * m.gap);
  dl->AddText(fonts().title, fonts().title->FontSize, ImVec2(pos.x + m.gap * 1.5f, pos.y + size.y - ts.y - m.gap * 1.5f),
              colour::kAccentText, label_s.c_str(), nullptr, size.x - 3 * m.gap);
  ImGui::PopFont();
  if (!caption.empty()) {
    const std::string cap(caption);
    dl->AddText(fonts().body, fonts().body->FontSize, ImVec2(pos.x + m.gap * 1.5f, pos.y + m.gap * 1.5f),
                IM_COL32(0xE6, 0xEE, 0xF5, 0xFF), cap.c_str(), nullptr, size.x - 3 * m.gap);
  }
  ImGui::PopID();
  record(ItemKind::Tile, {}, label_s, caption, enabled);
  return pressed;
}

bool toggle(std::string_view lbl, bool* value, std::string_view id) {
  const auto& m = metrics();
  const std::string label_s(lbl);
  ImGui::PushID(id.empty() ? label_s.c_str() : std::string(id).c_str());
  const ImVec2 pos = ImGui::GetCursorScreenPos();
  const float box = m.touch_px * 0.7f;
  const float w = box + m.gap + text_width(label_s) + m.gap;
  const bool pressed = ImGui::InvisibleButton("toggle", ImVec2(std::max(w, m.touch_px), m.touch_px));
  if (pressed) *value = !*value;
  ImDrawList* dl = ImGui::GetWindowDrawList();
  const ImVec2 b0(pos.x, pos.y + (m.touch_px - box) * 0.5f), b1(b0.x + box, b0.y + box);
  dl->AddRectFilled(b0, b1, *value ? colour::kAccent : IM_COL32(0xFF, 0xFF, 0xFF, 0xFF), m.gap * 0.4f);
  dl->AddRect(b0, b1, colour::kAccent, m.gap * 0.4f, 0, 2.0f);
  if (*value) {
    const float s = box;
    dl->AddLine(ImVec2(b0.x + s * 0.22f, b0.y + s * 0.52f), ImVec2(b0.x + s * 0.42f, b0.y + s * 0.72f), colour::kAccentText, 3.0f);
    dl->AddLine(ImVec2(b0.x + s * 0.42f, b0.y + s * 0.72f), ImVec2(b0.x + s * 0.78f, b0.y + s * 0.28f), colour::kAccentText, 3.0f);
  }
  dl->AddText(ImVec2(b1.x + m.gap, pos.y + (m.touch_px - m.font_px) * 0.5f), colour::kText, label_s.c_str());
  ImGui::PopID();
  record(ItemKind::Toggle, id.empty() ? std::string_view(label_s) : id, label_s, *value ? "on" : "off");
  return pressed;
}

std::vector<std::pair<std::string, std::string>> code_options(std::string_view list) {
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& c : core::codes::list(list).codes) out.emplace_back(std::string(c.code), tr(c.label));
  return out;
}

bool flow_button(std::string_view lbl, bool selected, std::string_view id) {
  const auto& m = metrics();
  const float w = std::max(m.touch_px * 1.5f, bold_width(lbl) + m.gap * 3);
  // Wrap when this button would cross the right edge (callers SameLine() after each button).
  if (ImGui::GetCursorPosX() > ImGui::GetStyle().WindowPadding.x + 1 &&
      ImGui::GetCursorScreenPos().x + w > ImGui::GetWindowPos().x + ImGui::GetWindowContentRegionMax().x)
    ImGui::NewLine();
  const bool pressed = button(lbl, ImVec2(w, 0), selected ? Style::Primary : Style::Secondary, true, id);
  ImGui::SameLine();
  return pressed;
}

bool big_toggle(std::string_view text, bool* value, std::string_view id) {
  const auto& m = metrics();
  const std::string label_s(text), id_s(id);
  const float w = std::max(ImGui::GetContentRegionAvail().x, m.touch_px * 4);
  const float box = m.touch_px * 0.62f;
  const float text_x = m.gap * 1.2f + box + m.gap;
  const float wrap = w - text_x - m.gap;
  const ImVec2 ts = ImGui::CalcTextSize(label_s.c_str(), nullptr, false, wrap);
  const float h = std::max(m.touch_px * 1.25f, ts.y + m.gap * 1.6f);
  ImGui::PushID(id_s.c_str());
  const ImVec2 pos = ImGui::GetCursorScreenPos();
  const bool pressed = ImGui::InvisibleButton("row", ImVec2(w, h));
  if (pressed) *value = !*value;
  ImDrawList* dl = ImGui::GetWindowDrawList();
  const ImVec2 end(pos.x + w, pos.y + h);
  dl->AddRectFilled(pos, end, *value ? IM_COL32(0xEA, 0xF3, 0xFB, 0xFF) : colour::kPanel, m.gap * 0.5f);
  dl->AddRect(pos, end, *value ? colour::kAccent : IM_COL32(0xB5, 0xB0, 0xA8, 0xFF), m.gap * 0.5f, 0,
              *value ? 2.5f : 1.5f);
  const ImVec2 b0(pos.x + m.gap * 1.2f, pos.y + (h - box) * 0.5f), b1(b0.x + box, b0.y + box);
  dl->AddRectFilled(b0, b1, *value ? colour::kAccent : colour::kPanel, m.gap * 0.3f);
  dl->AddRect(b0, b1, colour::kAccent, m.gap * 0.3f, 0, 2.0f);
  if (*value) {
    dl->AddLine(ImVec2(b0.x + box * 0.22f, b0.y + box * 0.52f), ImVec2(b0.x + box * 0.42f, b0.y + box * 0.72f),
                colour::kAccentText, 3.0f);
    dl->AddLine(ImVec2(b0.x + box * 0.42f, b0.y + box * 0.72f), ImVec2(b0.x + box * 0.78f, b0.y + box * 0.28f),
                colour::kAccentText, 3.0f);
  }
  dl->AddText(fonts().body, m.font_px, ImVec2(pos.x + text_x, pos.y + (h - ts.y) * 0.5f), colour::kText,
              label_s.c_str(), nullptr, wrap);
  ImGui::PopID();
  semantics().add({ItemKind::Toggle, id_s, label_s, *value ? "on" : "off", pos, end, true});
  return pressed;
}


bool choice(std::string_view id, const std::vector<std::pair<std::string, std::string>>& options, std::string* value,
            bool allow_none) {
  bool changed = false;
  ImGui::PushID(std::string(id).c_str());
  ImGui::BeginGroup();
  for (const auto& [code, text] : options) {
    const bool sel = *value == code;
    if (flow_button(text, sel, fmt::format("{}={}", id, code))) {
      *value = sel && allow_none ? std::string() : code;
      changed = true;
    }
  }
  ImGui::NewLine();
  ImGui::EndGroup();
  ImGui::PopID();
  return changed;
}

bool multi_choice(std::string_view id, const std::vector<std::pair<std::string, std::string>>& options,
                  std::string* joined) {
  auto set = core::codes::split(*joined);
  bool changed = false;
  ImGui::PushID(std::string(id).c_str());
  ImGui::BeginGroup();
  for (const auto& [code, text] : options) {
    const auto it = std::find(set.begin(), set.end(), code);
    const bool sel = it != set.end();
    if (flow_button(sel ? fmt::format("\u2713 {}", text) : text, sel, fmt::format("{}={}", id, code))) {
      if (sel) set.erase(it);
      else set.push_back(code);
      changed = true;
    }
  }
  ImGui::NewLine();
  ImGui::EndGroup();
  ImGui::PopID();
  if (changed) *joined = core::codes::join(set);
  return changed;
}

const char* field_error(const std::vector<core::FieldError>& errors, std::string_view field) {
  for (const auto& e : errors) {
    if (e.field != field) continue;
    static std::string buf;  // one error drawn at a time, immediately
    // The argument is a number or an English label; tr() leaves a number as it is.
    buf = e.arg.empty() ? std::string(tr(e.msgid)) : trf(e.msgid, tr(e.arg));
    return buf.c_str();
  }
  return nullptr;
}

namespace {

// The field box: label above, value inside, a caret when active; returns true when tapped.
bool field_box(std::string_view id, std::string_view lbl, std::string_view shown, bool active, bool multiline,
               const char* error) {
  const auto& m = metrics();
  const std::string label_s(lbl), id_s(id);
  if (!lbl.empty()) {
    ImGui::PushFont(fonts().bold);
    ImGui::TextUnformatted(label_s.c_str());
    ImGui::PopFont();
  }
  ImGui::PushID(id_s.c_str());
  const float w = ImGui::GetContentRegionAvail().x;
  const float h = multiline ? m.touch_px * 2.2f : m.touch_px;
  const ImVec2 pos = ImGui::GetCursorScreenPos();
  const bool tapped = ImGui::InvisibleButton("field", ImVec2(std::max(w, m.touch_px * 3), h));
  ImDrawList* dl = ImGui::GetWindowDrawList();
  const ImVec2 end(pos.x + std::max(w, m.touch_px * 3), pos.y + h);
  dl->AddRectFilled(pos, end, active ? IM_COL32(0xEA, 0xF3, 0xFB, 0xFF) : IM_COL32(0xFF, 0xFF, 0xFF, 0xFF), m.gap * 0.5f);
  dl->AddRect(pos, end, error ? colour::kDanger : active ? colour::kAccent : IM_COL32(0xB5, 0xB0, 0xA8, 0xFF),
              m.gap * 0.5f, 0, active || error ? 3.0f : 1.5f);
  const std::string shown_s(shown);
  const ImVec2 tp(pos.x + m.gap, pos.y + (multiline ? m.gap : (h - m.font_px) * 0.5f));
  dl->PushClipRect(pos, end, true);
  dl->AddText(fonts().body, m.font_px, tp, colour::kText, shown_s.c_str(), nullptr, multiline ? end.x - tp.x - m.gap : 0);
  if (active && !multiline) {
    const float cx = tp.x + ImGui::CalcTextSize(shown_s.c_str()).x + 2;
    dl->AddLine(ImVec2(cx, tp.y), ImVec2(cx, tp.y + m.font_px), colour::kAccent, 2.0f);
  }
  dl->PopClipRect();
  ImGui::PopID();
  record(ItemKind::Field, "field:" + id_s, label_s, shown_s);
  if (active && keyboard().take_scroll_request()) ImGui::SetScrollHereY(0.3f);  // never under the keyboard
  if (error) error_text(error);
  return tapped;
}

}  // namespace

bool text_field(std::string_view id, std::string_view lbl, std::string* value, FieldKind kind, const char* error,
                std::size_t max_chars) {
  auto& kb = keyboard();
  const bool active = kb.is_active(id);
  bool changed = false;
  if (active) {
    changed = kb.apply(value, max_chars);
    if (kind == FieldKind::Date) kb.note_value(*value);
  }
  std::string shown = *value;
  if (field_box(id, lbl, shown, active, kind == FieldKind::Multiline, error)) {
    if (!active) kb.activate(id, kind);
  }
  return changed;
}

bool text_field(std::string_view id, std::string_view lbl, std::optional<std::string>* value, FieldKind kind,
                const char* error, std::size_t max_chars) {
  std::string v = value->value_or("");
  const bool changed = text_field(id, lbl, &v, kind, error, max_chars);
  if (changed) *value = v.empty() ? std::nullopt : std::optional<std::string>(v);
  return changed;
}

bool secret_field(std::string_view id, std::string_view lbl, crypto::SecureBuffer* buffer, std::size_t* length,
                  const char* error) {
  auto& kb = keyboard();
  const bool active = kb.is_active(id);
  bool changed = false;
  if (active) changed = kb.apply_secret(buffer, length);
  std::string dots;
  for (std::size_t i = 0; i < utf8_chars({reinterpret_cast<const char*>(buffer->data()), *length}); ++i) dots += "\u2022";
  if (field_box(id, lbl, dots, active, false, error) && !active) kb.activate(id, FieldKind::Secret);
  return changed;
}

bool begin_scroll(std::string_view id, ImVec2 size) {
  ImGui::PushStyleColor(ImGuiCol_ChildBg, IM_COL32(0, 0, 0, 0));
  const bool open = ImGui::BeginChild(std::string(id).c_str(), size, false);
  ImGui::PopStyleColor();
  return open;
}

void end_scroll() {
  // Drag to scroll: while the finger moves with the button held, the content follows it, and the
  // tap that started the drag is cancelled so releasing does not press a button.
  ImGuiIO& io = ImGui::GetIO();
  ImGuiWindow* w = ImGui::GetCurrentWindow();
  static ImGuiID dragging = 0;
  if (ImGui::IsMouseClicked(0) && ImGui::IsWindowHovered(ImGuiHoveredFlags_AllowWhenBlockedByActiveItem |
                                                         ImGuiHoveredFlags_ChildWindows))
    dragging = w->ID;
  if (!io.MouseDown[0] && dragging == w->ID) dragging = 0;
  if (dragging == w->ID && ImGui::IsMouseDragging(0)) {
    ImGui::SetScrollY(w, w->Scroll.y - io.MouseDelta.y);
    if (ImGui::GetActiveID() != 0 && ImGui::GetActiveID() != w->MoveId) ImGui::ClearActiveID();
  }
  ImGui::EndChild();
}

}  // namespace ik::ui
