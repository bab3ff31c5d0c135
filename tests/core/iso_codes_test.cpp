// IsoCodes on the real, installed iso-codes package (Debian 12: iso-codes 4.15) and its gettext
// catalogues, plus broken copies of them in temp dirs. Expected names are what that package says,
// including its gaps (noted where asserted), so an upgrade that changes them shows up here.
#include "core/iso_codes.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "tests/support/temp_dir.hpp"

namespace ik::core::testing {
namespace {

namespace fs = std::filesystem;

const fs::path kJsonDir = "/usr/share/iso-codes/json";
const fs::path kLocaleDir = "/usr/share/locale";

const IsoCodes& codes() {
  static const Result<IsoCodes> loaded = IsoCodes::load();
  if (!loaded) ADD_FAILURE() << loaded.error().message;
  return *loaded;
}

// Position of a country in a sorted list; -1 when absent.
long position(const std::vector<Country>& list, std::string_view alpha2) {
  auto it = std::ranges::find(list, alpha2, &Country::alpha2);
  return it == list.end() ? -1 : it - list.begin();
}

TEST(IsoCodes, LoadsTheInstalledPackage) {
  auto r = IsoCodes::load(kJsonDir, kLocaleDir);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_GE(r->countries().size(), 240u);  // 249 in iso-codes 4.15
  EXPECT_LE(r->countries().size(), 260u);
  EXPECT_GT(r->language_count(), 7000u);          // 7910
  EXPECT_GE(r->common_languages().size(), 150u);  // 174
  EXPECT_LE(r->common_languages().size(), 200u);
  EXPECT_EQ(lang_code(Lang::Az), "az");
  EXPECT_EQ(lang_code(Lang::Ru), "ru");
  EXPECT_EQ(lang_code(Lang::En), "en");
}

TEST(IsoCodes, AzerbaijanInAllThreeLanguages) {
  const auto& c = codes();
  ASSERT_TRUE(c.is_country("AZ"));
  EXPECT_EQ(c.country("AZ")->alpha3, "AZE");
  EXPECT_EQ(c.country_name("AZ", Lang::Az), "Azərbaycan");
  EXPECT_EQ(c.country_name("AZ", Lang::Ru), "Азербайджан");
  EXPECT_EQ(c.country_name("AZ", Lang::En), "Azerbaijan");
}

TEST(IsoCodes, RussiaIsTheRussianFederation) {
  const auto& c = codes();
  EXPECT_EQ(c.country("RU")->alpha3, "RUS");
  EXPECT_EQ(c.country_name("RU", Lang::En), "Russian Federation");
  EXPECT_EQ(c.country_name("RU", Lang::Az), "Rusiya Federasiyası");
  EXPECT_EQ(c.country_name("RU", Lang::Ru), "Российская Федерация");
}

TEST(IsoCodes, NeighboursAndFallbacks) {
  const auto& c = codes();
  EXPECT_EQ(c.country_name("UA", Lang::Az), "Ukrayna");
  EXPECT_EQ(c.country_name("UA", Lang::Ru), "Украина");
  EXPECT_EQ(c.country_name("UZ", Lang::Az), "Özbəkistan");
  EXPECT_EQ(c.country_name("UZ", Lang::Ru), "Узбекистан");
  EXPECT_EQ(c.country_name("GE", Lang::Az), "Gürcüstan");
  EXPECT_EQ(c.country_name("GE", Lang::Ru), "Грузия");
  EXPECT_EQ(c.country_name("IR", Lang::Ru), "Иран");
  EXPECT_EQ(c.country_name("TR", Lang::Az), "Türkiyə");
  // Gaps in iso-codes 4.15: the Russian catalogue has no "Türkiye" (renamed from "Turkey"), the
  // Azerbaijani one has no Iran: English is shown.
  EXPECT_EQ(c.country_name("TR", Lang::Ru), "Türkiye");
  EXPECT_EQ(c.country_name("IR", Lang::Az), "Iran, Islamic Republic of");
  // When "name" is untranslated, the translation of official_name or common_name is used.
  EXPECT_EQ(c.country_name("CZ", Lang::Az), "Çex Respublikası");  // official "Czech Republic"
  EXPECT_EQ(c.country_name("TW", Lang::Az), "Tayvan");            // common "Taiwan"
}

TEST(IsoCodes, CodesAreExact) {
  const auto& c = codes();
  EXPECT_TRUE(c.is_country("AZ"));
  for (std::string_view bad : {"az", "Az", "AZE", "A", "", "AZ ", " AZ", "ZZ", "XK"}) {
    EXPECT_FALSE(c.is_country(bad)) << bad;
    EXPECT_EQ(c.country(bad), nullptr) << bad;
    for (Lang lang : kAllLangs) EXPECT_EQ(c.country_name(bad, lang), "") << bad;
  }
  EXPECT_TRUE(c.is_language("aze"));
  EXPECT_TRUE(c.is_language("azj"));  // every ISO 639-3 code is valid, not only the common ones
  EXPECT_TRUE(c.is_language("und"));
  for (std::string_view bad : {"AZE", "Aze", "az", "azer", "", "qqq", "aze "}) {
    EXPECT_FALSE(c.is_language(bad)) << bad;
    EXPECT_EQ(c.language(bad), nullptr) << bad;
    for (Lang lang : kAllLangs) EXPECT_EQ(c.language_name(bad, lang), "") << bad;
  }
}

TEST(IsoCodes, LanguageNames) {
  const auto& c = codes();
  EXPECT_EQ(c.language("aze")->alpha2, "az");
  EXPECT_EQ(c.language_name("aze", Lang::En), "Azerbaijani");
  EXPECT_EQ(c.language_name("aze", Lang::Ru), "азербайджанский");
  // iso-codes 4.15's Azerbaijani iso_639-3 catalogue has only 25 names (from 2001), not this one.
  EXPECT_EQ(c.language_name("aze", Lang::Az), "Azerbaijani");
  EXPECT_EQ(c.language_name("rus", Lang::Az), "Rusca");
  EXPECT_EQ(c.language_name("rus", Lang::Ru), "русский");
  EXPECT_EQ(c.language_name("rus", Lang::En), "Russian");
  EXPECT_EQ(c.language_name("tur", Lang::Az), "Türkcə");
  EXPECT_EQ(c.language_name("ukr", Lang::Ru), "украинский");
  EXPECT_EQ(c.language_name("ukr", Lang::Az), "Ukrainian");
  EXPECT_EQ(c.language_name("uzb", Lang::Ru), "узбекский");
  EXPECT_EQ(c.language_name("uzb", Lang::En), "Uzbek");
  EXPECT_EQ(c.language_name("kat", Lang::Ru), "грузинский");
  // Some Russian msgids are the inverted name; "Modern Greek (1453-)" itself is untranslated.
  EXPECT_EQ(c.language_name("ell", Lang::Ru), "греческий, современный (с 1453)");
  // A code outside the common list still has its names.
  EXPECT_EQ(c.language_name("azj", Lang::En), "North Azerbaijani");
  EXPECT_EQ(c.language_name("azj", Lang::Ru), "North Azerbaijani");
}

TEST(IsoCodes, CommonLanguagesAreLivingWithAnIso6391Code) {
  const auto& c = codes();
  const auto& common = c.common_languages();
  std::set<std::string> codes3;
  for (const auto& l : common) {
    EXPECT_EQ(l.alpha2.size(), 2u) << l.alpha3;
    EXPECT_TRUE(c.is_language(l.alpha3));
    EXPECT_FALSE(l.name_en.empty());
    EXPECT_TRUE(codes3.insert(l.alpha3).second) << l.alpha3;
  }
  EXPECT_TRUE(std::ranges::is_sorted(common, {}, &Language::alpha3));
  // Macrolanguages are in: aze, uzb, fas, ara are "M" in ISO 639-3.
  for (auto want :
       {"aze", "rus", "ukr", "uzb", "fas", "ara", "eng", "kat", "hye", "tur", "kaz", "tgk", "kur"})
    EXPECT_TRUE(codes3.contains(want)) << want;
  // No 639-1 code (North Azerbaijani), ancient (Latin), constructed (Esperanto).
  for (auto not_in : {"azj", "lat", "epo"}) EXPECT_FALSE(codes3.contains(not_in)) << not_in;
}

TEST(IsoCodes, LanguagesSortedAddsValidExtrasOnce) {
  const auto& c = codes();
  const std::string_view extra[] = {"azj", "aze", "qqq", "azj"};
  auto list = c.languages_sorted(Lang::Ru, extra);
  EXPECT_EQ(list.size(), c.common_languages().size() + 1);
  EXPECT_EQ(std::ranges::count(list, std::string("azj"), &Language::alpha3), 1);
  EXPECT_EQ(std::ranges::count(list, std::string("aze"), &Language::alpha3), 1);
  EXPECT_EQ(std::ranges::count(list, std::string("qqq"), &Language::alpha3), 0);
  auto at = [&](std::string_view a3) {
    return std::ranges::find(list, a3, &Language::alpha3) - list.begin();
  };
  // азербайджанский < английский < русский < украинский
  EXPECT_LT(at("aze"), at("eng"));
  EXPECT_LT(at("eng"), at("rus"));
  EXPECT_LT(at("rus"), at("ukr"));
  EXPECT_EQ(c.languages_sorted(Lang::En).size(), c.common_languages().size());
}

TEST(IsoCodes, EveryCountryHasANameInEveryLanguage) {
  const auto& c = codes();
  std::size_t az_translated = 0, ru_translated = 0;
  for (const auto& country : c.countries()) {
    for (Lang lang : kAllLangs)
      EXPECT_FALSE(c.country_name(country.alpha2, lang).empty()) << country.alpha2;
    EXPECT_EQ(c.country_name(country.alpha2, Lang::En), country.name_en);
    az_translated += c.country_name(country.alpha2, Lang::Az) != country.name_en;
    ru_translated += c.country_name(country.alpha2, Lang::Ru) != country.name_en;
  }
  // Proves the catalogues were really read: 182 and 248 of 249 in iso-codes 4.15 (some Azerbaijani
  // names are spelt as in English, 38 are missing).
  EXPECT_GE(az_translated, 170u);
  EXPECT_GE(ru_translated, 240u);
}

TEST(IsoCodes, CountriesAreWellFormedAndInAStableOrder) {
  const auto& c = codes();
  const auto& all = c.countries();
  EXPECT_TRUE(std::ranges::is_sorted(all, {}, &Country::alpha2));
  std::set<std::string> a2, a3;
  for (const auto& country : all) {
    EXPECT_EQ(country.alpha2.size(), 2u);
    EXPECT_EQ(country.alpha3.size(), 3u);
    EXPECT_TRUE(a2.insert(country.alpha2).second);
    EXPECT_TRUE(a3.insert(country.alpha3).second);
    EXPECT_EQ(c.country(country.alpha2), &country);
  }
}

// The kiosk image has no az_AZ or ru_RU system locale (only C.UTF-8): these orders come from
// ICU through Boost.Locale. Byte order would put Ç, Ə, Ö, Ş after Z.
TEST(IsoCodes, CountriesSortedByAzerbaijaniAlphabet) {
  const auto& c = codes();
  auto az = c.countries_sorted(Lang::Az);
  ASSERT_EQ(az.size(), c.countries().size());
  auto at = [&](std::string_view a2) { return position(az, a2); };
  EXPECT_LT(at("DJ"), at("TD"));  // Cibuti < Çad < Danimarka
  EXPECT_LT(at("TD"), at("DK"));
  EXPECT_LT(at("EC"), at("DZ"));  // Ekvador < Əlcəzair < Fransa
  EXPECT_LT(at("DZ"), at("FR"));
  EXPECT_LT(at("HN"), at("HR"));  // Honduras < Xırvatıstan < İraq: X follows H in Azerbaijani
  EXPECT_LT(at("HR"), at("IQ"));
  EXPECT_LT(at("KW"), at("KZ"));  // Küveyt < Qazaxstan < Latviya: Q follows K
  EXPECT_LT(at("KZ"), at("LV"));
  EXPECT_LT(at("OM"), at("UZ"));  // Oman < Özbəkistan < Pakistan
  EXPECT_LT(at("UZ"), at("PK"));
  EXPECT_LT(at("SD"), at("MP"));  // Sudan < Şimali Marian Adaları < Tacikistan
  EXPECT_LT(at("MP"), at("TJ"));
  std::set<std::string> seen;
  for (const auto& country : az) seen.insert(country.alpha2);
  EXPECT_EQ(seen.size(), c.countries().size());
}

TEST(IsoCodes, CountriesSortedInRussianAndEnglish) {
  const auto& c = codes();
  auto ru = c.countries_sorted(Lang::Ru);
  ASSERT_EQ(ru.size(), c.countries().size());
  // Австралия < Азербайджан < Российская Федерация < Украина
  EXPECT_LT(position(ru, "AU"), position(ru, "AZ"));
  EXPECT_LT(position(ru, "AZ"), position(ru, "RU"));
  EXPECT_LT(position(ru, "RU"), position(ru, "UA"));
  EXPECT_LT(position(ru, "CZ"), position(ru, "CL"));  // Чехия < Чили
  auto en = c.countries_sorted(Lang::En);
  ASSERT_EQ(en.size(), c.countries().size());
  EXPECT_LT(position(en, "AX"), position(en, "AL"));  // Åland Islands < Albania, not after Zimbabwe
  EXPECT_LT(position(en, "AZ"), position(en, "BS"));
}

TEST(IsoCodes, SystemIsLoadedOnceAndShared) {
  std::vector<const IsoCodes*> seen(4);
  std::vector<std::thread> threads;
  for (std::size_t i = 0; i < seen.size(); ++i)
    threads.emplace_back([&, i] { seen[i] = &IsoCodes::system(); });
  for (auto& t : threads) t.join();
  for (const IsoCodes* p : seen) EXPECT_EQ(p, seen[0]);
  auto again = IsoCodes::try_system();
  ASSERT_TRUE(again);
  EXPECT_EQ(*again, seen[0]);
  EXPECT_EQ(seen[0]->country_name("AZ", Lang::Az), "Azərbaycan");
}

TEST(IsoCodes, MissingFilesAreClearIoErrors) {
  test::TempDir tmp;
  auto r = IsoCodes::load(tmp / "nowhere", kLocaleDir);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::Io);
  EXPECT_NE(r.error().message.find("iso_3166-1.json"), std::string::npos) << r.error().message;
  EXPECT_NE(r.error().message.find("iso-codes"), std::string::npos) << r.error().message;

