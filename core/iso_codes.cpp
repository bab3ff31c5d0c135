// Loads iso-codes' JSON lists and gettext catalogues into hash maps of cached names. What must
// stay true: every file is size-checked before it is read; every JSON value is type-checked
// before use (a hostile or truncated file gives Errc::Damaged, never an exception or a crash);
// Boost.Locale is used only in load(), and for collation in languages_sorted().
#include "core/iso_codes.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <boost/locale.hpp>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <nlohmann/json.hpp>
#include <unordered_set>

namespace ik::core {
namespace {

namespace fs = std::filesystem;
namespace bl = boost::locale;
using nlohmann::json;

constexpr std::string_view kCountriesFile = "iso_3166-1.json";
constexpr std::string_view kLanguagesFile = "iso_639-3.json";
constexpr std::string_view kCountriesDomain = "iso_3166-1";
// iso_639_3.mo also exists in Debian, but only as a symlink to this one.
constexpr std::string_view kLanguagesDomain = "iso_639-3";
// No real name comes near this; a longer one means the file is not iso-codes'.
constexpr std::size_t kMaxNameBytes = 512;

// The catalogue languages. English has no catalogue: the JSON names are English.
constexpr std::array<Lang, 2> kTranslated{Lang::Az, Lang::Ru};

// Opens `p` and checks it is a regular file of at most IsoCodes::kMaxFileBytes; returns the fd
// so that the size checked is the size of the file then read.
Result<int> open_bounded(const fs::path& p) {
  const int fd = ::open(p.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    const int err = errno;
    if (err == ENOENT || err == ENOTDIR)
      return fail(Errc::Io,
                  fmt::format("{} is missing (is the iso-codes package installed?)", p.string()));
    return fail(Errc::Io, fmt::format("cannot open {}: {}", p.string(), std::strerror(err)));
  }
  struct stat st {};
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    ::close(fd);
    return fail(Errc::Io, fmt::format("{} is not a readable file", p.string()));
  }
  if (static_cast<std::uintmax_t>(st.st_size) > IsoCodes::kMaxFileBytes) {
    ::close(fd);
    return fail(Errc::Damaged, fmt::format("{} is larger than {} MiB; refusing to read it",
                                           p.string(), IsoCodes::kMaxFileBytes >> 20));
  }
  return fd;
}

Result<std::string> read_bounded(const fs::path& p) {
  auto fd = open_bounded(p);
  if (!fd) return std::unexpected(fd.error());
  std::string text;
  // Reads to end of file but never past the limit, even if the file grows after fstat().
  char buf[64 * 1024];
  for (;;) {
    const ssize_t n = ::read(*fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      const int err = errno;
      ::close(*fd);
      return fail(Errc::Io, fmt::format("cannot read {}: {}", p.string(), std::strerror(err)));
    }
    if (n == 0) break;
    text.append(buf, static_cast<std::size_t>(n));
    if (text.size() > IsoCodes::kMaxFileBytes) {
      ::close(*fd);
      return fail(Errc::Damaged, fmt::format("{} grew past {} MiB while being read", p.string(),
                                             IsoCodes::kMaxFileBytes >> 20));
    }
  }
  ::close(*fd);
  return text;
}

Result<json> parse_list(const fs::path& p, std::string_view key) {
  auto text = read_bounded(p);
  if (!text) return std::unexpected(text.error());
  // No exceptions: a syntax error comes back as a discarded value. The parser is iterative, so
  // deep nesting cannot overflow the stack.
  json doc = json::parse(*text, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded())
    return fail(Errc::Damaged, fmt::format("{} is not valid JSON", p.string()));
  if (!doc.is_object())
    return fail(Errc::Damaged, fmt::format("{} is not an iso-codes list", p.string()));
  auto it = doc.find(key);
  if (it == doc.end() || !it->is_array() || it->empty())
    return fail(Errc::Damaged, fmt::format("{} has no \"{}\" list", p.string(), key));
  return std::move(*it);
}

// Reads the string member `key` of one list entry: "" when absent and optional; an error when
// required and absent, or when present but not a non-empty string of sane length.
Result<std::string> member(const json& entry, std::string_view key, bool required,
                           const fs::path& file, std::size_t index) {
  auto it = entry.find(key);
  if (it == entry.end()) {
    if (!required) return std::string();
    return fail(Errc::Damaged,
                fmt::format("{}: entry {} has no \"{}\"", file.string(), index, key));
  }
  // nlohmann has already rejected invalid UTF-8 while parsing.
  if (!it->is_string() || it->get_ref<const std::string&>().empty() ||
      it->get_ref<const std::string&>().size() > kMaxNameBytes)
    return fail(Errc::Damaged,
                fmt::format("{}: entry {} has a bad \"{}\"", file.string(), index, key));
  return it->get<std::string>();
}

bool is_code(std::string_view s, std::size_t length, char first, char last) {
  return s.size() == length &&
         std::ranges::all_of(s, [&](char c) { return c >= first && c <= last; });
}

// Countries with the extra English forms only needed while translating.
struct CountryEntry {
  Country country;
  std::string common_name, official_name;
};
struct LanguageEntry {
  Language language;
  std::string common_name, inverted_name, scope, type;
};

Result<std::vector<CountryEntry>> read_countries(const fs::path& file) {
  auto list = parse_list(file, "3166-1");
  if (!list) return std::unexpected(list.error());
  std::vector<CountryEntry> out;
  out.reserve(list->size());
  std::unordered_set<std::string> seen2, seen3;
  for (std::size_t i = 0; i < list->size(); ++i) {
    const json& e = (*list)[i];
    if (!e.is_object())
      return fail(Errc::Damaged, fmt::format("{}: entry {} is not an object", file.string(), i));
    CountryEntry c;
    auto a2 = member(e, "alpha_2", true, file, i);
    auto a3 = member(e, "alpha_3", true, file, i);
    auto name = member(e, "name", true, file, i);
    auto common = member(e, "common_name", false, file, i);
    auto official = member(e, "official_name", false, file, i);
    for (auto* r : {&a2, &a3, &name, &common, &official})
      if (!*r) return std::unexpected(r->error());
    if (!is_code(*a2, 2, 'A', 'Z') || !is_code(*a3, 3, 'A', 'Z'))
      return fail(Errc::Damaged,
                  fmt::format("{}: entry {} has a malformed code", file.string(), i));
    if (!seen2.insert(*a2).second || !seen3.insert(*a3).second)
      return fail(Errc::Damaged, fmt::format("{}: code {} appears twice", file.string(), *a2));
    c.country = Country{std::move(*a2), std::move(*a3), std::move(*name)};
    c.common_name = std::move(*common);
    c.official_name = std::move(*official);
    out.push_back(std::move(c));
  }
  std::ranges::sort(out, {},
                    [](const CountryEntry& c) -> const std::string& { return c.country.alpha2; });
  return out;
}

Result<std::vector<LanguageEntry>> read_languages(const fs::path& file) {
  auto list = parse_list(file, "639-3");
  if (!list) return std::unexpected(list.error());
  std::vector<LanguageEntry> out;
  out.reserve(list->size());
  std::unordered_set<std::string> seen;
  for (std::size_t i = 0; i < list->size(); ++i) {
    const json& e = (*list)[i];
    if (!e.is_object())
      return fail(Errc::Damaged, fmt::format("{}: entry {} is not an object", file.string(), i));
    auto a3 = member(e, "alpha_3", true, file, i);
    auto a2 = member(e, "alpha_2", false, file, i);
    auto name = member(e, "name", true, file, i);
    auto common = member(e, "common_name", false, file, i);
    auto inverted = member(e, "inverted_name", false, file, i);
    auto scope = member(e, "scope", true, file, i);
    auto type = member(e, "type", true, file, i);
    for (auto* r : {&a3, &a2, &name, &common, &inverted, &scope, &type})
      if (!*r) return std::unexpected(r->error());
    if (!is_code(*a3, 3, 'a', 'z') || (!a2->empty() && !is_code(*a2, 2, 'a', 'z')))
      return fail(Errc::Damaged,
                  fmt::format("{}: entry {} has a malformed code", file.string(), i));
    if (!seen.insert(*a3).second)
      return fail(Errc::Damaged, fmt::format("{}: code {} appears twice", file.string(), *a3));
    out.push_back(LanguageEntry{Language{std::move(*a3), std::move(*a2), std::move(*name)},
                                std::move(*common), std::move(*inverted), std::move(*scope),
                                std::move(*type)});
  }
  std::ranges::sort(out, {},
                    [](const LanguageEntry& l) -> const std::string& { return l.language.alpha3; });
  return out;
}

// One gettext domain of one generated locale. get() is nullptr when the catalogue has no
// translation — unlike boost::locale::translate, which returns the msgid and so cannot tell
// "untranslated" from "translated to the same spelling" (az "Venezuela").
class Catalogue {
 public:
  Catalogue(const std::locale& loc, std::string_view domain)
      : facet_(&std::use_facet<bl::message_format<char>>(loc)),
        domain_(facet_->domain(std::string(domain))) {}
  bool loaded() const { return domain_ >= 0; }
  const char* get(const std::string& msgid) const {
    if (msgid.empty() || domain_ < 0) return nullptr;
    const char* s = facet_->get(domain_, nullptr, msgid.c_str());
    return s && *s ? s : nullptr;
  }
  // The translation of the first of `msgids` that has one.
  const char* first(std::initializer_list<const std::string*> msgids) const {
    for (const std::string* id : msgids)
      if (const char* s = get(*id)) return s;
    return nullptr;
  }

