// Records at the size of a busy shelter's archive (issue 3): one shared device with 100,000
// intakes (persons and their cases) and 200,000 hotline calls, made once by
// core::generate_demo_data and kept in a cache directory, then:
//
//   records/demo_data_generate   how long making the dataset took (the "demo-data speed"), and
//                                intakes/s; read back from the cache when it already existed
//   records/search/<q>           CaseService::list with a typed name (50 rows + the capped count),
//                                as the coordinator "Leyla"                   target: < 20 ms
//   records/page/<status>/...    a page of 50 (and of 200, the kiosk's fetch) at offset 0 and
//                                deep, unfiltered and by status               target: < 20 ms
//   records/save_intake          IntakeService::register_intake of a fresh valid form: one
//                                transaction, WAL, synchronous = FULL (fsync per commit);
//                                p50 and p99 reported
//
// Every benchmark keeps each iteration's time and reports p50_ms, p99_ms and max_ms (nearest
// rank) next to Google Benchmark's mean, and first_ms: the untimed first call, before SQLCipher's
// page cache was warm.
//
// The dataset lives in $IK_BENCH_DATA/records-100k (default <build>/bench-data); it is made in a
// ".partial-<pid>" directory and renamed when complete, so an interrupted run never leaves a
// half-made cache behind. Benchmarks run on a copy under $TMPDIR, so saving intakes never grows
// the shared dataset. `bench_records --explain` prints SQLite's query plans for the list queries.
//
// Synthetic names only (every family name means "sample", "test" or "example").
#include <benchmark/benchmark.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <fmt/format.h>

#include "bench/temp_dir.hpp"
#include "core/cases.hpp"
#include "core/demo_data.hpp"
#include "core/intake.hpp"
#include "core/iso_codes.hpp"
#include "core/session.hpp"
#include "core/validation.hpp"
#include "crypto/secure_buffer.hpp"
#include "storage/database.hpp"

#ifndef IK_BENCH_DATA_DIR
#define IK_BENCH_DATA_DIR "bench-data"
#endif