  // Without the catalogues the kiosk would silently be English-only: refused instead.
  auto no_mo = IsoCodes::load(kJsonDir, tmp / "no-locale");
  ASSERT_FALSE(no_mo);
  EXPECT_EQ(no_mo.error().code, Errc::Io);
  EXPECT_NE(no_mo.error().message.find("iso_3166-1.mo"), std::string::npos)
      << no_mo.error().message;

  // A directory where a file should be.
  fs::create_directories(tmp / "json" / "iso_3166-1.json");
  auto dir = IsoCodes::load(tmp / "json", kLocaleDir);
  ASSERT_FALSE(dir);
  EXPECT_EQ(dir.error().code, Errc::Io);
}

// Writes `countries` as iso_3166-1.json next to a copy of the real iso_639-3.json (or the other
// way round) and loads that.
Result<IsoCodes> load_with(const test::TempDir& tmp, std::string_view file, std::string_view text) {
  const fs::path dir = tmp / "json";
  fs::create_directories(dir);
  for (auto name : {"iso_3166-1.json", "iso_639-3.json"})
    fs::copy_file(kJsonDir / name, dir / name, fs::copy_options::overwrite_existing);
  test::write_text(dir / file, text);
  return IsoCodes::load(dir, kLocaleDir);
}

TEST(IsoCodes, MalformedJsonIsDamagedNotACrash) {
  const std::string ok_entry = R"({"alpha_2": "AZ", "alpha_3": "AZE", "name": "Azerbaijan"})";
  const std::vector<std::string> bad_countries = {
      "",
      "not json",
      R"({"3166-1": [)" + ok_entry,         // truncated
      "[" + ok_entry + "]",                 // not the object iso-codes writes
      R"({"3166-2": [)" + ok_entry + "]}",  // wrong list
      R"({"3166-1": []})",                  // empty
      R"({"3166-1": {}})",
      R"({"3166-1": [42]})",
      R"({"3166-1": [{"alpha_2": 31, "alpha_3": "AZE", "name": "Azerbaijan"}]})",
      R"({"3166-1": [{"alpha_2": "az", "alpha_3": "AZE", "name": "Azerbaijan"}]})",
      R"({"3166-1": [{"alpha_2": "AZE", "alpha_3": "AZE", "name": "Azerbaijan"}]})",
      R"({"3166-1": [{"alpha_2": "AZ", "alpha_3": "AZE"}]})",
      R"({"3166-1": [{"alpha_2": "AZ", "alpha_3": "AZE", "name": ""}]})",
      R"({"3166-1": [{"alpha_2": "AZ", "alpha_3": "AZE", "name": "Azerbaijan", "official_name": []}]})",
      R"({"3166-1": [{"alpha_2": "AZ", "alpha_3": "AZE", "name": ")" + std::string(600, 'x') +
          R"("}]})",
      R"({"3166-1": [)" + ok_entry + "," + ok_entry + "]}",  // duplicate code
      "{\"3166-1\": [{\"alpha_2\": \"AZ\", \"alpha_3\": \"AZE\", \"name\": \"Az\xff\"}]}",  // not
                                                                                            // UTF-8
      std::string(200000, '[') + std::string(200000, ']'),  // deep nesting
  };
  test::TempDir tmp;
  for (const auto& text : bad_countries) {
    auto r = load_with(tmp, "iso_3166-1.json", text);
    ASSERT_FALSE(r) << text.substr(0, 120);
    EXPECT_EQ(r.error().code, Errc::Damaged) << text.substr(0, 120);
    EXPECT_NE(r.error().message.find("iso_3166-1.json"), std::string::npos) << r.error().message;
  }
  const std::vector<std::string> bad_languages = {
      R"({"639-3": [{"alpha_3": "AZE", "name": "Azerbaijani", "scope": "M", "type": "L"}]})",
      R"({"639-3": [{"alpha_3": "aze", "alpha_2": "AZ", "name": "Azerbaijani", "scope": "M", "type": "L"}]})",
      R"({"639-3": [{"alpha_3": "aze", "name": "Azerbaijani", "type": "L"}]})",
      R"({"639-3": [{"alpha_3": "aze", "name": "Azerbaijani", "scope": "M", "type": "L", "inverted_name": null}]})",
  };
  for (const auto& text : bad_languages) {
    auto r = load_with(tmp, "iso_639-3.json", text);
    ASSERT_FALSE(r) << text;
    EXPECT_EQ(r.error().code, Errc::Damaged) << text;
    EXPECT_NE(r.error().message.find("iso_639-3.json"), std::string::npos) << r.error().message;
  }
}

