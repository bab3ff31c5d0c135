// Headquarters' reports over imported records (hq/reports.hpp).
//
// [SECTION] Reading records   tolerant accessors over payload kind 1 (docs/bundle-format.md)
// [SECTION] Dates             UTC civil dates, months, age at intake
// [SECTION] Stats             build_stats: exact counts per device and in total
// [SECTION] Suppression       small-cell rule for the HTML page
// [SECTION] SVG charts        bar charts drawn here, inline, no script
// [SECTION] HTML report       write_report_html
// [SECTION] CTDC export       export_ctdc, k-anonymised
//
// What never leaves this file: names, aliases, birth dates, phone numbers, case numbers, record
// ids, free text (notes, reasons, organisation names, regions, law-enforcement units), and dates
// finer than a month (the HTML page) or a year (the CTDC file). Every value written comes from a
// closed code list, an ISO 3166 alpha-2 pattern, a count, or the device's enrolment label. A code
// a device sent that is not in its list is counted as "unrecognised", never echoed.
//
// CTDC mapping: one row per case, columns of the CTDC global victim dataset (HTCDS-derived), in
// this order. An unknown value is an empty field; a flag is 1 or 0. Sources are payload kind 1.
//
// yearOfRegistration     the UTC year of opened_at
// Datasource             Case Management (fixed)
// gender                 person.gender: female Female, male Male, transgender
//                        Transgender/NonConforming, unknown (empty)
// ageBroad               age at intake, 0--8 9--17 18--20 21--23 24--26 27--29 30--38 39--47 48+:
//                        birth_date to the UTC date of opened_at, days / 365.25 truncated (as
//                        retention computes it), else person.age_estimate
// majorityStatus         the same age: Minor (under 18), Adult
// citizenship            person.citizenship, ISO 3166-1 alpha-2
// is* (exploitation)     exploitation.types, a flag per code: forced_labour isForcedLabour,
//                        sexual isSexualExploit, forced_marriage isForcedMarriage,
//                        forced_military isForcedMilitary, organ_removal isOrganRemoval,
//                        slavery_practices isSlaveryAndPractices, other isOtherExploit
// isSexAndLabour         types has both forced_labour and sexual
// typeOfLabour*          exploitation.labour_sector (one code), typeOfLabour + agriculture
//                        Agriculture, aquafarming Aquafarming, begging Begging, construction
//                        Construction, domestic_work DomesticWork, hospitality Hospitality,
//                        illicit_activities IllicitActivities, manufacturing Manufacturing,
//                        mining_drilling MiningOrDrilling, peddling Peddling, transportation
//                        Transportation, other Other, not_specified NotSpecified
// typeOfSex*             exploitation.sexual_exploitation (one code), typeOfSex + prostitution
//                        Prostitution, pornography Pornography, remote_interactive
//                        RemoteInteractiveServices, private_sexual_services
//                        PrivateSexualServices; not_specified has no column
// meansOfControl*        exploitation.means_of_control (comma-joined), meansOfControl +
//                        debt_bondage DebtBondage, takes_earnings TakesEarnings,
//                        restricts_financial_access RestrictsFinancialAccess, threats Threats,
//                        psychological_abuse PsychologicalAbuse, physical_abuse PhysicalAbuse,
//                        sexual_abuse SexualAbuse, false_promises FalsePromises,
//                        psychoactive_substances PsychoactiveSubstances, restricts_movement
//                        RestrictsMovement, restricts_medical_care RestrictsMedicalCare,
//                        excessive_working_hours ExcessiveWorkingHours, uses_children
//                        UsesChildren, threat_of_law_enforcement ThreatOfLawEnforcement,
//                        withholds_necessities WithholdsNecessities, withholds_documents
//                        WithholdsDocuments, other Other
// meansOfControlNotSpecified  means_of_control empty (the kiosk cannot tell "none" from "not
//                        asked"; CTDC's column covers both)
// isAbduction            exploitation.recruitment is abduction (no other code has a column)
// recruiterRelation*     exploitation.recruiter_relation (one code), recruiterRelation +
//                        intimate_partner IntimatePartner, friend Friend, family Family, other
//                        Other, unknown Unknown
// CountryOfExploitation  exploitation.countries_exploitation when it holds exactly one country;
//                        empty when none or several (CTDC holds one; nothing says which is main)
//
// The flag columns are generated from core/codes.cpp's `ctdc` names (the table above is what they
// say today), so the export cannot drift from the code lists or docs/data-dictionary.md. They are
// the dataset's own spellings (isSexualExploit, meansOfControlDebtBondage, …). Not exported:
// names, dates finer than the year, countries of origin and transit, and the *Concatenated and
// majorityStatusAtExploit columns (derivable by the recipient, or needing dates we do not send).
//
// k-anonymity. The quasi-identifiers are yearOfRegistration, gender, ageBroad, majorityStatus,
// citizenship and CountryOfExploitation: what someone who knows a victim (a trafficker, a
// neighbour, a journalist) could know. The promise: every combination of their six values in
// the file is shared by at least k rows of the file, an empty cell counting as a value of its own
// (unknown and suppressed are not told apart). k = 11 and the age bands are CTDC's; CTDC's own
// glossary describes its k-anonymisation as redacting the cases of sets under k (its k = 11 file
// held ~47,000 of ~80,000 records). Whole records are a shelter's scarcest thing, so cells go
// first, as in sdcMicro's localSuppression, and a shelter-sized file (~100 intakes a year) is
// still worth sending at k = 11:
//   1. Generalisation, already in the columns: the year, never a date; ageBroad bands, never an
//      age. Age has one more level, majorityStatus alone (ageBroad empty); majorityStatus is never
//      left showing what an emptied ageBroad hid.
//   2. Rare values: a value held by fewer than k records in all (a citizenship, a year, a band…)
//      cannot be in any class of k, so it is emptied everywhere; a rare band drops to
//      majorityStatus alone. This removes nothing any k-anonymous version could keep.
//   3. Local cell suppression, two greedy ways; the file keeps the one that leaves fewer records
//      out, then keeps more information (a known cell is worth log2 of the number of values its
//      column shows: a citizenship says more than a gender). Neither wins on every data set.
//      Top-down, in rounds: each class under k, the smallest first, empties one of its
//      quasi-identifiers in all its rows, preferring one whose emptying joins a class that
//      reaches k, then the one with the most distinct values (the most identifying, as in
//      sdcMicro's default importance), then the one joining the largest class, then country,
//      citizenship, age, year, gender; until no class but the all-empty one is under k. Age steps
//      from band to majorityStatus to nothing. A class only loses rows by taking a step itself,
//      so a class once at k stays at k.
//      Bottom-up: the most specific combinations (fewest emptied cells) that k records still
//      unplaced fit become classes first; a record left over goes to the most specific class it
//      fits, else to the all-empty one. Top-down tends to empty one column for everyone (all
//      citizenships of 1,000 records at k = 11); bottom-up keeps the common ones.
//   4. Restoring: a row whose cells are more emptied than needed moves to the least emptied
//      class of at least k that its own values fit (never leaving a class of exactly k).
//   5. The all-empty class: if rows end with every quasi-identifier empty but fewer than k of
//      them, rows beyond k in other classes (the cheapest first) are emptied to join them, if
//      that is enough. Only when it is not (or when there are fewer than k records in all) are
//      those rows left out: a class that already has k is never broken up to save them.
// The flag columns are not quasi-identifiers and are not changed. The result is checked before
// writing; a class under k that got through would be left out, never written. Rows are sorted,
// so their order says nothing about device or time.
#include "hq/reports.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <ctime>
#include <map>
#include <optional>
#include <set>
#include <span>
#include <string_view>
#include <tuple>

#include "core/codes.hpp"
#include "crypto/file_io.hpp"