namespace ik::bench {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

constexpr int kIntakes = 100'000;
constexpr int kCalls = 200'000;
constexpr std::uint64_t kSeed = 7;  // provision_demo_device's seed
constexpr std::string_view kDatasetName = "records-100k";
constexpr std::string_view kUser = "Leyla";  // coordinator: lists cases, registers intakes

crypto::SecureBuffer secret(std::string_view text) {
  return crypto::SecureBuffer::copy_of(std::span(reinterpret_cast<const std::uint8_t*>(text.data()), text.size()));
}

std::string_view passphrase_of(std::string_view name) {
  for (const auto& s : core::kDemoStaff)
    if (s.name == name) return s.passphrase;
  return {};
}

double seconds_since(Clock::time_point t0) { return std::chrono::duration<double>(Clock::now() - t0).count(); }

// ---------------------------------------------------------------------------------------------
// The shared dataset

fs::path data_root() {
  if (const char* e = std::getenv("IK_BENCH_DATA"); e != nullptr && *e != '\0') return e;
  return IK_BENCH_DATA_DIR;
}

// What generation.txt in the cache says about how the dataset was made.
struct Generation {
  std::map<std::string, std::string> kv;
  bool fresh = false;  // made by this process
  double num(const std::string& k) const {
    const auto it = kv.find(k);
    return it == kv.end() ? 0.0 : std::atof(it->second.c_str());
  }
};

Generation read_generation(const fs::path& file) {
  Generation g;
  std::ifstream in(file);
  std::string line;
  while (std::getline(in, line)) {
    const auto sp = line.find(' ');
    if (sp != std::string::npos) g.kv[line.substr(0, sp)] = line.substr(sp + 1);
  }
  return g;
}

std::string utc_now() {
  const std::time_t t = std::time(nullptr);
  std::tm tm{};
  ::gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M UTC", &tm);
  return buf;
}

// Returns the cached dataset's directory, generating it first when it is missing.
core::Result<std::pair<fs::path, Generation>> dataset() {
  const fs::path root = data_root();
  const fs::path dir = root / kDatasetName;
  if (fs::exists(dir / "generation.txt") && fs::exists(dir / "device" / "intake.db"))
    return std::pair{dir, read_generation(dir / "generation.txt")};

  std::error_code ec;
  fs::create_directories(root, ec);
  const fs::path partial = root / fmt::format("{}.partial-{}", kDatasetName, ::getpid());
  fs::remove_all(partial, ec);
  fs::create_directories(partial, ec);
  const core::DataDir device{partial / "device"};
  std::fprintf(stderr, "bench_records: generating %d intakes and %d calls into %s (a few minutes)…\n", kIntakes,
               kCalls, dir.c_str());
  Generation g;
  g.fresh = true;
  auto t0 = Clock::now();
  // Staff (one per role, fastest KDF) and the 50 beds; no records yet.
  if (auto r = core::provision_demo_device(device, 0, 0); !r) return std::unexpected(r.error());
  g.kv["provision_s"] = fmt::format("{:.3f}", seconds_since(t0));
  {
    auto s = core::unlock(device, kUser, secret(passphrase_of(kUser)));
    if (!s) return std::unexpected(s.error());
    // Two calls, so the intake rate is not diluted by the calls: intakes (with closing old cases
    // and filling the beds), then calls. Together they are what `intakectl demo-data` does.
    t0 = Clock::now();
    auto ri = core::generate_demo_data(*s, {.intakes = kIntakes, .calls = 0, .seed = kSeed});
    if (!ri) return std::unexpected(ri.error());
    const double intakes_s = seconds_since(t0);
    t0 = Clock::now();
    auto rc = core::generate_demo_data(*s, {.intakes = 0, .calls = kCalls, .seed = kSeed + 1});
    if (!rc) return std::unexpected(rc.error());
    const double calls_s = seconds_since(t0);
    g.kv["mode"] = "generate_demo_data: intakes, then calls";
    g.kv["intakes"] = std::to_string(ri->intakes);
    g.kv["calls"] = std::to_string(rc->calls);
    g.kv["closed"] = std::to_string(ri->closed);
    g.kv["beds_assigned"] = std::to_string(ri->beds_assigned);
    g.kv["intakes_s"] = fmt::format("{:.3f}", intakes_s);
    g.kv["calls_s"] = fmt::format("{:.3f}", calls_s);
    g.kv["total_s"] = fmt::format("{:.3f}", intakes_s + calls_s);
  }
  g.kv["date"] = utc_now();
  g.kv["nproc"] = std::to_string(::sysconf(_SC_NPROCESSORS_ONLN));
  g.kv["load"] = [] {
    std::ifstream in("/proc/loadavg");
    std::string a, b, c;
    in >> a >> b >> c;
    return a + " " + b + " " + c;
  }();
  {
    std::ofstream out(partial / "generation.txt");
    for (const auto& [k, v] : g.kv) out << k << ' ' << v << '\n';
    if (!out) return core::fail(core::Errc::Io, "cannot write generation.txt");
  }
  fs::rename(partial, dir, ec);
  if (ec) {  // another process finished first: use theirs, keep our figure
    fs::remove_all(partial, ec);
    if (!fs::exists(dir / "generation.txt")) return core::fail(core::Errc::Io, "cannot move the dataset into place");
  }
  std::fprintf(stderr, "bench_records: dataset ready in %.0f s\n", g.num("total_s"));
  return std::pair{dir, g};
}

// The dataset copied under $TMPDIR (a real disk: run the script, not a tmpfs) and unlocked.
struct Fixture {
  fs::path cache;
  Generation generation;
  std::optional<TempDir> tmp;
  core::Session session;
  double copy_s = 0;
  std::int64_t cases = 0, calls = 0;
  std::string error;

