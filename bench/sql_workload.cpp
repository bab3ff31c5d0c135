// One SQL workload, compiled twice (bench/CMakeLists.txt), so that the cost of encryption is a
// ratio of two runs of the same code:
//   bench_sql_sqlcipher  against SQLCipher 3.4.1 (an SQLite 3.15.2 core), IK_BENCH_SQLCIPHER=1
//   bench_sql_sqlite     against Debian's plain SQLite (3.40.1)
// The two libraries export the same symbols, so they cannot share one binary. Only the sqlite3
// C API is used here. bench/report.py joins the JSON outputs by benchmark name.
//
// Modes, the third segment of every benchmark name:
//   sqlcipher         raw key, HMAC on: the product's configuration
//   sqlcipher_nohmac  raw key, cipher_use_hmac = OFF: only to measure the HMAC's share (the
//                     product keeps the HMAC: it is the page integrity protection)
//   sqlcipher_nokey   the SQLCipher library with no key: the same 3.15.2 core with no codec,
//                     which separates the cost of encryption from "3.15.2 versus 3.40.1"
//   sqlite            Debian's libsqlite3
//
// Every connection gets the product's settings (storage/database.cpp): WAL, synchronous = FULL,
// temp_store = MEMORY, secure_delete = ON; the same page size on both sides (cipher_page_size
// for SQLCipher, page_size otherwise), and the same cache_size: SQLite's default of 2000 KiB,
// which the product does not change. The cache matters: SQLCipher decrypts and authenticates a
// page when it enters the page cache, so the select figures depend on the database (20,000
// records, about 21 MiB) being larger than the cache, as the kiosk's will be. The selects are
// therefore also run with a 32 MiB cache that holds the whole database (cache_kib:32768), to
// show what a larger cache_size would buy.
#include <sqlite3.h>

#include <benchmark/benchmark.h>

#include <array>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <random>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "bench/temp_dir.hpp"

#if defined(IK_BENCH_SQLCIPHER) && !defined(SQLITE_HAS_CODEC)
#error "bench_sql_sqlcipher needs SQLITE_HAS_CODEC (sqlite3_key is declared only under it)"
#endif
#if !defined(IK_BENCH_SQLCIPHER) && defined(SQLITE_HAS_CODEC)
#error "bench_sql_sqlite must be compiled against plain SQLite's sqlite3.h"
#endif

