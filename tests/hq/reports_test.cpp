// hq/reports: exact counts, the HTML page (charts, tables, small cells, nothing personal) and the
// k-anonymised CTDC export, over synthetic records in the bundle payload's shape. Every name and
// note below is made up and distinctive, so a leak is a plain substring.
#include "hq/reports.hpp"

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <ctime>
#include <fstream>
#include <iostream>
#include <map>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "tests/support/temp_dir.hpp"

namespace ik::hq {
namespace {

using nlohmann::json;

// Strings that must never leave the records: names, case numbers, free text, birth dates.
const std::vector<std::string> kSecrets = {
    "Zorblatt",      "Fakeperson", "Quuxalias", "SH-TEST-",       "SECRETNOTE",
    "Protectionxyz", "Reasonxyz",  "Orgxyz",    "Servicenotexyz", "+99450",
    "Calleroxx",     "Regionxyz",  "LEunitxyz", "1995-01-15"};

std::int64_t at(int y, int m, int d, int hour = 12) {
  std::tm tm{};
  tm.tm_year = y - 1900;
  tm.tm_mon = m - 1;
  tm.tm_mday = d;
  tm.tm_hour = hour;
  return static_cast<std::int64_t>(timegm(&tm));
}

struct CaseSpec {
  int id = 1;
  std::int64_t opened_at = 0;
  std::string gender = "female";
  std::optional<std::string> birth_date;
  std::optional<int> age;
  std::optional<std::string> citizenship = "UZ";
  std::string status = "active";
  std::string types = "forced_labour";
  std::optional<std::string> labour_sector, sexual, recruitment, relation;
  std::string means, countries = "AZ";
  bool purged = false;
  json referrals = json::array(), stays = json::array();
};

json make_case(const CaseSpec& s) {
  auto personal = [&](const std::string& v) { return s.purged ? json(nullptr) : json(v); };
  auto opt = [](const std::optional<std::string>& v) { return v ? json(*v) : json(nullptr); };
  json person = {{"given_name", personal(fmt::format("Zorblatt{}", s.id))},
                 {"family_name", personal("Fakeperson")},
                 {"alias", personal("Quuxalias")},
                 {"gender", s.gender},
                 {"birth_date", s.purged ? json(nullptr) : opt(s.birth_date)},
                 {"age_estimate", s.age ? json(*s.age) : json(nullptr)},
                 {"citizenship", opt(s.citizenship)},
                 {"languages", "uzb,rus"},
                 {"marital_status", nullptr},
                 {"education", nullptr},
                 {"phone", personal("+994501234567")}};
  json referrals = s.referrals;
  for (auto& r : referrals) {
    r["organisation"] = "Orgxyz Testing Bureau";
    r["reason"] = s.purged ? json(nullptr) : json("Reasonxyz free text");
  }
  return {{"id", s.id},
          {"case_number", fmt::format("SH-TEST-{:04}", s.id)},
          {"origin", "shelter"},
          {"status", s.status},
          {"risk_level", "high"},
          {"is_witness", false},
          {"protection_measures", personal("Protectionxyz measures")},
          {"scope", "international"},
          {"repatriation_status", "requested"},
          {"repatriation_destination", "UZ"},
          {"needs", "legal,medical"},
          {"intake_source", "law_enforcement"},
          {"notes", personal("SECRETNOTE about the person")},
          {"opened_at", s.opened_at},
          {"closed_at", nullptr},
          {"updated_at", s.opened_at + 100},
          {"purged", s.purged},
          {"person", person},
          {"consents",
           json::array({{{"kind", "manage_data"}, {"granted", true}, {"given_on", "2026-01-01"}}})},
          {"exploitation",
           {{"types", s.types},
            {"labour_sector", opt(s.labour_sector)},
            {"sexual_exploitation", opt(s.sexual)},
            {"means_of_control", s.means},
            {"recruitment", opt(s.recruitment)},
            {"recruiter_relation", opt(s.relation)},
            {"countries_origin", "UZ"},
            {"countries_transit", "KZ,RU"},
            {"countries_exploitation", s.countries},
            {"started_on", nullptr},
            {"ended_on", nullptr}}},
          {"referrals", referrals},
          {"stays", s.stays},
          {"services", json::array({{{"id", 1},
                                     {"type", "medical"},
                                     {"given_on", "2026-01-02"},
                                     {"note", personal("Servicenotexyz")}}})}};
}

json referral(const std::string& direction, const std::string& org, const std::string& status,
              std::int64_t created) {
  return {{"id", 1},          {"direction", direction}, {"organisation_type", org},
          {"status", status}, {"created_at", created},  {"updated_at", created}};
}

json stay(const std::string& bed, const std::string& wing, std::int64_t in,
          std::optional<std::int64_t> out) {
  return {{"id", 1},
          {"bed", bed},
          {"wing", wing},
          {"admitted_at", in},
          {"discharged_at", out ? json(*out) : json(nullptr)},
          {"discharge_reason", out ? json("left") : json(nullptr)}};
}

json make_call(int id, std::int64_t started, const std::string& type, const std::string& channel,
               bool purged = false) {
  auto personal = [&](const std::string& v) { return purged ? json(nullptr) : json(v); };
  return {{"id", id},
          {"started_at", started},
          {"duration_s", 300},
          {"channel", channel},
          {"caller_type", "potential_victim"},
          {"language", "aze"},
          {"region", "Regionxyz"},
          {"call_type", type},
          {"ilo_indicators", "debt_bondage"},
          {"actions", "information_given"},
          {"le_referred", false},
          {"le_unit", personal("LEunitxyz")},
          {"le_date", nullptr},
          {"follow_up_due", nullptr},
          {"follow_up_done", false},
          {"case_id", nullptr},
          {"caller_name", personal("Calleroxx Fakeperson")},
          {"phone", personal("+994501112233")},
          {"notes", personal("SECRETNOTE from the call")},
          {"updated_at", started + 300},
          {"purged", purged}};
}

json bed(const std::string& label, const std::string& wing, bool active = true) {
  return {{"label", label}, {"wing", wing}, {"active", active}};
}

std::string slurp(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

std::size_t occurrences(const std::string& hay, const std::string& needle) {
  std::size_t n = 0;
  for (auto pos = hay.find(needle); pos != std::string::npos; pos = hay.find(needle, pos + 1)) ++n;
  return n;
}

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

void expect_nothing_personal(const std::string& text) {
  for (const auto& secret : kSecrets)
    EXPECT_EQ(text.find(secret), std::string::npos) << "leaked: " << secret;
}

// To look at a page: IK_REPORT_SAMPLE=/tmp/h5-report.html hq_tests --gtest_filter='HqReport.*'
void keep_sample(const std::filesystem::path& page, std::string_view suffix) {
  if (const char* sample = std::getenv("IK_REPORT_SAMPLE"); sample != nullptr && *sample != '\0')
    std::filesystem::copy_file(page, std::string(sample) + std::string(suffix),
                               std::filesystem::copy_options::overwrite_existing);
}

unsigned mode_of(const std::filesystem::path& p) {
  struct stat st {};
  EXPECT_EQ(::stat(p.c_str(), &st), 0);
  return st.st_mode & 07777;
}

// ---------------------------------------------------------------------------------------------
// Stats

ReportInput stats_input() {
  DeviceRecords a{"0123456789abcdef", "Shelter North", {}, {}, {}};
  {
    CaseSpec c1;
    c1.id = 1;
    c1.opened_at = at(2026, 3, 10);
    c1.birth_date = "1995-01-15";  // 31 at intake
    c1.types = "forced_labour,sexual";
    c1.referrals.push_back(referral("outgoing", "legal", "pending", at(2026, 3, 11)));
    c1.stays.push_back(stay("W-01", "women", at(2026, 3, 10), std::nullopt));
    a.cases.push_back(make_case(c1));
    CaseSpec c2;
    c2.id = 2;
    c2.opened_at = at(2025, 7, 1);
    c2.gender = "male";
    c2.age = 16;
    c2.citizenship = "AZ";
    c2.status = "closed";
    c2.purged = true;
    c2.referrals.push_back(referral("incoming", "law_enforcement", "accepted", at(2025, 7, 1)));
    c2.stays.push_back(stay("M-01", "men", at(2025, 7, 1), at(2025, 8, 1)));
    a.cases.push_back(make_case(c2));
    CaseSpec c3;
    c3.id = 3;
    c3.opened_at = at(2026, 1, 5);
    c3.gender = "unknown";
    c3.citizenship = std::nullopt;
    c3.status = "follow_up";
    c3.types = "";
    a.cases.push_back(make_case(c3));
  }
  a.calls = {make_call(1, at(2026, 3, 1), "crisis", "phone"),
             make_call(2, at(2025, 6, 1), "tip", "sms", true)};
  a.beds = {bed("W-01", "women"), bed("W-02", "women"), bed("M-01", "men"),
            bed("G-09", "girls", false)};

  DeviceRecords b{"fedcba9876543210", "Shelter South", {}, {}, {}};
  CaseSpec c4;
  c4.id = 1;
  c4.opened_at = at(2026, 2, 1);
  c4.age = 10;
  c4.types = "sexual";
  c4.stays.push_back(stay("G-01", "girls", at(2026, 2, 1), std::nullopt));
  b.cases.push_back(make_case(c4));
  b.calls = {make_call(1, at(2026, 3, 2), "crisis", "messenger"),
             make_call(2, at(2026, 3, 3), "EVILCODE", "phone")};
  b.beds = {bed("G-01", "girls")};
  return {{a, b}, at(2026, 4, 2)};
}

TEST(HqStats, CountsAreExactPerDeviceAndInTotal) {
  const json s = build_stats(stats_input());
  const json& t = s["total"];
  EXPECT_EQ(t["devices"], 2);
  EXPECT_EQ(t["cases"]["total"], 4);
  EXPECT_EQ(t["cases"]["purged"], 1);
  EXPECT_EQ(t["cases"]["by_status"],
            json({{"active", 2}, {"follow_up", 1}, {"closed", 1}, {"closed_referred", 0}}));
  EXPECT_EQ(t["cases"]["by_gender"],
            json({{"female", 2}, {"male", 1}, {"transgender", 0}, {"unknown", 1}}));
  EXPECT_EQ(t["cases"]["by_age_group"], json({{"0-11", 1},
                                              {"12-17", 1},
                                              {"18-25", 0},
                                              {"26-35", 1},
                                              {"36-50", 0},
                                              {"51+", 0},
                                              {"unknown", 1}}));
  const json& types = t["cases"]["by_exploitation_type"];
  EXPECT_EQ(types["forced_labour"], 2);
  EXPECT_EQ(types["sexual"], 2);
  EXPECT_EQ(types["none"], 1);
  EXPECT_EQ(types["organ_removal"], 0);
  EXPECT_EQ(t["cases"]["by_citizenship"], json({{"UZ", 2}, {"AZ", 1}, {"unrecorded", 1}}));

  EXPECT_EQ(t["calls"]["total"], 4);
  EXPECT_EQ(t["calls"]["purged"], 1);
  EXPECT_EQ(t["calls"]["by_call_type"]["crisis"], 2);
  EXPECT_EQ(t["calls"]["by_call_type"]["tip"], 1);
  EXPECT_EQ(t["calls"]["by_call_type"]["unrecognised"], 1);
  EXPECT_EQ(t["calls"]["by_call_type"]["information"], 0);
  EXPECT_EQ(t["calls"]["by_channel"],
            json({{"phone", 2}, {"sms", 1}, {"messenger", 1}, {"email", 0}, {"other", 0}}));

  EXPECT_EQ(t["referrals"]["total"], 2);
  EXPECT_EQ(t["referrals"]["by_direction"], json({{"incoming", 1}, {"outgoing", 1}}));
  EXPECT_EQ(t["referrals"]["by_organisation_type"]["legal"], 1);
  EXPECT_EQ(t["referrals"]["by_organisation_type"]["law_enforcement"], 1);
  EXPECT_EQ(t["referrals"]["by_organisation_type"]["ngo"], 0);
  EXPECT_EQ(t["referrals"]["by_status"],
            json({{"pending", 1}, {"accepted", 1}, {"rejected", 0}, {"done", 0}}));

  EXPECT_EQ(t["beds"]["total"], 4);  // the inactive G-09 is not a bed in use
  EXPECT_EQ(t["beds"]["occupied"], 2);
  EXPECT_EQ(t["beds"]["by_wing"], json({{"women", {{"total", 2}, {"occupied", 1}}},
                                        {"girls", {{"total", 1}, {"occupied", 1}}},
                                        {"men", {{"total", 1}, {"occupied", 0}}},
                                        {"boys", {{"total", 0}, {"occupied", 0}}}}));
  EXPECT_EQ(t["purged"], json({{"cases", 1}, {"calls", 1}}));

  ASSERT_EQ(s["devices"].size(), 2U);
  const json& a = s["devices"][0];
  EXPECT_EQ(a["device_key_id"], "0123456789abcdef");
  EXPECT_EQ(a["label"], "Shelter North");
  EXPECT_EQ(a["cases"]["total"], 3);
  EXPECT_EQ(a["calls"]["total"], 2);
  EXPECT_EQ(a["beds"]["by_wing"]["women"]["occupied"], 1);
  EXPECT_EQ(a["beds"]["by_wing"]["girls"]["total"], 0);
  const json& b = s["devices"][1];
  EXPECT_EQ(b["cases"]["by_age_group"]["0-11"], 1);
  EXPECT_EQ(b["calls"]["by_call_type"]["unrecognised"], 1);
  EXPECT_EQ(b["beds"]["occupied"], 1);

  const std::string dumped = s.dump();
  expect_nothing_personal(dumped);
  EXPECT_EQ(dumped.find("EVILCODE"), std::string::npos);  // a bad code is counted, never echoed
}

TEST(HqStats, NoDevicesGivesZeros) {
  const json s = build_stats({});
  EXPECT_EQ(s["devices"], json::array());
  EXPECT_EQ(s["total"]["cases"]["total"], 0);
  EXPECT_EQ(s["total"]["beds"]["by_wing"]["women"]["total"], 0);
}

// ---------------------------------------------------------------------------------------------
// HTML report

ReportInput report_input() {
  DeviceRecords d{"0123456789abcdef", "Shelter <North> & Co", {}, {}, {}};
  int id = 0;
  auto add = [&](int n, std::int64_t opened, const std::string& gender, int age,
                 const std::string& types) {
    for (int i = 0; i < n; ++i) {
      CaseSpec c;
      c.id = ++id;
      c.opened_at = opened + i * 3600;
      c.gender = gender;
      c.types = types;
      c.purged = (id % 3 == 0);
      // Women aged 30 on live cases carry a birth date instead (30 or 31 at intake: same group).
      if (gender == "female" && age == 30 && !c.purged)
        c.birth_date = "1995-01-15";
      else
        c.age = age;
      d.cases.push_back(make_case(c));
    }
  };
  // March 2026 (the period): female 8 (26-35), male 2 (18-25), transgender 3 (36-50).
  add(8, at(2026, 3, 5), "female", 30, "sexual");
  add(2, at(2026, 3, 6), "male", 20, "forced_labour");
  add(3, at(2026, 3, 7), "transgender", 40, "forced_labour,sexual");
  // June 2025: female 10, male 20. Twelve months: female 18, male 22, transgender 3.
  add(10, at(2025, 6, 5), "female", 30, "sexual");
  add(20, at(2025, 6, 6), "male", 20, "forced_labour");
  // Before the window (February 2025): not counted on the page.
  add(4, at(2025, 2, 10), "male", 60, "other");

  // Referrals: legal 6 outgoing pending in March; NGO 5 outgoing accepted and law enforcement 7
  // incoming accepted in September 2025.
  for (int i = 0; i < 6; ++i)
    d.cases[static_cast<std::size_t>(i)]["referrals"].push_back(
        referral("outgoing", "legal", "pending", at(2026, 3, 20)));
  for (int i = 0; i < 5; ++i)
    d.cases[static_cast<std::size_t>(20 + i)]["referrals"].push_back(
        referral("outgoing", "ngo", "accepted", at(2025, 9, 20)));
  for (int i = 0; i < 7; ++i)
    d.cases[static_cast<std::size_t>(13 + i)]["referrals"].push_back(
        referral("incoming", "law_enforcement", "accepted", at(2025, 9, 21)));

  // Occupancy in March 2026: a women's bed 10 nights, a men's bed 2 nights (still occupied).
  d.cases[0]["stays"].push_back(stay("W-01", "women", at(2026, 3, 1), at(2026, 3, 11)));
  d.cases[8]["stays"].push_back(stay("M-01", "men", at(2026, 3, 30), std::nullopt));
  d.beds = {bed("W-01", "women"), bed("W-02", "women"), bed("M-01", "men")};

  // Calls: March 2026 three crisis and one tip; May 2025 seven information calls.
  int call = 0;
  for (int i = 0; i < 3; ++i)
    d.calls.push_back(make_call(++call, at(2026, 3, 2 + i), "crisis", "phone"));
  d.calls.push_back(make_call(++call, at(2026, 3, 9), "tip", "sms"));
  for (int i = 0; i < 7; ++i)
    d.calls.push_back(make_call(++call, at(2025, 5, 1 + i), "information", "phone", i < 3));
  return {{d}, at(2026, 4, 2, 9)};
}

std::string row(std::initializer_list<std::string> cells) {
  std::string s = "<tr>";
  bool first = true;
  for (const auto& c : cells) {
    s += first ? "<th scope=\"row\">" + c + "</th>" : "<td>" + c + "</td>";
    first = false;
  }
  return s + "</tr>";
}

TEST(HqReport, WritesOneSelfContainedPage) {
  test::TempDir tmp;
  const auto out = tmp / "report.html";
  auto r = write_report_html(report_input(), "2026-03", out);
  ASSERT_TRUE(r) << r.error().message;
  const std::string html = slurp(out);
  EXPECT_EQ(mode_of(out), 0640U);
  EXPECT_TRUE(html.starts_with("<!doctype html>"));
  EXPECT_TRUE(html.ends_with("</html>\n"));
  EXPECT_GT(occurrences(html, "<svg"), 0U);
  EXPECT_EQ(occurrences(html, "<svg"), occurrences(html, "</svg>"));
  EXPECT_EQ(occurrences(html, "<table"), occurrences(html, "</table>"));
  EXPECT_EQ(occurrences(html, "<section"), occurrences(html, "</section>"));
  EXPECT_EQ(lower(html).find("http"), std::string::npos);
  EXPECT_EQ(lower(html).find("<script"), std::string::npos);
  EXPECT_EQ(lower(html).find("url("), std::string::npos);
  EXPECT_EQ(lower(html).find("@import"), std::string::npos);
  expect_nothing_personal(html);

  // The page says what it is about, when it was made, from which devices, and that it is anonymous.
  EXPECT_NE(html.find("Counter-trafficking report: March 2026"), std::string::npos);
  EXPECT_NE(html.find("April 2025 to March 2026"), std::string::npos);
  EXPECT_NE(html.find("2026-04-02 09:00 UTC"), std::string::npos);
  EXPECT_NE(html.find("Shelter &lt;North&gt; &amp; Co"), std::string::npos);  // escaped, never raw
  EXPECT_EQ(html.find("Shelter <North>"), std::string::npos);
  EXPECT_NE(html.find("No personal data"), std::string::npos);
  EXPECT_NE(html.find("from 1 to 4"), std::string::npos);

  for (const char* title : {"Intakes by month", "Intakes by gender", "Intakes by age group",
                            "Intakes by gender and age group", "Intakes by type of exploitation",
                            "Calls by type", "Calls by month", "Referrals by organisation type",
                            "Referrals by status", "Occupied bed-nights by month"}) {
    EXPECT_NE(html.find(fmt::format("<h3>{}</h3>", title)), std::string::npos) << title;
  }
  for (const char* chart :
       {"Intakes by month", "Intakes by gender", "Intakes by age group",
        "Intakes by type of exploitation", "Calls by type", "Calls by month",
        "Referrals by organisation type", "Referrals by status", "Occupied bed-nights by month"}) {
    EXPECT_NE(html.find(fmt::format("-t\">{}</title>", chart)), std::string::npos) << chart;
  }

  // Intakes by month: exact. The February 2025 cases are outside the window.
  EXPECT_NE(html.find(row({"March 2026", "13"})), std::string::npos);
  EXPECT_NE(html.find(row({"June 2025", "30"})), std::string::npos);
  EXPECT_NE(html.find(row({"April 2025", "0"})), std::string::npos);
  EXPECT_EQ(html.find("February 2025"), std::string::npos);
  // Gender: male 2 and transgender 3 are small; over 12 months transgender 3 alone would be
  // recoverable from the total 43, so the smallest other non-zero (female 18) is withheld.
  EXPECT_NE(html.find(row({"Female", "8", "*"})), std::string::npos);
  EXPECT_NE(html.find(row({"Male", "&lt;5", "22"})), std::string::npos);
  EXPECT_NE(html.find(row({"Transgender / non-conforming", "&lt;5", "&lt;5"})), std::string::npos);
  EXPECT_NE(html.find(row({"Unknown", "0", "0"})), std::string::npos);
  EXPECT_NE(
      html.find("<tr class=\"total\"><th scope=\"row\">Total</th><td>13</td><td>43</td></tr>"),
      std::string::npos);
  // Age groups follow the same rule.
  EXPECT_NE(html.find(row({"26-35", "8", "*"})), std::string::npos);
  EXPECT_NE(html.find(row({"18-25", "&lt;5", "22"})), std::string::npos);
  EXPECT_NE(html.find(row({"36-50", "&lt;5", "&lt;5"})), std::string::npos);
  // Gender × age group: the female row would give its withheld total away: its cell is withheld.
  EXPECT_NE(html.find(row({"Female", "0", "0", "0", "*", "0", "0", "0", "*"})), std::string::npos);
  EXPECT_NE(html.find(row({"Male", "0", "0", "22", "0", "0", "0", "0", "22"})), std::string::npos);
  EXPECT_NE(html.find(row(
                {"Transgender / non-conforming", "0", "0", "0", "0", "&lt;5", "0", "0", "&lt;5"})),
            std::string::npos);
  // Exploitation types (a person may have several: no total, no complementary withholding).
  EXPECT_NE(html.find(row({"Forced labour", "5", "25"})), std::string::npos);
  EXPECT_NE(html.find(row({"Sexual exploitation", "11", "21"})), std::string::npos);
  EXPECT_NE(html.find(row({"Other exploitation", "0", "0"})), std::string::npos);
  // Calls are exact, small numbers included.
  EXPECT_NE(html.find(row({"Crisis", "3", "3"})), std::string::npos);
  EXPECT_NE(html.find(row({"Tip", "1", "1"})), std::string::npos);
  EXPECT_NE(html.find(row({"Information", "0", "7"})), std::string::npos);
  EXPECT_NE(html.find(row({"May 2025", "0", "0", "7", "0", "0", "0", "7"})), std::string::npos);
  // Referrals.
  EXPECT_NE(html.find(row({"Legal aid", "0", "6", "6", "6"})), std::string::npos);
  EXPECT_NE(html.find(row({"NGO", "0", "5", "5", "0"})), std::string::npos);
  EXPECT_NE(html.find(row({"Law enforcement", "7", "0", "7", "0"})), std::string::npos);
  EXPECT_NE(html.find(row({"Pending", "6", "6"})), std::string::npos);
  EXPECT_NE(html.find(row({"Accepted", "0", "12"})), std::string::npos);
  // Occupancy: 10 + 2 nights of 3 beds × 31 nights.
  EXPECT_NE(html.find(row({"March 2026", "10", "0", "2", "0", "12", "93", "12.9%"})),
            std::string::npos);
  // Small cells draw no bar: the "<5" mark is there, a bar titled with the number is not.
  EXPECT_NE(html.find("class=\"val hid\""), std::string::npos);
  EXPECT_EQ(html.find("<title>Transgender / non-conforming: 3</title>"), std::string::npos);
  EXPECT_NE(html.find("<title>Male: 22</title>"), std::string::npos);
  keep_sample(out, ".small.html");
}

TEST(HqReport, RefusesABadPeriodAndWritesNothing) {
  test::TempDir tmp;
  for (const char* period :
       {"2026-13", "2026-00", "2026-3", "26-03", "2026-03-01", "", "abcd-ef", "1969-12"}) {
    const auto out = tmp / "report.html";
    auto r = write_report_html(report_input(), period, out);
    ASSERT_FALSE(r) << period;
    EXPECT_EQ(r.error().code, core::Errc::Invalid);
    EXPECT_FALSE(std::filesystem::exists(out));
  }
}

TEST(HqReport, EmptyInputStillGivesAPage) {
  test::TempDir tmp;
  auto r = write_report_html({{}, at(2026, 4, 2)}, "2026-03", tmp / "r.html");
  ASSERT_TRUE(r) << r.error().message;
  const std::string html = slurp(tmp / "r.html");
  EXPECT_EQ(occurrences(html, "<svg"), occurrences(html, "</svg>"));
  EXPECT_NE(html.find(row({"March 2026", "0"})), std::string::npos);
}

// ---------------------------------------------------------------------------------------------
// CTDC export

const std::vector<std::string> kCtdcHeader = {"yearOfRegistration",
                                              "Datasource",
                                              "gender",
                                              "ageBroad",
                                              "majorityStatus",
                                              "citizenship",
                                              "isForcedLabour",
                                              "isSexualExploit",
                                              "isForcedMarriage",
                                              "isForcedMilitary",
                                              "isOrganRemoval",
                                              "isSlaveryAndPractices",
                                              "isOtherExploit",
                                              "isSexAndLabour",
                                              "typeOfLabourAgriculture",
                                              "typeOfLabourAquafarming",
                                              "typeOfLabourBegging",
                                              "typeOfLabourConstruction",
                                              "typeOfLabourDomesticWork",
                                              "typeOfLabourHospitality",
                                              "typeOfLabourIllicitActivities",
                                              "typeOfLabourManufacturing",
                                              "typeOfLabourMiningOrDrilling",
                                              "typeOfLabourPeddling",
                                              "typeOfLabourTransportation",
                                              "typeOfLabourOther",
                                              "typeOfLabourNotSpecified",
                                              "typeOfSexProstitution",
                                              "typeOfSexPornography",
                                              "typeOfSexRemoteInteractiveServices",
                                              "typeOfSexPrivateSexualServices",
                                              "meansOfControlDebtBondage",
                                              "meansOfControlTakesEarnings",
                                              "meansOfControlRestrictsFinancialAccess",
                                              "meansOfControlThreats",
                                              "meansOfControlPsychologicalAbuse",
                                              "meansOfControlPhysicalAbuse",
                                              "meansOfControlSexualAbuse",
                                              "meansOfControlFalsePromises",
                                              "meansOfControlPsychoactiveSubstances",
                                              "meansOfControlRestrictsMovement",
                                              "meansOfControlRestrictsMedicalCare",
                                              "meansOfControlExcessiveWorkingHours",
                                              "meansOfControlUsesChildren",
                                              "meansOfControlThreatOfLawEnforcement",
                                              "meansOfControlWithholdsNecessities",
                                              "meansOfControlWithholdsDocuments",
                                              "meansOfControlOther",
                                              "meansOfControlNotSpecified",
                                              "isAbduction",
                                              "recruiterRelationIntimatePartner",
                                              "recruiterRelationFriend",
                                              "recruiterRelationFamily",
                                              "recruiterRelationOther",
                                              "recruiterRelationUnknown",
                                              "CountryOfExploitation"};

std::string csv_line(const std::vector<std::string>& v) {
  std::string s;
  for (std::size_t i = 0; i < v.size(); ++i) s += (i ? "," : "") + v[i];
  return s + "\r\n";
}

// The expected row: every flag 0 unless named.
std::string expected_row(std::map<std::string, std::string> set) {
  std::vector<std::string> v;
  for (const auto& col : kCtdcHeader) {
    const auto it = set.find(col);
    v.push_back(it != set.end() ? it->second : "0");
  }
  return csv_line(v);
}

// 12 women aged 30 from UZ exploited in AZ, registered in 2025 (half of them purged stubs that
// keep only the age), 3 boys aged 16 from AZ, and one case with two countries of exploitation.
ReportInput ctdc_input() {
  DeviceRecords a{"0123456789abcdef", "Shelter North", {}, {}, {}};
  DeviceRecords b{"fedcba9876543210", "Shelter South", {}, {}, {}};
  for (int i = 0; i < 12; ++i) {
    CaseSpec c;
    c.id = i + 1;
    c.opened_at = at(2025, 6, 1 + i);
    c.purged = i % 2 == 0;
    if (c.purged)
      c.age = 30;
    else
      c.birth_date = "1995-01-15";  // 30 in June 2025
    c.types = "forced_labour";
    c.labour_sector = "construction";
    c.means = "debt_bondage,withholds_documents";
    c.recruitment = "abduction";
    c.relation = "friend";
    (i < 7 ? a : b).cases.push_back(make_case(c));
  }
  for (int i = 0; i < 3; ++i) {
    CaseSpec c;
    c.id = 100 + i;
    c.opened_at = at(2025, 9, 1 + i);
    c.gender = "male";
    c.age = 16;
    c.citizenship = "AZ";
    c.types = "sexual";
    c.sexual = "prostitution";
    a.cases.push_back(make_case(c));
  }
  CaseSpec two;
  two.id = 200;
  two.opened_at = at(2025, 6, 20);
  two.age = 30;
  two.countries = "AZ,TR";
  b.cases.push_back(make_case(two));
  return {{a, b}, at(2026, 4, 2)};
}

// The row of each of ctdc_input()'s twelve Uzbek women, nothing suppressed.
std::string uz_woman_row() {
  return expected_row({{"yearOfRegistration", "2025"},
                      {"Datasource", "Case Management"},
                      {"gender", "Female"},
                      {"ageBroad", "30--38"},
                      {"majorityStatus", "Adult"},
                      {"citizenship", "UZ"},
                      {"isForcedLabour", "1"},
                      {"typeOfLabourConstruction", "1"},
                      {"meansOfControlDebtBondage", "1"},
                      {"meansOfControlWithholdsDocuments", "1"},
                      {"isAbduction", "1"},
                      {"recruiterRelationFriend", "1"},
                      {"CountryOfExploitation", "AZ"}});
}

TEST(HqCtdc, KAnonymisedRowsWithTheCtdcColumns) {
  test::TempDir tmp;
  const auto out = tmp / "ctdc.csv";
  auto r = export_ctdc(ctdc_input(), 11, out);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->records, 16);
  EXPECT_EQ(r->rows_written, 12);
  // The 3 boys and the one with two countries: emptying all their quasi-identifiers makes a
  // class of 4, and the women's class of 12 has 1 row to spare, not 7; it is not broken up.
  EXPECT_EQ(r->records_dropped, 4);
  EXPECT_EQ(r->cells_suppressed_total(), 0);  // counted in the rows written only
  EXPECT_EQ(r->rows_with_suppression, 0);
  EXPECT_EQ(mode_of(out), 0600U);
  const std::string csv = slurp(out);
  ASSERT_TRUE(csv.starts_with(csv_line(kCtdcHeader)));
  const std::string woman = uz_woman_row();
  // All twelve rows are the same: live cases and purged stubs alike, from both devices.
  EXPECT_EQ(
      csv, csv_line(kCtdcHeader) + [&] {
        std::string s;
        for (int i = 0; i < 12; ++i) s += woman;
        return s;
      }());
  EXPECT_EQ(csv.find(",Male,"), std::string::npos);
  expect_nothing_personal(csv);
  EXPECT_EQ(csv.find("2025-"), std::string::npos);  // no date finer than the year
}

// Until local suppression, k = 2 dropped the two-country case (alone in its class) and wrote 15
// rows. Now it keeps all 16: that case's quasi-identifiers are emptied, and one of the 12 women
// (the class with the most to spare) is emptied too, so that the all-empty class has 2 rows.
TEST(HqCtdc, SmallKKeepsEveryRow) {
  test::TempDir tmp;
  auto r = export_ctdc(ctdc_input(), 2, tmp / "ctdc.csv");
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->rows_written, 16);
  EXPECT_EQ(r->records_dropped, 0);
  EXPECT_EQ(r->rows_with_suppression, 2);
  // The two-country case had no country to empty; the woman had all six.
  const std::vector<std::pair<std::string, std::int64_t>> cells = {
      {"yearOfRegistration", 2}, {"gender", 2},      {"ageBroad", 2},
      {"majorityStatus", 2},     {"citizenship", 2}, {"CountryOfExploitation", 1}};
  EXPECT_EQ(r->cells_suppressed, cells);
  const std::string csv = slurp(tmp / "ctdc.csv");
  const std::string boy = expected_row({{"yearOfRegistration", "2025"},
                                        {"Datasource", "Case Management"},
                                        {"gender", "Male"},
                                        {"ageBroad", "9--17"},
                                        {"majorityStatus", "Minor"},
                                        {"citizenship", "AZ"},
                                        {"isSexualExploit", "1"},
                                        {"typeOfSexProstitution", "1"},
                                        {"meansOfControlNotSpecified", "1"},
                                        {"CountryOfExploitation", "AZ"}});
  EXPECT_EQ(occurrences(csv, boy), 3U);
  const std::string woman = uz_woman_row();
  EXPECT_EQ(occurrences(csv, woman), 11U);
  // The emptied woman keeps her flags: only quasi-identifiers are suppressed.
  EXPECT_EQ(occurrences(csv, expected_row({{"yearOfRegistration", ""},
                                           {"Datasource", "Case Management"},
                                           {"gender", ""},
                                           {"ageBroad", ""},
                                           {"majorityStatus", ""},
                                           {"citizenship", ""},
                                           {"isForcedLabour", "1"},
                                           {"typeOfLabourConstruction", "1"},
                                           {"meansOfControlDebtBondage", "1"},
                                           {"meansOfControlWithholdsDocuments", "1"},
                                           {"isAbduction", "1"},
                                           {"recruiterRelationFriend", "1"},
                                           {"CountryOfExploitation", ""}})),
            1U);
  EXPECT_EQ(occurrences(csv, "\r\n"), 17U);
  expect_nothing_personal(csv);
}

// A group of identical cases for the hand-worked examples below: registered in `year`, aged
// `age` (an estimate), one citizenship, one country of exploitation.
void add_cases(DeviceRecords& d, int n, int year, const std::string& gender, int age,
               const std::string& citizenship, const std::string& country) {
  for (int i = 0; i < n; ++i) {
    CaseSpec c;
    c.id = static_cast<int>(d.cases.size()) + 1;
    c.opened_at = at(year, 5, 1 + i);
    c.gender = gender;
    c.age = age;
    c.citizenship = citizenship;
    c.countries = country;
    d.cases.push_back(make_case(c));
  }
}

// k = 5. Row-dropping wrote nothing here (classes of 3, 3, 2 and 3). A citizenship held by fewer
// than k people in all cannot be in any class of k: it is emptied, and its rows kept; a rare age
// band drops to majorityStatus alone.
TEST(HqCtdc, RareValuesAreEmptiedNotTheirRows) {
  DeviceRecords a{"0123456789abcdef", "Shelter North", {}, {}, {}};
  add_cases(a, 3, 2025, "female", 30, "UZ", "AZ");
  add_cases(a, 3, 2025, "female", 31, "TJ", "AZ");
  add_cases(a, 2, 2025, "male", 25, "AZ", "AZ");  // 24--26: 2 people
  add_cases(a, 3, 2025, "male", 28, "AZ", "AZ");  // 27--29: 3 people
  test::TempDir tmp;
  auto r = export_ctdc({{a}, at(2026, 4, 2)}, 5, tmp / "ctdc.csv");
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->rows_written, 11);
  EXPECT_EQ(r->records_dropped, 0);
  const std::vector<std::pair<std::string, std::int64_t>> cells = {
      {"yearOfRegistration", 0}, {"gender", 0},      {"ageBroad", 5},
      {"majorityStatus", 0},     {"citizenship", 6}, {"CountryOfExploitation", 0}};
  EXPECT_EQ(r->cells_suppressed, cells);
  EXPECT_EQ(r->rows_with_suppression, 11);
  const std::string csv = slurp(tmp / "ctdc.csv");
  EXPECT_EQ(occurrences(csv, "\r\n2025,Case Management,Female,30--38,Adult,,1,"), 6U);
  EXPECT_EQ(occurrences(csv, "\r\n2025,Case Management,Male,,Adult,AZ,1,"), 5U);
  EXPECT_EQ(csv.find("UZ"), std::string::npos);
  EXPECT_EQ(csv.find("TJ"), std::string::npos);
  expect_nothing_personal(csv);
}

