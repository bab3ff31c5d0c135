// The CTDC export's k-anonymity on a real HQ store: synthetic shelters' bundles sealed with the
// real crypto, imported into the SQLCipher store, read back with Store::report_input as
// `hq-intake export-ctdc` reads them, exported, and the CSV read back and checked from the file
// alone: every combination of quasi-identifier values in it is shared by at least k rows (an
// empty cell, unknown or suppressed, counting as a value of its own).
//
// The records follow core/demo_data.cpp's distributions (what `make demo` puts in its HQ):
// 70 % women, ages 12-55 (a birth date, or an estimate 14-50 when consent to keep data was not
// given), 14 citizenships weighted to AZ, 9 countries of exploitation, intakes over 3 years.
// Output is counts only; every value is made up.
#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <ctime>
#include <fstream>
#include <iostream>
#include <map>
#include <sstream>

#include "core/codes.hpp"
#include "hq/reports.hpp"
#include "tests/hq/hq_fixture.hpp"

namespace ik::test {
namespace {

namespace codes = core::codes;

// splitmix64: the same cases with every standard library (the measured bounds below rely on it).
struct Rng {
  std::uint64_t state;
  std::uint64_t next() {
    std::uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }
  int between(int lo, int hi) {
    return lo + static_cast<int>(next() % static_cast<std::uint64_t>(hi - lo + 1));
  }
  bool chance(double p) { return static_cast<double>(next() >> 11) / 9007199254740992.0 < p; }
  template <class T, std::size_t N>
  T pick(const std::array<T, N>& a) {
    return a[next() % N];
  }
  std::string code(std::string_view list) {
    const auto& l = codes::list(list).codes;
    return std::string(l[next() % l.size()].code);
  }
  std::string codes_each(std::string_view list, double p) {
    std::vector<std::string> out;
    for (const auto& c : codes::list(list).codes)
      if (chance(p)) out.emplace_back(c.code);
    return codes::join(out);
  }
};

constexpr std::array<const char*, 14> kCitizenship{"AZ", "AZ", "AZ", "AZ", "UZ", "TJ", "KG",
                                                   "UA", "RU", "GE", "NP", "PH", "IN", "TM"};
constexpr std::array<const char*, 9> kExploitCountries{"AZ", "TR", "AE", "RU", "KZ",
                                                       "GE", "IR", "IL", "CY"};

json shelter_case(Rng& rng, std::int64_t id) {
  const std::int64_t opened = kNow - rng.between(3600, 3 * 365 * 86400);
  json c = make_case(id, opened + 600);
  c["case_number"] = fmt::format("SYN-{:05}", id);
  c["opened_at"] = opened;
  const bool female = rng.chance(0.7);
  auto& p = c["person"];
  p["gender"] = female ? "female" : "male";
  const std::time_t t = opened;
  std::tm tm{};
  gmtime_r(&t, &tm);
  if (rng.chance(0.92)) {
    p["birth_date"] = fmt::format("{:04}-{:02}-{:02}", 1900 + tm.tm_year - rng.between(12, 55),
                                  rng.between(1, 12), rng.between(1, 28));
    p["age_estimate"] = nullptr;
  } else {
    p["given_name"] = nullptr;
    p["family_name"] = nullptr;
    p["birth_date"] = nullptr;
    p["age_estimate"] = rng.between(14, 50);
  }
  p["citizenship"] = rng.pick(kCitizenship);
  auto& e = c["exploitation"];
  const bool sexual = female && rng.chance(0.55);
  e["types"] = sexual ? (rng.chance(0.15) ? "forced_labour,sexual" : "sexual") : "forced_labour";
  e["labour_sector"] = e["types"] != "sexual" ? json(rng.code("labour_sector")) : json(nullptr);
  e["sexual_exploitation"] = sexual ? json(rng.code("sexual_exploitation")) : json(nullptr);
  e["means_of_control"] = rng.codes_each("means_of_control", 0.2);
  e["recruitment"] = rng.code("recruitment");
  e["recruiter_relation"] = rng.code("recruiter_relation");
  e["countries_origin"] = p["citizenship"];
  e["countries_exploitation"] = rng.pick(kExploitCountries);
  return c;
}

std::string slurp(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// RFC 4180, as hq/reports.cpp writes it (CRLF, quotes doubled).
std::vector<std::vector<std::string>> read_csv(const std::string& text) {
  std::vector<std::vector<std::string>> rows;
  std::vector<std::string> row;
  std::string field;
  bool quoted = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (quoted) {
      if (c == '"' && i + 1 < text.size() && text[i + 1] == '"') {
        field += '"';
        ++i;
      } else if (c == '"') {
        quoted = false;
      } else {
        field += c;
      }
    } else if (c == '"') {
      quoted = true;
    } else if (c == ',') {
      row.push_back(std::move(field));
      field.clear();
    } else if (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n') {
      row.push_back(std::move(field));
      field.clear();
      rows.push_back(std::move(row));
      row.clear();
      ++i;
    } else {
      field += c;
    }
  }
  EXPECT_TRUE(field.empty() && row.empty()) << "the file does not end with CRLF";
  return rows;
}

const std::array<std::string, 6> kQuasiIdentifiers = {
    "yearOfRegistration", "gender",      "ageBroad",
    "majorityStatus",     "citizenship", "CountryOfExploitation"};

// What the file shows, from the file alone.
struct FileFacts {
  std::size_t rows = 0;
  std::size_t classes = 0;
  std::size_t smallest_class = 0;
  std::size_t rows_all_empty = 0;  // every quasi-identifier empty
  std::size_t spare = 0;           // rows beyond k, summed over classes
  std::size_t known_cells = 0;     // non-empty quasi-identifier cells
  std::map<std::string, std::size_t> known_per_column;
};

FileFacts check_k_anonymous(const std::filesystem::path& file, std::size_t k) {
  FileFacts f;
  const auto rows = read_csv(slurp(file));
  if (rows.empty()) {
    ADD_FAILURE() << "no header";
    return f;
  }
  const auto& header = rows.front();
  std::array<std::size_t, 6> at{};
  for (std::size_t q = 0; q < at.size(); ++q) {
    const auto it = std::find(header.begin(), header.end(), kQuasiIdentifiers[q]);
    if (it == header.end()) {
      ADD_FAILURE() << "no column " << kQuasiIdentifiers[q];
      return f;
    }
    at[q] = static_cast<std::size_t>(it - header.begin());
  }
  std::map<std::array<std::string, 6>, std::size_t> classes;
  for (std::size_t r = 1; r < rows.size(); ++r) {
    EXPECT_EQ(rows[r].size(), header.size()) << "row " << r;
    if (rows[r].size() != header.size()) continue;
    std::array<std::string, 6> key;
    for (std::size_t q = 0; q < at.size(); ++q) {
      key[q] = rows[r][at[q]];
      if (!key[q].empty()) {
        ++f.known_cells;
        ++f.known_per_column[kQuasiIdentifiers[q]];
      }
    }
    // Age is one hierarchy: a band is never shown without the majorityStatus it implies.
    if (!key[2].empty()) {
      EXPECT_FALSE(key[3].empty()) << "row " << r << ": ageBroad without majorityStatus";
    }
    if (std::all_of(key.begin(), key.end(), [](const std::string& v) { return v.empty(); }))
      ++f.rows_all_empty;
    ++classes[key];
    ++f.rows;
  }
  f.classes = classes.size();
  f.smallest_class = classes.empty() ? 0 : rows.size();
  std::size_t under_k = 0;
  for (const auto& [key, n] : classes) {
    f.smallest_class = std::min(f.smallest_class, n);
    if (n < k) ++under_k;
    if (n > k) f.spare += n - k;
  }
  // Counts only: the combination itself is not printed.
  EXPECT_EQ(under_k, 0u) << under_k
                         << " combination(s) of quasi-identifiers shared by fewer than k = " << k
                         << " rows; the smallest has " << f.smallest_class;
  return f;
}

class CtdcStore : public HqFixture {
 protected:
  // `shelters` devices share `cases` intakes, one sealed bundle each, imported for real.
  hq::ReportInput store_with(int cases, int shelters, std::uint64_t seed) {
    Rng rng{seed};
    std::vector<SyntheticDevice> devices(static_cast<std::size_t>(shelters));
    std::vector<json> changes;
    for (int s = 0; s < shelters; ++s) {
      enrol(devices[static_cast<std::size_t>(s)], fmt::format("Synthetic shelter {}", s + 1));
      changes.push_back(devices[static_cast<std::size_t>(s)].changes());
    }
    for (int i = 0; i < cases; ++i)
      changes[static_cast<std::size_t>(i % shelters)]["cases"].push_back(
          shelter_case(rng, i / shelters + 1));
    for (int s = 0; s < shelters; ++s) {
      const auto r = import(devices[static_cast<std::size_t>(s)].seal(
          keys.seal, changes[static_cast<std::size_t>(s)]));
      EXPECT_EQ(r.outcome, hq::Outcome::Accepted) << r.reason << ": " << r.message;
    }
    auto in = importer->with_store([](hq::Store& s) { return s.report_input(kNow); });
    EXPECT_TRUE(in) << in.error().message;
    return in ? std::move(*in) : hq::ReportInput{};
  }