 private:
  const bl::message_format<char>* facet_;
  int domain_;
};

std::string sort_key(const std::locale& loc, const std::string& s) {
  return std::use_facet<bl::collator<char>>(loc).transform(bl::collator_base::tertiary, s);
}

// `indices` ordered by the collation keys of their names; ties go to the lower index, i.e. the
// lower code, since the lists are sorted by code.
template <class NameOf>
std::vector<std::size_t> collated(const std::locale& loc, const std::vector<std::size_t>& indices,
                                  NameOf name_of) {
  std::vector<std::pair<std::string, std::size_t>> keyed;
  keyed.reserve(indices.size());
  for (std::size_t i : indices) keyed.emplace_back(sort_key(loc, name_of(i)), i);
  std::ranges::sort(keyed);
  std::vector<std::size_t> out;
  out.reserve(keyed.size());
  for (auto& k : keyed) out.push_back(k.second);
  return out;
}

}  // namespace

std::string_view lang_code(Lang lang) {
  switch (lang) {
    case Lang::Az:
      return "az";
    case Lang::Ru:
      return "ru";
    case Lang::En:
      return "en";
  }
  return "az";
}

Result<IsoCodes> IsoCodes::load(const fs::path& json_dir, const fs::path& locale_dir) {
  auto countries = read_countries(json_dir / kCountriesFile);
  if (!countries) return std::unexpected(countries.error());
  auto languages = read_languages(json_dir / kLanguagesFile);
  if (!languages) return std::unexpected(languages.error());

  // Boost.Locale finds catalogues by itself and silently goes without one it cannot find, which
  // would leave an English-only kiosk; so each one must be there, and sane in size, first.
  // Locales are generated as "az"/"ru" without a country so that Boost reads exactly these
  // files (for "az_AZ" it would try az_AZ/ first; Debian also ships az_IR/, Arabic script).
  for (Lang lang : kTranslated)
    for (std::string_view domain : {kCountriesDomain, kLanguagesDomain}) {
      auto fd =
          open_bounded(locale_dir / lang_code(lang) / "LC_MESSAGES" / fmt::format("{}.mo", domain));
      if (!fd) return std::unexpected(fd.error());
      ::close(*fd);
    }

  IsoCodes codes;
  try {
    // ICU, not the posix/std backends: those need the system locale installed (a kiosk image has
    // only C.UTF-8) and would otherwise fall back to byte order for sorting.
    bl::localization_backend_manager backends = bl::localization_backend_manager::global();
    const auto all = backends.get_all_backends();
    if (std::ranges::find(all, "icu") == all.end())
      return fail(Errc::Internal,
                  "Boost.Locale was built without its ICU backend; cannot collate az/ru names");
    backends.select("icu");
    bl::generator gen(backends);
    gen.add_messages_path(locale_dir.string());
    gen.add_messages_domain(std::string(kCountriesDomain));
    gen.add_messages_domain(std::string(kLanguagesDomain));
    for (Lang lang : kAllLangs) {
      try {
        codes.locales_[slot(lang)] = gen(fmt::format("{}.UTF-8", lang_code(lang)));
      } catch (const std::exception& e) {
        // Boost throws std::runtime_error ("Invalid file format", "Bad mo-file format") for a
        // damaged catalogue, without naming it.
        return fail(Errc::Damaged,
                    fmt::format("a translation catalogue in {}/{}/LC_MESSAGES is damaged: {}",
                                locale_dir.string(), lang_code(lang), e.what()));
      }
    }
  } catch (const std::exception& e) {
    return fail(Errc::Internal, fmt::format("Boost.Locale failed to start: {}", e.what()));
  }

  // Countries: every name cached in every language, so a lookup never reaches Boost.Locale.
  const std::size_t nc = countries->size();
  codes.countries_.reserve(nc);
  for (auto& c : *countries) codes.countries_.push_back(c.country);
  for (std::size_t i = 0; i < nc; ++i) codes.country_index_.emplace(codes.countries_[i].alpha2, i);
  codes.country_names_[slot(Lang::En)].reserve(nc);
  for (auto& c : *countries) codes.country_names_[slot(Lang::En)].push_back(c.country.name_en);
  for (Lang lang : kTranslated) {
    const Catalogue cat(codes.locales_[slot(lang)], kCountriesDomain);
    auto& names = codes.country_names_[slot(lang)];
    names.reserve(nc);
    std::size_t translated = 0;
    for (auto& c : *countries) {
      const char* s = cat.first({&c.country.name_en, &c.common_name, &c.official_name});
      translated += s != nullptr;
      names.emplace_back(s ? s : c.country.name_en);
    }
    if (translated == 0)
      return fail(Errc::Damaged,
                  fmt::format("the {} catalogue of {} under {} translates no country name",
                              lang_code(lang), kCountriesDomain, locale_dir.string()));
  }

  // Languages: ~7900, most without a translation, so only translations are stored.
  const std::size_t nl = languages->size();
  codes.languages_.reserve(nl);
  for (auto& l : *languages) codes.languages_.push_back(l.language);
  for (std::size_t i = 0; i < nl; ++i) codes.language_index_.emplace(codes.languages_[i].alpha3, i);
  for (Lang lang : kTranslated) {
    const Catalogue cat(codes.locales_[slot(lang)], kLanguagesDomain);
    auto& names = codes.language_names_[slot(lang)];
    names.resize(nl);
    std::size_t translated = 0;
    for (std::size_t i = 0; i < nl; ++i) {
      auto& l = (*languages)[i];
      // Some Russian msgids are the inverted form ("Greek, Modern (1453-)") and not the name.
      if (const char* s = cat.first({&l.language.name_en, &l.common_name, &l.inverted_name})) {
        names[i] = s;
        ++translated;
      }
    }
    if (translated == 0)
      return fail(Errc::Damaged,
                  fmt::format("the {} catalogue of {} under {} translates no language name",
                              lang_code(lang), kLanguagesDomain, locale_dir.string()));
  }
  for (std::size_t i = 0; i < nl; ++i) {
    const auto& l = (*languages)[i];
    // Macrolanguages ("M") are included: Azerbaijani, Uzbek, Persian, Arabic are among them.
    if (!l.language.alpha2.empty() && l.type == "L" && (l.scope == "I" || l.scope == "M")) {
      codes.common_language_indices_.push_back(i);
      codes.common_languages_.push_back(l.language);
    }
  }

  // Display orders are computed once: sorting 249 names by ICU keys is the slow part of a picker.
  std::vector<std::size_t> all(nc);
  for (std::size_t i = 0; i < nc; ++i) all[i] = i;
  for (Lang lang : kAllLangs)
    codes.country_order_[slot(lang)] = collated(
        codes.locales_[slot(lang)], all,
        [&](std::size_t i) -> const std::string& { return codes.country_names_[slot(lang)][i]; });
  return codes;
}