// k = 5. Two classes of 3 women differ only in the country of exploitation: the first empties
// its country (the most distinct quasi-identifier, tied, first in the order), the second then
// joins it by emptying the same cell. 6 cells instead of 6 rows; the men's classes are untouched.
TEST(HqCtdc, SmallClassesMeetByEmptyingOneCell) {
  DeviceRecords a{"0123456789abcdef", "Shelter North", {}, {}, {}};
  add_cases(a, 3, 2025, "female", 30, "UZ", "AZ");
  add_cases(a, 3, 2025, "female", 30, "UZ", "TR");
  add_cases(a, 5, 2024, "male", 19, "TJ", "AZ");
  add_cases(a, 5, 2024, "male", 19, "TJ", "TR");
  test::TempDir tmp;
  auto r = export_ctdc({{a}, at(2026, 4, 2)}, 5, tmp / "ctdc.csv");
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->rows_written, 16);
  EXPECT_EQ(r->records_dropped, 0);
  EXPECT_EQ(r->cells_suppressed_total(), 6);
  EXPECT_EQ(r->cells_suppressed.back(),
            (std::pair<std::string, std::int64_t>{"CountryOfExploitation", 6}));
  const std::string csv = slurp(tmp / "ctdc.csv");
  EXPECT_EQ(occurrences(csv, "2025,Case Management,Female,30--38,Adult,UZ,"), 6U);
  EXPECT_EQ(occurrences(csv, ",TR\r\n"), 5U);
  EXPECT_EQ(occurrences(csv, ",AZ\r\n"), 5U);
  EXPECT_EQ(occurrences(csv, ",\r\n"), 6U);
}