TEST(IsoCodes, OversizedFileIsRefusedUnread) {
  test::TempDir tmp;
  const fs::path dir = tmp / "json";
  fs::create_directories(dir);
  fs::copy_file(kJsonDir / "iso_639-3.json", dir / "iso_639-3.json");
  test::write_text(dir / "iso_3166-1.json", "{}");
  fs::resize_file(dir / "iso_3166-1.json", IsoCodes::kMaxFileBytes + 1);  // sparse: no disk used
  auto r = IsoCodes::load(dir, kLocaleDir);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::Damaged);
  EXPECT_NE(r.error().message.find("larger than"), std::string::npos) << r.error().message;
}

// A locale dir with copies of the real catalogues, which the test then spoils.
fs::path copy_catalogues(const test::TempDir& tmp) {
  const fs::path dir = tmp / "locale";
  for (auto lang : {"az", "ru"}) {
    fs::create_directories(dir / lang / "LC_MESSAGES");
    for (auto domain : {"iso_3166-1.mo", "iso_639-3.mo"})
      fs::copy_file(kLocaleDir / lang / "LC_MESSAGES" / domain,
                    dir / lang / "LC_MESSAGES" / domain);
  }
  return dir;
}

TEST(IsoCodes, CopiedCataloguesWork) {
  test::TempDir tmp;
  auto r = IsoCodes::load(kJsonDir, copy_catalogues(tmp));
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->country_name("AZ", Lang::Az), "Azərbaycan");
  EXPECT_EQ(r->language_name("rus", Lang::Az), "Rusca");
}

