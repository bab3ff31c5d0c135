// Every rule of core::Validator, on the real iso-codes lists. Each refusal must name its field
// and carry one of the msg:: constants as msgid, so a screen can translate it.
#include <array>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "core/intake.hpp"
#include "core/iso_codes.hpp"
#include "core/session.hpp"
#include "core/validation.hpp"

namespace ik::core {
namespace {

// A fixed moment (2025-06-15 around noon in every time zone that matters here).
constexpr std::int64_t kNow = 1'749'988'800;

constexpr std::array kAllMsgids{
    msg::kRequired,       msg::kUnknownCode,        msg::kBadDate,          msg::kFutureDate,
    msg::kTooOldDate,     msg::kDateOrder,          msg::kTooLong,          msg::kControlChars,
    msg::kNotText,        msg::kUnknownCountry,     msg::kUnknownLanguage,  msg::kBadPhone,
    msg::kAgeRange,       msg::kDurationRange,      msg::kNoConsentNoIdentity,
    msg::kConsentRequiredForReferral,               msg::kConsentRequiredForLaw,
    msg::kBedTaken,       msg::kUnknownBed,         msg::kNameOrAlias,      msg::kLawUnitRequired,
};

bool is_msg_constant(std::string_view msgid) {
  for (auto m : kAllMsgids)
    if (m == msgid) return true;
  return false;
}

// The validator holds exactly one error: on `field`, with `msgid` (a translatable constant).
void expect_one(const Validator& v, std::string_view field, std::string_view msgid, std::string_view what = {}) {
  ASSERT_EQ(v.errors().size(), 1u) << what;
  const auto& e = v.errors().front();
  EXPECT_EQ(e.field, field) << what;
  EXPECT_EQ(e.msgid, msgid) << what;
  EXPECT_TRUE(is_msg_constant(e.msgid)) << what << ": msgid is not one of msg::";
}

const IsoCodes& iso() { return IsoCodes::system(); }

// --- text -------------------------------------------------------------------------------------

TEST(Validation, TextLengthCountsCharactersNotBytes) {
  // Azerbaijani: "Məmmə" is 5 characters in 7 bytes.
  {
    Validator v(kNow);
    v.text("family_name", std::string("Məmmə"), 5);
    EXPECT_TRUE(v.ok());
  }
  {
    Validator v(kNow);
    v.text("family_name", std::string("Məmməd"), 5);
    expect_one(v, "family_name", msg::kTooLong);
    EXPECT_EQ(v.errors()[0].arg, "5");
    EXPECT_EQ(render(v.errors()[0]), "family_name: At most 5 characters.");
  }
  // Cyrillic: "Ёлкин" is 5 characters in 10 bytes.
  {
    Validator v(kNow);
    v.text("family_name", std::string("Ёлкин"), 5);
    EXPECT_TRUE(v.ok());
  }
  {
    Validator v(kNow);
    v.text("family_name", std::string("Ёлкина"), 5);
    expect_one(v, "family_name", msg::kTooLong);
  }
  // 100 two-byte letters are 100 characters (200 bytes): allowed; 101 are not.
  std::string hundred;
  for (int i = 0; i < 100; ++i) hundred += "ə";
  {
    Validator v(kNow);
    v.text("given_name", hundred, 100);
    EXPECT_TRUE(v.ok());
  }
  {
    Validator v(kNow);
    v.text("given_name", hundred + "Ş", 100);
    expect_one(v, "given_name", msg::kTooLong);
    EXPECT_EQ(v.errors()[0].arg, "100");
  }
  // Four-byte characters count once too.
  {
    Validator v(kNow);
    v.text("alias", std::string("\U0001F600\U0001F600"), 2);
    EXPECT_TRUE(v.ok());
  }
}

TEST(Validation, RequiredText) {
  Validator v(kNow);
  v.text("organisation", std::nullopt, 10, true);
  v.text("organisation2", std::string(), 10, true);
  v.text("optional", std::nullopt, 10);
  v.text("optional2", std::string(), 10);
  ASSERT_EQ(v.errors().size(), 2u);
  EXPECT_EQ(v.errors()[0], (FieldError{"organisation", std::string(msg::kRequired), ""}));
  EXPECT_EQ(v.errors()[1], (FieldError{"organisation2", std::string(msg::kRequired), ""}));
}

TEST(Validation, ControlCharactersAreRefused) {
  for (const std::string& bad : {std::string("a\x01z"), std::string("\x1b[31mred"), std::string("del\x7f"),
                                std::string("nul\0byte", 8), std::string("bell\a")}) {
    Validator v(kNow);
    v.text("given_name", bad, 100);
    expect_one(v, "given_name", msg::kControlChars, "single line");
    Validator m(kNow);
    m.text("notes", bad, 100, false, true);
    expect_one(m, "notes", msg::kControlChars, "multiline");
  }
}

TEST(Validation, NewlinesOnlyInMultilineText) {
  Validator single(kNow);
  single.text("given_name", std::string("first\nsecond"), 100);
  expect_one(single, "given_name", msg::kControlChars);
  Validator multi(kNow);
  multi.text("notes", std::string("first line\nsecond line\n"), 100, false, true);
  EXPECT_TRUE(multi.ok());
}

TEST(Validation, C1ControlCharactersAreRefused) {
  // U+0085 (NEL) and U+009B (CSI, a terminal escape introducer) are control characters (Cc)
  // in valid UTF-8; they must not reach a name, a log or the CLI.
  for (const std::string& bad : {std::string("name\xC2\x85"), std::string("\xC2\x9B" "31mred"),
                                std::string("x\xC2\x80y")}) {
    Validator v(kNow);
    v.text("given_name", bad, 100);
    expect_one(v, "given_name", msg::kControlChars, "C1 control in a single-line field");
    Validator m(kNow);
    m.text("notes", bad, 100, false, true);
    expect_one(m, "notes", msg::kControlChars, "C1 control in a multiline field");
  }
}

TEST(Validation, InvalidUtf8IsNotText) {
  const std::string bad[] = {
      "\xC0\xAF",              // overlong '/'
      "\xC1\xBF",              // overlong
      "\xE0\x80\xAF",          // overlong (3 bytes)
      "\xF0\x80\x80\xAF",      // overlong (4 bytes)
      "\xED\xA0\x80",          // surrogate U+D800
      "\xED\xBF\xBF",          // surrogate U+DFFF
      "\xF4\x90\x80\x80",      // above U+10FFFF
      "\xE2\x82",              // truncated euro sign
      "M\xC9",                 // truncated "ə" at the end
      "\x80",                  // lone continuation byte
      "ab\xFF" "cd",           // never valid
      "\xC9\x41",              // lead byte followed by ASCII
  };
  for (const auto& s : bad) {
    EXPECT_FALSE(valid_utf8(s));
    Validator v(kNow);
    v.text("family_name", s, 100);
    expect_one(v, "family_name", msg::kNotText);
  }
  for (const std::string good : {"Məmmədova", "Ёлкина", "İlkin Şahin Çələbi Ağa Öz Ün", "\U0001F600", "€",
                                 "\xEF\xBF\xBD"}) {
    EXPECT_TRUE(valid_utf8(good));
    Validator v(kNow);
    v.text("family_name", good, 100);
    EXPECT_TRUE(v.ok());
  }
}

// --- codes ------------------------------------------------------------------------------------

TEST(Validation, UnknownCodesAreRefused) {
  {
    Validator v(kNow);
    v.code("gender", std::string("female"), "gender", true);
    v.code("risk_level", std::string("high"), "risk_level", true);
    v.codes("means_of_control", "debt_bondage,withholds_documents", "means_of_control");
    v.codes("needs", "", "need");
    EXPECT_TRUE(v.ok());
  }
  for (const std::string bad : {"Female", "femalee", "female ", "1", "'; DROP TABLE persons; --"}) {
    Validator v(kNow);
    v.code("gender", bad, "gender", true);
    expect_one(v, "gender", msg::kUnknownCode);
  }
  {
    Validator v(kNow);
    v.code("gender", std::nullopt, "gender", true);
    expect_one(v, "gender", msg::kRequired);
  }
  for (const std::string bad : {"debt_bondage,bogus", "debt_bondage,,threats", ",threats", "Threats",
                                "debt_bondage;threats", ","}) {
    Validator v(kNow);
    v.codes("means_of_control", bad, "means_of_control");
    expect_one(v, "means_of_control", msg::kUnknownCode);
  }
  {
    std::string huge;
    while (huge.size() < 3000) huge += "threats,";
    huge += "threats";
    Validator v(kNow);
    v.codes("means_of_control", huge, "means_of_control");
    expect_one(v, "means_of_control", msg::kUnknownCode);
  }
}

TEST(Validation, ATrailingCommaIsAnEmptyCode) {
  // "a,,b" and ",a" are refused as holding an empty code; "a," holds one just the same and
  // must not be stored as a well-formed list.
  {
    Validator v(kNow);
    v.codes("means_of_control", "threats,", "means_of_control");
    expect_one(v, "means_of_control", msg::kUnknownCode, "codes \"threats,\"");
  }
  {
    Validator v(kNow);
    v.countries("countries_origin", "AZ,", iso());
    expect_one(v, "countries_origin", msg::kUnknownCountry, "countries \"AZ,\"");
  }
  {
    Validator v(kNow);
    v.languages("languages", "aze,", iso());
    expect_one(v, "languages", msg::kUnknownLanguage, "languages \"aze,\"");
  }
}

// --- dates ------------------------------------------------------------------------------------

TEST(Validation, ImpossibleDatesAreRefused) {
  for (const std::string bad : {"2023-02-30", "2024-13-01", "2024-1-1", "2024-00-10", "2024-01-00", "2023-02-29",
                                "2024-04-31", "2024/01/01", "24-01-01", "2024-01-01 ", " 2024-01-01",
                                "2024-01-1x", "yyyy-mm-dd", "20240101", "2024-001-01"}) {
    Validator v(kNow);
    v.date("birth_date", bad);
    expect_one(v, "birth_date", msg::kBadDate, bad);
    EXPECT_FALSE(parse_date(bad)) << bad;
  }
  for (const std::string good : {"2024-02-29", "2000-02-29", "1999-12-31", "2024-01-01"}) {
    Validator v(kNow);
    v.date("birth_date", good);
    EXPECT_TRUE(v.ok()) << good;
    EXPECT_TRUE(parse_date(good)) << good;
  }
}

TEST(Validation, FutureDatesAreRefusedUnlessAllowed) {
  const auto today_s = today(kNow);
  const auto later = today(kNow + 2 * 86400);
  const auto far = today(kNow + 400 * 86400);
  {
    Validator v(kNow);
    v.date("consent_given_on", today_s, true);
    EXPECT_TRUE(v.ok()) << "today is not in the future";
  }
  for (const auto& d : {later, far, std::string("2999-01-01")}) {
    Validator v(kNow);
    v.date("consent_given_on", d, true);
    expect_one(v, "consent_given_on", msg::kFutureDate, d);
    Validator f(kNow);
    f.date("follow_up_due", d, false, true);
    EXPECT_TRUE(f.ok()) << "allow_future: " << d;
  }
  {
    Validator v(kNow);
    v.date("consent_given_on", std::nullopt, true);
    expect_one(v, "consent_given_on", msg::kRequired);
  }
}

TEST(Validation, DatesBefore1900AreRefused) {
  for (const std::string old : {"1899-12-31", "1000-01-01", "0000-01-01"}) {
    Validator v(kNow);
    v.date("birth_date", old);
    ASSERT_EQ(v.errors().size(), 1u) << old;
    EXPECT_EQ(v.errors()[0].field, "birth_date");
    // "0000-01-01" is a valid proleptic date; each must be refused as too old (or not a date).
    EXPECT_TRUE(v.errors()[0].msgid == msg::kTooOldDate || v.errors()[0].msgid == msg::kBadDate) << old;
    Validator f(kNow);
    f.date("follow_up_due", old, false, true);
    EXPECT_FALSE(f.ok()) << "allow_future does not allow the past: " << old;
  }
  Validator v(kNow);
  v.date("birth_date", std::string("1899-12-31"));
  expect_one(v, "birth_date", msg::kTooOldDate);
  Validator ok(kNow);
  ok.date("birth_date", std::string("1900-01-01"));
  EXPECT_TRUE(ok.ok());
}

TEST(Validation, DateOrder) {
  Validator v(kNow);
  v.date_order("exploitation_started_on", std::string("2024-05-01"), "exploitation_ended_on", std::string("2024-04-30"));
  expect_one(v, "exploitation_ended_on", msg::kDateOrder);
  Validator same(kNow);
  same.date_order("a", std::string("2024-05-01"), "b", std::string("2024-05-01"));
  same.date_order("a", std::string("2024-05-01"), "b", std::nullopt);
  EXPECT_TRUE(same.ok());
}

TEST(Validation, TodayAndAge) {
  EXPECT_TRUE(parse_date(today(kNow)));
  EXPECT_EQ(today(kNow).substr(0, 7), "2025-06");
  EXPECT_EQ(age_on("2000-06-01", kNow), 25);
  EXPECT_EQ(age_on("2000-07-01", kNow), 24);
  EXPECT_FALSE(age_on("2000-02-30", kNow));
}

// --- numbers ----------------------------------------------------------------------------------

TEST(Validation, AgeOutOfRange) {
  for (std::int64_t bad : {-1, 121, 1000, -120}) {
    Validator v(kNow);
    v.integer("age_estimate", bad, 0, 120, msg::kAgeRange);
    expect_one(v, "age_estimate", msg::kAgeRange, std::to_string(bad));
  }
  for (std::int64_t good : {0, 1, 17, 120}) {
    Validator v(kNow);
    v.integer("age_estimate", good, 0, 120, msg::kAgeRange);
    EXPECT_TRUE(v.ok()) << good;
  }
  Validator none(kNow);
  none.integer("age_estimate", std::nullopt, 0, 120, msg::kAgeRange);
  EXPECT_TRUE(none.ok());
  // The same rule inside the intake's person step.
  IntakeForm f;
  f.consent.manage_data = true;
  f.person.alias = "Sınaq";
  f.person.age_estimate = 121;
  const auto errors = validate_step(f, IntakeStep::Person, iso(), kNow);
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0], (FieldError{"age_estimate", std::string(msg::kAgeRange), ""}));
}

