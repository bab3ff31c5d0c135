// storage::Database::open on an existing database whose migrations are applied: the raw key,
// cipher settings, the verification reads, the connection pragmas and the migration check —
// everything between "the key is known" and "the first query can run". Measured per
// cipher_page_size, because OpenOptions::cipher_page_size is the setting bench/sql_workload.cpp
// tunes and the open must not get slower with it.
//
// Only the open is timed (manual time); the close that follows (SQLCipher wipes its key,
// WAL checkpoint) is reported separately as the close_ms counter.
#include <benchmark/benchmark.h>

#include <chrono>
#include <cstdint>
#include <map>
#include <string>

#include "bench/temp_dir.hpp"
#include "crypto/secure_buffer.hpp"
#include "storage/database.hpp"

namespace ik::bench {
namespace {

TempDir& tmp() {
  static TempDir dir{"ik-bench-storage"};
  return dir;
}

// A fixed synthetic key: only the cost is measured here, nothing is protected.
const crypto::SecureBuffer& key() {
  static const crypto::SecureBuffer k = crypto::SecureBuffer::random(32);
  return k;
}

// One database per page size, created (and migrated) the first time it is asked for.
storage::Result<std::filesystem::path> database(int page_size) {
  static std::map<int, std::filesystem::path> made;
  if (auto it = made.find(page_size); it != made.end()) return it->second;
  const auto path = tmp() / ("open-" + std::to_string(page_size) + ".db");
  auto db = storage::Database::open(path, key(), {.cipher_page_size = page_size, .create = true});
  if (!db) return std::unexpected(db.error());
  db->close();
  made.emplace(page_size, path);
  return path;
}

void open_existing(benchmark::State& state) {
  const int page_size = static_cast<int>(state.range(0));
  auto path = database(page_size);
  if (!path) {
    state.SkipWithError(path.error().message.c_str());
    return;
  }
  const storage::OpenOptions options{.cipher_page_size = page_size};
  double close_s = 0;
  for (auto _ : state) {
    const auto t0 = std::chrono::steady_clock::now();
    auto db = storage::Database::open(*path, key(), options);
    const auto t1 = std::chrono::steady_clock::now();
    if (!db) {
      state.SkipWithError(db.error().message.c_str());
      break;
    }
    db->close();
    const auto t2 = std::chrono::steady_clock::now();
    state.SetIterationTime(std::chrono::duration<double>(t1 - t0).count());
    close_s += std::chrono::duration<double>(t2 - t1).count();
  }
  state.counters["close_ms"] =
      benchmark::Counter(close_s * 1e3, benchmark::Counter::kAvgIterations);
  state.counters["default_page"] = storage::OpenOptions{}.cipher_page_size == page_size ? 1 : 0;
}

}  // namespace
}  // namespace ik::bench

BENCHMARK(ik::bench::open_existing)
    ->Name("database_open")
    ->ArgName("page")
    ->Arg(1024)
    ->Arg(4096)
    ->Arg(8192)
    ->Arg(16384)
    ->Iterations(150)
    ->Unit(benchmark::kMicrosecond)
    ->UseManualTime();

BENCHMARK_MAIN();