Result<const IsoCodes*> IsoCodes::try_system() {
  // A function-local static: initialised once, thread-safe, and a failure is kept as well.
  static const Result<IsoCodes> loaded = load();
  if (!loaded) return std::unexpected(loaded.error());
  return &*loaded;
}

const IsoCodes& IsoCodes::system() {
  auto codes = try_system();
  if (!codes) {
    std::fprintf(stderr, "fatal: cannot load country and language names from iso-codes: %s\n",
                 codes.error().message.c_str());
    std::abort();
  }
  return **codes;
}

bool IsoCodes::is_country(std::string_view alpha2) const {
  return country_index_.contains(alpha2);
}

bool IsoCodes::is_language(std::string_view alpha3) const {
  return language_index_.contains(alpha3);
}

const Country* IsoCodes::country(std::string_view alpha2) const {
  auto it = country_index_.find(alpha2);
  return it == country_index_.end() ? nullptr : &countries_[it->second];
}

const Language* IsoCodes::language(std::string_view alpha3) const {
  auto it = language_index_.find(alpha3);
  return it == language_index_.end() ? nullptr : &languages_[it->second];
}

std::string IsoCodes::country_name(std::string_view alpha2, Lang lang) const {
  auto it = country_index_.find(alpha2);
  if (it == country_index_.end()) return {};
  return country_names_[slot(lang)][it->second];
}