// --- phone ------------------------------------------------------------------------------------

TEST(Validation, PhoneRules) {
  for (const std::string good : {"+994 50 123 45 67", "0501234567", "(012) 345-67-89", "+7 (912) 000-00-00", "112",
                                 "+994501234567"}) {
    Validator v(kNow);
    v.phone("phone", good);
    EXPECT_TRUE(v.ok()) << good;
  }
  for (const std::string& bad : std::vector<std::string>{
           "12", "+", "--", "050.123.45.67", "+994 50 123 45 67 ext 2", "phone", "050/1234567", std::string(33, '1'),
           "\xD9\xA0\xD9\xA1\xD9\xA2\xD9\xA3",  // Arabic-Indic digits
           "050\n1234567", "+994 50 123 45 67\x01"}) {
    Validator v(kNow);
    v.phone("phone", bad);
    expect_one(v, "phone", msg::kBadPhone, bad.size() < 40 ? bad : "long");
  }
  Validator empty(kNow);
  empty.phone("phone", std::nullopt);
  empty.phone("phone", std::string());
  EXPECT_TRUE(empty.ok());
}

// --- countries and languages ------------------------------------------------------------------

TEST(Validation, UnknownCountryOrLanguage) {
  {
    Validator v(kNow);
    v.country("citizenship", std::string("AZ"), iso());
    v.country("citizenship", std::nullopt, iso());
    v.countries("countries_exploitation", "AE,TR", iso());
    v.countries("countries_transit", "", iso());
    v.languages("languages", "aze,rus", iso());
    v.languages("languages", "azj", iso());
    v.languages("languages", "", iso());
    EXPECT_TRUE(v.ok());
  }
  for (const std::string bad : {"az", "AZE", "XX", "A", "ZZ", "Azerbaijan"}) {
    Validator v(kNow);
    v.country("citizenship", bad, iso());
    expect_one(v, "citizenship", msg::kUnknownCountry, bad);
  }
  for (const std::string bad : {"AZ,XX", "AZ,,GE", "az", "AZ GE"}) {
    Validator v(kNow);
    v.countries("countries_origin", bad, iso());
    expect_one(v, "countries_origin", msg::kUnknownCountry, bad);
  }
  for (const std::string bad : {"az", "AZE", "aze,qqq", ",aze", "Azerbaijani", "ru"}) {
    Validator v(kNow);
    v.languages("languages", bad, iso());
    expect_one(v, "languages", msg::kUnknownLanguage, bad);
  }
}

