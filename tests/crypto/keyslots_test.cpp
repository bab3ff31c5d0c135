#include "crypto/keyslots.hpp"

#include <sodium.h>

#include <gtest/gtest.h>

#include "crypto/file_io.hpp"
#include "tests/support/temp_dir.hpp"

namespace ik::crypto {
namespace {

using test::secret;

struct Fixture : ::testing::Test {
  test::TempDir dir;
  std::filesystem::path path = dir / "keyslots";
  SecureBuffer dmk = SecureBuffer::random(kKeyBytes);
  KeyPair hq = generate_key_pair(KeyKind::HqRecovery);

  void SetUp() override {
    auto f = KeyslotFile::create(dmk, hq.pub);
    ASSERT_TRUE(f);
    ASSERT_TRUE(f->add_slot("Aysel", dmk, secret("aysel passphrase"), KdfParams::fastest()));
    ASSERT_TRUE(f->add_slot("Ирина", dmk, secret("irina passphrase"), KdfParams::fastest()));
    ASSERT_TRUE(f->save(path));
  }
};

TEST_F(Fixture, EachStaffSlotAndTheRecoverySlotOpenToTheSameKey) {
  auto f = KeyslotFile::load(path);
  ASSERT_TRUE(f) << f.error().message;
  auto a = f->open_slot("Aysel", secret("aysel passphrase"));
  auto b = f->open_slot("Ирина", secret("irina passphrase"));
  auto r = f->open_recovery(hq);
  ASSERT_TRUE(a && b && r);
  EXPECT_TRUE(a->equals(dmk));
  EXPECT_TRUE(b->equals(dmk));
  EXPECT_TRUE(r->equals(dmk));
  EXPECT_EQ(f->slots().size(), 2u);
}

TEST_F(Fixture, FileHoldsNoKeyInClear) {
  const auto bytes = test::read_bytes(path);
  const std::string_view key(reinterpret_cast<const char*>(dmk.data()), dmk.size());
  EXPECT_FALSE(test::contains(bytes, key));
  EXPECT_FALSE(test::contains(bytes, "aysel passphrase"));
}

TEST_F(Fixture, WrongPassphraseIsRefused) {
  auto f = KeyslotFile::load(path);
  auto r = f->open_slot("Aysel", secret("irina passphrase"));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::WrongPassphrase);
  EXPECT_EQ(r.error().message, "wrong passphrase");
  auto none = f->open_slot("Nobody", secret("x"));
  ASSERT_FALSE(none);
  EXPECT_EQ(none.error().code, Errc::NoSuchSlot);
}

TEST_F(Fixture, WrongHqKeyIsRefusedByKeyIdFirst) {
  auto f = KeyslotFile::load(path);
  auto other = generate_key_pair(KeyKind::HqRecovery);
  auto r = f->open_recovery(other);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::WrongKey);
  EXPECT_NE(r.error().message.find(to_hex(f->recovery_key_id())), std::string::npos);
}

TEST_F(Fixture, EveryTruncationIsRefusedAsDamaged) {
  const auto good = test::read_bytes(path);
  for (std::size_t len = 0; len < good.size(); ++len) {
    std::vector<std::uint8_t> cut(good.begin(), good.begin() + static_cast<std::ptrdiff_t>(len));
    auto r = KeyslotFile::parse(cut);
    ASSERT_FALSE(r) << "accepted a file cut to " << len << " bytes";
    if (len >= 8) {
      EXPECT_EQ(r.error().code, Errc::Corrupt) << len;
    }
  }
  auto longer = good;
  longer.push_back(0);
  EXPECT_FALSE(KeyslotFile::parse(longer));
}

TEST_F(Fixture, EverySingleBitFlipIsRefused) {
  const auto good = test::read_bytes(path);
  for (std::size_t i = 0; i < good.size(); ++i) {
    for (int bit = 0; bit < 8; ++bit) {
      auto bad = good;
      bad[i] ^= static_cast<std::uint8_t>(1u << bit);
      auto r = KeyslotFile::parse(bad);
      ASSERT_FALSE(r) << "accepted a flip at byte " << i << " bit " << bit;
    }
  }
}

TEST_F(Fixture, RefusedFileOnDiskIsLeftUnchanged) {
  auto bytes = test::read_bytes(path);
  bytes[100] ^= 0x40;
  test::write_bytes(path, bytes);
  auto r = unlock_keyslot_file(path, "Aysel", secret("aysel passphrase"), 1000);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::Corrupt);
  EXPECT_EQ(test::read_bytes(path), bytes);
}

// An attacker who can edit the file and recompute its checksum still cannot weaken a slot:
// name, parameters and salt are bound to the wrapped key as associated data.
TEST_F(Fixture, EditedParametersWithValidChecksumDoNotOpen) {
  auto bytes = test::read_bytes(path);
  const std::size_t slot0 = KeyslotFile::kHeaderBytes;
  bytes[slot0 + 76] = 3;  // opslimit 1 -> 3: still valid, so only the AEAD can catch it
  // Recompute the checksum exactly as the format says (docs/keys.md).
  const std::string_view label = "intake-kiosk/keyslots-checksum/v1";
  crypto_generichash_state st;
  crypto_generichash_init(&st, nullptr, 0, 32);
  crypto_generichash_update(&st, reinterpret_cast<const unsigned char*>(label.data()), label.size());
  crypto_generichash_update(&st, bytes.data(), bytes.size() - 32);
  crypto_generichash_final(&st, bytes.data() + bytes.size() - 32, 32);
  auto f = KeyslotFile::parse(bytes);
  ASSERT_TRUE(f) << "the checksum recomputation should make the file parse: " << f.error().message;
  auto r = f->open_slot("Aysel", secret("aysel passphrase"));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::WrongPassphrase);
}