TEST(IsoCodes, DamagedCatalogueIsAnError) {
  {
    test::TempDir tmp;
    const fs::path dir = copy_catalogues(tmp);
    test::write_text(dir / "az" / "LC_MESSAGES" / "iso_3166-1.mo",
                     "definitely not a gettext catalogue");
    auto r = IsoCodes::load(kJsonDir, dir);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, Errc::Damaged) << r.error().message;
  }
  {
    test::TempDir tmp;
    const fs::path dir = copy_catalogues(tmp);
    fs::resize_file(dir / "ru" / "LC_MESSAGES" / "iso_639-3.mo", 0);
    auto r = IsoCodes::load(kJsonDir, dir);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, Errc::Damaged) << r.error().message;
  }
  {
    // A valid catalogue of the wrong domain translates none of the names: refused, not English.
    test::TempDir tmp;
    const fs::path dir = copy_catalogues(tmp);
    fs::copy_file(kLocaleDir / "az" / "LC_MESSAGES" / "iso_639-3.mo",
                  dir / "az" / "LC_MESSAGES" / "iso_3166-1.mo",
                  fs::copy_options::overwrite_existing);
    auto r = IsoCodes::load(kJsonDir, dir);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, Errc::Damaged);
    EXPECT_NE(r.error().message.find("translates no country name"), std::string::npos)
        << r.error().message;
  }
}

