#pragma once
// A private directory for benchmark files, removed with everything in it on destruction.
// Header-only and free of project libraries: bench_sql_sqlite must not link anything that pulls
// in libsqlcipher (it exports the same symbols as libsqlite3).
//
// The directory is made under $TMPDIR (bench/run.sh points it into the build directory), else
// /tmp. Where it lives matters: on a tmpfs fsync costs nothing and the commit figures would mean
// nothing, so run.sh prints the filesystem type next to the results.
#include <cstdlib>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <string_view>
#include <system_error>

namespace ik::bench {

class TempDir {
 public:
  explicit TempDir(std::string_view prefix) {
    const char* base = std::getenv("TMPDIR");
    std::string pattern = std::string(base != nullptr && *base != '\0' ? base : "/tmp") + "/" +
                          std::string(prefix) + "-XXXXXX";
    if (::mkdtemp(pattern.data()) == nullptr)
      throw std::runtime_error("cannot create a temporary directory from " + pattern);
    path_ = pattern;
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::filesystem::path& path() const { return path_; }
  std::filesystem::path operator/(std::string_view name) const { return path_ / name; }

 private:
  std::filesystem::path path_;
};

// Removes an SQLite database together with its WAL and shared-memory files.
inline void remove_database(const std::filesystem::path& db) {
  std::error_code ec;
  for (const char* suffix : {"", "-wal", "-shm", "-journal"})
    std::filesystem::remove(db.string() + suffix, ec);
}

}  // namespace ik::bench
