#include "crypto/key_files.hpp"

#include <sys/stat.h>

#include <gtest/gtest.h>

#include "tests/support/temp_dir.hpp"

namespace ik::crypto {
namespace {

TEST(KeyFiles, PublicKeyRoundTripsAndRefusesAnotherKind) {
  test::TempDir dir;
  auto kp = generate_key_pair(KeyKind::HqRecovery);
  ASSERT_TRUE(write_public_key_file(dir / "r.pub", kp.pub));
  auto back = read_public_key_file(dir / "r.pub", KeyKind::HqRecovery);
  ASSERT_TRUE(back) << back.error().message;
  EXPECT_EQ(*back, kp.pub);
  auto wrong = read_public_key_file(dir / "r.pub", KeyKind::HqSeal);
  ASSERT_FALSE(wrong);
  EXPECT_EQ(wrong.error().code, Errc::WrongKey);
}

TEST(KeyFiles, PublicKeyDamageIsRefused) {
  test::TempDir dir;
  auto kp = generate_key_pair(KeyKind::HqSeal);
  ASSERT_TRUE(write_public_key_file(dir / "s.pub", kp.pub));
  const auto good = test::read_bytes(dir / "s.pub");
  const auto nl = std::find(good.begin(), good.end(), '\n') - good.begin();
  // Change one base64 character of the key body: the key id no longer matches (or the
  // encoding breaks) — either way refused, never a different key accepted.
  for (std::size_t i = static_cast<std::size_t>(nl) + 1; i + 1 < good.size(); ++i) {
    auto bad = good;
    bad[i] = bad[i] == 'A' ? 'B' : 'A';
    test::write_bytes(dir / "bad.pub", bad);
    auto r = read_public_key_file(dir / "bad.pub", KeyKind::HqSeal);
    EXPECT_FALSE(r) << "accepted a key file changed at byte " << i;
  }
  auto trailing = good;
  trailing.insert(trailing.end(), {'x', '\n'});
  test::write_bytes(dir / "t.pub", trailing);
  EXPECT_FALSE(read_public_key_file(dir / "t.pub", KeyKind::HqSeal));
  test::write_text(dir / "junk.pub", "hello\n");
  auto junk = read_public_key_file(dir / "junk.pub", KeyKind::HqSeal);
  ASSERT_FALSE(junk);
  EXPECT_EQ(junk.error().code, Errc::BadFormat);
}

TEST(KeyFiles, SecretKeyIsPrivateAndRoundTrips) {
  test::TempDir dir;
  auto kp = generate_key_pair(KeyKind::HqSign);
  ASSERT_TRUE(write_secret_key_file(dir / "sign.key", kp));
  struct stat st {};
  ASSERT_EQ(::stat((dir / "sign.key").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  auto back = read_secret_key_file(dir / "sign.key", KeyKind::HqSign);
  ASSERT_TRUE(back) << back.error().message;
  EXPECT_EQ(back->pub, kp.pub);
  EXPECT_TRUE(back->secret.equals(kp.secret));
  EXPECT_FALSE(read_secret_key_file(dir / "sign.key", KeyKind::HqRecovery));
  ::chmod((dir / "sign.key").c_str(), 0644);
  auto open = read_secret_key_file(dir / "sign.key", KeyKind::HqSign);
  ASSERT_FALSE(open);
  EXPECT_NE(open.error().message.find("readable by others"), std::string::npos);
}

TEST(KeyFiles, OversizedFileIsRefusedBeforeReading) {
  test::TempDir dir;
  test::write_text(dir / "big.pub", std::string(4096, 'A'));
  auto r = read_public_key_file(dir / "big.pub", KeyKind::HqSeal);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("too large"), std::string::npos);
}

}  // namespace
}  // namespace ik::crypto