  struct Measured {
    hq::CtdcExportResult result;
    FileFacts file;
  };

  // Exports at k, checks the file from the file alone, and that nothing was left out that
  // suppression could have kept: rows are left out only when the all-empty class they would
  // form, with every spare row of the other classes added, is still under k.
  Measured export_and_check(const hq::ReportInput& in, int k, std::size_t records) {
    const auto out = tmp / fmt::format("ctdc-k{}.csv", k);
    auto r = hq::export_ctdc(in, k, out);
    EXPECT_TRUE(r) << r.error().message;
    if (!r) return {};
    const FileFacts f = check_k_anonymous(out, static_cast<std::size_t>(k));
    EXPECT_EQ(r->records, static_cast<std::int64_t>(records));
    EXPECT_EQ(r->rows_written, static_cast<std::int64_t>(f.rows));
    EXPECT_EQ(r->rows_written + r->records_dropped, r->records);
    if (r->records_dropped > 0) {
      EXPECT_EQ(f.rows_all_empty, 0u);
      EXPECT_LT(static_cast<std::size_t>(r->records_dropped) + f.spare, static_cast<std::size_t>(k))
          << "rows left out that emptying spare rows could have kept";
    }
    // The file's empty cells are the unknown ones plus the suppressed ones, no more.
    std::int64_t suppressed = 0;
    for (const auto& [column, n] : r->cells_suppressed) suppressed += n;
    EXPECT_EQ(suppressed, r->cells_suppressed_total());
    EXPECT_LE(r->cells_suppressed_total(), static_cast<std::int64_t>(6 * f.rows - f.known_cells));
    std::string cells;
    for (const auto& [column, n] : r->cells_suppressed) cells += fmt::format(" {} {}", column, n);
    std::cout << fmt::format(
        "[ ctdc ] {} records, k = {:>2}: {} rows written, {} left out, {} classes (smallest {}), "
        "{} of {} quasi-identifier cells known, {} rows all empty; suppressed:{}\n",
        r->records, k, r->rows_written, r->records_dropped, f.classes, f.smallest_class,
        f.known_cells, 6 * f.rows, f.rows_all_empty, cells);
    return {*r, f};
  }
};

TEST_F(CtdcStore, ShelterSizedStoreIsKAnonymousAtEveryKAndUsefulAtEleven) {
  // The demo's HQ: ~130 intakes over three years, from two shelters.
  const auto in = store_with(130, 2, 0x5eed0130);
  std::int64_t previous_cells = -1;
  Measured m;
  for (int k : {2, 5, 11}) {
    m = export_and_check(in, k, 130);
    // Every record is kept: rows are left out only when fewer than k records exist or the
    // all-empty class cannot be filled from spare rows, and neither happens here.
    EXPECT_EQ(m.result.rows_written, 130) << "k = " << k;
    EXPECT_EQ(m.result.records_dropped, 0) << "k = " << k;
    EXPECT_GE(m.result.cells_suppressed_total(), previous_cells)
        << "a larger k suppressed fewer cells";
    previous_cells = m.result.cells_suppressed_total();
  }
  // At k = 11. Row-dropping alone wrote 0 of these 130 rows (and 0 at k = 5, 8 at k = 2).
  // Measured with this generator and seed: all 130 rows, and 331 of the 780 quasi-identifier
  // cells still known (majorityStatus in 119 rows, gender 82, ageBroad 57, year 40, citizenship
  // 22, country 11); top-down suppression alone keeps 309. The bounds sit below both, so a
  // better method passes and one that keeps little (e.g. every quasi-identifier emptied, 0
  // cells) fails.
  EXPECT_GE(m.file.known_cells, 290u);
  EXPECT_GE(m.file.known_per_column.at("majorityStatus"), 100u);
  EXPECT_GE(m.file.known_per_column.at("gender"), 60u);
  EXPECT_GE(m.file.known_per_column.at("ageBroad"), 40u);
}

TEST_F(CtdcStore, ThousandCaseStoreIsKAnonymousAtEveryK) {
  // A national store: ~1,000 intakes over three years from three shelters.
  const auto in = store_with(1000, 3, 0x5eed1000);
  for (int k : {2, 5, 11}) {
    const auto m = export_and_check(in, k, 1000);
    EXPECT_EQ(m.result.rows_written, 1000) << "k = " << k;
    // Measured: 5134, 4368 and 3849 of the 6000 cells known at k = 2, 5 and 11 (row-dropping
    // alone wrote 262, 0 and 0 rows); at k = 11 citizenship is known in 432 rows.
    if (k == 11) {
      EXPECT_GE(m.file.known_cells, 3600u);
      EXPECT_GE(m.file.known_per_column.at("citizenship"), 300u);
    }
  }
}

TEST_F(CtdcStore, FewerThanKRecordsExportNothingAndSaySo) {
  const auto in = store_with(10, 1, 7);
  const auto out = tmp / "ctdc.csv";
  auto r = hq::export_ctdc(in, 11, out);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->records, 10);
  EXPECT_EQ(r->rows_written, 0);
  EXPECT_EQ(r->records_dropped, 10);
  EXPECT_EQ(r->cells_suppressed_total(), 0);
  const auto rows = read_csv(slurp(out));
  ASSERT_EQ(rows.size(), 1u);  // the header, nothing else
  EXPECT_EQ(rows[0].front(), "yearOfRegistration");
  const std::string said = hq::describe_ctdc_export(*r, 11, out);
  EXPECT_TRUE(said.starts_with("nothing exported: 10 case record(s) held, fewer than k = 11"))
      << said;
  EXPECT_NE(said.find("header only"), std::string::npos) << said;

  // Exactly k records: all of them go, as one class at worst.
  const auto m = export_and_check(in, 10, 10);
  EXPECT_EQ(m.result.rows_written, 10);
  EXPECT_NE(hq::describe_ctdc_export(m.result, 10, out).find("10 of 10 records written"),
            std::string::npos);
}

}  // namespace
}  // namespace ik::test
