// Search normalisation (fold, search_tokens, match_expression) and the search itself, through
// CaseService::list over intakes registered in a real SQLCipher database with its FTS3 index.
#include <algorithm>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "core/cases.hpp"
#include "core/retention.hpp"
#include "core/search.hpp"
#include "tests/core/fixture.hpp"

namespace ik::core::testing {
namespace {

// --- fold -------------------------------------------------------------------------------------

TEST(Search, FoldAzerbaijaniBothSpellings) {
  EXPECT_EQ(fold("Məmmədova"), "memmedova");
  EXPECT_EQ(fold("Məmmədova", Fold::Secondary), "mammadova");
  EXPECT_EQ(fold("MƏMMƏDOVA"), "memmedova");
  EXPECT_EQ(fold("MƏMMƏDOVA", Fold::Secondary), "mammadova");
  EXPECT_EQ(fold("Məmmə"), "memme");
  EXPECT_EQ(fold("İlkin"), "ilkin");
  EXPECT_EQ(fold("Qırmızı"), "qirmizi");
  EXPECT_EQ(fold("QIRMIZI"), "qirmizi");
  EXPECT_EQ(fold("Şahin"), "sahin");
  EXPECT_EQ(fold("Şahin", Fold::Secondary), "shahin");
  EXPECT_EQ(fold("Çələbi"), "celebi");
  EXPECT_EQ(fold("Çələbi", Fold::Secondary), "chalabi");
  EXPECT_EQ(fold("Ağa"), "aga");
  EXPECT_EQ(fold("AĞA", Fold::Secondary), "agha");
  EXPECT_EQ(fold("Öz Ünal"), "oz unal");
  EXPECT_EQ(fold("ÖZ ÜNAL"), "oz unal");
  EXPECT_EQ(fold("Nümunəova  Sınaqova"), "numuneova sinaqova");
  EXPECT_EQ(fold("José Müller"), "jose muller");
}

TEST(Search, FoldCyrillic) {
  EXPECT_EQ(fold("Ёлкина"), "елкина");
  EXPECT_EQ(fold("ЁЛКИНА"), "елкина");
  EXPECT_EQ(fold("Елкина"), "елкина");
  EXPECT_EQ(fold("ёлкина"), "елкина");
  EXPECT_EQ(fold("Примерова Анна"), "примерова анна");
  EXPECT_EQ(fold("ЇЖАК Ґава"), "їжак ґава");  // Ukrainian letters lower-case too
}

TEST(Search, FoldDropsEverythingElse) {
  EXPECT_EQ(fold("\"a\" OR (b*) -c: NEAR/3 d^"), "a or b c near 3 d");
  EXPECT_EQ(fold(""), "");
  EXPECT_EQ(fold("  ---  "), "");
  EXPECT_EQ(fold("bad\xFFutf8\xC9"), "bad utf8");
}

// --- tokens -----------------------------------------------------------------------------------

std::vector<std::string> split_ws(const std::string& s) {
  std::vector<std::string> out;
  std::string cur;
  for (char c : s) {
    if (c == ' ') {
      if (!cur.empty()) out.push_back(cur);
      cur.clear();
    } else {
      cur += c;
    }
  }
  if (!cur.empty()) out.push_back(cur);
  return out;
}

bool has(const std::vector<std::string>& v, std::string_view t) { return std::find(v.begin(), v.end(), t) != v.end(); }

TEST(Search, TokensHoldBothSpellingsCaseNumberAndPhone) {
  storage::PersonRecord p;
  p.given_name = "Şəbnəm";
  p.family_name = "Məmmədova";
  p.alias = "Ёлка";
  p.phone = "+994 50 123 45 67";
  const auto tokens = split_ws(search_tokens(p, "IK-2026-0001"));
  for (auto t : {"sebnem", "shabnam", "memmedova", "mammadova", "елка", "ik20260001", "20260001", "994501234567",
                 "501234567"})
    EXPECT_TRUE(has(tokens, t)) << t;
  // Not the parts of a case number: "ik" or "2026" would match every case of the device or year.
  for (auto t : {"ik", "2026", "0001"}) EXPECT_FALSE(has(tokens, t)) << t;
  // Only folded tokens: the name as typed is not in the index.
  for (const auto& t : tokens) {
    EXPECT_EQ(t.find("Məmmədova"), std::string::npos);
    EXPECT_EQ(t, fold(t)) << "a token is not folded";
  }
  storage::PersonRecord none;
  EXPECT_EQ(search_tokens(none, "IK-2026-0002"), "20260002 ik20260002");
}

// --- match_expression ----------------------------------------------------------------------

TEST(Search, MatchExpressionForNames) {
  EXPECT_EQ(match_expression("mammadova"), "mammadova*");
  EXPECT_EQ(match_expression("memmedova"), "memmedova*");
  EXPECT_EQ(match_expression("Məmmə"), "memme*");
  EXPECT_EQ(match_expression("MƏMMƏDOVA"), "memmedova*");
  EXPECT_EQ(match_expression("елкина"), "елкина*");
  EXPECT_EQ(match_expression("ЁЛК"), "елк*");
  EXPECT_EQ(match_expression("Елкина"), "елкина*");
  EXPECT_EQ(match_expression("Şəbnəm Məmmədova"), "sebnem* memmedova*");
  EXPECT_EQ(match_expression(""), std::nullopt);
  EXPECT_EQ(match_expression("   "), std::nullopt);
}

TEST(Search, MatchExpressionForCaseNumbersAndPhones) {
  EXPECT_EQ(match_expression("IK-2026-0001"), "ik20260001*");
  EXPECT_EQ(match_expression("ik-2026-00"), "ik202600*");
  EXPECT_EQ(match_expression("2026-0001"), "20260001*");
  // A whole number is searched by its last nine digits, which every stored form is indexed under.
  EXPECT_EQ(match_expression("+994 50 123 45 67"), "501234567*");
  EXPECT_EQ(match_expression("+994 (50) 123-45-67"), "501234567*");
  EXPECT_EQ(match_expression("0501234567"), "501234567*");
  EXPECT_EQ(match_expression("050 123 45 67"), "501234567*");
  EXPECT_EQ(match_expression("+994 50 12"), "9945012*");
}

// Each term: folded letters or digits, then one '*'; terms separated by one space.
bool only_folded_prefix_terms(const std::string& expr) {
  const auto terms = split_ws(expr);
  if (terms.empty() || terms.size() > 8) return false;
  std::string rejoined;
  for (const auto& t : terms) {
    if (t.size() < 2 || t.back() != '*') return false;
    const auto body = t.substr(0, t.size() - 1);
    if (fold(body) != body) return false;  // fold() keeps only letters and digits
    for (unsigned char c : body)
      if (c < 0x80 && !((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))) return false;
    rejoined += (rejoined.empty() ? "" : " ") + t;
  }
  return rejoined == expr;
}

TEST(Search, MatchExpressionNeverPassesFtsSyntax) {
  std::string ten_kb;
  while (ten_kb.size() < 10 * 1024) ten_kb += "\"x\" OR y* NEAR (z) -w ";
  std::string ten_kb_letters;
  while (ten_kb_letters.size() < 10 * 1024) ten_kb_letters += "Məmmədova ";
  std::string ten_kb_digits(10 * 1024, '7');
  const std::string inputs[] = {
      "\"",          "*",           "OR",          "NEAR",           "-",          "(",         ")",
      "()",          "a OR b",      "a AND b",     "a NOT b",        "-memmedova", "memm*",     "\"mammadova\"",
      "x NEAR/2 y",  "tokens:ik",   "^ik",         "a\" OR \"b",     "(a OR b)",   "' OR 1=1 --", "a:b:c",
      "\\\"",        "a\0b",        "\xFF\xFE",    "\xC9",           ten_kb,       ten_kb_letters, ten_kb_digits,
      "Mə\"mmə*dova", "OR NEAR AND NOT", "a b c d e f g h i j k l",
  };
  for (const auto& in : inputs) {
    const auto e = match_expression(in);
    if (!e) continue;
    EXPECT_TRUE(only_folded_prefix_terms(*e)) << "input of " << in.size() << " bytes gave: " << e->substr(0, 80);
    for (const char* syntax : {"\"", "(", ")", "-", ":", "^", "OR", "NEAR", "AND", "NOT", "**", "'"})
      EXPECT_EQ(e->find(syntax), std::string::npos) << syntax;
    EXPECT_LE(e->size(), 300u);
  }
  EXPECT_EQ(match_expression("OR"), "or*");
  EXPECT_EQ(match_expression("\"*()-"), std::nullopt);
  EXPECT_EQ(match_expression("a b c d e f g h i j k l"), "a* b* c* d* e* f* g* h*");
}

// --- end to end over registered intakes -------------------------------------------------------

struct SearchFixture : RecordsFixture {
  std::int64_t memmedova = 0, yolkina = 0, sinaqova = 0, primerova = 0;
  std::string memmedova_number;