// --- the intake's own rules -------------------------------------------------------------------

TEST(Validation, IntakeStepsNameTheirFields) {
  IntakeForm f;
  f.consent.manage_data = true;
  f.consent.given_on = "2025-02-30";
  f.person.given_name = std::string(101, 'a');
  f.person.gender = "woman";
  f.person.birth_date = today(kNow + 3 * 86400);
  f.person.citizenship = "XX";
  f.person.languages = "xx";
  f.person.phone = "call me";
  f.exploitation.types = "forced_labour,bogus";
  f.exploitation.started_on = "2024-05-01";
  f.exploitation.ended_on = "2024-04-01";
  f.risk_level = "extreme";
  f.scope = "galactic";
  f.notes = std::string("tab\tis fine, bell\a is not");
  const auto errors = validate_step(f, IntakeStep::Review, iso(), kNow);
  std::vector<std::pair<std::string, std::string>> got;
  for (const auto& e : errors) {
    EXPECT_TRUE(is_msg_constant(e.msgid)) << e.field;
    got.emplace_back(e.field, e.msgid);
  }
  const std::vector<std::pair<std::string, std::string>> want{
      {"consent_given_on", std::string(msg::kBadDate)},
      {"given_name", std::string(msg::kTooLong)},
      {"gender", std::string(msg::kUnknownCode)},
      {"birth_date", std::string(msg::kFutureDate)},
      {"citizenship", std::string(msg::kUnknownCountry)},
      {"languages", std::string(msg::kUnknownLanguage)},
      {"phone", std::string(msg::kBadPhone)},
      {"exploitation_types", std::string(msg::kUnknownCode)},
      {"exploitation_ended_on", std::string(msg::kDateOrder)},
      {"risk_level", std::string(msg::kUnknownCode)},
      {"scope", std::string(msg::kUnknownCode)},
      {"notes", std::string(msg::kControlChars)},
  };
  EXPECT_EQ(got, want);
}