  Fixture() {
    auto d = dataset();
    if (!d) {
      error = "dataset: " + d.error().message;
      return;
    }
    cache = d->first;
    generation = std::move(d->second);
    tmp.emplace("ik-bench-records");
    const auto t0 = Clock::now();
    std::error_code ec;
    fs::copy(cache / "device", *tmp / "device", fs::copy_options::recursive, ec);
    if (ec) {
      error = "copying the dataset: " + ec.message();
      return;
    }
    copy_s = seconds_since(t0);
    auto s = core::unlock(core::DataDir{*tmp / "device"}, kUser, secret(passphrase_of(kUser)));
    if (!s) {
      error = "unlock: " + s.error().message;
      return;
    }
    session = std::move(*s);
    cases = session.db().scalar("SELECT count(*) FROM cases").value_or(-1);
    calls = session.db().scalar("SELECT count(*) FROM calls").value_or(-1);
  }
};

Fixture* g_fixture = nullptr;

// ---------------------------------------------------------------------------------------------
// Per-iteration times -> percentiles

double percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  const auto rank = static_cast<std::size_t>(std::ceil(p * static_cast<double>(v.size())));
  return v[std::clamp<std::size_t>(rank, 1, v.size()) - 1];
}

void report_times(benchmark::State& state, const std::vector<double>& seconds) {
  state.counters["p50_ms"] = percentile(seconds, 0.50) * 1e3;
  state.counters["p99_ms"] = percentile(seconds, 0.99) * 1e3;
  state.counters["max_ms"] = seconds.empty() ? 0 : *std::max_element(seconds.begin(), seconds.end()) * 1e3;
}

// Runs `call` once untimed (first_ms), then once per iteration with manual timing.
template <class F>
bool timed_loop(benchmark::State& state, F&& call) {
  const auto t0 = Clock::now();
  if (std::string err = call(); !err.empty()) {
    state.SkipWithError(err.c_str());
    return false;
  }
  state.counters["first_ms"] = seconds_since(t0) * 1e3;
  std::vector<double> seconds;
  seconds.reserve(static_cast<std::size_t>(state.max_iterations));
  for (auto _ : state) {
    const auto a = Clock::now();
    std::string err = call();
    const double dt = seconds_since(a);
    if (!err.empty()) {
      state.SkipWithError(err.c_str());
      return false;
    }
    state.SetIterationTime(dt);
    seconds.push_back(dt);
  }
  report_times(state, seconds);
  return true;
}

// ---------------------------------------------------------------------------------------------
// Benchmarks

void demo_data_generate(benchmark::State& state) {
  const auto& g = g_fixture->generation;
  for (auto _ : state) state.SetIterationTime(g.num("total_s"));
  const double total = g.num("total_s");
  const double intakes_s = g.num("intakes_s");
  state.counters["total_s"] = total;
  state.counters["provision_s"] = g.num("provision_s");
  state.counters["intakes_s"] = intakes_s;
  state.counters["calls_s"] = g.num("calls_s");
  state.counters["intakes_per_s"] = intakes_s > 0 ? g.num("intakes") / intakes_s : 0;
  state.counters["calls_per_s"] = g.num("calls_s") > 0 ? g.num("calls") / g.num("calls_s") : 0;
  // Records per second over the whole run, intakes and calls together.
  state.counters["intakes_per_s_overall"] = total > 0 ? g.num("intakes") / total : 0;
  state.counters["fresh"] = g.fresh ? 1 : 0;  // 0: the figure is the cache's, from its first run
  state.counters["cases_in_db"] = static_cast<double>(g_fixture->cases);
  state.counters["calls_in_db"] = static_cast<double>(g_fixture->calls);
  state.counters["db_mib"] =
      static_cast<double>(fs::file_size(g_fixture->cache / "device" / "intake.db")) / (1 << 20);
  const auto date = g.kv.find("date");
  state.SetLabel(g.fresh ? std::string("generated by this run")
                         : "from the cache (" + (date == g.kv.end() ? std::string("?") : date->second) + ")");
}