  void SetUp() override {
    RecordsFixture::SetUp();
    if (HasFatalFailure()) return;
    auto s = officer();
    IntakeService intake(s);
    auto reg = [&](std::string family, std::string given, std::optional<std::string> phone) -> std::int64_t {
      auto f = sample_intake(IntakeStep::StatusSource, std::move(family), std::move(given));
      f.person.alias.reset();
      f.person.phone = std::move(phone);
      auto id = intake.register_intake(f);
      EXPECT_TRUE(id) << id.error().message;
      return id ? *id : 0;
    };
    memmedova = reg("Məmmədova", "Şəbnəm", "+994 50 123 45 67");
    yolkina = reg("Ёлкина", "Анна", "+7 912 000 11 22");
    sinaqova = reg("Sınaqova", "Leyla", "055 987 65 43");  // a local-form number
    primerova = reg("Примерова", "Ольга", std::nullopt);
    ASSERT_TRUE(memmedova && yolkina && sinaqova && primerova);
    auto page = CaseService(s).list({}, 0, 100);
    ASSERT_TRUE(page);
    for (const auto& i : page->items)
      if (i.id == memmedova) memmedova_number = i.case_number;
    ASSERT_FALSE(memmedova_number.empty());
  }

  static std::vector<std::int64_t> found(Session& s, const std::string& text) {
    auto page = CaseService(s).list({.status = std::nullopt, .text = text}, 0, 100);
    EXPECT_TRUE(page) << page.error().message;
    std::vector<std::int64_t> ids;
    if (!page) return ids;
    for (const auto& i : page->items) ids.push_back(i.id);
    EXPECT_EQ(page->total, static_cast<std::int64_t>(ids.size()));
    std::sort(ids.begin(), ids.end());
    return ids;
  }
  using Ids = std::vector<std::int64_t>;
};

TEST_F(SearchFixture, MammadovaFindsMemmedova) {
  auto s = officer();
  for (const char* q : {"mammadova", "memmedova", "Məmmədova", "Məmmə", "MƏMMƏDOVA", "mamma", "MAMMADOVA",
                        "Şəbnəm", "shabnam", "sebnem məmm"})
    EXPECT_EQ(found(s, q), Ids{memmedova}) << q;
}

TEST_F(SearchFixture, YelkinaFindsYolkina) {
  auto s = coordinator();
  for (const char* q : {"елкина", "ЁЛК", "Елкина", "Ёлкина", "ёлкина", "анна елк"})
    EXPECT_EQ(found(s, q), Ids{yolkina}) << q;
  EXPECT_EQ(found(s, "примерова"), Ids{primerova});
}

TEST_F(SearchFixture, PrefixesAndOtherPeople) {
  auto s = officer();
  EXPECT_EQ(found(s, "Sına"), Ids{sinaqova});
  EXPECT_EQ(found(s, "sinaq"), Ids{sinaqova});
  EXPECT_EQ(found(s, "Прим"), Ids{primerova});
  EXPECT_TRUE(found(s, "Nümunəova").empty()) << "nobody of that name was registered";
  EXPECT_TRUE(found(s, "mammadov x").empty()) << "every word must match";
  EXPECT_TRUE(found(s, "ammadova").empty()) << "a search is by prefix, not substring";
}

TEST_F(SearchFixture, CaseNumberSearch) {
  auto s = officer();
  ASSERT_EQ(memmedova_number.substr(0, 3), "IK-");
  EXPECT_EQ(found(s, memmedova_number), Ids{memmedova});
  const auto tail = memmedova_number.substr(3);  // "2026-0001"
  EXPECT_EQ(found(s, tail), Ids{memmedova});
  // The serial alone, lower case with the prefix.
  std::string lower = memmedova_number;
  std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return std::tolower(c); });
  EXPECT_EQ(found(s, lower), Ids{memmedova});
}

