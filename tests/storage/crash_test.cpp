// A child process writes a stream of committed transactions and is killed with SIGKILL at a
// random moment, again and again on the same file. After every kill the database must open,
// pass PRAGMA integrity_check, and hold every transaction the child reported as committed —
// each one whole (no half transaction) — and nothing else.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <random>

#include <gtest/gtest.h>

#include "storage/database.hpp"
#include "tests/support/temp_dir.hpp"

namespace ik::storage {
namespace {

// Deterministic shape of transaction `txn`, so the checker knows what a whole one looks like.
int rows_in(std::int64_t txn) { return 1 + static_cast<int>(txn % 17); }
int payload_size(std::int64_t txn, int j) { return static_cast<int>((txn * 7919 + j * 104729) % 3000); }

[[noreturn]] void writer(const std::filesystem::path& path, const crypto::SecureBuffer& key, std::int64_t first, int report_fd) {
  auto db = Database::open(path, key);
  if (!db) ::_exit(3);
  auto ins = db->prepare("INSERT INTO crash (txn, j, payload) VALUES (?1, ?2, ?3)");
  if (!ins) ::_exit(4);
  std::vector<std::uint8_t> payload(3000, 0xA5);
  for (std::int64_t txn = first;; ++txn) {
    auto r = db->transaction([&]() -> Result<void> {
      for (int j = 0; j < rows_in(txn); ++j) {
        ins->bind(1, txn).bind(2, std::int64_t{j}).bind_blob(3, {payload.data(), static_cast<std::size_t>(payload_size(txn, j))});
        if (auto e = ins->run(); !e) return e;
      }
      return {};
    });
    if (!r) ::_exit(5);
    // Only after COMMIT returned: this transaction is durable.
    if (::write(report_fd, &txn, sizeof txn) != sizeof txn) ::_exit(6);
  }
}

TEST(CrashSafety, SigkillAtRandomPointsLosesNoCommittedTransaction) {
  test::TempDir dir;
  const auto path = dir / "intake.db";
  auto key = crypto::SecureBuffer::random(32);
  {
    OpenOptions o;
    o.create = true;
    auto db = Database::open(path, key, o);
    ASSERT_TRUE(db);
    ASSERT_TRUE(db->exec("CREATE TABLE crash (txn INTEGER NOT NULL, j INTEGER NOT NULL, payload BLOB, PRIMARY KEY (txn, j))"));
  }
  std::mt19937_64 rng(std::random_device{}());
  const int rounds = 40;
  std::int64_t committed = 0;
  for (int round = 0; round < rounds; ++round) {
    int fds[2];
    ASSERT_EQ(::pipe(fds), 0);
    const pid_t pid = ::fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
      ::close(fds[0]);
      writer(path, key, committed + 1, fds[1]);
    }
    ::close(fds[1]);
    // Wait for the first commit (the writer is live), then kill after a random delay.
    std::int64_t txn = 0;
    ASSERT_EQ(::read(fds[0], &txn, sizeof txn), static_cast<ssize_t>(sizeof txn)) << "writer died at round " << round;
    committed = txn;
    ::usleep(static_cast<useconds_t>(std::uniform_int_distribution<int>(0, 60'000)(rng)));
    ::kill(pid, SIGKILL);
    int status = 0;
    ::waitpid(pid, &status, 0);
    ASSERT_TRUE(WIFSIGNALED(status)) << "writer exited by itself with " << WEXITSTATUS(status);
    while (::read(fds[0], &txn, sizeof txn) == static_cast<ssize_t>(sizeof txn)) committed = txn;
    ::close(fds[0]);

    auto db = Database::open(path, key);
    ASSERT_TRUE(db) << "round " << round << ": " << db.error().message;
    ASSERT_TRUE(db->integrity_check()) << "round " << round;
    const auto max_txn = *db->scalar("SELECT coalesce(max(txn), 0) FROM crash");
    // Every reported commit is there; at most the one in flight may also be (committed but
    // killed before it could report).
    ASSERT_GE(max_txn, committed) << "round " << round << " lost committed transactions";
    ASSERT_LE(max_txn, committed + 1) << "round " << round;
    auto st = db->prepare("SELECT txn, count(*), sum(length(payload)) FROM crash GROUP BY txn ORDER BY txn");
    ASSERT_TRUE(st);
    std::int64_t expect = 1;
    for (;;) {
      auto row = st->step();
      ASSERT_TRUE(row);
      if (!*row) break;
      const auto t = st->int64(0);
      ASSERT_EQ(t, expect) << "a transaction is missing";
      ASSERT_EQ(st->int64(1), rows_in(t)) << "transaction " << t << " is not whole";
      std::int64_t bytes = 0;
      for (int j = 0; j < rows_in(t); ++j) bytes += payload_size(t, j);
      ASSERT_EQ(st->int64(2), bytes);
      ++expect;
    }
    committed = max_txn;
  }
  EXPECT_GT(committed, rounds) << "the writer should have committed more than one transaction per round";
}

}  // namespace
}  // namespace ik::storage