void list_cases(benchmark::State& state, core::CaseQuery q, std::int64_t offset, std::int64_t limit) {
  core::CaseService cases(g_fixture->session);
  core::CasePage last;
  const bool ok = timed_loop(state, [&]() -> std::string {
    auto page = cases.list(q, offset, limit);
    if (!page) return page.error().message;
    last = std::move(*page);
    return {};
  });
  if (!ok) return;
  state.counters["rows"] = static_cast<double>(last.items.size());
  state.counters["total"] = static_cast<double>(last.total);
  state.counters["total_capped"] = last.total_capped ? 1 : 0;
  state.SetLabel(q.text.empty() ? std::string() : "\"" + q.text + "\"");
}

// A fresh, valid shelter intake: consent, a synthetic person, exploitation, needs; no bed (the 50
// beds of the demo shelter are all taken by the dataset's newest active cases).
core::IntakeForm intake_form(int n, std::int64_t now) {
  static constexpr std::string_view kGiven[] = {"Xəyalə", "Nərmin", "Günay", "Səbinə", "Zərifə", "Ольга", "Dilnoza"};
  static constexpr std::string_view kFamily[] = {"Sınaqzadə", "Nümunəova", "Uydurmalı", "Примерова", "Тестова"};
  core::IntakeForm f;
  const auto day = core::today(now);
  f.consent = {true, n % 3 != 0, true, day};
  auto& p = f.person;
  p.given_name = std::string(kGiven[n % std::size(kGiven)]);
  p.family_name = std::string(kFamily[(n / 7) % std::size(kFamily)]);
  p.gender = "female";
  p.birth_date = fmt::format("{:04}-{:02}-{:02}", std::stoi(day.substr(0, 4)) - 20 - n % 25, 1 + n % 12, 1 + n % 28);
  p.citizenship = "AZ";
  p.languages = "aze,rus";
  p.marital_status = "single";
  p.education = "secondary";
  if (n % 2 == 0) p.phone = fmt::format("+994 55 {:03} {:02} {:02}", 100 + n % 900, 10 + n % 90, 10 + (n / 90) % 90);
  auto& e = f.exploitation;
  e.types = "forced_labour";
  e.labour_sector = "construction";
  e.means_of_control = "debt_bondage,withholds_documents";
  e.recruitment = "job_offer";
  e.recruiter_relation = "friend";
  e.countries_origin = "AZ";
  e.countries_exploitation = "RU";
  f.needs = {"accommodation", "medical"};
  f.risk_level = "high";
  f.is_witness = n % 5 == 0;
  f.scope = "international";
  f.intake_source = "ngo";
  f.source_organisation_type = "ngo";
  f.source_organisation = "Synthetic NGO";
  f.repatriation_status = "not_applicable";
  return f;
}

void save_intake(benchmark::State& state) {
  auto& s = g_fixture->session;
  core::IntakeService intakes(s);
  const auto now = core::now_unix();
  if (auto errors = core::validate_step(intake_form(0, now), core::IntakeStep::Review, core::IsoCodes::system(), now);
      !errors.empty()) {
    state.SkipWithError(("the benchmark's form is invalid: " + core::render(errors.front())).c_str());
    return;
  }
  int n = 0;
  const bool ok = timed_loop(state, [&]() -> std::string {
    // Building the form is inside the timing; it costs microseconds next to the commit.
    auto id = intakes.register_intake(intake_form(++n, now));
    return id ? std::string() : id.error().message;
  });
  if (!ok) return;
  state.counters["synchronous"] = static_cast<double>(s.db().scalar("PRAGMA synchronous").value_or(-1));  // 2 = FULL
  state.counters["cases_in_db"] = static_cast<double>(s.db().scalar("SELECT count(*) FROM cases").value_or(-1));
}

