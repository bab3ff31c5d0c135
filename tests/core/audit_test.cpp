// The audit log: what is recorded, the hash chain and signed checkpoints, and that editing,
// removing or forging anything in the encrypted database is caught by verify_audit (and by
// `intakectl audit verify`).
#include <filesystem>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "core/cases.hpp"
#include "crypto/hash.hpp"
#include "crypto/keys.hpp"
#include "storage/audit_repo.hpp"
#include "tests/core/fixture.hpp"
#include "tests/support/run.hpp"

namespace ik::core::testing {
namespace {

struct AuditFixture : StaffFixture {
  std::int64_t case_id = 0;

  void SetUp() override {
    StaffFixture::SetUp();
    if (HasFatalFailure()) return;
    {
      auto o = officer();
      auto id = IntakeService(o).register_intake(sample_intake(IntakeStep::StatusSource));
      ASSERT_TRUE(id) << id.error().message;
      case_id = *id;
      ASSERT_TRUE(CaseService(o).open(case_id));
      ASSERT_TRUE(CaseService(o).reveal_name(case_id));
    }
    auto a = admin();
    ASSERT_FALSE(CaseService(a).open(case_id));
  }

  // The seq of the first entry with this action.
  static std::int64_t seq_of(const std::vector<storage::AuditRecord>& log, std::string_view action) {
    for (const auto& e : log)
      if (e.action == action) return e.seq;
    ADD_FAILURE() << "no " << action << " entry";
    return 0;
  }