TEST(Validation, WithoutConsentNoIdentityButAnAlias) {
  IntakeForm f;
  f.consent.manage_data = false;
  f.consent.given_on = "2025-01-10";
  f.person.given_name = "Günay";
  f.person.family_name = "Nümunəova";
  f.person.birth_date = "1999-01-01";
  f.person.phone = "+994 50 000 00 00";
  f.person.alias = "Sınaq";
  auto errors = validate_step(f, IntakeStep::Person, iso(), kNow);
  std::vector<std::string> fields;
  for (const auto& e : errors) {
    EXPECT_EQ(e.msgid, msg::kNoConsentNoIdentity) << e.field;
    fields.push_back(e.field);
  }
  EXPECT_EQ(fields, (std::vector<std::string>{"given_name", "family_name", "birth_date", "phone"}));
  f.person.given_name.reset();
  f.person.family_name.reset();
  f.person.birth_date.reset();
  f.person.phone.reset();
  EXPECT_TRUE(validate_step(f, IntakeStep::Person, iso(), kNow).empty()) << "an alias alone is fine without consent";
  // With consent, somebody must be named: a name or an alias.
  f.consent.manage_data = true;
  f.person.alias.reset();
  errors = validate_step(f, IntakeStep::Person, iso(), kNow);
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0], (FieldError{"given_name", std::string(msg::kNameOrAlias), ""}));
}

TEST(Validation, RenderFillsTheArgument) {
  EXPECT_EQ(render({"notes", std::string(msg::kTooLong), "2000"}), "notes: At most 2000 characters.");
  EXPECT_EQ(render({"gender", std::string(msg::kUnknownCode), ""}), "gender: Choose one of the listed options.");
}

}  // namespace
}  // namespace ik::core
