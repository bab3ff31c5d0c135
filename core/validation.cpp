#include "core/validation.hpp"

#include <ctime>

#include <fmt/format.h>

#include "core/codes.hpp"
#include "core/iso_codes.hpp"

namespace ik::core {

std::string render(const FieldError& e) {
  std::string text = e.msgid;
  if (const auto p = text.find("{}"); p != std::string::npos) text.replace(p, 2, e.arg);
  return fmt::format("{}: {}", e.field, text);
}

bool valid_utf8(std::string_view s) {
  std::size_t i = 0;
  while (i < s.size()) {
    const auto c = static_cast<unsigned char>(s[i]);
    std::size_t len = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
    if (len == 0 || i + len > s.size()) return false;
    std::uint32_t cp = len == 1 ? c : len == 2 ? c & 0x1f : len == 3 ? c & 0x0f : c & 0x07;
    for (std::size_t k = 1; k < len; ++k) {
      const auto cc = static_cast<unsigned char>(s[i + k]);
      if ((cc >> 6) != 2) return false;
      cp = cp << 6 | (cc & 0x3f);
    }
    // Overlong forms, surrogates and out-of-range code points are not text.
    if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) || (len == 4 && (cp < 0x10000 || cp > 0x10ffff)) ||
        (cp >= 0xd800 && cp <= 0xdfff))
      return false;
    i += len;
  }
  return true;
}

std::size_t utf8_length(std::string_view s) {
  std::size_t n = 0;
  for (unsigned char c : s)
    if ((c >> 6) != 2) ++n;
  return n;
}

std::optional<std::chrono::year_month_day> parse_date(std::string_view s) {
  if (s.size() != 10 || s[4] != '-' || s[7] != '-') return std::nullopt;
  int v[3] = {0, 0, 0};
  const std::size_t starts[3] = {0, 5, 8}, lens[3] = {4, 2, 2};
  for (int k = 0; k < 3; ++k) {
    for (std::size_t i = 0; i < lens[k]; ++i) {
      const char ch = s[starts[k] + i];
      if (ch < '0' || ch > '9') return std::nullopt;
      v[k] = v[k] * 10 + (ch - '0');
    }
  }
  const std::chrono::year_month_day ymd{std::chrono::year(v[0]), std::chrono::month(static_cast<unsigned>(v[1])),
                                        std::chrono::day(static_cast<unsigned>(v[2]))};
  if (!ymd.ok()) return std::nullopt;
  return ymd;
}

std::string today(std::int64_t now) {
  const std::time_t t = static_cast<std::time_t>(now);
  std::tm tm{};
  ::localtime_r(&t, &tm);
  return fmt::format("{:04}-{:02}-{:02}", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
}

std::optional<int> age_on(std::string_view birth_date, std::int64_t now) {
  const auto b = parse_date(birth_date);
  const auto t = parse_date(today(now));
  if (!b || !t) return std::nullopt;
  int age = static_cast<int>(t->year()) - static_cast<int>(b->year());
  if (t->month() < b->month() || (t->month() == b->month() && t->day() < b->day())) --age;
  return age;
}

void Validator::add(std::string_view field, std::string_view msgid, std::string arg) {
  errors_.push_back({std::string(field), std::string(msgid), std::move(arg)});
}

void Validator::text(std::string_view field, const std::optional<std::string>& value, std::size_t max_chars,
                     bool required, bool multiline) {
  if (!value || value->empty()) {
    if (required) add(field, msg::kRequired);
    return;
  }
  if (!valid_utf8(*value)) return add(field, msg::kNotText);
  const std::string& v = *value;
  for (std::size_t i = 0; i < v.size(); ++i) {
    const auto c = static_cast<unsigned char>(v[i]);
    if ((c < 0x20 && !(multiline && (c == '\n' || c == '\t'))) || c == 0x7f) return add(field, msg::kControlChars);
    // C1 controls (U+0080..U+009F, UTF-8 C2 80..C2 9F) include terminal escapes: refused too.
    if (c == 0xC2 && i + 1 < v.size() && static_cast<unsigned char>(v[i + 1]) <= 0x9F) return add(field, msg::kControlChars);
  }
  if (utf8_length(*value) > max_chars) add(field, msg::kTooLong, std::to_string(max_chars));
}

void Validator::code(std::string_view field, const std::optional<std::string>& value, std::string_view list,
                     bool required) {
  if (!value || value->empty()) {
    if (required) add(field, msg::kRequired);
    return;
  }
  if (!codes::list(list).contains(*value)) add(field, msg::kUnknownCode);
}

void Validator::codes(std::string_view field, std::string_view joined, std::string_view list) {
  // Stored canonically (sorted, no duplicates, no empty items), so equal sets compare equal.
  if (joined.size() > 2000 || codes::join(codes::split(joined)) != joined) return add(field, msg::kUnknownCode);
  for (const auto& c : codes::split(joined))
    if (!codes::list(list).contains(c)) return add(field, msg::kUnknownCode);
}

void Validator::date(std::string_view field, const std::optional<std::string>& value, bool required,
                     bool allow_future) {
  if (!value || value->empty()) {
    if (required) add(field, msg::kRequired);
    return;
  }
  const auto d = parse_date(*value);
  if (!d) return add(field, msg::kBadDate);
  if (d->year() < std::chrono::year(1900)) return add(field, msg::kTooOldDate);
  // ISO dates compare correctly as text.
  if (!allow_future && *value > today(now_)) add(field, msg::kFutureDate);
}

void Validator::date_order(std::string_view, const std::optional<std::string>& from, std::string_view to_field,
                           const std::optional<std::string>& to) {
  if (from && to && parse_date(*from) && parse_date(*to) && *to < *from) add(to_field, msg::kDateOrder);
}

void Validator::integer(std::string_view field, const std::optional<std::int64_t>& value, std::int64_t min,
                        std::int64_t max, std::string_view msgid) {
  if (value && (*value < min || *value > max)) add(field, msgid);
}

void Validator::country(std::string_view field, const std::optional<std::string>& value, const IsoCodes& iso) {
  if (value && !value->empty() && !iso.is_country(*value)) add(field, msg::kUnknownCountry);
}

void Validator::countries(std::string_view field, std::string_view joined, const IsoCodes& iso) {
  if (joined.size() > 1000 || codes::join(codes::split(joined)) != joined) return add(field, msg::kUnknownCountry);
  for (const auto& c : codes::split(joined))
    if (!iso.is_country(c)) return add(field, msg::kUnknownCountry);
}

void Validator::languages(std::string_view field, std::string_view joined, const IsoCodes& iso) {
  if (joined.size() > 1000 || codes::join(codes::split(joined)) != joined) return add(field, msg::kUnknownLanguage);
  for (const auto& c : codes::split(joined))
    if (!iso.is_language(c)) return add(field, msg::kUnknownLanguage);
}

void Validator::phone(std::string_view field, const std::optional<std::string>& value) {
  if (!value || value->empty()) return;
  int digits = 0;
  for (char c : *value) {
    if (c >= '0' && c <= '9') ++digits;
    else if (c != ' ' && c != '+' && c != '-' && c != '(' && c != ')') return add(field, msg::kBadPhone);
  }
  if (digits < 3 || value->size() > 32) add(field, msg::kBadPhone);
}

}  // namespace ik::core