// ---------------------------------------------------------------------------------------------
// --explain: what SQLite does with the list queries — the SQL of storage/case_repo.cpp, restated
// here — with the plans, each statement's time (median of 9), and for the slow ones the same rows
// fetched another way, to show what a change to case_repo.cpp would buy. Runs on the copy.

constexpr std::string_view kListCols =
    "c.id, c.case_number, p.given_name, p.family_name, p.alias, p.gender, c.status, c.risk_level, c.origin, "
    "c.opened_at, (SELECT b.label FROM stays s JOIN beds b ON b.id = s.bed_id WHERE s.case_id = c.id AND "
    "s.discharged_at IS NULL)";

// CaseRepo::page, as it is.
std::string repo_page(std::string_view where, std::int64_t limit, std::int64_t offset) {
  return fmt::format(
      "SELECT {} FROM cases c JOIN persons p ON p.id = c.person_id WHERE 1{} ORDER BY c.opened_at DESC, c.id DESC "
      "LIMIT {} OFFSET {}",
      kListCols, where, limit, offset);
}
// CaseRepo::count, as it is.
std::string repo_count(std::string_view where) {
  return fmt::format("SELECT count(*) FROM (SELECT 1 FROM cases c WHERE 1{} LIMIT 10001)", where);
}
// The page's ids first (from an index alone when it can), then the 50 rows' columns: a skipped or
// sorted-away row costs no person lookup and no bed subquery.
std::string ids_first_page(std::string_view where, std::int64_t limit, std::int64_t offset) {
  return fmt::format(
      "SELECT {} FROM (SELECT c.id FROM cases c WHERE 1{} ORDER BY c.opened_at DESC, c.id DESC LIMIT {} OFFSET {}) k "
      "JOIN cases c ON c.id = k.id JOIN persons p ON p.id = c.person_id ORDER BY c.opened_at DESC, c.id DESC",
      kListCols, where, limit, offset);
}

struct Timed {
  double ms = -1;
  std::vector<std::int64_t> first_column;
  std::string error;
};

Timed time_sql(storage::Database& db, const std::string& sql, int reps = 9) {
  Timed t;
  std::vector<double> ms;
  for (int r = 0; r < reps; ++r) {
    const auto t0 = Clock::now();
    auto st = db.prepare(sql);
    if (!st) {
      t.error = st.error().message;
      return t;
    }
    std::vector<std::int64_t> col;
    while (true) {
      auto row = st->step();
      if (!row) {
        t.error = row.error().message;
        return t;
      }
      if (!*row) break;
      col.push_back(st->int64(0));
    }
    ms.push_back(seconds_since(t0) * 1e3);
    t.first_column = std::move(col);
  }
  t.ms = percentile(ms, 0.5);
  return t;
}

void plan(storage::Database& db, const std::string& sql) {
  auto st = db.prepare("EXPLAIN QUERY PLAN " + sql);
  if (!st) {
    std::printf("   (plan: %s)\n", st.error().message.c_str());
    return;
  }
  while (true) {
    auto row = st->step();
    if (!row || !*row) break;
    std::printf("     plan: %s\n", st->text(3).c_str());
  }
}

void show(storage::Database& db, const char* what, const std::string& sql, const Timed* same_as = nullptr,
          Timed* out = nullptr) {
  const auto t = time_sql(db, sql);
  std::printf("  %-58s %9.2f ms  %zu rows%s\n", what, t.ms, t.first_column.size(),
              same_as == nullptr ? ""
              : t.first_column == same_as->first_column ? "  (same rows as CaseRepo)"
                                                          : "  (DIFFERENT rows from CaseRepo!)");
  if (!t.error.empty()) std::printf("     error: %s\n", t.error.c_str());
  if (out != nullptr) *out = t;
}

