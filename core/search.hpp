#pragma once
// Search normalisation for the case index (FTS3 inside the encrypted database; SQLCipher 3.4.1
// has no FTS5). Names are folded to lower case without diacritics, each word indexed in two
// spellings where Azerbaijani has two common Latin transliterations:
//   ə -> e | a,  ş -> s | sh,  ç -> c | ch,  ğ -> g | gh,  ı/İ -> i,  ö -> o,  ü -> u,
//   Cyrillic lower-cased with ё -> е,
// so "mammadova", "memmedova" and "Məmmədova" all find Məmmədova, and "елкина" finds Ёлкина.
// A query is folded the primary way and every word becomes a prefix term; what reaches MATCH
// contains only folded letters and digits, never FTS syntax from the user.
#include <optional>
#include <string>
#include <string_view>

#include "storage/records.hpp"

namespace ik::core {

enum class Fold { Primary, Secondary };
std::string fold(std::string_view text, Fold how = Fold::Primary);

// The tokens stored for a case: names and alias (both spellings), the case number (whole and in
// parts), the phone (digits, and its last nine digits).
std::string search_tokens(const storage::PersonRecord& person, std::string_view case_number);

// An FTS3 MATCH expression for what the user typed, or nullopt when nothing searchable remains.
std::optional<std::string> match_expression(std::string_view user_query);

}  // namespace ik::core