namespace ik::hq {
namespace {

using nlohmann::json;
namespace codes = core::codes;

// ---------------------------------------------------------------------------------------------
// [SECTION] Reading records
// Records come from devices: a member may be missing, null or of the wrong type. Each accessor
// answers "absent" for all three, so one odd record is counted as unrecorded, not a failure.

const json* member(const json& j, const char* key) {
  if (!j.is_object()) return nullptr;
  const auto it = j.find(key);
  if (it == j.end() || it->is_null()) return nullptr;
  return &*it;
}

std::optional<std::string> text(const json& j, const char* key) {
  const json* m = member(j, key);
  if (m == nullptr || !m->is_string()) return std::nullopt;
  return m->get<std::string>();
}

std::optional<std::int64_t> integer(const json& j, const char* key) {
  const json* m = member(j, key);
  if (m == nullptr) return std::nullopt;
  if (m->is_number_integer()) return m->get<std::int64_t>();
  if (m->is_number_unsigned() && m->get<std::uint64_t>() <= static_cast<std::uint64_t>(INT64_MAX))
    return static_cast<std::int64_t>(m->get<std::uint64_t>());
  return std::nullopt;
}

bool flag(const json& j, const char* key, bool absent = false) {
  const json* m = member(j, key);
  if (m == nullptr) return absent;
  if (m->is_boolean()) return m->get<bool>();
  if (m->is_number_integer()) return m->get<std::int64_t>() != 0;
  return absent;
}

const json& array_of(const json& j, const char* key) {
  static const json kEmpty = json::array();
  const json* m = member(j, key);
  return m != nullptr && m->is_array() ? *m : kEmpty;
}

const json& object_of(const json& j, const char* key) {
  static const json kEmpty = json::object();
  const json* m = member(j, key);
  return m != nullptr && m->is_object() ? *m : kEmpty;
}

// The code when the list has it; "unrecorded" when absent; "unrecognised" otherwise (never the
// value itself: a device's bad value could be anything, and these keys are published).
std::string code_key(const codes::CodeList& list, const json& rec, const char* key) {
  const auto v = text(rec, key);
  if (!v || v->empty()) return "unrecorded";
  return list.contains(*v) ? *v : "unrecognised";
}

// Distinct codes of a comma-joined field, each one either a code of the list or "unrecognised".
std::vector<std::string> code_set(const codes::CodeList& list, const json& rec, const char* key) {
  std::set<std::string> out;
  if (const auto v = text(rec, key))
    for (auto& c : codes::split(*v))
      if (!c.empty()) out.insert(list.contains(c) ? c : "unrecognised");
  return {out.begin(), out.end()};
}

bool is_country(std::string_view s) {
  return s.size() == 2 && s[0] >= 'A' && s[0] <= 'Z' && s[1] >= 'A' && s[1] <= 'Z';
}

std::string citizenship_key(const json& person) {
  const auto v = text(person, "citizenship");
  if (!v || v->empty()) return "unrecorded";
  return is_country(*v) ? *v : "unrecognised";
}

// ---------------------------------------------------------------------------------------------
// [SECTION] Dates
// Everything is UTC: HQ's reports do not depend on a device's time zone.

constexpr std::int64_t kDay = 86400;

std::int64_t floor_div(std::int64_t a, std::int64_t b) {
  return a / b - ((a % b != 0) && ((a < 0) != (b < 0)) ? 1 : 0);
}

// Howard Hinnant's days_from_civil / civil_from_days (proleptic Gregorian).
std::int64_t days_from_civil(std::int64_t y, int m, int d) {
  y -= m <= 2 ? 1 : 0;
  const std::int64_t era = floor_div(y, 400);
  const std::int64_t yoe = y - era * 400;
  const std::int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const std::int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

struct Civil {
  std::int64_t y;
  int m, d;
};

Civil civil_from_days(std::int64_t z) {
  z += 719468;
  const std::int64_t era = floor_div(z, 146097);
  const std::int64_t doe = z - era * 146097;
  const std::int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const std::int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const std::int64_t mp = (5 * doy + 2) / 153;
  const int d = static_cast<int>(doy - (153 * mp + 2) / 5 + 1);
  const int m = static_cast<int>(mp < 10 ? mp + 3 : mp - 9);
  return {yoe + era * 400 + (m <= 2 ? 1 : 0), m, d};
}

bool digits(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

int days_in_month(std::int64_t y, int m) {
  return static_cast<int>(days_from_civil(m == 12 ? y + 1 : y, m == 12 ? 1 : m + 1, 1) -
                          days_from_civil(y, m, 1));
}

// "YYYY-MM-DD", a real day, as days since 1970-01-01.
std::optional<std::int64_t> parse_date(std::string_view s) {
  if (s.size() != 10 || s[4] != '-' || s[7] != '-') return std::nullopt;
  if (!digits(s.substr(0, 4)) || !digits(s.substr(5, 2)) || !digits(s.substr(8, 2)))
    return std::nullopt;
  const int y = std::stoi(std::string(s.substr(0, 4)));
  const int m = std::stoi(std::string(s.substr(5, 2)));
  const int d = std::stoi(std::string(s.substr(8, 2)));
  if (m < 1 || m > 12 || d < 1 || d > days_in_month(y, m)) return std::nullopt;
  return days_from_civil(y, m, d);
}

// A month as one number: year * 12 + (month - 1).
using MonthIndex = std::int64_t;

MonthIndex month_of(std::int64_t unix_seconds) {
  const Civil c = civil_from_days(floor_div(unix_seconds, kDay));
  return c.y * 12 + (c.m - 1);
}
std::int64_t month_start(MonthIndex mi) {
  const std::int64_t y = floor_div(mi, 12);
  return days_from_civil(y, static_cast<int>(mi - y * 12) + 1, 1) * kDay;
}
std::string month_key(MonthIndex mi) {
  const std::int64_t y = floor_div(mi, 12);
  return fmt::format("{:04}-{:02}", y, mi - y * 12 + 1);
}
std::string month_name(MonthIndex mi) {
  static constexpr std::array<std::string_view, 12> kNames = {
      "January", "February", "March",     "April",   "May",      "June",
      "July",    "August",   "September", "October", "November", "December"};
  const std::int64_t y = floor_div(mi, 12);
  return fmt::format("{} {}", kNames[static_cast<std::size_t>(mi - y * 12)], y);
}

std::optional<MonthIndex> parse_period(std::string_view s) {
  if (s.size() != 7 || s[4] != '-' || !digits(s.substr(0, 4)) || !digits(s.substr(5, 2)))
    return std::nullopt;
  const int y = std::stoi(std::string(s.substr(0, 4)));
  const int m = std::stoi(std::string(s.substr(5, 2)));
  if (y < 1970 || m < 1 || m > 12) return std::nullopt;
  return static_cast<MonthIndex>(y) * 12 + (m - 1);
}

std::string utc_time(std::int64_t t) {
  const Civil c = civil_from_days(floor_div(t, kDay));
  const std::int64_t s = t - floor_div(t, kDay) * kDay;
  return fmt::format("{:04}-{:02}-{:02} {:02}:{:02} UTC", c.y, c.m, c.d, s / 3600, s % 3600 / 60);
}

// Age at intake in whole years. Same rule as retention (storage/retention_repo.cpp): whole days
// between birth_date and the UTC date of opened_at, / 365.25, truncated — so a case is in the
// same age group before and after it is purged to a stub (which keeps only age_estimate).
std::optional<int> age_at_intake(const json& c) {
  const json& person = object_of(c, "person");
  const auto opened = integer(c, "opened_at");
  if (const auto bd = text(person, "birth_date"); bd && opened)
    if (const auto born = parse_date(*bd)) {
      const std::int64_t days = floor_div(*opened, kDay) - *born;
      if (days >= 0) {
        const auto age = static_cast<std::int64_t>(static_cast<double>(days) / 365.25);
        if (age <= 120) return static_cast<int>(age);
      }
    }
  if (const auto est = integer(person, "age_estimate"); est && *est >= 0 && *est <= 120)
    return static_cast<int>(*est);
  return std::nullopt;
}

constexpr std::array<std::string_view, 7> kAgeGroups = {"0-11",  "12-17", "18-25",  "26-35",
                                                        "36-50", "51+",   "unknown"};

std::string_view age_group(std::optional<int> age) {
  if (!age) return kAgeGroups[6];
  const int a = *age;
  return a <= 11   ? kAgeGroups[0]
         : a <= 17 ? kAgeGroups[1]
         : a <= 25 ? kAgeGroups[2]
         : a <= 35 ? kAgeGroups[3]
         : a <= 50 ? kAgeGroups[4]
                   : kAgeGroups[5];
}

// ---------------------------------------------------------------------------------------------
// [SECTION] Stats

json zeros(std::string_view list_name) {
  json j = json::object();
  for (const auto& c : codes::list(list_name).codes) j[std::string(c.code)] = 0;
  return j;
}

void bump(json& counts, const std::string& key, std::int64_t by = 1) {
  counts[key] = counts.value(key, std::int64_t{0}) + by;
}

// Adds every number of `part` into `total` at the same path.
void add_into(json& total, const json& part) {
  for (const auto& [k, v] : part.items()) {
    if (v.is_object()) {
      if (!total.contains(k)) total[k] = json::object();
      add_into(total[k], v);
    } else if (v.is_number()) {
      total[k] = total.value(k, std::int64_t{0}) + v.get<std::int64_t>();
    }
  }
}

// Beds are "occupied" when a stay in them has no discharge. Keyed by wing; a stay without a bed
// label still counts once.
std::map<std::string, std::set<std::string>> open_stays(const DeviceRecords& d) {
  const auto& wings = codes::list("wing");
  std::map<std::string, std::set<std::string>> out;
  for (const auto& c : d.cases)
    for (const auto& s : array_of(c, "stays")) {
      if (member(s, "discharged_at") != nullptr) continue;
      const std::string wing = code_key(wings, s, "wing");
      const auto bed = text(s, "bed");
      out[wing].insert(bed ? "bed:" + *bed : fmt::format("stay:{}", out[wing].size()));
    }
  return out;
}

json device_counts(const DeviceRecords& d) {
  const auto& status = codes::list("case_status");
  const auto& gender = codes::list("gender");
  const auto& exploitation = codes::list("exploitation_type");
  json ages = json::object();
  for (auto g : kAgeGroups) ages[std::string(g)] = 0;
  json by_type = zeros("exploitation_type");
  by_type["none"] = 0;
  json cases = {{"total", 0},
                {"purged", 0},
                {"by_status", zeros("case_status")},
                {"by_gender", zeros("gender")},
                {"by_age_group", ages},
                {"by_exploitation_type", by_type},
                {"by_citizenship", json::object()}};
  json referrals = {{"total", 0},
                    {"by_direction", zeros("referral_direction")},
                    {"by_organisation_type", zeros("organisation_type")},
                    {"by_status", zeros("referral_status")}};
  for (const auto& c : d.cases) {
    const json& person = object_of(c, "person");
    bump(cases, "total");
    if (flag(c, "purged")) bump(cases, "purged");
    bump(cases["by_status"], code_key(status, c, "status"));
    bump(cases["by_gender"], code_key(gender, person, "gender"));
    bump(cases["by_age_group"], std::string(age_group(age_at_intake(c))));
    const auto types = code_set(exploitation, object_of(c, "exploitation"), "types");
    if (types.empty()) bump(cases["by_exploitation_type"], "none");
    for (const auto& t : types) bump(cases["by_exploitation_type"], t);
    bump(cases["by_citizenship"], citizenship_key(person));
    for (const auto& r : array_of(c, "referrals")) {
      bump(referrals, "total");
      bump(referrals["by_direction"], code_key(codes::list("referral_direction"), r, "direction"));
      bump(referrals["by_organisation_type"],
           code_key(codes::list("organisation_type"), r, "organisation_type"));
      bump(referrals["by_status"], code_key(codes::list("referral_status"), r, "status"));
    }
  }
  json calls = {{"total", 0},
                {"purged", 0},
                {"by_call_type", zeros("call_type")},
                {"by_channel", zeros("call_channel")}};
  for (const auto& k : d.calls) {
    bump(calls, "total");
    if (flag(k, "purged")) bump(calls, "purged");
    bump(calls["by_call_type"], code_key(codes::list("call_type"), k, "call_type"));
    bump(calls["by_channel"], code_key(codes::list("call_channel"), k, "channel"));
  }
  json wings = json::object();
  for (const auto& w : codes::list("wing").codes)
    wings[std::string(w.code)] = {{"total", 0}, {"occupied", 0}};
  std::int64_t beds_total = 0, beds_occupied = 0;
  for (const auto& b : d.beds) {
    if (!flag(b, "active", true)) continue;
    const std::string wing = code_key(codes::list("wing"), b, "wing");
    if (!wings.contains(wing)) wings[wing] = {{"total", 0}, {"occupied", 0}};
    bump(wings[wing], "total");
    ++beds_total;
  }
  for (const auto& [wing, stays] : open_stays(d)) {
    if (!wings.contains(wing)) wings[wing] = {{"total", 0}, {"occupied", 0}};
    bump(wings[wing], "occupied", static_cast<std::int64_t>(stays.size()));
    beds_occupied += static_cast<std::int64_t>(stays.size());
  }
  return {{"cases", cases},
          {"calls", calls},
          {"referrals", referrals},
          {"beds", {{"total", beds_total}, {"occupied", beds_occupied}, {"by_wing", wings}}},
          {"purged", {{"cases", cases["purged"]}, {"calls", calls["purged"]}}}};
}

// ---------------------------------------------------------------------------------------------
// [SECTION] Suppression
// The rule the page states: a count of people (or of their cases or referrals) from 1 to 4 in a
// breakdown is shown as "<5" (primary). Where the parts of a breakdown and its total are shown,
// one hidden number among them could be worked out by subtraction (or addition, when the hidden
// one is the total), so a second one is withheld too, shown as "*" (complementary: the smallest
// non-zero count still shown). Totals published elsewhere exactly (intakes per month) are never
// withheld.
// Cells shared by several tables (the 12-month gender counts are both a table of their own and
// the margin of gender × age group) are one cell here, so every table shows them the same way.

class Suppression {
 public:
  enum class State { Shown, Small, Withheld };

  // `protect`: a count of people that the small-cell rule applies to.
  int cell(std::int64_t value, bool protect = true) {
    cells_.push_back({value, protect, State::Shown});
    return static_cast<int>(cells_.size()) - 1;
  }
  // `parts` add up to `total` (a cell id; -1 when the total is published elsewhere, exactly).
  void sum(int total, std::vector<int> parts) { sums_.push_back({total, std::move(parts)}); }

  void solve() {
    for (auto& c : cells_)
      if (c.protect && c.value >= 1 && c.value <= 4) c.state = State::Small;
    for (bool changed = true; changed;) {
      changed = false;
      for (const auto& s : sums_) {
        // A sum with exactly one hidden member (a part, or the total) gives that member away.
        std::vector<int> members = s.parts;
        if (s.total >= 0) members.push_back(s.total);
        if (std::count_if(members.begin(), members.end(), [&](int m) { return hidden(m); }) != 1)
          continue;
        int pick = -1;
        for (int m : members)
          if (!hidden(m) && cells_[m].value > 0 && cells_[m].protect &&
              (pick < 0 || cells_[m].value < cells_[pick].value))
            pick = m;
        if (pick < 0)
          continue;  // nothing else to hide: the only other non-zero is a published total
        cells_[pick].state = State::Withheld;
        changed = true;
      }
    }
  }

  bool hidden(int id) const { return cells_[id].state != State::Shown; }
  std::int64_t value(int id) const { return cells_[id].value; }
  // The text a reader sees (not HTML-escaped).
  std::string shown(int id) const {
    switch (cells_[id].state) {
      case State::Small:
        return "<5";
      case State::Withheld:
        return "*";
      case State::Shown:
        break;
    }
    return std::to_string(cells_[id].value);
  }

 private:
  struct Cell {
    std::int64_t value;
    bool protect;
    State state;
  };
  struct Sum {
    int total;
    std::vector<int> parts;
  };
  std::vector<Cell> cells_;
  std::vector<Sum> sums_;
};

// ---------------------------------------------------------------------------------------------
// [SECTION] SVG charts
// Plain SVG inside the HTML (no namespace URL needed there), system fonts, no script. Hidden
// cells get no bar, only their "<5" / "*" mark, so a bar's height never gives a value away.

std::string esc(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out += c;
    }
  return out;
}

constexpr std::array<std::string_view, 7> kColours = {"#0072B2", "#E69F00", "#009E73", "#CC79A7",
                                                      "#56B4E9", "#D55E00", "#999999"};

struct Bar {
  std::string label;
  std::int64_t value = 0;
  std::string shown;  // what the reader sees: the number, "<5" or "*"
  bool hidden = false;
};

// A round axis maximum with 4–6 gridlines.
std::pair<std::int64_t, std::int64_t> axis_scale(std::int64_t max) {
  if (max <= 0) return {5, 1};
  std::int64_t step = 1;
  for (;;) {
    for (std::int64_t f : {1, 2, 5}) {
      const std::int64_t s = step * f;
      if ((max + s - 1) / s <= 6) return {(max + s - 1) / s * s, s};
    }
    step *= 10;
  }
}

std::string svg_open(const std::string& id, const std::string& title, const std::string& desc,
                     int w, int h) {
  return fmt::format(
      "<svg class=\"chart\" viewBox=\"0 0 {w} {h}\" width=\"{w}\" height=\"{h}\" role=\"img\" "
      "aria-labelledby=\"{id}-t {id}-d\"><title id=\"{id}-t\">{t}</title><desc "
      "id=\"{id}-d\">{d}</desc>\n",
      fmt::arg("w", w), fmt::arg("h", h), fmt::arg("id", esc(id)), fmt::arg("t", esc(title)),
      fmt::arg("d", esc(desc)));
}

// Vertical bars, one per category (months); stacked when `series` has more than one name.
std::string column_chart(const std::string& id, const std::string& title,
                         const std::string& x_label, const std::string& y_label,
                         const std::vector<std::string>& categories,
                         const std::vector<std::string>& series,
                         const std::vector<std::vector<Bar>>& bars) {
  const int w = 900, h = series.size() > 1 ? 380 : 340;
  const int left = 72, right = 16, top = series.size() > 1 ? 44 : 20, bottom = 64;
  const int pw = w - left - right, ph = h - top - bottom;
  std::int64_t max = 0;
  for (const auto& col : bars) {
    std::int64_t sum = 0;
    for (const auto& b : col)
      if (!b.hidden) sum += b.value;
    max = std::max(max, sum);
  }
  const auto [axis_max, step] = axis_scale(max);
  const double slot =
      static_cast<double>(pw) / static_cast<double>(std::max<std::size_t>(categories.size(), 1));
  auto y_of = [&](double v) { return top + ph - v / static_cast<double>(axis_max) * ph; };
  std::string s = svg_open(
      id, title,
      fmt::format("{}: {} by {}. The numbers are in the table below.", title, y_label, x_label), w,
      h);
  for (std::int64_t v = 0; v <= axis_max; v += step) {
    const double y = y_of(static_cast<double>(v));
    s += fmt::format(
        "<line class=\"grid\" stroke=\"#e3e3e3\" x1=\"{}\" x2=\"{}\" y1=\"{:.1f}\" y2=\"{:.1f}\"/>",
        left, left + pw, y, y);
    s += fmt::format("<text class=\"tick\" x=\"{}\" y=\"{:.1f}\" text-anchor=\"end\">{}</text>\n",
                     left - 6, y + 4, v);
  }
  for (std::size_t i = 0; i < categories.size(); ++i) {
    const double x = left + slot * static_cast<double>(i) + slot * 0.15, bw = slot * 0.7;
    double base = 0;
    for (std::size_t k = 0; k < bars[i].size(); ++k) {
      const Bar& b = bars[i][k];
      if (b.hidden || b.value <= 0) continue;
      const double y1 = y_of(base + static_cast<double>(b.value)), y0 = y_of(base);
      s += fmt::format(
          "<rect x=\"{:.1f}\" y=\"{:.1f}\" width=\"{:.1f}\" height=\"{:.1f}\" "
          "fill=\"{}\"><title>{}: {}</title></rect>",
          x, y1, bw, y0 - y1, kColours[k % kColours.size()],
          esc(categories[i] + (series.size() > 1 ? " " + series[k] : "")), b.value);
      base += static_cast<double>(b.value);
    }
    // One series: its value (or mark); stacked: the column's total.
    const bool hid = series.size() == 1 && !bars[i].empty() && bars[i][0].hidden;
    const std::string label = series.size() == 1
                                  ? (bars[i].empty() ? "" : bars[i][0].shown)
                                  : fmt::format("{}", static_cast<std::int64_t>(base));
    s += fmt::format(
        "<text class=\"val{}\" x=\"{:.1f}\" y=\"{:.1f}\" text-anchor=\"middle\">{}</text>",
        hid ? " hid" : "", x + bw / 2, y_of(base) - 5, esc(label));
    s += fmt::format("<text class=\"cat\" x=\"{:.1f}\" y=\"{}\" text-anchor=\"middle\">{}</text>\n",
                     x + bw / 2, top + ph + 18, esc(categories[i]));
  }
  s += fmt::format("<line class=\"axis\" stroke=\"#333\" x1=\"{}\" x2=\"{}\" y1=\"{}\" y2=\"{}\"/>",
                   left, left + pw, top + ph, top + ph);
  s += fmt::format("<line class=\"axis\" stroke=\"#333\" x1=\"{}\" x2=\"{}\" y1=\"{}\" y2=\"{}\"/>",
                   left, left, top, top + ph);
  s += fmt::format("<text class=\"axl\" x=\"{}\" y=\"{}\" text-anchor=\"middle\">{}</text>",
                   left + pw / 2, h - 14, esc(x_label));
  s += fmt::format(
      "<text class=\"axl\" transform=\"translate(18 {}) rotate(-90)\" "
      "text-anchor=\"middle\">{}</text>\n",
      top + ph / 2, esc(y_label));
  if (series.size() > 1) {
    int x = left;
    for (std::size_t k = 0; k < series.size(); ++k) {
      s += fmt::format(
          "<rect x=\"{}\" y=\"12\" width=\"14\" height=\"14\" fill=\"{}\"/><text class=\"leg\" "
          "x=\"{}\" y=\"24\">{}</text>",
          x, kColours[k % kColours.size()], x + 20, esc(series[k]));
      x += 36 + static_cast<int>(series[k].size()) * 7;
    }
    s += "\n";
  }
  return s + "</svg>\n";
}

// Horizontal bars, one per category (codes with long labels).
std::string bar_chart(const std::string& id, const std::string& title,
                      const std::string& value_label, const std::string& category_label,
                      const std::vector<Bar>& bars) {
  const int row = 28, left = 240, right = 60, top = 12, bottom = 58, w = 900;
  const int h = top + row * static_cast<int>(bars.size()) + bottom, pw = w - left - right;
  std::int64_t max = 0;
  for (const auto& b : bars)
    if (!b.hidden) max = std::max(max, b.value);
  const auto [axis_max, step] = axis_scale(max);
  auto x_of = [&](double v) { return left + v / static_cast<double>(axis_max) * pw; };
  const int plot_bottom = top + row * static_cast<int>(bars.size());
  std::string s = svg_open(id, title,
                           fmt::format("{}: {} by {}. The numbers are in the table below.", title,
                                       value_label, category_label),
                           w, h);
  for (std::int64_t v = 0; v <= axis_max; v += step) {
    const double x = x_of(static_cast<double>(v));
    s += fmt::format(
        "<line class=\"grid\" stroke=\"#e3e3e3\" x1=\"{:.1f}\" x2=\"{:.1f}\" y1=\"{}\" y2=\"{}\"/>",
        x, x, top, plot_bottom);
    s +=
        fmt::format("<text class=\"tick\" x=\"{:.1f}\" y=\"{}\" text-anchor=\"middle\">{}</text>\n",
                    x, plot_bottom + 16, v);
  }
  for (std::size_t i = 0; i < bars.size(); ++i) {
    const Bar& b = bars[i];
    const int y = top + row * static_cast<int>(i);
    s += fmt::format("<text class=\"cat\" x=\"{}\" y=\"{}\" text-anchor=\"end\">{}</text>",
                     left - 8, y + row / 2 + 4, esc(b.label));
    double end = left;
    if (!b.hidden && b.value > 0) {
      end = x_of(static_cast<double>(b.value));
      s += fmt::format(
          "<rect x=\"{}\" y=\"{}\" width=\"{:.1f}\" height=\"{}\" fill=\"{}\"><title>{}: "
          "{}</title></rect>",
          left, y + 5, end - left, row - 10, kColours[0], esc(b.label), b.value);
    }
    s += fmt::format("<text class=\"val{}\" x=\"{:.1f}\" y=\"{}\">{}</text>\n",
                     b.hidden ? " hid" : "", end + 5, y + row / 2 + 4, esc(b.shown));
  }
  s += fmt::format("<line class=\"axis\" stroke=\"#333\" x1=\"{}\" x2=\"{}\" y1=\"{}\" y2=\"{}\"/>",
                   left, left, top, plot_bottom);
  s += fmt::format("<line class=\"axis\" stroke=\"#333\" x1=\"{}\" x2=\"{}\" y1=\"{}\" y2=\"{}\"/>",
                   left, left + pw, plot_bottom, plot_bottom);
  s += fmt::format("<text class=\"axl\" x=\"{}\" y=\"{}\" text-anchor=\"middle\">{}</text>",
                   left + pw / 2, h - 12, esc(value_label));
  s += fmt::format(
      "<text class=\"axl\" transform=\"translate(16 {}) rotate(-90)\" "
      "text-anchor=\"middle\">{}</text>\n",
      top + (plot_bottom - top) / 2, esc(category_label));
  return s + "</svg>\n";
}

// ---------------------------------------------------------------------------------------------
// [SECTION] HTML report

// A data table: the first column holds row headers; every cell is already the text to show.
struct Table {
  std::string caption;
  std::vector<std::string> head;
  std::vector<std::vector<std::string>> rows;
  bool last_row_total = false;
};

std::string render(const Table& t) {
  std::string s = "<table><caption>" + esc(t.caption) + "</caption>\n<thead><tr>";
  for (std::size_t i = 0; i < t.head.size(); ++i)
    s += "<th scope=\"col\">" + esc(t.head[i]) + "</th>";
  s += "</tr></thead>\n<tbody>\n";
  for (std::size_t r = 0; r < t.rows.size(); ++r) {
    const bool total = t.last_row_total && r + 1 == t.rows.size();
    s += total ? "<tr class=\"total\">" : "<tr>";
    for (std::size_t i = 0; i < t.rows[r].size(); ++i)
      s += i == 0 ? "<th scope=\"row\">" + esc(t.rows[r][i]) + "</th>"
                  : "<td>" + esc(t.rows[r][i]) + "</td>";
    s += "</tr>\n";
  }
  s += "</tbody></table>\n";
  const bool marks = std::any_of(t.rows.begin(), t.rows.end(), [](const auto& r) {
    return std::any_of(r.begin(), r.end(),
                       [](const std::string& c) { return c == "<5" || c == "*"; });
  });
  if (marks)
    s += "<p class=\"note\">&lt;5: from 1 to 4 people. *: withheld so that a count under 5 cannot "
         "be worked out from the total.</p>\n";
  return s;
}

std::string figure(const std::string& id, const std::string& title, const std::string& note,
                   const std::string& svg, const Table& table) {
  std::string s = fmt::format("<section id=\"{}\">\n<h3>{}</h3>\n", esc(id), esc(title));
  if (!note.empty()) s += "<p class=\"note\">" + esc(note) + "</p>\n";
  return s + svg + render(table) + "</section>\n";
}

// One case reduced to what the page uses.
struct Intake {
  MonthIndex month;
  std::string gender, age;
  std::vector<std::string> types;
};

struct Window {
  MonthIndex first, last;  // inclusive; last is the period month
  bool contains(MonthIndex m) const { return m >= first && m <= last; }
  std::size_t index(MonthIndex m) const { return static_cast<std::size_t>(m - first); }
  std::size_t size() const { return static_cast<std::size_t>(last - first + 1); }
};

// A code's English label; `list_name` empty for keys that are their own label (age groups).
std::string label_of(std::string_view list_name, const std::string& code) {
  if (code == "unrecorded") return "Not recorded";
  if (code == "unrecognised") return "Unrecognised code";
  if (code == "none") return "None recorded";
  if (list_name.empty()) return code == "unknown" ? "Unknown" : code;
  const auto l = codes::list(list_name).label(code);
  return l.empty() ? code : std::string(l);
}

// The codes of a list plus the extra keys that occur in `seen`, in list order.
std::vector<std::string> keys_of(std::string_view list_name, const std::set<std::string>& seen,
                                 std::initializer_list<std::string_view> extra = {}) {
  std::vector<std::string> out;
  for (const auto& c : codes::list(list_name).codes) out.emplace_back(c.code);
  for (auto e : extra) out.emplace_back(e);
  for (auto e : {"unrecorded", "unrecognised"})
    if (seen.contains(e)) out.emplace_back(e);
  return out;
}

// One-way breakdown of people over the window: a period-month column and a 12-month column.
struct Breakdown {
  std::vector<std::string> keys;
  std::vector<int> period, year;  // cell ids
};

class ReportBuilder {
 public:
  ReportBuilder(const ReportInput& in, Window w, std::int64_t now) : in_(in), w_(w), now_(now) {}

  std::string build() {
    std::string body;
    body += intakes();
    body += calls();
    body += referrals();
    body += occupancy();
    return body;
  }

 private:
  const ReportInput& in_;
  Window w_;
  std::int64_t now_;

  std::string period_head() const { return month_name(w_.last); }
  std::string year_head() const { return fmt::format("12 months to {}", month_key(w_.last)); }

  std::vector<Bar> bars_of(const Suppression& sup, const Breakdown& b,
                           std::string_view list) const {
    std::vector<Bar> out;
    for (std::size_t i = 0; i < b.keys.size(); ++i)
      out.push_back({label_of(list, b.keys[i]), sup.value(b.year[i]), sup.shown(b.year[i]),
                     sup.hidden(b.year[i])});
    return out;
  }

  Table two_column_table(const Suppression& sup, const Breakdown& b, std::string_view list,
                         const std::string& first, const std::string& caption,
                         std::optional<std::pair<int, int>> totals) const {
    Table t{caption, {first, period_head(), year_head()}, {}, totals.has_value()};
    for (std::size_t i = 0; i < b.keys.size(); ++i)
      t.rows.push_back({label_of(list, b.keys[i]), sup.shown(b.period[i]), sup.shown(b.year[i])});
    if (totals) t.rows.push_back({"Total", sup.shown(totals->first), sup.shown(totals->second)});
    return t;
  }

  std::string intakes() {
    std::vector<Intake> list;
    for (const auto& d : in_.devices)
      for (const auto& c : d.cases) {
        const auto opened = integer(c, "opened_at");
        if (!opened || !w_.contains(month_of(*opened))) continue;
        const json& person = object_of(c, "person");
        list.push_back(
            {month_of(*opened), code_key(codes::list("gender"), person, "gender"),
             std::string(age_group(age_at_intake(c))),
             code_set(codes::list("exploitation_type"), object_of(c, "exploitation"), "types")});
      }
    std::set<std::string> genders_seen, types_seen;
    for (const auto& i : list) {
      genders_seen.insert(i.gender);
      types_seen.insert(i.types.begin(), i.types.end());
    }
    Suppression sup;
    std::vector<std::int64_t> per_month(w_.size(), 0);
    for (const auto& i : list) ++per_month[w_.index(i.month)];
    // Month totals are published exactly: they count admissions, not a characteristic of anyone.
    const int grand = sup.cell(static_cast<std::int64_t>(list.size()), false);
    const int period_total = sup.cell(per_month.back(), false);

    auto one_way = [&](std::vector<std::string> keys, auto key_of) {
      Breakdown b{std::move(keys), {}, {}};
      for (const auto& k : b.keys) {
        std::int64_t p = 0, y = 0;
        for (const auto& i : list)
          if (key_of(i) == k) {
            ++y;
            if (i.month == w_.last) ++p;
          }
        b.period.push_back(sup.cell(p));
        b.year.push_back(sup.cell(y));
      }
      return b;
    };
    const Breakdown gender =
        one_way(keys_of("gender", genders_seen), [](const Intake& i) { return i.gender; });
    const Breakdown age =
        one_way({kAgeGroups.begin(), kAgeGroups.end()}, [](const Intake& i) { return i.age; });
    sup.sum(period_total, gender.period);
    sup.sum(grand, gender.year);
    sup.sum(period_total, age.period);
    sup.sum(grand, age.year);
    // Gender × age group over the 12 months; its margins are the 12-month cells above.
    std::vector<std::vector<int>> cross(gender.keys.size(), std::vector<int>(age.keys.size()));
    for (std::size_t g = 0; g < gender.keys.size(); ++g)
      for (std::size_t a = 0; a < age.keys.size(); ++a) {
        const auto n = std::count_if(list.begin(), list.end(), [&](const Intake& i) {
          return i.gender == gender.keys[g] && i.age == age.keys[a];
        });
        cross[g][a] = sup.cell(n);
      }
    for (std::size_t g = 0; g < gender.keys.size(); ++g) sup.sum(gender.year[g], cross[g]);
    for (std::size_t a = 0; a < age.keys.size(); ++a) {
      std::vector<int> col;
      for (std::size_t g = 0; g < gender.keys.size(); ++g) col.push_back(cross[g][a]);
      sup.sum(age.year[a], col);
    }
    // Exploitation types: a person may have several, so the column does not add up to a total.
    std::vector<std::string> type_keys = keys_of("exploitation_type", types_seen, {"none"});
    Breakdown types{type_keys, {}, {}};
    for (const auto& k : type_keys) {
      std::int64_t p = 0, y = 0;
      for (const auto& i : list) {
        const bool has = k == "none"
                             ? i.types.empty()
                             : std::find(i.types.begin(), i.types.end(), k) != i.types.end();
        if (has) {
          ++y;
          if (i.month == w_.last) ++p;
        }
      }
      types.period.push_back(sup.cell(p));
      types.year.push_back(sup.cell(y));
    }
    sup.solve();

    std::string s = "<h2 id=\"intakes\">Intakes</h2>\n";
    {
      std::vector<std::string> cats;
      std::vector<std::vector<Bar>> bars;
      Table t{"Intakes by month (cases opened)", {"Month", "Intakes"}, {}, true};
      for (std::size_t m = 0; m < w_.size(); ++m) {
        const MonthIndex mi = w_.first + static_cast<MonthIndex>(m);
        cats.push_back(month_key(mi));
        bars.push_back({{month_key(mi), per_month[m], std::to_string(per_month[m]), false}});
        t.rows.push_back({month_name(mi), std::to_string(per_month[m])});
      }
      t.rows.push_back({"Total", sup.shown(grand)});
      s += figure("intakes-month", "Intakes by month", "",
                  column_chart("c-intakes-month", "Intakes by month", "Month", "Intakes", cats,
                               {"Intakes"}, bars),
                  t);
    }
    s += figure("intakes-gender", "Intakes by gender", "",
                bar_chart("c-gender", "Intakes by gender", "Intakes, " + year_head(), "Gender",
                          bars_of(sup, gender, "gender")),
                two_column_table(sup, gender, "gender", "Gender", "Intakes by gender",
                                 std::pair{period_total, grand}));
    s += figure("intakes-age", "Intakes by age group",
                "Age at intake, from the birth date or the estimated age.",
                bar_chart("c-age", "Intakes by age group", "Intakes, " + year_head(),
                          "Age group (years)", bars_of(sup, age, "")),
                two_column_table(sup, age, "", "Age group (years)",
                                 "Intakes by age group at intake", std::pair{period_total, grand}));
    {
      Table t{"Intakes by gender and age group, " + year_head(), {"Gender"}, {}, true};
      for (const auto& a : age.keys) t.head.push_back(label_of("", a));
      t.head.push_back("Total");
      for (std::size_t g = 0; g < gender.keys.size(); ++g) {
        std::vector<std::string> row{label_of("gender", gender.keys[g])};
        for (int id : cross[g]) row.push_back(sup.shown(id));
        row.push_back(sup.shown(gender.year[g]));
        t.rows.push_back(std::move(row));
      }
      std::vector<std::string> total{"Total"};
      for (int id : age.year) total.push_back(sup.shown(id));
      total.push_back(sup.shown(grand));
      t.rows.push_back(std::move(total));
      s += "<section id=\"intakes-gender-age\">\n<h3>Intakes by gender and age group</h3>\n" +
           render(t) + "</section>\n";
    }
    s += figure(
        "intakes-exploitation", "Intakes by type of exploitation",
        "A person may have suffered several types of exploitation, so the column does not add up "
        "to the number of intakes.",
        bar_chart("c-exploitation", "Intakes by type of exploitation", "Intakes, " + year_head(),
                  "Type of exploitation", bars_of(sup, types, "exploitation_type")),
        two_column_table(sup, types, "exploitation_type", "Type of exploitation",
                         "Intakes by type of exploitation", std::nullopt));
    return s;
  }

  std::string calls() {
    const auto& types = codes::list("call_type");
    std::set<std::string> seen;
    struct C {
      MonthIndex month;
      std::string type;
    };
    std::vector<C> list;
    for (const auto& d : in_.devices)
      for (const auto& k : d.calls) {
        const auto at = integer(k, "started_at");
        if (!at || !w_.contains(month_of(*at))) continue;
        list.push_back({month_of(*at), code_key(types, k, "call_type")});
        seen.insert(list.back().type);
      }
    const auto keys = keys_of("call_type", seen);
    // Calls are counted exactly: a call type is what the call was about, not a trait of a
    // person, and callers are mostly anonymous.
    std::vector<std::vector<std::int64_t>> by(w_.size(), std::vector<std::int64_t>(keys.size(), 0));
    for (const auto& c : list)
      ++by[w_.index(c.month)]
          [static_cast<std::size_t>(std::find(keys.begin(), keys.end(), c.type) - keys.begin())];
    std::string s = "<h2 id=\"calls\">Hotline calls</h2>\n";
    {
      std::vector<Bar> bars;
      Table t{"Calls by type", {"Type of call", period_head(), year_head()}, {}, true};
      std::int64_t tp = 0, ty = 0;
      for (std::size_t k = 0; k < keys.size(); ++k) {
        std::int64_t y = 0;
        for (const auto& m : by) y += m[k];
        const std::int64_t p = by.back()[k];
        tp += p;
        ty += y;
        bars.push_back({label_of("call_type", keys[k]), y, std::to_string(y), false});
        t.rows.push_back({label_of("call_type", keys[k]), std::to_string(p), std::to_string(y)});
      }
      t.rows.push_back({"Total", std::to_string(tp), std::to_string(ty)});
      s += figure(
          "calls-type", "Calls by type", "",
          bar_chart("c-calls-type", "Calls by type", "Calls, " + year_head(), "Type of call", bars),
          t);
    }
    {
      std::vector<std::string> cats, series;
      for (const auto& k : keys) series.push_back(label_of("call_type", k));
      std::vector<std::vector<Bar>> bars;
      Table t{"Calls by month and type", {"Month"}, {}, true};
      for (const auto& k : series) t.head.push_back(k);
      t.head.push_back("Total");
      std::vector<std::int64_t> col(keys.size() + 1, 0);
      for (std::size_t m = 0; m < w_.size(); ++m) {
        const MonthIndex mi = w_.first + static_cast<MonthIndex>(m);
        cats.push_back(month_key(mi));
        std::vector<Bar> stack;
        std::vector<std::string> row{month_name(mi)};
        std::int64_t total = 0;
        for (std::size_t k = 0; k < keys.size(); ++k) {
          stack.push_back({series[k], by[m][k], std::to_string(by[m][k]), false});
          row.push_back(std::to_string(by[m][k]));
          total += by[m][k];
          col[k] += by[m][k];
        }
        col.back() += total;
        row.push_back(std::to_string(total));
        bars.push_back(std::move(stack));
        t.rows.push_back(std::move(row));
      }
      std::vector<std::string> total{"Total"};
      for (auto v : col) total.push_back(std::to_string(v));
      t.rows.push_back(std::move(total));
      s += figure(
          "calls-month", "Calls by month", "",
          column_chart("c-calls-month", "Calls by month", "Month", "Calls", cats, series, bars), t);
    }
    return s;
  }

  std::string referrals() {
    struct R {
      MonthIndex month;
      std::string direction, organisation, status;
    };
    std::vector<R> list;
    std::set<std::string> org_seen, status_seen;
    for (const auto& d : in_.devices)
      for (const auto& c : d.cases)
        for (const auto& r : array_of(c, "referrals")) {
          const auto at = integer(r, "created_at");
          if (!at || !w_.contains(month_of(*at))) continue;
          list.push_back({month_of(*at),
                          code_key(codes::list("referral_direction"), r, "direction"),
                          code_key(codes::list("organisation_type"), r, "organisation_type"),
                          code_key(codes::list("referral_status"), r, "status")});
          org_seen.insert(list.back().organisation);
          status_seen.insert(list.back().status);
        }
    Suppression sup;
    const int grand = sup.cell(static_cast<std::int64_t>(list.size()), false);
    std::int64_t in_period = 0;
    for (const auto& r : list) in_period += r.month == w_.last ? 1 : 0;
    const int period_total = sup.cell(in_period, false);
    auto count = [&](auto pred) {
      return static_cast<std::int64_t>(std::count_if(list.begin(), list.end(), pred));
    };

    const auto orgs = keys_of("organisation_type", org_seen);
    const std::array<std::string, 2> dirs = {"incoming", "outgoing"};
    std::vector<std::array<int, 2>> by_dir;  // [org][incoming, outgoing], 12 months
    std::vector<int> org_year, org_period;
    for (const auto& o : orgs) {
      std::array<int, 2> cells{};
      for (std::size_t k = 0; k < 2; ++k)
        cells[k] = sup.cell(
            count([&](const R& r) { return r.organisation == o && r.direction == dirs[k]; }));
      by_dir.push_back(cells);
      org_year.push_back(sup.cell(count([&](const R& r) { return r.organisation == o; })));
      org_period.push_back(
          sup.cell(count([&](const R& r) { return r.organisation == o && r.month == w_.last; })));
      // A referral whose direction is not a code counts in the total only.
      if (count([&](const R& r) {
            return r.organisation == o && r.direction != dirs[0] && r.direction != dirs[1];
          }) == 0)
        sup.sum(org_year.back(), {cells[0], cells[1]});
    }
    std::array<int, 2> dir_total{};
    for (std::size_t k = 0; k < 2; ++k) {
      dir_total[k] = sup.cell(count([&](const R& r) { return r.direction == dirs[k]; }));
      std::vector<int> col;
      for (const auto& c : by_dir) col.push_back(c[k]);
      sup.sum(dir_total[k], col);
    }
    sup.sum(grand, org_year);
    if (count([&](const R& r) { return r.direction != dirs[0] && r.direction != dirs[1]; }) == 0)
      sup.sum(grand, {dir_total[0], dir_total[1]});
    sup.sum(period_total, org_period);
    const auto statuses = keys_of("referral_status", status_seen);
    Breakdown st{statuses, {}, {}};
    for (const auto& k : statuses) {
      st.period.push_back(
          sup.cell(count([&](const R& r) { return r.status == k && r.month == w_.last; })));
      st.year.push_back(sup.cell(count([&](const R& r) { return r.status == k; })));
    }
    sup.sum(grand, st.year);
    sup.sum(period_total, st.period);
    sup.solve();

    std::string s = "<h2 id=\"referrals\">Referrals</h2>\n";
    {
      std::vector<Bar> bars;
      Table t{"Referrals by organisation type",
              {"Organisation type", "Incoming", "Outgoing", year_head(), period_head()},
              {},
              true};
      for (std::size_t i = 0; i < orgs.size(); ++i) {
        const std::string label = label_of("organisation_type", orgs[i]);
        bars.push_back(
            {label, sup.value(org_year[i]), sup.shown(org_year[i]), sup.hidden(org_year[i])});
        t.rows.push_back({label, sup.shown(by_dir[i][0]), sup.shown(by_dir[i][1]),
                          sup.shown(org_year[i]), sup.shown(org_period[i])});
      }
      t.rows.push_back({"Total", sup.shown(dir_total[0]), sup.shown(dir_total[1]), sup.shown(grand),
                        sup.shown(period_total)});
      s += figure("referrals-organisation", "Referrals by organisation type",
                  "Referrals are counted in the month they were made: incoming (to the shelter) "
                  "and outgoing (from it).",
                  bar_chart("c-ref-org", "Referrals by organisation type",
                            "Referrals, " + year_head(), "Organisation type", bars),
                  t);
    }
    s += figure("referrals-status", "Referrals by status",
                "The status each referral had when its case was last sent to headquarters.",
                bar_chart("c-ref-status", "Referrals by status", "Referrals, " + year_head(),
                          "Status", bars_of(sup, st, "referral_status")),
                two_column_table(sup, st, "referral_status", "Status", "Referrals by status",
                                 std::pair{period_total, grand}));
    return s;
  }

  std::string occupancy() {
    const auto& wing_list = codes::list("wing");
    std::vector<std::string> wings;
    for (const auto& w : wing_list.codes) wings.emplace_back(w.code);
    // Nights are counted at midnight UTC: a person in a bed at 00:00 of day D+1 occupied it on the
    // night of day D, which belongs to D's month. Open stays run until the report is generated.
    auto nights = [](std::int64_t from, std::int64_t to) {
      return to <= from ? 0 : floor_div(to, kDay) - floor_div(from, kDay);
    };
    std::vector<std::vector<std::int64_t>> occupied(w_.size(),
                                                    std::vector<std::int64_t>(wings.size(), 0));
    std::vector<std::int64_t> beds(wings.size(), 0);
    for (const auto& d : in_.devices) {
      for (const auto& b : d.beds) {
        if (!flag(b, "active", true)) continue;
        const auto it = std::find(wings.begin(), wings.end(), code_key(wing_list, b, "wing"));
        if (it != wings.end()) ++beds[static_cast<std::size_t>(it - wings.begin())];
      }
      for (const auto& c : d.cases)
        for (const auto& st : array_of(c, "stays")) {
          const auto it = std::find(wings.begin(), wings.end(), code_key(wing_list, st, "wing"));
          const auto in = integer(st, "admitted_at");
          if (it == wings.end() || !in) continue;
          const std::int64_t out = integer(st, "discharged_at").value_or(now_);
          for (std::size_t m = 0; m < w_.size(); ++m) {
            const MonthIndex mi = w_.first + static_cast<MonthIndex>(m);
            const std::int64_t lo = std::max(month_start(mi), *in),
                               hi = std::min({month_start(mi + 1), out, now_});
            occupied[m][static_cast<std::size_t>(it - wings.begin())] += nights(lo, hi);
          }
        }
    }
    std::vector<std::string> cats, series;
    for (const auto& w : wings) series.push_back(label_of("wing", w));
    std::vector<std::vector<Bar>> bars;
    Table t{"Occupied bed-nights by month and wing", {"Month"}, {}, false};
    for (const auto& w : series) t.head.push_back(w);
    for (auto h : {"Total bed-nights", "Bed-nights available", "Occupancy"}) t.head.emplace_back(h);
    std::int64_t total_beds = 0;
    for (auto b : beds) total_beds += b;
    for (std::size_t m = 0; m < w_.size(); ++m) {
      const MonthIndex mi = w_.first + static_cast<MonthIndex>(m);
      cats.push_back(month_key(mi));
      std::vector<Bar> stack;
      std::vector<std::string> row{month_name(mi)};
      std::int64_t sum = 0;
      for (std::size_t k = 0; k < wings.size(); ++k) {
        stack.push_back({series[k], occupied[m][k], std::to_string(occupied[m][k]), false});
        row.push_back(std::to_string(occupied[m][k]));
        sum += occupied[m][k];
      }
      const std::int64_t available =
          total_beds * nights(month_start(mi), std::min(month_start(mi + 1), now_));
      row.push_back(std::to_string(sum));
      row.push_back(std::to_string(available));
      row.push_back(available > 0 ? fmt::format("{:.1f}%", 100.0 * static_cast<double>(sum) /
                                                               static_cast<double>(available))
                                  : "–");
      bars.push_back(std::move(stack));
      t.rows.push_back(std::move(row));
    }
    std::string beds_note = "Beds today:";
    for (std::size_t k = 0; k < wings.size(); ++k)
      beds_note += fmt::format(" {} {}{}", series[k], beds[k], k + 1 < wings.size() ? "," : ".");
    return "<h2 id=\"occupancy\">Shelter occupancy</h2>\n" +
           figure("occupancy-month", "Occupied bed-nights by month",
                  "A bed-night is one bed occupied at midnight (UTC). Available bed-nights are the "
                  "beds in use today times the nights of the month up to the time this page was "
                  "generated. " +
                      beds_note,
                  column_chart("c-occupancy", "Occupied bed-nights by month", "Month",
                               "Occupied bed-nights", cats, series, bars),
                  t);
  }
};

constexpr std::string_view kCss = R"css(
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,"DejaVu Sans",sans-serif;
  color:#1a1a1a;background:#fff;margin:0 auto;max-width:960px;padding:24px;line-height:1.45}
h1{font-size:1.7em;margin:0 0 .3em}
h2{font-size:1.35em;border-bottom:2px solid #0072B2;padding-bottom:.2em;margin-top:2em}
h3{font-size:1.1em;margin:1.6em 0 .4em}
dl.meta{display:grid;grid-template-columns:max-content 1fr;gap:.2em 1em}
dl.meta dt{font-weight:600}dl.meta dd{margin:0}dl.meta ul{margin:0;padding-left:1.2em}
.notice{border:2px solid #009E73;background:#eefaf5;padding:.6em 1em;border-radius:6px}
.note{color:#444;font-size:.92em;margin:.2em 0 .6em}
svg.chart{display:block;max-width:100%;height:auto;margin:.4em 0}
svg text{font-family:inherit;fill:#222}svg .tick{font-size:11px;fill:#555}
svg .cat{font-size:12px}svg .val{font-size:11px}svg .hid{font-style:italic;fill:#a33}
svg .axl{font-size:13px;font-weight:600}svg .leg{font-size:12px}
table{border-collapse:collapse;margin:.4em 0 .4em;font-size:.9em;font-variant-numeric:tabular-nums}
caption{text-align:left;font-weight:600;padding:.3em 0;color:#333}
th,td{border:1px solid #ccc;padding:.25em .6em}td{text-align:right}
thead th{background:#f2f4f7}tbody th{text-align:left;font-weight:normal}
tr.total th,tr.total td{font-weight:600;background:#fafafa}
section{margin-bottom:1.6em}
nav ol{columns:2}
@media print{body{max-width:none}section{break-inside:avoid}}
)css";

// ---------------------------------------------------------------------------------------------
// [SECTION] CTDC export

std::string_view ctdc_gender(std::string_view code) {
  for (const auto& c : codes::list("gender").codes)
    if (c.code == code && c.ctdc.starts_with("gender=")) return c.ctdc.substr(7);
  return "";
}

std::string_view age_broad(std::optional<int> age) {
  if (!age) return "";
  const int a = *age;
  return a <= 8    ? "0--8"
         : a <= 17 ? "9--17"
         : a <= 20 ? "18--20"
         : a <= 23 ? "21--23"
         : a <= 26 ? "24--26"
         : a <= 29 ? "27--29"
         : a <= 38 ? "30--38"
         : a <= 47 ? "39--47"
                   : "48+";
}

std::vector<std::string> ctdc_header() {
  std::vector<std::string> h = {"yearOfRegistration", "Datasource",     "gender",
                                "ageBroad",           "majorityStatus", "citizenship"};
  auto add = [&](std::string_view list) {
    for (const auto& c : codes::list(list).codes)
      if (!c.ctdc.empty()) h.emplace_back(c.ctdc);
  };
  add("exploitation_type");
  h.emplace_back("isSexAndLabour");
  add("labour_sector");
  add("sexual_exploitation");
  add("means_of_control");
  h.emplace_back("meansOfControlNotSpecified");
  add("recruitment");
  add("recruiter_relation");
  h.emplace_back("CountryOfExploitation");
  return h;
}

std::vector<std::string> ctdc_row(const json& c) {
  const json& person = object_of(c, "person");
  const json& ex = object_of(c, "exploitation");
  std::vector<std::string> r;
  const auto opened = integer(c, "opened_at");
  r.push_back(opened ? std::to_string(civil_from_days(floor_div(*opened, kDay)).y) : "");
  r.emplace_back("Case Management");
  r.emplace_back(ctdc_gender(text(person, "gender").value_or("")));
  const auto age = age_at_intake(c);
  r.emplace_back(age_broad(age));
  r.emplace_back(!age ? "" : *age < 18 ? "Minor" : "Adult");
  const auto cit = text(person, "citizenship");
  r.emplace_back(cit && is_country(*cit) ? *cit : "");
  auto flags_multi = [&](std::string_view list, const char* key) {
    const auto set = code_set(codes::list(list), ex, key);
    for (const auto& code : codes::list(list).codes)
      if (!code.ctdc.empty())
        r.emplace_back(std::find(set.begin(), set.end(), code.code) != set.end() ? "1" : "0");
    return set;
  };
  auto flags_single = [&](std::string_view list, const char* key) {
    const auto v = text(ex, key).value_or("");
    for (const auto& code : codes::list(list).codes)
      if (!code.ctdc.empty()) r.emplace_back(v == code.code ? "1" : "0");
  };
  const auto types = flags_multi("exploitation_type", "types");
  const bool sex_and_labour = std::find(types.begin(), types.end(), "sexual") != types.end() &&
                              std::find(types.begin(), types.end(), "forced_labour") != types.end();
  r.emplace_back(sex_and_labour ? "1" : "0");
  flags_single("labour_sector", "labour_sector");
  flags_single("sexual_exploitation", "sexual_exploitation");
  const auto means = flags_multi("means_of_control", "means_of_control");
  r.emplace_back(means.empty() ? "1" : "0");
  flags_single("recruitment", "recruitment");
  flags_single("recruiter_relation", "recruiter_relation");
  const auto countries = codes::split(text(ex, "countries_exploitation").value_or(""));
  r.emplace_back(countries.size() == 1 && is_country(countries[0]) ? countries[0] : "");
  return r;
}

// The quasi-identifier cells of a row, in file order; "" is unknown or suppressed.
constexpr std::size_t kQiCells = 6;
using QiKey = std::array<std::string, kQiCells>;
constexpr std::array<const char*, kQiCells> kQiColumns = {
    "yearOfRegistration", "gender",      "ageBroad",
    "majorityStatus",     "citizenship", "CountryOfExploitation"};
enum QiCell : std::size_t { kYear, kGender, kAgeBroad, kMajority, kCitizenship, kCountry };

std::size_t row_index(std::size_t cell, std::size_t row_size) {
  constexpr std::array<std::size_t, kQiCells - 1> kLeading = {0, 2, 3, 4, 5};
  return cell == kCountry ? row_size - 1 : kLeading[cell];
}

QiKey qi_of(const std::vector<std::string>& r) {
  QiKey key;
  for (std::size_t c = 0; c < kQiCells; ++c) key[c] = r[row_index(c, r.size())];
  return key;
}

void set_qi(std::vector<std::string>& r, const QiKey& key) {
  for (std::size_t c = 0; c < kQiCells; ++c) r[row_index(c, r.size())] = key[c];
}

// The five quasi-identifiers as suppression sees them: age is one, with two steps (band to
// majorityStatus alone, then nothing). kQis is also the order ties are broken in: the most
// identifying first (country and citizenship single out a migrant from a rare country).
enum class Qi { Year, Gender, Age, Citizenship, Country };
constexpr std::array kQis = {Qi::Country, Qi::Citizenship, Qi::Age, Qi::Year, Qi::Gender};

bool all_empty(const Qi q, const QiKey& key) {
  switch (q) {
    case Qi::Year:
      return key[kYear].empty();
    case Qi::Gender:
      return key[kGender].empty();
    case Qi::Age:
      return key[kAgeBroad].empty() && key[kMajority].empty();
    case Qi::Citizenship:
      return key[kCitizenship].empty();
    case Qi::Country:
      return key[kCountry].empty();
  }
  return true;
}

// One step up q's hierarchy. Emptying ageBroad keeps majorityStatus; emptying majorityStatus
// empties ageBroad too, so an emptied band is never left readable from majorityStatus.
QiKey generalised(QiKey key, const Qi q) {
  switch (q) {
    case Qi::Year:
      key[kYear].clear();
      break;
    case Qi::Gender:
      key[kGender].clear();
      break;
    case Qi::Age:
      if (!key[kAgeBroad].empty())
        key[kAgeBroad].clear();
      else
        key[kMajority].clear();
      break;
    case Qi::Citizenship:
      key[kCitizenship].clear();
      break;
    case Qi::Country:
      key[kCountry].clear();
      break;
  }
  return key;
}

std::size_t known_cells(const QiKey& key) {
  return static_cast<std::size_t>(
      std::count_if(key.begin(), key.end(), [](const std::string& v) { return !v.empty(); }));
}

bool every_qi_empty(const QiKey& key) {
  return known_cells(key) == 0;
}

// Every key `key` can be generalised to, the least emptied first (at most 16 x 3).
std::vector<QiKey> generalisations(const QiKey& key) {
  std::vector<QiKey> out;
  std::vector<QiKey> ages = {key};
  if (!key[kAgeBroad].empty()) ages.push_back(generalised(ages.back(), Qi::Age));
  if (!all_empty(Qi::Age, ages.back())) ages.push_back(generalised(ages.back(), Qi::Age));
  constexpr std::array kFlat = {Qi::Year, Qi::Gender, Qi::Citizenship, Qi::Country};
  for (const auto& a : ages)
    for (unsigned mask = 0; mask < (1u << kFlat.size()); ++mask) {
      QiKey g = a;
      for (std::size_t b = 0; b < kFlat.size(); ++b)
        if ((mask & (1u << b)) != 0) g = generalised(g, kFlat[b]);
      out.push_back(std::move(g));
    }
  std::sort(out.begin(), out.end(), [](const QiKey& a, const QiKey& b) {
    const auto ka = known_cells(a), kb = known_cells(b);
    return ka != kb ? ka > kb : a < b;
  });
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

// Steps 2 to 5 of the header comment over the rows' keys. Deterministic: the same records in the
// same order (the store's: device, then local id) give the same file.
class KAnonymiser {
 public:
  KAnonymiser(std::vector<QiKey> keys, std::size_t k) : key_(std::move(keys)), k_(k) {}

  // Steps 2 to 5; the keys to write, one per record in input order.
  std::vector<QiKey> run() {
    empty_rare_values();
    base_ = key_;
    for (std::size_t cell = 0; cell < kQiCells; ++cell) {
      const auto values = counts(cell).size();
      bits_[cell] = values > 1 ? std::log2(static_cast<double>(values)) : 0.0;
    }
    Attempt top_down = attempt([this] { suppress_top_down(); });
    Attempt bottom_up = attempt([this] { form_bottom_up(); });
    return std::move(bottom_up.better_than(top_down) ? bottom_up.keys : top_down.keys);
  }

 private:
  struct Attempt {
    std::vector<QiKey> keys;
    std::size_t left_out = 0;
    double bits = 0;
    bool better_than(const Attempt& o) const {
      return left_out != o.left_out ? left_out < o.left_out : bits > o.bits;
    }
  };

  template <class Strategy>
  Attempt attempt(Strategy strategy) {
    key_ = base_;
    class_.clear();
    for (std::size_t i = 0; i < key_.size(); ++i) class_[key_[i]].push_back(i);
    strategy();
    restore();
    fill_all_empty_class();
    Attempt a;
    for (const auto& [key, members] : class_)
      if (members.size() < k_) a.left_out += members.size();
    for (const auto& key : key_)
      for (std::size_t cell = 0; cell < kQiCells; ++cell)
        if (!key[cell].empty()) a.bits += bits_[cell];
    a.keys = key_;
    return a;
  }

  std::map<std::string, std::size_t> counts(std::size_t cell) const {
    std::map<std::string, std::size_t> m;
    for (const auto& key : key_)
      if (!key[cell].empty()) ++m[key[cell]];
    return m;
  }

  // Step 2.
  void empty_rare_values() {
    for (std::size_t cell : {kYear, kGender, kAgeBroad, kMajority, kCitizenship, kCountry}) {
      const auto m = counts(cell);
      for (auto& key : key_)
        if (!key[cell].empty() && m.at(key[cell]) < k_) {
          key[cell].clear();
          if (cell == kMajority) key[kAgeBroad].clear();  // already empty: a band is rarer
        }
    }
    constexpr std::array<std::size_t, 5> kMostSpecific = {kYear, kGender, kAgeBroad, kCitizenship,
                                                          kCountry};  // by Qi's value
    for (std::size_t q = 0; q < kMostSpecific.size(); ++q)
      distinct_[q] = counts(kMostSpecific[q]).size();
    majority_distinct_ = counts(kMajority).size();
  }

  std::size_t size_of(const QiKey& key) const {
    const auto it = class_.find(key);
    return it == class_.end() ? 0 : it->second.size();
  }

  // How many values q still tells apart in a class keyed `key` (the band's or majorityStatus's).
  std::size_t distinct(const Qi q, const QiKey& key) const {
    if (q == Qi::Age && key[kAgeBroad].empty()) return majority_distinct_;
    return distinct_[static_cast<std::size_t>(q)];
  }

  void move(std::size_t i, const QiKey& to) {
    auto& from = class_[key_[i]];
    from.erase(std::find(from.begin(), from.end(), i));
    if (from.empty()) class_.erase(key_[i]);
    key_[i] = to;
    class_[to].push_back(i);
  }

  // Step 3, top-down, in rounds: every class under k takes one step, the smallest first, so that
  // two small classes one cell apart can meet (the second joins what the first became) before
  // either goes further.
  void suppress_top_down() {
    for (;;) {
      std::vector<std::pair<std::size_t, QiKey>> round;
      for (const auto& [key, members] : class_)
        if (members.size() < k_ && !every_qi_empty(key)) round.emplace_back(members.size(), key);
      if (round.empty()) return;
      std::sort(round.begin(), round.end());
      for (const auto& [first_size, key] : round) {
        const std::size_t size = size_of(key);
        if (size >= k_) continue;  // others joined it this round
        step(key, size);
      }
    }
  }

  // Empties one quasi-identifier of every row of the class `key`. Rank: reaches k, then the
  // most distinct values, then the largest class joined, then kQis's order.
  void step(const QiKey& key, std::size_t size) {
    std::optional<Qi> best;
    std::tuple<bool, std::size_t, std::size_t> best_rank{};
    for (const Qi q : kQis) {
      if (all_empty(q, key)) continue;
      const std::size_t joined = size_of(generalised(key, q));
      const std::tuple<bool, std::size_t, std::size_t> rank{joined + size >= k_, distinct(q, key),
                                                            joined};
      if (!best || rank > best_rank) {
        best = q;
        best_rank = rank;
      }
    }
    const QiKey to = generalised(key, *best);  // a key not all empty has something to empty
    const auto members = class_.at(key);
    for (const auto i : members) move(i, to);
  }

  // Step 3, bottom-up: the most specific combinations that k records still unplaced fit are made
  // classes first (among equally specific ones, the one fewest records fit, so it takes no more
  // than it needs); a record left over goes to the most specific class of k it fits, else to the
  // all-empty class.
  void form_bottom_up() {
    std::map<QiKey, std::vector<std::size_t>> fits;
    for (std::size_t i = 0; i < base_.size(); ++i)
      for (const auto& g : generalisations(base_[i])) fits[g].push_back(i);
    std::vector<const std::pair<const QiKey, std::vector<std::size_t>>*> order;
    for (const auto& entry : fits)
      if (entry.second.size() >= k_ && !every_qi_empty(entry.first)) order.push_back(&entry);
    std::stable_sort(order.begin(), order.end(), [](const auto* a, const auto* b) {
      const auto ka = known_cells(a->first), kb = known_cells(b->first);
      return ka != kb ? ka > kb : a->second.size() < b->second.size();
    });
    class_.clear();
    std::vector<bool> placed(base_.size(), false);
    auto place = [&](std::size_t i, const QiKey& key) {
      placed[i] = true;
      key_[i] = key;
      class_[key].push_back(i);
    };
    for (const auto* entry : order) {
      const auto& [key, members] = *entry;
      std::size_t free = 0;
      for (const auto i : members) free += placed[i] ? 0 : 1;
      if (free < k_) continue;
      for (const auto i : members)
        if (!placed[i]) place(i, key);
    }
    for (std::size_t i = 0; i < base_.size(); ++i) {
      if (placed[i]) continue;
      QiKey to{};
      for (const auto& g : generalisations(base_[i]))
        if (size_of(g) >= k_) {
          to = g;
          break;
        }
      place(i, to);
    }
  }

  // Step 4. Each move shows a row more cells, so this ends.
  void restore() {
    for (bool changed = true; changed;) {
      changed = false;
      for (std::size_t i = 0; i < key_.size(); ++i) {
        const std::size_t here = size_of(key_[i]);
        if (here == k_) continue;  // leaving would break a class of exactly k
        const std::size_t known = known_cells(key_[i]);
        for (const auto& g : generalisations(base_[i])) {
          if (known_cells(g) <= known) break;
          if (size_of(g) >= k_) {
            move(i, g);
            changed = true;
            break;
          }
        }
      }
    }
  }

  // Step 5.
  void fill_all_empty_class() {
    const QiKey none{};
    const std::size_t have = size_of(none);
    if (have == 0 || have >= k_) return;
    std::size_t spare = 0;
    for (const auto& [key, members] : class_)
      if (key != none && members.size() > k_) spare += members.size() - k_;
    if (have + spare < k_) return;  // left out at the check before writing
    for (std::size_t need = k_ - have; need > 0; --need) {
      // The cheapest donor: the fewest cells to empty, then the most to spare.
      const QiKey* donor = nullptr;
      for (const auto& [key, members] : class_) {
        if (key == none || members.size() <= k_) continue;
        if (donor == nullptr || known_cells(key) < known_cells(*donor) ||
            (known_cells(key) == known_cells(*donor) && members.size() > size_of(*donor)))
          donor = &key;
      }
      move(class_.at(*donor).back(), none);
    }
  }

  std::vector<QiKey> key_, base_;
  std::size_t k_;
  std::map<QiKey, std::vector<std::size_t>> class_;
  std::array<std::size_t, kQis.size()> distinct_{};
  std::size_t majority_distinct_ = 0;
  std::array<double, kQiCells> bits_{};
};

std::string csv_field(const std::string& v) {
  if (v.find_first_of(",\"\r\n") == std::string::npos) return v;
  std::string out = "\"";
  for (char c : v) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

void csv_line(std::string& out, const std::vector<std::string>& fields) {
  for (std::size_t i = 0; i < fields.size(); ++i) {
    if (i > 0) out += ',';
    out += csv_field(fields[i]);
  }
  out += "\r\n";  // RFC 4180
}

core::Result<void> write_text(const std::filesystem::path& out, const std::string& text,
                              unsigned mode) {
  const auto r = crypto::write_file_atomic(
      out, std::span(reinterpret_cast<const std::uint8_t*>(text.data()), text.size()), mode);
  if (!r) return std::unexpected(core::from(r.error()));
  return {};
}

}  // namespace

nlohmann::json build_stats(const ReportInput& input) {
  json devices = json::array();
  json total = json::object();
  for (const auto& d : input.devices) {
    json counts = device_counts(d);
    add_into(total, counts);
    json entry = {{"device_key_id", d.device_key_id}, {"label", d.label}};
    entry.update(counts);
    devices.push_back(std::move(entry));
  }
  if (total.empty()) total = device_counts(DeviceRecords{});
  total["devices"] = input.devices.size();
  return {{"generated_at", input.generated_at},
          {"devices", std::move(devices)},
          {"total", std::move(total)}};
}

core::Result<void> write_report_html(const ReportInput& input, const std::string& period,
                                     const std::filesystem::path& out) {
  const auto month = parse_period(period);
  if (!month)
    return core::fail(core::Errc::Invalid,
                      "The period must be a month written as YYYY-MM, for example 2026-03.");
  const std::int64_t now =
      input.generated_at != 0 ? input.generated_at : static_cast<std::int64_t>(std::time(nullptr));
  const Window w{*month - 11, *month};
  ReportBuilder builder(input, w, now);
  const std::string body = builder.build();

  std::size_t cases = 0, calls = 0;
  std::string devices;
  for (const auto& d : input.devices) {
    cases += d.cases.size();
    calls += d.calls.size();
    devices += fmt::format("<li>{} <span class=\"note\">(device key {})</span></li>", esc(d.label),
                           esc(d.device_key_id));
  }
  if (devices.empty()) devices = "<li>none</li>";
  const std::int64_t last_day = month_start(*month + 1) / kDay - 1;
  const Civil end = civil_from_days(last_day);
  std::string html;
  html += "<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n";
  html += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n";
  html += "<meta name=\"referrer\" content=\"no-referrer\">\n";
  html += fmt::format(
      "<title>Counter-trafficking report, {}</title>\n<style>{}</style>\n</head>\n<body>\n",
      esc(month_name(*month)), kCss);
  html +=
      fmt::format("<header>\n<h1>Counter-trafficking report: {}</h1>\n", esc(month_name(*month)));
  html +=
      "<p>For the national action plan: shelter intakes, hotline calls, referrals and shelter "
      "occupancy.</p>\n";
  html += "<dl class=\"meta\">\n";
  html += fmt::format("<dt>Period</dt><dd>{} ({} to {:04}-{:02}-{:02}, UTC)</dd>\n",
                      esc(month_name(*month)), esc(month_key(*month) + "-01"), end.y, end.m, end.d);
  html += fmt::format("<dt>Charts</dt><dd>the 12 months {} to {}</dd>\n", esc(month_name(w.first)),
                      esc(month_name(w.last)));
  html += fmt::format("<dt>Generated</dt><dd>{}</dd>\n", esc(utc_time(now)));
  html += fmt::format("<dt>Devices included</dt><dd><ul>{}</ul></dd>\n", devices);
  html += fmt::format(
      "<dt>Records held</dt><dd>{} cases and {} calls from these devices, all "
      "periods</dd>\n</dl>\n",
      cases, calls);
  html +=
      "<p class=\"notice\"><strong>No personal data.</strong> This page holds counts only: no "
      "names, no birth dates, no case numbers, no free text, no dates finer than a month. Counts "
      "of people (intakes and referrals) from 1 to 4 in a breakdown are shown as “&lt;5”; where a "
      "total is shown, one more count is withheld and shown as “*” so that a hidden count cannot "
      "be worked out by subtraction. Intakes per month, calls and bed-nights are shown exactly."
      "</p>\n</header>\n";
  html +=
      "<nav><h2>Contents</h2><ol>"
      "<li><a href=\"#intakes\">Intakes</a></li>"
      "<li><a href=\"#calls\">Hotline calls</a></li>"
      "<li><a href=\"#referrals\">Referrals</a></li>"
      "<li><a href=\"#occupancy\">Shelter occupancy</a></li>"
      "<li><a href=\"#method\">How the numbers are made</a></li>"
      "</ol></nav>\n<main>\n";
  html += body;
  html +=
      "<h2 id=\"method\">How the numbers are made</h2>\n<ul>\n"
      "<li>An intake is a case registered at a shelter, counted in the month it was opened. "
      "Months and days are UTC.</li>\n"
      "<li>Age is the age at intake in whole years: from the birth date (days to the intake date "
      "divided by 365.25), or the age estimated at intake when there is no birth date.</li>\n"
      "<li>Calls are counted in the month they started; referrals in the month they were made."
      "</li>\n"
      "<li>Records reduced to anonymous stubs by the devices’ retention are counted like the "
      "others: they keep their codes.</li>\n"
      "<li>Small-cell rule: a count of people from 1 to 4 in any breakdown (gender, age group, "
      "gender × age group, type of exploitation, referrals by organisation type, direction or "
      "status) is shown as “&lt;5”, and no bar is drawn for it. Where a breakdown and its total "
      "are both shown and only one number among them would be hidden, the smallest other "
      "non-zero count is withheld too, shown as “*”. Zero is shown as 0. Intakes per month, calls "
      "and bed-nights are counted exactly: they describe the services’ work, not a person.</li>\n"
      "</ul>\n</main>\n</body>\n</html>\n";
  return write_text(out, html, 0640);
}

std::int64_t CtdcExportResult::cells_suppressed_total() const {
  std::int64_t n = 0;
  for (const auto& [column, cells] : cells_suppressed) n += cells;
  return n;
}

std::string describe_ctdc_export(const CtdcExportResult& r, int k,
                                 const std::filesystem::path& out) {
  if (r.records < k)
    return fmt::format(
        "nothing exported: {} case record(s) held, fewer than k = {}, so no row can be shared "
        "by k; {} holds the CSV header only\n",
        r.records, k, out.string());
  std::string cells;
  for (const auto& [column, n] : r.cells_suppressed)
    cells += fmt::format("{}{} {}", cells.empty() ? "" : ", ", column, n);
  return fmt::format(
      "{} of {} records written to {} (k = {}), {} left out\n"
      "quasi-identifier cells suppressed: {} in {} rows ({})\n",
      r.rows_written, r.records, out.string(), k, r.records_dropped, r.cells_suppressed_total(),
      r.rows_with_suppression, cells);
}

core::Result<CtdcExportResult> export_ctdc(const ReportInput& input, int k,
                                           const std::filesystem::path& out) {
  if (k < 2 || k > 1000)
    return core::fail(core::Errc::Invalid, "k must be a whole number from 2 to 1000.");
  std::vector<std::vector<std::string>> rows;
  for (const auto& d : input.devices)
    for (const auto& c : d.cases) rows.push_back(ctdc_row(c));
  std::vector<QiKey> keys;
  keys.reserve(rows.size());
  for (const auto& r : rows) keys.push_back(qi_of(r));

  CtdcExportResult result;
  result.records = static_cast<std::int64_t>(rows.size());
  for (auto c : kQiColumns) result.cells_suppressed.emplace_back(c, 0);
  const auto n = static_cast<std::size_t>(k);
  std::vector<bool> keep(rows.size(), false);
  if (rows.size() >= n) {
    const std::vector<QiKey> final_keys = KAnonymiser(keys, n).run();
    std::map<QiKey, std::size_t> size;
    for (const auto& key : final_keys) ++size[key];
    for (std::size_t i = 0; i < rows.size(); ++i) {
      // The promise, checked rather than assumed.
      keep[i] = size[final_keys[i]] >= n;
      if (!keep[i]) continue;
      bool touched = false;
      for (std::size_t c = 0; c < kQiCells; ++c)
        if (!keys[i][c].empty() && final_keys[i][c].empty()) {
          ++result.cells_suppressed[c].second;
          touched = true;
        }
      result.rows_with_suppression += touched ? 1 : 0;
      set_qi(rows[i], final_keys[i]);
    }
  }
  std::vector<std::vector<std::string>> kept;
  for (std::size_t i = 0; i < rows.size(); ++i)
    if (keep[i]) kept.push_back(std::move(rows[i]));
  std::sort(kept.begin(), kept.end());
  std::string csv;
  csv_line(csv, ctdc_header());
  for (const auto& r : kept) csv_line(csv, r);
  result.rows_written = static_cast<std::int64_t>(kept.size());
  result.records_dropped = result.records - result.rows_written;
  if (auto w = write_text(out, csv, 0600); !w) return std::unexpected(w.error());
  return result;
}

}  // namespace ik::hq
