#pragma once
// Country (ISO 3166-1) and language (ISO 639-3) codes, with their names in the kiosk's three UI
// languages, read from Debian's iso-codes package: the JSON lists give the codes and English
// names, the package's gettext catalogues (read through Boost.Locale) the Azerbaijani and Russian
// ones. What must stay true:
// - no code or name is typed in by hand here: everything comes from the installed package;
// - codes match exactly (alpha-2 upper-case "AZ", ISO 639-3 lower-case "aze"), never loosely;
// - a known code always has a non-empty name in every Lang (English is the fallback), an unknown
//   code has an empty one;
// - after load() every lookup is a hash-map hit on cached strings, with no Boost.Locale call;
// - a missing or malformed file is an Error, never a crash or a silently English-only kiosk.
#include <array>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <locale>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/error.hpp"

namespace ik::core {

// The kiosk's UI languages; Azerbaijani is the default.
enum class Lang { Az, Ru, En };
inline constexpr std::array<Lang, 3> kAllLangs{Lang::Az, Lang::Ru, Lang::En};
std::string_view lang_code(Lang lang);  // "az", "ru", "en"

struct Country {
  std::string alpha2;   // "AZ"
  std::string alpha3;   // "AZE"
  std::string name_en;  // iso-codes' "name" ("Russian Federation"): the gettext msgid
};

struct Language {
  std::string alpha3;   // ISO 639-3, "aze"
  std::string alpha2;   // ISO 639-1, "az"; empty for most of the ~7900 codes
  std::string name_en;  // iso-codes' "name" ("Azerbaijani"): the gettext msgid
};

class IsoCodes {
 public:
  // Larger JSON or .mo files are refused as damaged rather than read (the real ones are < 1 MiB).
  static constexpr std::uintmax_t kMaxFileBytes = 16u << 20;

  // Reads json_dir/iso_3166-1.json and iso_639-3.json, and the catalogues
  // locale_dir/{az,ru}/LC_MESSAGES/{iso_3166-1,iso_639-3}.mo. Errc::Io when a file is missing or
  // unreadable; Errc::Damaged when one is too large, not JSON, not shaped like iso-codes' lists
  // (bad or duplicate codes, missing names) or not a valid .mo; Errc::Internal when Boost.Locale
  // lacks its ICU backend (needed to collate Azerbaijani and Russian without system locales).
  static Result<IsoCodes> load(const std::filesystem::path& json_dir = "/usr/share/iso-codes/json",
                               const std::filesystem::path& locale_dir = "/usr/share/locale");

  // The process-wide instance from the default paths, loaded once on first use (thread-safe).
  // A failure is remembered too: iso-codes does not appear while the process runs.
  static Result<const IsoCodes*> try_system();
  // The same, but prints the error to stderr and aborts when iso-codes cannot be loaded: it is a
  // package dependency (deploy/install-deps.sh), so that is a broken install. Programs should call
  // try_system() (or this) at start-up, so a broken install shows at boot and not mid-intake.
  static const IsoCodes& system();

  bool is_country(std::string_view alpha2) const;         // exact: "AZ" yes, "az"/"AZE" no
  bool is_language(std::string_view alpha3) const;        // any ISO 639-3 code, exact: "aze", "azj"
  const Country* country(std::string_view alpha2) const;  // nullptr when unknown
  const Language* language(std::string_view alpha3) const;  // nullptr when unknown

  // The name to show. Azerbaijani and Russian come from the catalogue: the translation of
  // "name", else of the other English forms iso-codes gives (common_name, official_name for
  // countries; common_name, inverted_name for languages), else the English name. Empty when the
  // code is unknown.
  std::string country_name(std::string_view alpha2, Lang lang) const;
  std::string language_name(std::string_view alpha3, Lang lang) const;

  const std::vector<Country>& countries() const { return countries_; }  // all, by alpha-2
  // For pickers: the living languages (type "L", individual or macrolanguage) that also have an
  // ISO 639-1 code, by alpha-3 (~174). Macrolanguages must be in: Azerbaijani "aze", Uzbek,
  // Persian, Arabic, Chinese and Kurdish are macrolanguages in ISO 639-3.
  const std::vector<Language>& common_languages() const { return common_languages_; }
  std::size_t language_count() const { return languages_.size(); }  // all ISO 639-3 codes

  // Sorted for display by their names in `lang`, with that language's collation (Azerbaijani
  // puts Ə after E and X after H; Russian puts Cyrillic before Latin), ties broken by code.
  std::vector<Country> countries_sorted(Lang lang) const;
  // common_languages() plus the valid codes of `extra` (e.g. "azj" North Azerbaijani), without
  // duplicates, sorted like countries_sorted(). Unknown extra codes are left out.
  std::vector<Language> languages_sorted(Lang lang,
                                         std::span<const std::string_view> extra = {}) const;

 private:
  struct Hash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const noexcept {
      return std::hash<std::string_view>{}(s);
    }
  };
  using Index = std::unordered_map<std::string, std::size_t, Hash, std::equal_to<>>;
  static constexpr std::size_t slot(Lang lang) { return static_cast<std::size_t>(lang); }

  IsoCodes() = default;

  std::vector<Country> countries_;                         // sorted by alpha2
  Index country_index_;                                    // alpha2 -> countries_
  std::array<std::vector<std::string>, 3> country_names_;  // [Lang][i], never empty
  std::array<std::vector<std::size_t>, 3> country_order_;  // [Lang]: indices in display order

  std::vector<Language> languages_;  // all, sorted by alpha3
  Index language_index_;             // alpha3 -> languages_
  // [Az], [Ru]: the translation of languages_[i], or empty when there is none (most of ~7900):
  // name_en is used then. [En] stays empty.
  std::array<std::vector<std::string>, 3> language_names_;
  std::vector<Language> common_languages_;
  std::vector<std::size_t> common_language_indices_;

  std::array<std::locale, 3> locales_;  // [Lang]: ICU locales, for collation
};

}  // namespace ik::core
