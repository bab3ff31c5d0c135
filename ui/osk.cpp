#include "ui/osk.hpp"

#include <array>
#include <chrono>
#include <ctime>

#include <fmt/format.h>

#include "ui/fonts.hpp"
#include "ui/i18n.hpp"
#include "ui/theme.hpp"

namespace ik::ui {
namespace {

Keyboard g_keyboard;

using Row = std::vector<std::string_view>;
struct Rows {
  std::array<Row, 3> lower, upper;
};

// Azerbaijani (Latin, as on the Azerbaijani QWERTY layout: ü ö ğ ı ə ç ş on their own keys;
// i/İ and ı/I pair the Azerbaijani way).
const Rows kAz{{{{"q", "ü", "e", "r", "t", "y", "u", "i", "o", "p", "ö", "ğ"},
                 {"a", "s", "d", "f", "g", "h", "j", "k", "l", "ı", "ə"},
                 {"z", "x", "c", "v", "b", "n", "m", "ç", "ş"}}},
               {{{"Q", "Ü", "E", "R", "T", "Y", "U", "İ", "O", "P", "Ö", "Ğ"},
                 {"A", "S", "D", "F", "G", "H", "J", "K", "L", "I", "Ə"},
                 {"Z", "X", "C", "V", "B", "N", "M", "Ç", "Ş"}}}};
const Rows kRu{{{{"й", "ц", "у", "к", "е", "н", "г", "ш", "щ", "з", "х", "ъ"},
                 {"ф", "ы", "в", "а", "п", "р", "о", "л", "д", "ж", "э"},
                 {"я", "ч", "с", "м", "и", "т", "ь", "б", "ю", "ё"}}},
               {{{"Й", "Ц", "У", "К", "Е", "Н", "Г", "Ш", "Щ", "З", "Х", "Ъ"},
                 {"Ф", "Ы", "В", "А", "П", "Р", "О", "Л", "Д", "Ж", "Э"},
                 {"Я", "Ч", "С", "М", "И", "Т", "Ь", "Б", "Ю", "Ё"}}}};
const Rows kEn{{{{"q", "w", "e", "r", "t", "y", "u", "i", "o", "p"},
                 {"a", "s", "d", "f", "g", "h", "j", "k", "l"},
                 {"z", "x", "c", "v", "b", "n", "m"}}},
               {{{"Q", "W", "E", "R", "T", "Y", "U", "I", "O", "P"},
                 {"A", "S", "D", "F", "G", "H", "J", "K", "L"},
                 {"Z", "X", "C", "V", "B", "N", "M"}}}};
const Row kDigits{"1", "2", "3", "4", "5", "6", "7", "8", "9", "0"};
const std::array<Row, 3> kSymbols{{{"-", "/", ":", ";", "(", ")", "+", "&", "@", "\""},
                                   {".", ",", "?", "!", "'", "№", "%", "*", "#"},
                                   {"_", "=", "<", ">", "[", "]", "\u2014"}}};

constexpr std::string_view kBackspace = "\b";
constexpr std::string_view kSetAll = "\x01";

bool key(std::string_view text, ImVec2 size, Style style = Style::Secondary, std::string_view id = {}) {
  return button(text, size, style, true, id.empty() ? fmt::format("key:{}", text) : std::string(id));
}

}  // namespace

Keyboard& keyboard() { return g_keyboard; }

void utf8_pop_back(std::string& s) {
  while (!s.empty()) {
    const auto c = static_cast<unsigned char>(s.back());
    s.pop_back();
    if ((c >> 6) != 2) break;
  }
}

std::size_t utf8_chars(std::string_view s) {
  std::size_t n = 0;
  for (unsigned char c : s)
    if ((c >> 6) != 2) ++n;
  return n;
}

void Keyboard::activate(std::string_view field_id, FieldKind kind) {
  field_ = std::string(field_id);
  kind_ = kind;
  pending_.clear();
  shift_ = false;
  symbols_ = false;
  scroll_request_ = true;
  cal_year_ = cal_month_ = 0;
}

void Keyboard::deactivate() {
  field_.clear();
  pending_.clear();
  std::fill(current_.begin(), current_.end(), '\0');
  current_.clear();
}

void Keyboard::press(std::string_view text) { pending_.emplace_back(text); }

bool Keyboard::apply(std::string* value, std::size_t max_chars) {
  // A physical keyboard, when there is one, types into the active field too.
  ImGuiIO& io = ImGui::GetIO();
  for (int i = 0; i < io.InputQueueCharacters.Size; ++i) {
    const ImWchar c = io.InputQueueCharacters[i];
    if (c < 0x20) continue;
    std::string u;
    if (c < 0x80) u += static_cast<char>(c);
    else if (c < 0x800) u += {static_cast<char>(0xC0 | (c >> 6)), static_cast<char>(0x80 | (c & 0x3F))};
    else u += {static_cast<char>(0xE0 | (c >> 12)), static_cast<char>(0x80 | ((c >> 6) & 0x3F)), static_cast<char>(0x80 | (c & 0x3F))};
    pending_.push_back(u);
  }
  io.InputQueueCharacters.resize(0);
  if (ImGui::IsKeyPressed(io.KeyMap[ImGuiKey_Backspace])) pending_.emplace_back(kBackspace);
  if (ImGui::IsKeyPressed(io.KeyMap[ImGuiKey_Enter]) && kind_ != FieldKind::Multiline) {
    pending_.clear();
    deactivate();
    return false;
  }
  if (pending_.empty()) return false;
  for (const auto& p : pending_) {
    if (p == kBackspace) {
      utf8_pop_back(*value);
    } else if (!p.empty() && p[0] == kSetAll[0]) {
      *value = p.substr(1);
    } else if (utf8_chars(*value) + utf8_chars(p) <= max_chars) {
      *value += p;
    }
  }
  pending_.clear();
  return true;
}

bool Keyboard::apply_secret(crypto::SecureBuffer* buf, std::size_t* len) {
  ImGuiIO& io = ImGui::GetIO();
  for (int i = 0; i < io.InputQueueCharacters.Size; ++i) {
    const ImWchar c = io.InputQueueCharacters[i];
    if (c >= 0x20 && c < 0x80) pending_.emplace_back(1, static_cast<char>(c));
  }
  io.InputQueueCharacters.resize(0);
  if (ImGui::IsKeyPressed(io.KeyMap[ImGuiKey_Backspace])) pending_.emplace_back(kBackspace);
  if (pending_.empty()) return false;
  for (auto& p : pending_) {
    if (p == kBackspace) {
      while (*len > 0) {
        const auto c = buf->data()[--*len];
        buf->data()[*len] = 0;
        if ((c >> 6) != 2) break;
      }
    } else if (!p.empty() && p[0] != kSetAll[0] && *len + p.size() <= buf->size()) {
      std::copy(p.begin(), p.end(), buf->data() + *len);
      *len += p.size();
    }
    // The queued copy of a typed character is wiped as soon as it is used.
    std::fill(p.begin(), p.end(), '\0');
  }
  pending_.clear();
  return true;
}

float Keyboard::height() const {
  if (!active()) return 0.0f;
  const auto& m = metrics();
  const float rows = kind_ == FieldKind::Date ? 8.0f : 5.0f;
  return rows * (m.touch_px + m.gap) + m.gap * 3;
}

void Keyboard::draw(ImVec2 pos, ImVec2 size, std::string_view current_value) {
  if (!active()) return;
  const auto& m = metrics();
  ImGui::SetNextWindowPos(pos);
  ImGui::SetNextWindowSize(size);
  ImGui::PushStyleColor(ImGuiCol_WindowBg, IM_COL32(0xD9, 0xDE, 0xE4, 0xFF));
  ImGui::Begin("##keyboard", nullptr,
               ImGuiWindowFlags_NoDecoration | ImGuiWindowFlags_NoMove | ImGuiWindowFlags_NoSavedSettings |
                   ImGuiWindowFlags_NoFocusOnAppearing | ImGuiWindowFlags_NoNav);
  const float width = size.x - 2 * ImGui::GetStyle().WindowPadding.x;
  auto row_of = [&](const Row& row, float units) {
    const float w = (width - m.gap * (units - 1)) / units;
    for (std::size_t i = 0; i < row.size(); ++i) {
      if (i) ImGui::SameLine();
      if (key(row[i], ImVec2(w, m.touch_px))) {
        press(row[i]);
        if (shift_) shift_ = false;
      }
    }
  };
  if (kind_ == FieldKind::Date) {
    // A month calendar: prev/next month and year, the days, Today and Clear.
    std::time_t t = std::time(nullptr);
    std::tm now{};
    ::localtime_r(&t, &now);
    if (cal_year_ == 0) {
      cal_year_ = now.tm_year + 1900;
      cal_month_ = now.tm_mon + 1;
      if (current_value.size() == 10) {
        cal_year_ = std::atoi(std::string(current_value.substr(0, 4)).c_str());
        cal_month_ = std::atoi(std::string(current_value.substr(5, 2)).c_str());
        if (cal_month_ < 1 || cal_month_ > 12 || cal_year_ < 1900) cal_year_ = now.tm_year + 1900, cal_month_ = now.tm_mon + 1;
      }
    }
    const float w7 = (width - m.gap * 6) / 7;
    if (key("\u2190 10", ImVec2(w7, 0), Style::Secondary, "key:year-10")) cal_year_ -= 10;
    ImGui::SameLine();
    if (key("\u2190 1", ImVec2(w7, 0), Style::Secondary, "key:year-1")) cal_year_ -= 1;
    ImGui::SameLine();
    if (key("\u2190", ImVec2(w7, 0), Style::Secondary, "key:month-1") && --cal_month_ < 1) cal_month_ = 12, --cal_year_;
    ImGui::SameLine();
    button(fmt::format("{:04}-{:02}", cal_year_, cal_month_), ImVec2(w7, 0), Style::Quiet, true, "calendar:month");
    ImGui::SameLine();
    if (key("\u2192", ImVec2(w7, 0), Style::Secondary, "key:month+1") && ++cal_month_ > 12) cal_month_ = 1, ++cal_year_;
    ImGui::SameLine();
    if (key("1 \u2192", ImVec2(w7, 0), Style::Secondary, "key:year+1")) cal_year_ += 1;
    ImGui::SameLine();
    if (key("10 \u2192", ImVec2(w7, 0), Style::Secondary, "key:year+10")) cal_year_ += 10;
    std::tm first{};
    first.tm_year = cal_year_ - 1900;
    first.tm_mon = cal_month_ - 1;
    first.tm_mday = 1;
    first.tm_hour = 12;
    std::mktime(&first);
    const int lead = (first.tm_wday + 6) % 7;  // Monday first
    static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int days = kDays[cal_month_ - 1];
    if (cal_month_ == 2 && ((cal_year_ % 4 == 0 && cal_year_ % 100 != 0) || cal_year_ % 400 == 0)) days = 29;
    for (int cell = 0; cell < 42; ++cell) {
      if (cell % 7) ImGui::SameLine();
      const int day = cell - lead + 1;
      if (day < 1 || day > days) {
        ImGui::Dummy(ImVec2(w7, m.touch_px * 0.7f));
        continue;
      }
      const auto value = fmt::format("{:04}-{:02}-{:02}", cal_year_, cal_month_, day);
      const bool sel = value == current_value;
      if (button(std::to_string(day), ImVec2(w7, m.touch_px * 0.7f), sel ? Style::Primary : Style::Secondary, true,
                 fmt::format("day:{}", value)))
        press(std::string(kSetAll) + value);
      if (cell >= 34 && day >= days) break;
    }
    const float w3 = (width - m.gap * 2) / 3;
    if (key(tr("Today"), ImVec2(w3, 0), Style::Secondary, "key:today"))
      press(fmt::format("{}{:04}-{:02}-{:02}", kSetAll, now.tm_year + 1900, now.tm_mon + 1, now.tm_mday));
    ImGui::SameLine();
    if (key(tr("Clear"), ImVec2(w3, 0), Style::Secondary, "key:clear")) press(kSetAll);
    ImGui::SameLine();
    if (key(tr("Done"), ImVec2(w3, 0), Style::Primary, "key:done")) deactivate();
  } else if (kind_ == FieldKind::Number || kind_ == FieldKind::Phone) {
    const float w3 = (width - m.gap * 2) / 3;
    const Row pad[] = {{"1", "2", "3"}, {"4", "5", "6"}, {"7", "8", "9"}};
    for (const auto& r : pad) row_of(r, 3);
    if (kind_ == FieldKind::Phone) {
      if (key("+", ImVec2(w3, m.touch_px))) press("+");
    } else {
      ImGui::Dummy(ImVec2(w3, m.touch_px));
    }
    ImGui::SameLine();
    if (key("0", ImVec2(w3, m.touch_px))) press("0");
    ImGui::SameLine();
    if (key("\u232B", ImVec2(w3, m.touch_px), Style::Secondary, "key:backspace")) press(kBackspace);
    if (kind_ == FieldKind::Phone) {
      if (key(tr("Space"), ImVec2(w3, m.touch_px), Style::Secondary, "key:space")) press(" ");
      ImGui::SameLine();
    }
    if (key(tr("Done"), ImVec2(kind_ == FieldKind::Phone ? w3 * 2 + m.gap : width, m.touch_px), Style::Primary, "key:done"))
      deactivate();
  } else {
    const Rows& rows = layout == Layout::Az ? kAz : layout == Layout::Ru ? kRu : kEn;
    row_of(kDigits, 12);
    const auto& letters = symbols_ ? kSymbols : (shift_ ? rows.upper : rows.lower);
    for (const auto& r : letters) row_of(r, 12);
    const float u = (width - m.gap * 11) / 12;
    if (key(shift_ ? "\u21E7 ON" : "\u21E7", ImVec2(u * 1.5f, m.touch_px), shift_ ? Style::Primary : Style::Secondary, "key:shift"))
      shift_ = !shift_;
    ImGui::SameLine();
    if (key(symbols_ ? "ABC" : "#+=", ImVec2(u * 1.5f, m.touch_px), Style::Secondary, "key:symbols")) symbols_ = !symbols_;
    ImGui::SameLine();
    const char* names[] = {"AZ", "RU", "EN"};
    for (int i = 0; i < 3; ++i) {
      if (key(names[i], ImVec2(u, m.touch_px), static_cast<int>(layout) == i ? Style::Primary : Style::Secondary,
              fmt::format("key:layout-{}", names[i])))
        layout = static_cast<Layout>(i);
      ImGui::SameLine();
    }
    if (key(tr("Space"), ImVec2(u * 3.5f, m.touch_px), Style::Secondary, "key:space")) press(" ");
    ImGui::SameLine();
    if (key("\u232B", ImVec2(u * 1.5f, m.touch_px), Style::Secondary, "key:backspace")) press(kBackspace);
    ImGui::SameLine();
    if (kind_ == FieldKind::Multiline) {
      if (key("\u21B5", ImVec2(u, m.touch_px), Style::Secondary, "key:newline")) press("\n");
      ImGui::SameLine();
    }
    if (key(tr("Done"), ImVec2(ImGui::GetContentRegionAvail().x, m.touch_px), Style::Primary, "key:done")) deactivate();
  }
  ImGui::End();
  ImGui::PopStyleColor();
}

}  // namespace ik::ui