TEST(HqCtdc, RefusesKOutOfRangeAndWritesNothing) {
  test::TempDir tmp;
  for (int k : {-1, 0, 1, 1001, 1 << 30}) {
    const auto out = tmp / "ctdc.csv";
    auto r = export_ctdc(ctdc_input(), k, out);
    ASSERT_FALSE(r) << k;
    EXPECT_EQ(r.error().code, core::Errc::Invalid);
    EXPECT_FALSE(std::filesystem::exists(out));
  }
  auto r = export_ctdc(ctdc_input(), 1000, tmp / "ctdc.csv");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->records, 16);
  EXPECT_EQ(r->rows_written, 0);
  EXPECT_EQ(r->records_dropped, 16);  // fewer than k records in all: nothing can be shared by k
  EXPECT_EQ(slurp(tmp / "ctdc.csv"), csv_line(kCtdcHeader));
}

// ---------------------------------------------------------------------------------------------
// A realistic input: two shelters, 500 intakes over 14 months, calls, referrals, stays.

ReportInput realistic_input() {
  std::uint64_t seed = 0x1234567;
  auto rnd = [&](int n) {
    seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
    return static_cast<int>((seed >> 33) % static_cast<std::uint64_t>(n));
  };
  auto pick = [&](std::initializer_list<const char*> l, std::initializer_list<int> weights) {
    int total = 0;
    for (int w : weights) total += w;
    int x = rnd(total);
    auto it = l.begin();
    for (int w : weights) {
      if (x < w) return std::string(*it);
      x -= w;
      ++it;
    }
    return std::string(*l.begin());
  };
  const std::int64_t start = at(2025, 2, 1, 0), end = at(2026, 3, 31, 23), now = at(2026, 4, 2, 9);
  ReportInput in{{{"0123456789abcdef", "Baku shelter", {}, {}, {}},
                  {"fedcba9876543210", "Ganja shelter", {}, {}, {}}},
                 now};
  for (auto& d : in.devices) {
    for (int i = 1; i <= 20; ++i) d.beds.push_back(bed(fmt::format("W-{:02}", i), "women"));
    for (int i = 1; i <= 10; ++i) d.beds.push_back(bed(fmt::format("G-{:02}", i), "girls"));
    for (int i = 1; i <= 12; ++i) d.beds.push_back(bed(fmt::format("M-{:02}", i), "men"));
    for (int i = 1; i <= 8; ++i) d.beds.push_back(bed(fmt::format("B-{:02}", i), "boys"));
  }
  for (int i = 0; i < 500; ++i) {
    auto& d = in.devices[static_cast<std::size_t>(rnd(3) == 0 ? 1 : 0)];
    CaseSpec c;
    c.id = i + 1;
    c.opened_at = start + (end - start) * i / 500 + rnd(3600);
    c.gender = pick({"female", "male", "transgender", "unknown"}, {62, 33, 2, 3});
    const int age = rnd(10) < 2 ? 8 + rnd(10) : 18 + rnd(40);
    if (rnd(2) == 0)
      c.age = age;
    else
      c.birth_date = fmt::format("{}-0{}-1{}", 2025 - age - 1, 1 + rnd(9), rnd(10));
    c.citizenship = pick({"AZ", "UZ", "TJ", "KG", "UA", "NP"}, {40, 20, 15, 10, 10, 5});
    c.types =
        pick({"forced_labour", "sexual", "forced_labour,sexual", "forced_marriage", "other", ""},
             {40, 35, 10, 6, 5, 4});
    if (c.types.find("forced_labour") != std::string::npos)
      c.labour_sector =
          pick({"construction", "agriculture", "domestic_work", "hospitality"}, {4, 3, 2, 1});
    if (c.types.find("sexual") != std::string::npos)
      c.sexual = pick({"prostitution", "pornography"}, {5, 1});
    c.means =
        pick({"debt_bondage", "debt_bondage,withholds_documents", "threats", ""}, {3, 3, 2, 2});
    c.countries = pick({"AZ", "RU", "TR", "AE", "RU,TR"}, {30, 30, 20, 15, 5});
    c.status = c.opened_at < at(2025, 12, 1)
                   ? pick({"closed", "closed_referred", "follow_up"}, {5, 3, 2})
                   : "active";
    c.purged = c.status != "active" && c.opened_at < at(2025, 9, 1);
    if (rnd(3) == 0)
      c.referrals.push_back(referral("incoming",
                                     pick({"law_enforcement", "ngo", "hotline"}, {6, 3, 1}),
                                     "accepted", c.opened_at));
    for (int k = rnd(3); k > 0; --k)
      c.referrals.push_back(
          referral("outgoing",
                   pick({"legal", "health", "embassy", "social_services", "international_org"},
                        {3, 3, 1, 2, 1}),
                   pick({"pending", "accepted", "rejected", "done"}, {1, 3, 1, 3}),
                   c.opened_at + 86400 * (1 + rnd(20))));
    const bool minor = age < 18;
    const std::string wing =
        c.gender == "male" ? (minor ? "boys" : "men") : (minor ? "girls" : "women");
    const std::int64_t out = c.opened_at + 86400 * (3 + rnd(40));
    const bool discharged = out < now && (c.status != "active" || rnd(4) != 0);
    c.stays.push_back(
        stay(fmt::format("{}-{:02}", static_cast<char>(std::toupper(wing[0])), 1 + rnd(8)), wing,
             c.opened_at, discharged ? std::optional(out) : std::nullopt));
    d.cases.push_back(make_case(c));
  }
  for (int i = 0; i < 1200; ++i) {
    auto& d = in.devices[static_cast<std::size_t>(rnd(3) == 0 ? 1 : 0)];
    const std::int64_t t = start + (end - start) * i / 1200 + rnd(3600);
    d.calls.push_back(make_call(
        i + 1, t,
        pick({"crisis", "tip", "information", "referral_request", "psychological_aid", "other"},
             {2, 2, 6, 2, 3, 1}),
        pick({"phone", "sms", "messenger", "email"}, {8, 1, 3, 1}), t < at(2025, 10, 1)));
  }
  return in;
}