namespace ik::bench {
namespace {

constexpr std::array kPageSizes{1024, 4096, 8192, 16384};
constexpr std::array kRowsPerTransaction{1, 10, 100, 1000};
constexpr int kDefaultCacheKiB = 2000;    // SQLite's default cache_size (-2000)
constexpr std::array kSelectCacheKiB{kDefaultCacheKiB, 32768};
constexpr std::int64_t kRows = 20'000;    // records in the select workloads' database
constexpr int kScanRows = 50;             // rows per range scan
constexpr std::size_t kPoolSize = 4096;   // distinct synthetic record texts

// Transactions per insert run. Fixed counts, so both engines do exactly the same work and
// write databases of the same size; 1 row per transaction is fsync-bound and kept short.
int insert_transactions(int rows_per_txn) {
  switch (rows_per_txn) {
    case 1: return 150;
    case 10: return 60;
    case 100: return 50;
    default: return 10;
  }
}

enum class Mode { Sqlcipher, SqlcipherNoHmac, SqlcipherNoKey, Sqlite };

std::string_view name_of(Mode m) {
  switch (m) {
    case Mode::Sqlcipher: return "sqlcipher";
    case Mode::SqlcipherNoHmac: return "sqlcipher_nohmac";
    case Mode::SqlcipherNoKey: return "sqlcipher_nokey";
    case Mode::Sqlite: return "sqlite";
  }
  return "?";
}

bool encrypted(Mode m) { return m == Mode::Sqlcipher || m == Mode::SqlcipherNoHmac; }

#ifdef IK_BENCH_SQLCIPHER
constexpr std::array kModes{Mode::Sqlcipher, Mode::SqlcipherNoHmac, Mode::SqlcipherNoKey};
// A fixed synthetic raw key in the form the product passes it (storage/database.cpp): the
// x'<64 hex>' literal, so SQLCipher skips PBKDF2. It protects nothing; only its cost matters.
constexpr std::string_view kKeyLiteral =
    "x'000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f'";
#else
constexpr std::array kModes{Mode::Sqlite};
#endif

// ---------------------------------------------------------------------------------------------
// Minimal RAII over the C API. Errors throw; each benchmark turns them into SkipWithError.

[[noreturn]] void fail(sqlite3* db, std::string_view what) {
  throw std::runtime_error(std::string(what) + ": " + (db != nullptr ? sqlite3_errmsg(db) : "out of memory"));
}

class Statement {
 public:
  Statement(sqlite3* db, std::string_view sql) : db_(db) {
    if (sqlite3_prepare_v2(db, sql.data(), static_cast<int>(sql.size()), &stmt_, nullptr) != SQLITE_OK)
      fail(db, "prepare");
  }
  ~Statement() { sqlite3_finalize(stmt_); }
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  void bind(int index, std::int64_t value) { sqlite3_bind_int64(stmt_, index, value); }
  // SQLITE_TRANSIENT, as storage::Statement does: the copy is part of the product's cost.
  void bind(int index, std::string_view text) {
    sqlite3_bind_text(stmt_, index, text.data(), static_cast<int>(text.size()), SQLITE_TRANSIENT);
  }
  // true: a row is ready; false: done.
  bool step() {
    const int rc = sqlite3_step(stmt_);
    if (rc == SQLITE_ROW) return true;
    if (rc == SQLITE_DONE) return false;
    fail(db_, "step");
  }
  void run() {
    while (step()) {
    }
    sqlite3_reset(stmt_);
  }
  void reset() { sqlite3_reset(stmt_); }
  sqlite3_stmt* get() { return stmt_; }

 private:
  sqlite3* db_;
  sqlite3_stmt* stmt_ = nullptr;
};

class Connection {
 public:
  Connection(const std::filesystem::path& path, Mode mode, int page_size, int cache_kib = kDefaultCacheKiB) {
    sqlite3* raw = nullptr;
    const int rc = sqlite3_open_v2(path.c_str(), &raw, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr);
    db_.reset(raw);  // closed by the destructor even when the open failed
    if (rc != SQLITE_OK) fail(raw, "open " + path.string());
    configure(mode, page_size, cache_kib);
  }

  sqlite3* get() { return db_.get(); }

  void exec(const std::string& sql) {
    if (sqlite3_exec(db_.get(), sql.c_str(), nullptr, nullptr, nullptr) != SQLITE_OK) fail(db_.get(), sql);
  }
  std::string text(const std::string& sql) {
    Statement st(db_.get(), sql);
    if (!st.step()) return {};
    const auto* t = sqlite3_column_text(st.get(), 0);
    return t != nullptr ? reinterpret_cast<const char*>(t) : "";
  }
  std::int64_t integer(const std::string& sql) {
    Statement st(db_.get(), sql);
    if (!st.step()) fail(db_.get(), sql + " returned no row");
    return sqlite3_column_int64(st.get(), 0);
  }

 private:
  struct Close {
    void operator()(sqlite3* db) const { sqlite3_close_v2(db); }
  };

  // The same order as storage::Database::open: key and page size before anything reads the
  // file; the page size must also precede journal_mode, which writes the header of a new file.
  void configure(Mode mode, int page_size, int cache_kib) {
    const auto page = std::to_string(page_size);
#ifdef IK_BENCH_SQLCIPHER
    if (encrypted(mode)) {
      if (sqlite3_key(db_.get(), kKeyLiteral.data(), static_cast<int>(kKeyLiteral.size())) != SQLITE_OK)
        fail(db_.get(), "sqlite3_key");
      exec("PRAGMA cipher_page_size = " + page);
      if (mode == Mode::SqlcipherNoHmac) exec("PRAGMA cipher_use_hmac = OFF");
    } else {
      exec("PRAGMA page_size = " + page);
    }
#else
    (void)mode;
    exec("PRAGMA page_size = " + page);
#endif
    if (text("PRAGMA journal_mode = WAL") != "wal") throw std::runtime_error("cannot switch to WAL");
    exec("PRAGMA synchronous = FULL; PRAGMA temp_store = MEMORY; PRAGMA secure_delete = ON; "
         "PRAGMA mmap_size = 0; PRAGMA cache_size = -" + std::to_string(cache_kib) + ";");
    // A page size that silently did not apply would make the whole comparison wrong.
    if (const auto actual = integer("PRAGMA page_size"); actual != page_size)
      throw std::runtime_error("page_size is " + std::to_string(actual) + ", wanted " + page);
  }