TEST_F(SearchFixture, PhoneSearch) {
  auto s = officer();
  for (const char* q : {"+994 50 123 45 67", "+994501234567", "0501234567", "050 123 45 67", "+994 50 12", "50 123"})
    EXPECT_EQ(found(s, q), Ids{memmedova}) << q;
  EXPECT_EQ(found(s, "0559876543"), Ids{sinaqova});
  EXPECT_EQ(found(s, "+7 912 000"), Ids{yolkina});
  EXPECT_TRUE(found(s, "+994 50 999 99 99").empty());
}

TEST_F(SearchFixture, LocallyStoredPhoneIsFoundByItsInternationalForm) {
  // Sınaqova's number was recorded as "055 987 65 43"; the same number typed the
  // international way must find her too (the index keeps the last nine digits for this).
  auto s = officer();
  EXPECT_EQ(found(s, "+994 55 987 65 43"), Ids{sinaqova});
  EXPECT_EQ(found(s, "994559876543"), Ids{sinaqova});
}

TEST_F(SearchFixture, FtsSyntaxFromTheUserIsHarmless) {
  auto s = officer();
  const auto all = found(s, "");
  ASSERT_EQ(all.size(), 4u);
  for (const char* q : {"\"", "*", "OR", "NEAR", "-", "(", ")", "mammadova OR elkina", "\"mammadova", "mammadova*",
                        "-mammadova", "(mammadova)", "tokens:mammadova", "mammadova NEAR/1 x", "' OR 1=1 --"}) {
    auto page = CaseService(s).list({.status = std::nullopt, .text = q}, 0, 100);
    ASSERT_TRUE(page) << "query " << q << ": " << page.error().message;
    EXPECT_LE(page->items.size(), 1u) << q;
  }
  EXPECT_EQ(found(s, "mammadova*"), Ids{memmedova});
  EXPECT_EQ(found(s, "(mammadova)"), Ids{memmedova});
  EXPECT_EQ(found(s, "-mammadova"), Ids{memmedova}) << "'-' is not a NOT";
  EXPECT_TRUE(found(s, "mammadova OR elkina").empty()) << "'OR' is a word, not an operator";
  // A query too long for the box is refused cleanly, not passed on.
  auto huge = CaseService(s).list({.status = std::nullopt, .text = std::string(10 * 1024, 'a')}, 0, 10);
  ASSERT_FALSE(huge);
  EXPECT_EQ(huge.error().code, Errc::Invalid);
  auto bad = CaseService(s).list({.status = std::nullopt, .text = "\xC0\xAF"}, 0, 10);
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().code, Errc::Invalid);
}

TEST_F(SearchFixture, PurgedPersonIsNotFound) {
  {
    auto c = coordinator();
    CaseService cases(c);
    ASSERT_TRUE(cases.set_status(memmedova, "closed"));
    ASSERT_TRUE(confirm_received_by_hq(c, {memmedova}, {}, now_unix()));
    auto r = apply_retention(c, 30, now_unix() + 31 * 86400);
    ASSERT_TRUE(r) << r.error().message;
    EXPECT_EQ(r->cases_purged, 1);
  }
  auto s = officer();
  for (const char* q : {"mammadova", "memmedova", "Şəbnəm", "+994 50 123 45 67", "0501234567"})
    EXPECT_TRUE(found(s, q).empty()) << q;
  EXPECT_EQ(found(s, "елкина"), Ids{yolkina}) << "others are still found";
  // The stub is still listed (by its case number: numbers are not personal).
  EXPECT_EQ(found(s, "").size(), 4u);
}

}  // namespace
}  // namespace ik::core::testing