int explain() {
  auto& db = g_fixture->session.db();
  std::printf("Query plans and times on a copy of %s (%lld cases, %lld calls); median of 9 runs.\n",
              (g_fixture->cache / "device").c_str(), static_cast<long long>(g_fixture->cases),
              static_cast<long long>(g_fixture->calls));
  std::printf("PRAGMA cache_size: %lld; FTS3 segments in case_search: %lld\n\n",
              static_cast<long long>(db.scalar("PRAGMA cache_size").value_or(0)),
              static_cast<long long>(db.scalar("SELECT count(*) FROM case_search_segdir").value_or(-1)));

  struct Page {
    const char* what;
    std::string where;
    std::int64_t offset;
  };
  const Page pages[] = {
      {"unfiltered, offset 50,000", "", 50'000},
      {"status=active, offset 20,000", " AND c.status = 'active'", 20'000},
      {"status=closed, offset 50,000", " AND c.status = 'closed'", 50'000},
      {"unfiltered, offset 9,800 (deepest the kiosk fetches, 200 rows)", "", 9'800},
      {"status=closed, offset 9,800 (200 rows)", " AND c.status = 'closed'", 9'800},
  };
  for (const auto& p : pages) {
    const std::int64_t limit = p.offset == 9'800 ? 200 : 50;
    std::printf("== page: %s\n", p.what);
    Timed repo;
    const auto sql = repo_page(p.where, limit, p.offset);
    show(db, "CaseRepo::page", sql, nullptr, &repo);
    plan(db, sql);
    show(db, "CaseRepo::count", repo_count(p.where));
    const auto alt = ids_first_page(p.where, limit, p.offset);
    show(db, "ids first from the index, then the rows (alternative)", alt, &repo);
    plan(db, alt);
    std::printf("\n");
  }

  const auto searches = {std::pair{"Nümun", std::string("numun*")}, std::pair{"Примеро", std::string("примеро*")}};
  const auto search_block = [&](const char* when) {
    for (const auto& [typed, match] : searches) {
      const std::string fts = fmt::format("SELECT docid FROM case_search WHERE tokens MATCH '{}'", match);
      const std::string where = fmt::format(" AND c.id IN ({})", fts);
      std::printf("== search \"%s\" (MATCH '%s'), page of 50 at offset 0, %s\n", typed, match.c_str(), when);
      show(db, "FTS3 alone: every matching docid", fts);
      Timed repo;
      const auto sql = repo_page(where, 50, 0);
      show(db, "CaseRepo::page", sql, nullptr, &repo);
      plan(db, sql);
      show(db, "CaseRepo::count", repo_count(where));
      show(db, "ids first, then the rows (alternative)", ids_first_page(where, 50, 0), &repo);
      show(db, "count from the FTS table alone (alternative, no filter)",
           fmt::format("SELECT count(*) FROM ({} LIMIT 10001)", fts));
      show(db, "ids in case-id order from FTS (docid DESC), then rows",
           fmt::format("SELECT {} FROM ({} ORDER BY docid DESC LIMIT 50) k JOIN cases c ON c.id = k.docid "
                       "JOIN persons p ON p.id = c.person_id ORDER BY c.opened_at DESC, c.id DESC",
                       kListCols, fts),
           &repo);
      std::printf("\n");
    }
  };
  search_block("as generated");
  auto t0 = Clock::now();
  if (auto r = db.exec("INSERT INTO case_search (case_search) VALUES ('optimize')"); !r)
    std::printf("optimize failed: %s\n", r.error().message.c_str());
  std::printf("-- FTS3 'optimize' (merges the segments into one) took %.0f ms\n", seconds_since(t0) * 1e3);
  show(db, "FTS3 alone after 'optimize': numun*", "SELECT docid FROM case_search WHERE tokens MATCH 'numun*'");
  t0 = Clock::now();
  if (auto r = db.exec("CREATE INDEX bench_cases_by_id_opened ON cases(id, opened_at)"); !r)
    std::printf("index failed: %s\n", r.error().message.c_str());
  std::printf("-- CREATE INDEX cases(id, opened_at) took %.0f ms\n\n", seconds_since(t0) * 1e3);
  search_block("with an index on cases(id, opened_at)");
  if (auto r = db.exec("DROP INDEX bench_cases_by_id_opened; PRAGMA cache_size = -65536"); !r)
    std::printf("cache_size failed: %s\n", r.error().message.c_str());
  search_block("without that index, PRAGMA cache_size = 64 MiB (default 16 MiB)");
  return 0;
}

}  // namespace
}  // namespace ik::bench

int main(int argc, char** argv) {
  using namespace ik::bench;
  bool want_explain = false;
  std::vector<char*> args;
  for (int i = 0; i < argc; ++i) {
    if (std::string_view(argv[i]) == "--explain") want_explain = true;
    else args.push_back(argv[i]);
  }
  int n = static_cast<int>(args.size());
  benchmark::Initialize(&n, args.data());
  if (benchmark::ReportUnrecognizedArguments(n, args.data())) return 1;

  Fixture fixture;
  if (!fixture.error.empty()) {
    std::fprintf(stderr, "bench_records: %s\n", fixture.error.c_str());
    return 1;
  }
  g_fixture = &fixture;
  std::fprintf(stderr, "bench_records: %lld cases, %lld calls; copied in %.1f s\n",
               static_cast<long long>(fixture.cases), static_cast<long long>(fixture.calls), fixture.copy_s);
  if (want_explain) return explain();

  benchmark::RegisterBenchmark("records/demo_data_generate", demo_data_generate)
      ->Iterations(1)
      ->UseManualTime()
      ->Unit(benchmark::kSecond);

  // Name searches, as typed: Azerbaijani without its letters (no match among the synthetic
  // names, so every case is looked at), Azerbaijani with them, Russian.
  const std::pair<const char*, const char*> searches[] = {
      {"mammad", "mammad"}, {"Numun", "Nümun"}, {"Primero", "Примеро"}};
  for (const auto& [name, text] : searches)
    benchmark::RegisterBenchmark(fmt::format("records/search/{}", name).c_str(), list_cases,
                                 ik::core::CaseQuery{std::nullopt, text}, 0, 50)
        ->Iterations(100)
        ->UseManualTime()
        ->Unit(benchmark::kMillisecond);

  // Pages, newest first. Deep offsets stay inside each list: about 24,000 cases are active and
  // 53,000 closed in the dataset. 50 rows is the target's page. The kiosk fetches 200 at a time
  // and its list stops at the capped count (10,000 rows), so offset 9,800 is the deepest it asks.
  struct PageCase {
    const char* status;
    std::int64_t offset, limit;
  };
  const PageCase pages[] = {{"", 0, 50},        {"", 50'000, 50},      {"active", 0, 50},   {"active", 20'000, 50},
                            {"closed", 0, 50},  {"closed", 50'000, 50}, {"", 0, 200},        {"", 9'800, 200},
                            {"active", 0, 200}, {"active", 9'800, 200}, {"closed", 0, 200}, {"closed", 9'800, 200}};
  for (const auto& p : pages) {
    ik::core::CaseQuery q;
    if (*p.status != '\0') q.status = p.status;
    benchmark::RegisterBenchmark(
        fmt::format("records/page/{}/offset:{}/limit:{}", *p.status ? p.status : "all", p.offset, p.limit).c_str(),
        list_cases, q, p.offset, p.limit)
        ->Iterations(p.limit == 50 ? 100 : 40)
        ->UseManualTime()
        ->Unit(benchmark::kMillisecond);
  }

  // Last: it adds cases (to the copy).
  benchmark::RegisterBenchmark("records/save_intake", save_intake)
      ->Iterations(300)
      ->UseManualTime()
      ->Unit(benchmark::kMillisecond);

  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
