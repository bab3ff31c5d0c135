#include "core/search.hpp"

#include <cctype>
#include <set>
#include <vector>

namespace ik::core {
namespace {

// Decodes one UTF-8 code point; invalid bytes become a separator.
char32_t next_code_point(std::string_view s, std::size_t& i) {
  const auto c = static_cast<unsigned char>(s[i]);
  std::size_t len = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 1;
  if (i + len > s.size()) len = 1;
  char32_t cp = len == 1 ? (c < 0x80 ? c : U' ') : len == 2 ? c & 0x1f : len == 3 ? c & 0x0f : c & 0x07;
  for (std::size_t k = 1; k < len; ++k) cp = cp << 6 | (static_cast<unsigned char>(s[i + k]) & 0x3f);
  i += len;
  return cp;
}

void append_utf8(std::string& out, char32_t cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xc0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3f));
  } else {
    out += static_cast<char>(0xe0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3f));
    out += static_cast<char>(0x80 | (cp & 0x3f));
  }
}

// Appends the folded form of one code point; returns false for a separator.
bool fold_one(std::string& out, char32_t cp, Fold how) {
  const bool sec = how == Fold::Secondary;
  if (cp >= U'A' && cp <= U'Z') cp += 0x20;
  if ((cp >= U'a' && cp <= U'z') || (cp >= U'0' && cp <= U'9')) {
    out += static_cast<char>(cp);
    return true;
  }
  switch (cp) {
    case U'Ə': case U'ə': out += sec ? "a" : "e"; return true;
    case U'Ş': case U'ş': out += sec ? "sh" : "s"; return true;
    case U'Ç': case U'ç': out += sec ? "ch" : "c"; return true;
    case U'Ğ': case U'ğ': out += sec ? "gh" : "g"; return true;
    case U'İ': case U'ı': out += 'i'; return true;
    case U'Ö': case U'ö': out += 'o'; return true;
    case U'Ü': case U'ü': out += 'u'; return true;
    case U'Ё': case U'ё': append_utf8(out, U'е'); return true;
    default: break;
  }
  // Other Latin-1 letters: drop the accent.
  if (cp >= 0xC0 && cp <= 0xFF && cp != 0xD7 && cp != 0xF7) {
    static constexpr char kBase[] = "aaaaaaaceeeeiiiidnooooo_ouuuuyts" "aaaaaaaceeeeiiiidnooooo_ouuuuyty";
    out += kBase[cp - 0xC0];
    return true;
  }
  // Cyrillic: lower-case.
  if (cp >= 0x0410 && cp <= 0x042F) cp += 0x20;
  else if (cp >= 0x0400 && cp <= 0x040F) cp += 0x50;
  else if (cp >= 0x0460 && cp <= 0x04FF && cp % 2 == 0) cp += 1;
  if (cp >= 0x0430 && cp <= 0x04FF) {
    append_utf8(out, cp);
    return true;
  }
  return false;
}

std::vector<std::string> words(std::string_view text, Fold how) {
  std::vector<std::string> out;
  std::string cur;
  std::size_t i = 0;
  while (i < text.size()) {
    if (!fold_one(cur, next_code_point(text, i), how) && !cur.empty()) out.push_back(std::move(cur)), cur.clear();
  }
  if (!cur.empty()) out.push_back(std::move(cur));
  return out;
}

std::string digits_of(std::string_view s) {
  std::string d;
  for (char c : s)
    if (c >= '0' && c <= '9') d += c;
  return d;
}

bool looks_like_phone(std::string_view q) {
  bool digit = false;
  for (char c : q) {
    if (c >= '0' && c <= '9') digit = true;
    else if (c != ' ' && c != '+' && c != '-' && c != '(' && c != ')') return false;
  }
  return digit;
}

// Letters, a dash, digits: the start of a case number like "IK-2026-0042".
bool looks_like_case_number(std::string_view q) {
  std::size_t i = 0;
  while (i < q.size() && std::isalpha(static_cast<unsigned char>(q[i]))) ++i;
  if (i == 0 || i > 8 || i >= q.size() || q[i] != '-') return false;
  bool digit = false;
  for (++i; i < q.size(); ++i) {
    if (std::isdigit(static_cast<unsigned char>(q[i]))) digit = true;
    else if (q[i] != '-') return false;
  }
  return digit;
}

}  // namespace

std::string fold(std::string_view text, Fold how) {
  std::string out;
  for (const auto& w : words(text, how)) {
    if (!out.empty()) out += ' ';
    out += w;
  }
  return out;
}

std::string search_tokens(const storage::PersonRecord& person, std::string_view case_number) {
  std::set<std::string> tokens;
  for (const auto* field : {&person.given_name, &person.family_name, &person.alias}) {
    if (!*field) continue;
    for (auto how : {Fold::Primary, Fold::Secondary})
      for (auto& w : words(**field, how)) tokens.insert(std::move(w));
  }
  // A case number is indexed whole ("ik20260001") and as its digits ("20260001"), not in parts:
  // a part like "ik" or "2026" would match every case of the device or the year.
  std::string joined;
  for (auto& w : words(case_number, Fold::Primary)) joined += w;
  if (!joined.empty()) tokens.insert(joined);
  if (const auto d = digits_of(case_number); !d.empty()) tokens.insert(d);
  if (person.phone) {
    const auto d = digits_of(*person.phone);
    if (!d.empty()) tokens.insert(d);
    if (d.size() > 9) tokens.insert(d.substr(d.size() - 9));
  }
  std::string out;
  for (const auto& t : tokens) {
    if (!out.empty()) out += ' ';
    out += t;
  }
  return out;
}

std::optional<std::string> match_expression(std::string_view user_query) {
  if (user_query.size() > 200) user_query = user_query.substr(0, 200);
  std::vector<std::string> terms;
  if (looks_like_case_number(user_query)) {
    // "IK-2026-0001", "ik-2026-00": the parts joined, as the number is indexed.
    std::string joined;
    for (auto& w : words(user_query, Fold::Primary)) joined += w;
    terms.push_back(std::move(joined));
  } else if (looks_like_phone(user_query)) {
    auto d = digits_of(user_query);
    // A whole number matches by its last nine digits, which every stored number is also indexed
    // under: "050 123 45 67" and "+994 50 123 45 67" find the same person, however it was stored.
    if (d.size() > 9) d = d.substr(d.size() - 9);
    terms.push_back(std::move(d));
  } else {
    terms = words(user_query, Fold::Primary);
  }
  if (terms.empty()) return std::nullopt;
  if (terms.size() > 8) terms.resize(8);
  std::string expr;
  for (const auto& t : terms) {
    if (!expr.empty()) expr += ' ';
    expr += t + '*';
  }
  return expr;
}

}  // namespace ik::core