TEST_F(Fixture, FailuresSlowDownThenLockAndSuccessResets) {
  const AttemptPolicy policy;  // 3 free, 30 s doubling, lock at 10
  std::int64_t now = 1'000'000;
  for (int i = 1; i <= 3; ++i) {
    auto r = unlock_keyslot_file(path, "Aysel", secret("not it"), now, policy);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, Errc::WrongPassphrase);
  }
  // A 4th failure brings a 30 s wait …
  auto fourth = unlock_keyslot_file(path, "Aysel", secret("not it"), now, policy);
  ASSERT_FALSE(fourth);
  EXPECT_NE(fourth.error().message.find("next try in 30 s"), std::string::npos) << fourth.error().message;
  // … during which even the right passphrase is not tried.
  auto waiting = unlock_keyslot_file(path, "Aysel", secret("aysel passphrase"), now + 10, policy);
  ASSERT_FALSE(waiting);
  EXPECT_EQ(waiting.error().code, Errc::SlotDelayed);
  EXPECT_NE(waiting.error().message.find("20 s"), std::string::npos);
  // The other staff member is not affected.
  EXPECT_TRUE(unlock_keyslot_file(path, "Ирина", secret("irina passphrase"), now + 10, policy));
  // Waits double.
  now += 30;
  ASSERT_FALSE(unlock_keyslot_file(path, "Aysel", secret("not it"), now, policy));
  EXPECT_EQ(KeyslotFile::load(path)->slot("Aysel")->not_before, now + 60);
  // After the wait the right passphrase works and clears the counter.
  now += 60;
  auto ok = unlock_keyslot_file(path, "Aysel", secret("aysel passphrase"), now, policy);
  ASSERT_TRUE(ok) << ok.error().message;
  EXPECT_TRUE(ok->equals(dmk));
  EXPECT_EQ(KeyslotFile::load(path)->slot("Aysel")->failed, 0u);
  // Ten failures in a row lock the slot; then even the right passphrase is refused.
  for (std::uint32_t i = 1; i <= policy.lock_after; ++i) {
    now += policy.max_delay_s + 1;
    ASSERT_FALSE(unlock_keyslot_file(path, "Aysel", secret("not it"), now, policy));
  }
  auto locked = unlock_keyslot_file(path, "Aysel", secret("aysel passphrase"), now + 100000, policy);
  ASSERT_FALSE(locked);
  EXPECT_EQ(locked.error().code, Errc::SlotLocked);
  EXPECT_TRUE(KeyslotFile::load(path)->slot("Aysel")->locked);
}

TEST(AttemptPolicy, DelaysGrowAndAreCapped) {
  AttemptPolicy p;
  EXPECT_EQ(p.delay_after(1), 0);
  EXPECT_EQ(p.delay_after(3), 0);
  EXPECT_EQ(p.delay_after(4), 30);
  EXPECT_EQ(p.delay_after(5), 60);
  EXPECT_EQ(p.delay_after(6), 120);
  EXPECT_EQ(p.delay_after(9), 900);
  EXPECT_EQ(p.delay_after(1000), 900);
}

TEST_F(Fixture, RemovedSlotNoLongerOpens) {
  ASSERT_TRUE(update_keyslot_file(path, [](KeyslotFile& f) { return f.remove_slot("Aysel"); }));
  auto r = unlock_keyslot_file(path, "Aysel", secret("aysel passphrase"), 1000);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::NoSuchSlot);
}

TEST_F(Fixture, NamesAreValidatedAndUnique) {
  auto f = KeyslotFile::load(path);
  EXPECT_EQ(f->add_slot("Aysel", dmk, secret("p"), KdfParams::fastest()).error().code, Errc::Exists);
  EXPECT_FALSE(f->add_slot("", dmk, secret("p"), KdfParams::fastest()));
  EXPECT_FALSE(f->add_slot(std::string(65, 'a'), dmk, secret("p"), KdfParams::fastest()));
  EXPECT_FALSE(f->add_slot("bad\nname", dmk, secret("p"), KdfParams::fastest()));
  EXPECT_FALSE(f->add_slot("bad\xff", dmk, secret("p"), KdfParams::fastest()));
  EXPECT_TRUE(f->add_slot("Məmmədova", dmk, secret("p"), KdfParams::fastest()));
}

// The version-1 format must keep opening in every later release: a file written by the first
// release, with a known passphrase and key, is kept under tests/vectors/.
TEST(KeyslotVector, Version1FileOpens) {
  const auto dir = std::filesystem::path(IK_VECTORS_DIR);
  auto f = KeyslotFile::load(dir / "keyslots-v1.bin");
  ASSERT_TRUE(f) << f.error().message;
  auto dmk = f->open_slot("Vector Admin", secret("vector passphrase"));
  ASSERT_TRUE(dmk) << dmk.error().message;
  EXPECT_EQ(to_hex(dmk->span()), "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f");
  auto hq = read_file(dir / "keyslots-v1.hq-recovery.secret", 64);
  ASSERT_TRUE(hq);
  auto pair = key_pair_from_secret(KeyKind::HqRecovery, SecureBuffer::copy_of(*hq));
  ASSERT_TRUE(pair);
  auto rec = f->open_recovery(*pair);
  ASSERT_TRUE(rec) << rec.error().message;
  EXPECT_TRUE(rec->equals(*dmk));
}

}  // namespace
}  // namespace ik::crypto