TEST(HqReport, RealisticInputGivesAReadablePage) {
  const ReportInput in = realistic_input();
  test::TempDir tmp;
  const auto out = tmp / "report.html";
  auto r = write_report_html(in, "2026-03", out);
  ASSERT_TRUE(r) << r.error().message;
  const std::string html = slurp(out);
  EXPECT_TRUE(html.starts_with("<!doctype html>"));
  EXPECT_EQ(occurrences(html, "<svg"), 9U);
  EXPECT_EQ(occurrences(html, "</svg>"), 9U);
  EXPECT_EQ(lower(html).find("http"), std::string::npos);
  EXPECT_EQ(lower(html).find("<script"), std::string::npos);
  EXPECT_LT(html.size(), 400U * 1024);
  expect_nothing_personal(html);
  EXPECT_NE(html.find("Baku shelter"), std::string::npos);
  EXPECT_NE(html.find("Ganja shelter"), std::string::npos);

  const json stats = build_stats(in);
  EXPECT_EQ(stats["total"]["cases"]["total"], 500);
  EXPECT_EQ(stats["total"]["calls"]["total"], 1200);
  EXPECT_EQ(stats["total"]["beds"]["total"], 100);
  expect_nothing_personal(stats.dump());

  // The quasi-identifiers spread 500 people thinly: k = 11 empties many more cells than k = 2,
  // and both keep every record (row-dropping alone kept few rows at k = 11).
  auto strict = export_ctdc(in, 11, tmp / "ctdc11.csv");
  auto loose = export_ctdc(in, 2, tmp / "ctdc2.csv");
  ASSERT_TRUE(strict && loose);
  EXPECT_EQ(strict->rows_written + strict->records_dropped, 500);
  EXPECT_EQ(loose->rows_written + loose->records_dropped, 500);
  EXPECT_EQ(strict->rows_written, 500);
  EXPECT_EQ(loose->rows_written, 500);
  EXPECT_GT(strict->cells_suppressed_total(), loose->cells_suppressed_total());
  std::cout << fmt::format(
      "[ realistic ] CTDC rows written/left out/cells suppressed: k=11 {}/{}/{}, k=2 {}/{}/{}\n",
      strict->rows_written, strict->records_dropped, strict->cells_suppressed_total(),
      loose->rows_written, loose->records_dropped, loose->cells_suppressed_total());
  expect_nothing_personal(slurp(tmp / "ctdc11.csv"));
  expect_nothing_personal(slurp(tmp / "ctdc2.csv"));
  keep_sample(out, "");
}

}  // namespace
}  // namespace ik::hq