TEST(IsoCodes, LoadsOtherListsFromTheGivenDirectory) {
  test::TempDir tmp;
  const fs::path dir = tmp / "json";
  fs::create_directories(dir);
  test::write_text(dir / "iso_3166-1.json", R"({"3166-1": [
      {"alpha_2": "GE", "alpha_3": "GEO", "name": "Georgia"},
      {"alpha_2": "AZ", "alpha_3": "AZE", "name": "Azerbaijan", "official_name": "Republic of Azerbaijan"}]})");
  test::write_text(dir / "iso_639-3.json", R"({"639-3": [
      {"alpha_3": "rus", "alpha_2": "ru", "name": "Russian", "scope": "I", "type": "L"},
      {"alpha_3": "azj", "name": "North Azerbaijani", "scope": "I", "type": "L"}]})");
  auto r = IsoCodes::load(dir, kLocaleDir);
  ASSERT_TRUE(r) << r.error().message;
  ASSERT_EQ(r->countries().size(), 2u);
  EXPECT_EQ(r->countries()[0].alpha2, "AZ");
  EXPECT_EQ(r->country_name("GE", Lang::Az), "Gürcüstan");
  EXPECT_FALSE(r->is_country("RU"));
  EXPECT_EQ(r->language_count(), 2u);
  ASSERT_EQ(r->common_languages().size(), 1u);
  EXPECT_EQ(r->common_languages()[0].alpha3, "rus");
  EXPECT_EQ(r->language_name("rus", Lang::Ru), "русский");
}

}  // namespace
}  // namespace ik::core::testing