  std::unique_ptr<sqlite3, Close> db_;
};

// ---------------------------------------------------------------------------------------------
// Synthetic records: neutral intake-office words, no names, nothing about anyone. Text columns
// add up to 300-1500 bytes, like a short intake note; the integer columns are a hash of the
// row's sequence number, so received_at (the indexed column) is uncorrelated with insertion
// order and a range scan on it visits scattered table pages, as a by-date list would.

constexpr const char* kSchema = R"sql(
CREATE TABLE records (
  id          INTEGER PRIMARY KEY,
  received_at INTEGER NOT NULL,
  status      INTEGER NOT NULL,
  officer_id  INTEGER NOT NULL,
  language    TEXT NOT NULL,
  summary     TEXT NOT NULL,
  narrative   TEXT NOT NULL
);
CREATE INDEX records_by_received_at ON records(received_at);
)sql";

constexpr std::string_view kInsert =
    "INSERT INTO records (received_at, status, officer_id, language, summary, narrative) "
    "VALUES (?1, ?2, ?3, ?4, ?5, ?6)";
constexpr std::string_view kPointSelect =
    "SELECT received_at, status, officer_id, language, summary, narrative FROM records WHERE id = ?1";
constexpr std::string_view kRangeScan =
    "SELECT id, received_at, status, officer_id, language, summary, narrative FROM records "
    "WHERE received_at >= ?1 ORDER BY received_at LIMIT 50";

constexpr std::int64_t kEpoch = 1'700'000'000;  // received_at spans one year from here
constexpr std::int64_t kSpan = 365LL * 24 * 3600;

struct Text {
  std::string language, summary, narrative;
};

constexpr std::array<std::string_view, 48> kWords{
    "intake",   "interview", "shelter",     "bed",       "transport", "appointment", "clinic",
    "document", "copy",      "signed",      "follow-up", "call",      "hotline",     "evening",
    "morning",  "referral",  "legal",       "advice",    "interpreter", "requested", "room",
    "meal",     "provided",  "consent",     "recorded",  "next",      "visit",       "scheduled",
    "case",     "worker",    "notes",       "travel",    "ticket",    "phone",       "returned",
    "safety",   "plan",      "reviewed",    "counselling", "session", "medical",     "check",
    "completed", "pending",  "arranged",    "support",   "group",     "weekly"};
constexpr std::array<std::string_view, 8> kLanguages{"en", "de", "fr", "ro", "bg", "uk", "es", "ar"};

std::string words(std::mt19937_64& rng, std::size_t length) {
  std::uniform_int_distribution<std::size_t> pick(0, kWords.size() - 1);
  std::string s;
  s.reserve(length + 16);
  while (s.size() < length) {
    if (!s.empty()) s += ' ';
    s += kWords[pick(rng)];
  }
  s.resize(length);
  return s;
}

// The same pool in both binaries: fixed seed, same libstdc++.
const std::vector<Text>& pool() {
  static const std::vector<Text> texts = [] {
    std::mt19937_64 rng(0x1c4b'2024);
    std::uniform_int_distribution<std::size_t> summary_len(100, 300), narrative_len(200, 1200);
    std::vector<Text> v;
    v.reserve(kPoolSize);
    for (std::size_t i = 0; i < kPoolSize; ++i) {
      Text t;
      t.language = kLanguages[i % kLanguages.size()];
      t.summary = words(rng, summary_len(rng));
      t.narrative = words(rng, narrative_len(rng));
      v.push_back(std::move(t));
    }
    return v;
  }();
  return texts;
}

std::uint64_t splitmix64(std::uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

void insert_record(Statement& insert, std::uint64_t seq) {
  const auto h = splitmix64(seq);
  const auto& t = pool()[seq % kPoolSize];
  insert.bind(1, kEpoch + static_cast<std::int64_t>(h % static_cast<std::uint64_t>(kSpan)));
  insert.bind(2, static_cast<std::int64_t>((h >> 40) % 5));
  insert.bind(3, static_cast<std::int64_t>((h >> 48) % 40 + 1));
  insert.bind(4, t.language);
  insert.bind(5, t.summary);
  insert.bind(6, t.narrative);
  insert.run();
}

// Reads every column of the current row, as a screen showing the record would.
std::uint64_t consume_row(sqlite3_stmt* st) {
  std::uint64_t sum = 0;
  const int n = sqlite3_column_count(st);
  for (int c = 0; c < n; ++c) {
    if (sqlite3_column_type(st, c) == SQLITE_INTEGER) {
      sum += static_cast<std::uint64_t>(sqlite3_column_int64(st, c));
    } else {
      const auto* t = sqlite3_column_text(st, c);
      sum += static_cast<std::uint64_t>(sqlite3_column_bytes(st, c)) + (t != nullptr ? t[0] : 0);
    }
  }
  return sum;
}

// ---------------------------------------------------------------------------------------------
// Files.

TempDir& tmp() {
  static TempDir dir{"ik-bench-sql"};
  return dir;
}

std::filesystem::path fresh_path(std::string_view what) {
  static int counter = 0;
  return tmp() / (std::string(what) + "-" + std::to_string(++counter) + ".db");
}

// An encrypted file must not start with SQLite's plain header, and a plain one must: proof that
// each mode measured what its name says.
void check_header(const std::filesystem::path& path, Mode mode) {
  char head[16] = {};
  std::ifstream in(path, std::ios::binary);
  in.read(head, sizeof head);
  const bool plain = in.gcount() == sizeof head && std::memcmp(head, "SQLite format 3", 16) == 0;
  if (plain == encrypted(mode))
    throw std::runtime_error(path.string() + (plain ? " is not encrypted" : " is not a plain SQLite file"));
}

struct Populated {
  std::filesystem::path path;
  double bytes_per_row = 0;
};

// The select workloads' database for one (mode, page size), built the first time it is needed
// (in transactions of 1000 rows, not timed) and closed, so its WAL is checkpointed away.
const Populated& populated(Mode mode, int page_size) {
  static std::map<std::pair<Mode, int>, Populated> made;
  const auto key = std::pair(mode, page_size);
  if (auto it = made.find(key); it != made.end()) return it->second;
  const auto path = fresh_path("select-" + std::string(name_of(mode)) + "-" + std::to_string(page_size));
  {
    Connection db(path, mode, page_size);
    db.exec(kSchema);
    Statement insert(db.get(), kInsert);
    for (std::int64_t seq = 0; seq < kRows; ++seq) {
      if (seq % 1000 == 0) db.exec("BEGIN IMMEDIATE");
      insert_record(insert, static_cast<std::uint64_t>(seq));
      if (seq % 1000 == 999 || seq + 1 == kRows) db.exec("COMMIT");
    }
  }
  check_header(path, mode);
  const auto size = static_cast<double>(std::filesystem::file_size(path));
  return made.emplace(key, Populated{path, size / static_cast<double>(kRows)}).first->second;
}

// Reads every table and index page once: with the large cache the selects then run entirely
// from it, with the small one the cache holds whatever the scans left, and the first timed
// queries are not the first reads after opening.
void warm_up(Connection& db) {
  (void)db.integer("SELECT sum(length(summary) + length(narrative)) FROM records");
  (void)db.integer("SELECT sum(received_at) FROM records INDEXED BY records_by_received_at WHERE received_at > 0");
}

// Random keys, the same sequence in both binaries.
const std::vector<std::int64_t>& random_ids() {
  static const std::vector<std::int64_t> ids = [] {
    std::mt19937_64 rng(0x5e1ec7);
    std::uniform_int_distribution<std::int64_t> id(1, kRows);
    std::vector<std::int64_t> v(8192);
    for (auto& x : v) x = id(rng);
    return v;
  }();
  return ids;
}

const std::vector<std::int64_t>& random_starts() {
  static const std::vector<std::int64_t> starts = [] {
    std::mt19937_64 rng(0x5ca11);
    // Stay clear of the top 1% of the range so every scan finds its 50 rows.
    std::uniform_int_distribution<std::int64_t> at(kEpoch, kEpoch + kSpan * 99 / 100);
    std::vector<std::int64_t> v(8192);
    for (auto& x : v) x = at(rng);
    return v;
  }();
  return starts;
}

// ---------------------------------------------------------------------------------------------
// Workloads. One iteration = one transaction (inserts) or one query (selects).

void insert(benchmark::State& state, Mode mode, int page_size, int rows_per_txn) {
  try {
    const auto path = fresh_path("insert");
    {
      Connection db(path, mode, page_size);
      db.exec(kSchema);
      Statement begin(db.get(), "BEGIN IMMEDIATE"), commit(db.get(), "COMMIT"), ins(db.get(), kInsert);
      (void)pool();  // built before the clock starts
      std::uint64_t seq = 0;
      for (auto _ : state) {
        begin.run();
        for (int i = 0; i < rows_per_txn; ++i) insert_record(ins, seq++);
        commit.run();
      }
      state.SetItemsProcessed(static_cast<std::int64_t>(seq));
      state.counters["rows_per_txn"] = rows_per_txn;
    }
    check_header(path, mode);
    remove_database(path);
  } catch (const std::exception& e) {
    state.SkipWithError(e.what());
  }
}

void point_select(benchmark::State& state, Mode mode, int page_size, int cache_kib) {
  try {
    const auto& db_file = populated(mode, page_size);
    Connection db(db_file.path, mode, page_size, cache_kib);
    Statement select(db.get(), kPointSelect);
    const auto& ids = random_ids();
    std::uint64_t sum = 0;
    std::size_t i = 0;
    auto one = [&] {
      select.bind(1, ids[i++ % ids.size()]);
      if (!select.step()) throw std::runtime_error("point select found no row");
      sum += consume_row(select.get());
      select.reset();
    };
    warm_up(db);
    for (int w = 0; w < 2000; ++w) one();
    for (auto _ : state) one();
    benchmark::DoNotOptimize(sum);
    state.SetItemsProcessed(state.iterations());
    state.counters["bytes_per_row"] = db_file.bytes_per_row;
  } catch (const std::exception& e) {
    state.SkipWithError(e.what());
  }
}

void range_scan(benchmark::State& state, Mode mode, int page_size, int cache_kib) {
  try {
    const auto& db_file = populated(mode, page_size);
    Connection db(db_file.path, mode, page_size, cache_kib);
    Statement scan(db.get(), kRangeScan);
    const auto& starts = random_starts();
    std::uint64_t sum = 0;
    std::size_t i = 0;
    auto one = [&] {
      scan.bind(1, starts[i++ % starts.size()]);
      int rows = 0;
      while (scan.step()) {
        sum += consume_row(scan.get());
        ++rows;
      }
      scan.reset();
      if (rows != kScanRows) throw std::runtime_error("range scan returned " + std::to_string(rows) + " rows");
    };
    warm_up(db);
    for (int w = 0; w < 100; ++w) one();
    for (auto _ : state) one();
    benchmark::DoNotOptimize(sum);
    state.SetItemsProcessed(state.iterations() * kScanRows);
  } catch (const std::exception& e) {
    state.SkipWithError(e.what());
  }
}

// ---------------------------------------------------------------------------------------------

// The reference modes (no HMAC, no key) run only where they explain something: not on the
// fsync-bound inserts, where every mode waits for the same disk, and without the HMAC not on the
// large cache, where nothing is decrypted. That keeps `make bench` within a few minutes.
bool worth_running(Mode mode, int rows_per_txn, int cache_kib) {
  if (mode == Mode::Sqlcipher || mode == Mode::Sqlite) return true;
  if (rows_per_txn > 0 && rows_per_txn < 100) return false;
  return !(mode == Mode::SqlcipherNoHmac && cache_kib != kDefaultCacheKiB);
}

void register_all() {
  for (const int page : kPageSizes) {
    for (const Mode mode : kModes) {
      const auto suffix = "/" + std::string(name_of(mode)) + "/page:" + std::to_string(page);
      for (const int txn : kRowsPerTransaction) {
        if (!worth_running(mode, txn, kDefaultCacheKiB)) continue;
        const auto name = "insert/txn:" + std::to_string(txn) + suffix;
        benchmark::RegisterBenchmark(name.c_str(), [=](benchmark::State& s) { insert(s, mode, page, txn); })
            ->Iterations(insert_transactions(txn))
            ->Unit(benchmark::kMicrosecond)
            ->UseRealTime();
      }
      for (const int cache : kSelectCacheKiB) {
        if (!worth_running(mode, 0, cache)) continue;
        const auto cache_part = "/cache_kib:" + std::to_string(cache);
        benchmark::RegisterBenchmark(("point_select" + cache_part + suffix).c_str(),
                                     [=](benchmark::State& s) { point_select(s, mode, page, cache); })
            ->Iterations(10'000)
            ->Unit(benchmark::kMicrosecond)
            ->UseRealTime();
        benchmark::RegisterBenchmark(("range_scan_50" + cache_part + suffix).c_str(),
                                     [=](benchmark::State& s) { range_scan(s, mode, page, cache); })
            ->Iterations(500)
            ->Unit(benchmark::kMicrosecond)
            ->UseRealTime();
      }
    }
  }
}

// Which library this binary really runs, recorded in the JSON context; and a refusal to run
// when the header and the library disagree (the sqlcipher include path leaking into the plain
// build would otherwise measure the wrong thing quietly).
void describe_engine() {
  if (std::string_view(sqlite3_libversion()) != SQLITE_VERSION)
    throw std::runtime_error(std::string("sqlite3.h is ") + SQLITE_VERSION + " but the library is " +
                             sqlite3_libversion());
  benchmark::AddCustomContext("sqlite_version", sqlite3_libversion());
  benchmark::AddCustomContext("default_cache_kib", std::to_string(kDefaultCacheKiB));
  benchmark::AddCustomContext("db_dir", tmp().path().string());
  sqlite3* raw = nullptr;
  sqlite3_open(":memory:", &raw);
  std::unique_ptr<sqlite3, decltype(&sqlite3_close)> db(raw, &sqlite3_close);
  auto pragma = [&](const char* sql) {
    sqlite3_stmt* st = nullptr;
    std::string out;
    if (sqlite3_prepare_v2(db.get(), sql, -1, &st, nullptr) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW)
      if (const auto* t = sqlite3_column_text(st, 0)) out = reinterpret_cast<const char*>(t);
    sqlite3_finalize(st);
    return out;
  };
#ifdef IK_BENCH_SQLCIPHER
  sqlite3_key(db.get(), kKeyLiteral.data(), static_cast<int>(kKeyLiteral.size()));
  const auto version = pragma("PRAGMA cipher_version");
  if (version.empty()) throw std::runtime_error("this library has no SQLCipher codec");
  benchmark::AddCustomContext("engine", "SQLCipher " + version);
  benchmark::AddCustomContext("cipher_provider", pragma("PRAGMA cipher_provider") + " " +
                                                     pragma("PRAGMA cipher_provider_version"));
#else
  if (!pragma("PRAGMA cipher_version").empty()) throw std::runtime_error("this is SQLCipher, not plain SQLite");
  benchmark::AddCustomContext("engine", "SQLite");
#endif
}

}  // namespace
}  // namespace ik::bench

int main(int argc, char** argv) {
  try {
    ik::bench::describe_engine();
  } catch (const std::exception& e) {
    std::fprintf(stderr, "%s\n", e.what());
    return 1;
  }
  ik::bench::register_all();
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