std::string IsoCodes::language_name(std::string_view alpha3, Lang lang) const {
  auto it = language_index_.find(alpha3);
  if (it == language_index_.end()) return {};
  if (lang != Lang::En) {
    const std::string& translated = language_names_[slot(lang)][it->second];
    if (!translated.empty()) return translated;
  }
  return languages_[it->second].name_en;
}

std::vector<Country> IsoCodes::countries_sorted(Lang lang) const {
  std::vector<Country> out;
  out.reserve(countries_.size());
  for (std::size_t i : country_order_[slot(lang)]) out.push_back(countries_[i]);
  return out;
}

std::vector<Language> IsoCodes::languages_sorted(Lang lang,
                                                 std::span<const std::string_view> extra) const {
  std::vector<std::size_t> indices = common_language_indices_;
  for (std::string_view code : extra) {
    auto it = language_index_.find(code);
    if (it != language_index_.end() && std::ranges::find(indices, it->second) == indices.end())
      indices.push_back(it->second);
  }
  const auto order = collated(locales_[slot(lang)], indices, [&](std::size_t i) {
    return language_name(languages_[i].alpha3, lang);
  });
  std::vector<Language> out;
  out.reserve(order.size());
  for (std::size_t i : order) out.push_back(languages_[i]);
  return out;
}

}  // namespace ik::core