  static AuditVerification verify(Session& s) {
    auto v = verify_audit(s);
    EXPECT_TRUE(v) << v.error().message;
    return v ? *v : AuditVerification{false, 0, 0, -1, "verify failed"};
  }
};

TEST_F(AuditFixture, EntriesForLoginLockCasesAndRefusals) {
  auto au = auditor();
  const auto log = whole_audit_log(au);
  ASSERT_FALSE(log.empty());
  std::int64_t officer_id = 0;
  for (const auto& e : log)
    if (e.actor_name == kOfficer) officer_id = e.actor_id;
  ASSERT_NE(officer_id, 0);
  EXPECT_EQ(count_audit(log, "login", "user", officer_id), 1);
  EXPECT_EQ(count_audit(log, "lock", "user", officer_id), 1);
  EXPECT_EQ(count_audit(log, "create_case", "case", case_id, "intake"), 1);
  EXPECT_EQ(count_audit(log, "view_case", "case", case_id), 1);
  EXPECT_EQ(count_audit(log, "reveal_name", "case", case_id), 1);
  EXPECT_EQ(count_audit(log, "permission_denied", "action", 0, "view_case"), 1);
  EXPECT_GE(count_audit(log, "login"), 4) << "admin (setup and refusal), officer, auditor";
  // Order of the officer's session, and who did what.
  const auto login = seq_of(log, "login");
  EXPECT_LT(login, seq_of(log, "create_case"));
  EXPECT_LT(seq_of(log, "create_case"), seq_of(log, "view_case"));
  EXPECT_LT(seq_of(log, "view_case"), seq_of(log, "reveal_name"));
  EXPECT_LT(seq_of(log, "reveal_name"), seq_of(log, "permission_denied"));
  for (const auto& e : log) {
    if (e.action == "create_case" || e.action == "view_case" || e.action == "reveal_name") {
      EXPECT_EQ(e.actor_name, kOfficer);
    }
    if (e.action == "permission_denied") {
      EXPECT_EQ(e.actor_name, "Admin Aysel");
    }
  }
  // The chain: seq 1..n without gaps, each entry linked to the previous hash.
  for (std::size_t i = 0; i < log.size(); ++i) {
    EXPECT_EQ(log[i].seq, static_cast<std::int64_t>(i + 1));
    EXPECT_EQ(log[i].hash.size(), 32u);
    if (i == 0) {
      EXPECT_EQ(log[i].prev_hash, std::vector<std::uint8_t>(32, 0));
    } else {
      EXPECT_EQ(log[i].prev_hash, log[i - 1].hash);
    }
  }
  // The last entry is the auditor's own login.
  EXPECT_EQ(log.back().action, "login");
  EXPECT_EQ(log.back().actor_name, kAuditor);
}

TEST_F(AuditFixture, IntactLogVerifies) {
  auto au = auditor();
  const auto v = verify(au);
  EXPECT_TRUE(v.intact) << v.reason;
  EXPECT_FALSE(v.first_broken_seq);
  EXPECT_EQ(v.entries, rows(au, "audit_log"));
  EXPECT_EQ(v.checkpoints, rows(au, "audit_checkpoints"));
  EXPECT_GE(v.checkpoints, 3) << "every lock signs a checkpoint";
  // Only an auditor verifies or reads the log.
  auto o = officer();
  EXPECT_EQ(verify_audit(o).error().code, Errc::PermissionDenied);
  EXPECT_EQ(audit_entries(o, 1, 10).error().code, Errc::PermissionDenied);
}

TEST_F(AuditFixture, CheckpointsEveryKEntriesAreSignedAndVerified) {
  {
    auto a = admin();
    auto r = a.db().transaction([&]() -> storage::Result<void> {
      for (int i = 0; i < 2 * kCheckpointEvery + 10; ++i)
        if (auto e = audit(a, "test_event", "test", i, "n=" + std::to_string(i)); !e)
          return storage::fail(storage::Errc::Sql, e.error().message);
      return {};
    });
    ASSERT_TRUE(r) << r.error().message;
  }
  auto au = auditor();
  const auto log = whole_audit_log(au);
  ASSERT_GT(log.size(), static_cast<std::size_t>(2 * kCheckpointEvery));
  auto cps = storage::AuditRepo(au.db()).checkpoints();
  ASSERT_TRUE(cps);
  std::vector<std::int64_t> multiples;
  for (const auto& c : *cps) {
    if (c.seq % kCheckpointEvery == 0) multiples.push_back(c.seq);
    ASSERT_GE(c.seq, 1);
    ASSERT_LE(c.seq, static_cast<std::int64_t>(log.size()));
    const auto& entry = log[static_cast<std::size_t>(c.seq - 1)];
    EXPECT_EQ(c.hash, entry.hash) << "checkpoint " << c.seq;
    // Signed by this device over (seq, hash).
    std::vector<std::uint8_t> msg(8);
    for (int i = 0; i < 8; ++i) msg[i] = static_cast<std::uint8_t>(static_cast<std::uint64_t>(c.seq) >> (8 * i));
    msg.insert(msg.end(), c.hash.begin(), c.hash.end());
    ASSERT_EQ(c.signature.size(), crypto::kSignatureBytes);
    EXPECT_TRUE(crypto::verify(au.device_key().pub, "audit-checkpoint/v1", msg,
                               std::span<const std::uint8_t, crypto::kSignatureBytes>(c.signature.data(), 64)))
        << "checkpoint " << c.seq;
  }
  std::vector<std::int64_t> want;
  for (std::int64_t s = kCheckpointEvery; s <= static_cast<std::int64_t>(log.size()); s += kCheckpointEvery)
    want.push_back(s);
  EXPECT_EQ(multiples, want);
  EXPECT_GE(want.size(), 2u);
  const auto v = verify(au);
  EXPECT_TRUE(v.intact) << v.reason;
  EXPECT_EQ(v.entries, static_cast<std::int64_t>(log.size()));
  EXPECT_EQ(v.checkpoints, static_cast<std::int64_t>(cps->size()));
}

// --- tampering --------------------------------------------------------------------------------

enum class Column { Detail, ActorName, Action, Entity, At, ActorId, EntityId, Hash, PrevHash };

const char* column_name(Column col) {
  switch (col) {
    case Column::Detail: return "detail";
    case Column::ActorName: return "actor_name";
    case Column::Action: return "action";
    case Column::Entity: return "entity";
    case Column::At: return "at";
    case Column::ActorId: return "actor_id";
    case Column::EntityId: return "entity_id";
    case Column::Hash: return "hash";
    case Column::PrevHash: return "prev_hash";
  }
  return "?";
}

// Changes one byte (or one bit of an integer) of one column of entry `seq`; returns the
// original bytes.
std::vector<std::uint8_t> edit(storage::Database& db, std::int64_t seq, Column col) {
  const char* name = column_name(col);
  auto st = db.prepare(fmt::format("SELECT {} FROM audit_log WHERE seq = ?1", name));
  EXPECT_TRUE(st);
  st->bind(1, seq);
  EXPECT_TRUE(st->step().value_or(false));
  auto original = st->blob(0);
  const bool integer = col == Column::At || col == Column::ActorId || col == Column::EntityId;
  const std::int64_t number = integer ? st->int64(0) : 0;
  st->reset();
  auto up = db.prepare(fmt::format("UPDATE audit_log SET {} = ?2 WHERE seq = ?1", name));
  EXPECT_TRUE(up);
  up->bind(1, seq);
  if (integer) {
    up->bind(2, number ^ 1);  // one bit of one byte
  } else {
    auto changed = original;
    EXPECT_FALSE(changed.empty());
    changed[changed.size() / 2] ^= 0x01;
    if (col == Column::Hash || col == Column::PrevHash)
      up->bind_blob(2, changed);
    else
      up->bind(2, std::string_view(reinterpret_cast<const char*>(changed.data()), changed.size()));
  }
  auto r = up->run();
  EXPECT_TRUE(r) << r.error().message;
  EXPECT_EQ(db.changes(), 1);
  return original;
}

TEST_F(AuditFixture, ChangingOneByteOfOneEntryIsDetected) {
  auto au = auditor();
  const auto log = whole_audit_log(au);
  const auto target = seq_of(log, "create_case");
  ASSERT_GT(target, 1);
  ASSERT_LT(target, static_cast<std::int64_t>(log.size()));
  ASSERT_TRUE(verify(au).intact);
  // Whoever holds the key and the sqlcipher shell must first remove the guard.
  ASSERT_TRUE(au.db().exec("DROP TRIGGER audit_log_no_update"));
  for (auto col : {Column::Detail, Column::ActorName, Column::Action, Column::Entity, Column::At, Column::ActorId,
                   Column::EntityId, Column::Hash, Column::PrevHash}) {
    SCOPED_TRACE(column_name(col));
    const auto original = edit(au.db(), target, col);
    const auto v = verify(au);
    EXPECT_FALSE(v.intact);
    EXPECT_EQ(v.first_broken_seq, target);
    EXPECT_FALSE(v.reason.empty());
    // Put the byte back: intact again, so the edit alone was caught.
    auto restore = au.db().prepare(fmt::format("UPDATE audit_log SET {} = ?2 WHERE seq = ?1", column_name(col)));
    ASSERT_TRUE(restore);
    restore->bind(1, target);
    if (col == Column::At || col == Column::ActorId || col == Column::EntityId) {
      std::int64_t n = 0;
      for (const auto& e : log)
        if (e.seq == target) n = col == Column::At ? e.at : col == Column::ActorId ? e.actor_id : e.entity_id;
      restore->bind(2, n);
    } else if (col == Column::Hash || col == Column::PrevHash) {
      restore->bind_blob(2, original);
    } else {
      restore->bind(2, std::string_view(reinterpret_cast<const char*>(original.data()), original.size()));
    }
    ASSERT_TRUE(restore->run());
    const auto again = verify(au);
    EXPECT_TRUE(again.intact) << again.reason;
  }
}

TEST_F(AuditFixture, RewritingAnEntryWithItsHashBreaksTheNextLink) {
  auto au = auditor();
  const auto log = whole_audit_log(au);
  const auto target = seq_of(log, "reveal_name");
  const auto& e = log[static_cast<std::size_t>(target - 1)];
  // A consistent rewrite of the entry (as if the reveal had been a harmless view).
  storage::AuditRecord forged = e;
  forged.action = "view_case";
  const auto h = crypto::Hasher("intake-kiosk/audit/v1")
                     .i64(forged.seq).i64(forged.at).i64(forged.actor_id).str(forged.actor_name).str(forged.action)
                     .str(forged.entity).i64(forged.entity_id).str(forged.detail).bytes(forged.prev_hash)
                     .finish();
  ASSERT_NE(std::vector<std::uint8_t>(h.begin(), h.end()), e.hash);
  ASSERT_TRUE(au.db().exec("DROP TRIGGER audit_log_no_update"));
  auto up = au.db().prepare("UPDATE audit_log SET action = ?2, hash = ?3 WHERE seq = ?1");
  ASSERT_TRUE(up);
  up->bind(1, target).bind(2, forged.action).bind_blob(3, {h.data(), h.size()});
  ASSERT_TRUE(up->run());
  const auto v = verify(au);
  EXPECT_FALSE(v.intact);
  EXPECT_EQ(v.first_broken_seq, target + 1) << "the next entry no longer follows";
}

TEST_F(AuditFixture, DeletingAnEntryIsDetected) {
  auto au = auditor();
  const auto log = whole_audit_log(au);
  const auto target = seq_of(log, "view_case");
  ASSERT_TRUE(au.db().exec("DROP TRIGGER audit_log_no_delete"));
  ASSERT_TRUE(au.db().exec(fmt::format("DELETE FROM audit_log WHERE seq = {}", target)));
  const auto v = verify(au);
  EXPECT_FALSE(v.intact);
  EXPECT_EQ(v.first_broken_seq, target);
}

TEST_F(AuditFixture, DeletingTheTailPastACheckpointIsDetected) {
  auto au = auditor();
  auto cps = storage::AuditRepo(au.db()).checkpoints();
  ASSERT_TRUE(cps);
  ASSERT_FALSE(cps->empty());
  const auto from = cps->back().seq - 1;  // the last checkpoint and the entry before it
  std::int64_t first_lost_cp = 0;
  for (const auto& c : *cps)
    if (c.seq >= from) {
      first_lost_cp = c.seq;
      break;
    }
  ASSERT_TRUE(au.db().exec("DROP TRIGGER audit_log_no_delete"));
  ASSERT_TRUE(au.db().exec(fmt::format("DELETE FROM audit_log WHERE seq >= {}", from)));
  const auto v = verify(au);
  EXPECT_FALSE(v.intact);
  EXPECT_EQ(v.first_broken_seq, first_lost_cp);
}

TEST_F(AuditFixture, TheDatabaseRefusesUpdateAndDelete) {
  auto au = auditor();
  const auto before = whole_audit_log(au);
  auto up = au.db().exec("UPDATE audit_log SET detail = 'nothing happened' WHERE seq = 2");
  ASSERT_FALSE(up);
  EXPECT_NE(up.error().message.find("append-only"), std::string::npos) << up.error().message;
  auto del = au.db().exec("DELETE FROM audit_log WHERE seq = 2");
  ASSERT_FALSE(del);
  EXPECT_NE(del.error().message.find("append-only"), std::string::npos) << del.error().message;
  EXPECT_FALSE(au.db().exec("DELETE FROM audit_log"));
  const auto after = whole_audit_log(au);
  ASSERT_EQ(after.size(), before.size());
  for (std::size_t i = 0; i < after.size(); ++i) {
    EXPECT_EQ(after[i].detail, before[i].detail);
    EXPECT_EQ(after[i].hash, before[i].hash);
  }
  EXPECT_TRUE(verify(au).intact);
}

TEST_F(AuditFixture, AForgedAppendedEntryIsDetected) {
  auto au = auditor();
  auto last = storage::AuditRepo(au.db()).last();
  ASSERT_TRUE(last && *last);
  storage::AuditRecord r = **last;
  r.seq += 1;
  r.action = "lock";
  r.prev_hash = (*last)->hash;
  r.hash = std::vector<std::uint8_t>(32, 0xAB);
  ASSERT_TRUE(storage::AuditRepo(au.db()).append(r));
  const auto v = verify(au);
  EXPECT_FALSE(v.intact);
  EXPECT_EQ(v.first_broken_seq, r.seq);
}

TEST_F(AuditFixture, AForgedCheckpointSignatureIsDetected) {
  auto au = auditor();
  auto cps = storage::AuditRepo(au.db()).checkpoints();
  ASSERT_TRUE(cps);
  ASSERT_GE(cps->size(), 2u);
  const auto target = (*cps)[0];
  // One flipped bit of the signature.
  {
    auto sig = target.signature;
    sig[10] ^= 0x01;
    auto st = au.db().prepare("UPDATE audit_checkpoints SET signature = ?2 WHERE seq = ?1");
    ASSERT_TRUE(st);
    st->bind(1, target.seq).bind_blob(2, sig);
    ASSERT_TRUE(st->run());
    const auto v = verify(au);
    EXPECT_FALSE(v.intact);
    EXPECT_EQ(v.first_broken_seq, target.seq);
  }
  // A valid signature, but by another key.
  {
    const auto other = crypto::generate_key_pair(crypto::KeyKind::DeviceSign);
    std::vector<std::uint8_t> msg(8);
    for (int i = 0; i < 8; ++i) msg[i] = static_cast<std::uint8_t>(static_cast<std::uint64_t>(target.seq) >> (8 * i));
    msg.insert(msg.end(), target.hash.begin(), target.hash.end());
    const auto sig = crypto::sign(other, "audit-checkpoint/v1", msg);
    auto st = au.db().prepare("UPDATE audit_checkpoints SET signature = ?2 WHERE seq = ?1");
    ASSERT_TRUE(st);
    st->bind(1, target.seq).bind_blob(2, {sig.data(), sig.size()});
    ASSERT_TRUE(st->run());
    const auto v = verify(au);
    EXPECT_FALSE(v.intact);
    EXPECT_EQ(v.first_broken_seq, target.seq);
  }
  // The real signature back: intact.
  {
    auto st = au.db().prepare("UPDATE audit_checkpoints SET signature = ?2 WHERE seq = ?1");
    ASSERT_TRUE(st);
    st->bind(1, target.seq).bind_blob(2, target.signature);
    ASSERT_TRUE(st->run());
    EXPECT_TRUE(verify(au).intact);
  }
  // A checkpoint over a hash the log does not have.
  {
    auto st = au.db().prepare("UPDATE audit_checkpoints SET hash = ?2 WHERE seq = ?1");
    ASSERT_TRUE(st);
    st->bind(1, target.seq).bind_blob(2, std::vector<std::uint8_t>(32, 0x11));
    ASSERT_TRUE(st->run());
    const auto v = verify(au);
    EXPECT_FALSE(v.intact);
    EXPECT_EQ(v.first_broken_seq, target.seq);
  }
}

TEST_F(AuditFixture, IntakectlAuditVerify) {
  ASSERT_TRUE(std::filesystem::exists(test::bin("intakectl"))) << "build the intakectl target first";
  const auto pass = tmp / "auditor.pass";
  test::write_text(pass, std::string(kAuditorPass) + "\n");
  const std::vector<std::string> argv{"intakectl", "audit", "verify", "--data-dir", dir.root.string(), "--user",
                                      std::string(kAuditor), "--passphrase-file", pass.string()};
  auto ok = test::run(argv);
  ASSERT_EQ(ok.exit_code, 0) << ok.err;
  EXPECT_NE(ok.out.find("audit log intact:"), std::string::npos) << ok.out;
  EXPECT_NE(ok.out.find("entries"), std::string::npos);
  // Someone edits one entry with the key.
  std::int64_t target = 0;
  {
    auto au = auditor();
    target = seq_of(whole_audit_log(au), "create_case");
    ASSERT_TRUE(au.db().exec("DROP TRIGGER audit_log_no_update"));
    edit(au.db(), target, Column::Detail);
  }
  auto broken = test::run(argv);
  EXPECT_EQ(broken.exit_code, 1);
  EXPECT_NE(broken.err.find(fmt::format("BROKEN at entry {}:", target)), std::string::npos) << broken.err;
  EXPECT_TRUE(broken.out.empty() || broken.out.find("intact") == std::string::npos);
  // Only an auditor may run it.
  const auto opass = tmp / "officer.pass";
  test::write_text(opass, std::string(kOfficerPass) + "\n");
  auto denied = test::run({"intakectl", "audit", "verify", "--data-dir", dir.root.string(), "--user",
                           std::string(kOfficer), "--passphrase-file", opass.string()});
  EXPECT_EQ(denied.exit_code, 1);
}

}  // namespace
}  // namespace ik::core::testing
