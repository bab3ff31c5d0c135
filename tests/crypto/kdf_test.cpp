#include "crypto/kdf.hpp"

#include <gtest/gtest.h>

#include "crypto/keys.hpp"
#include "tests/support/temp_dir.hpp"

namespace ik::crypto {
namespace {

std::array<std::uint8_t, kSaltBytes> salt_of(std::uint8_t v) {
  std::array<std::uint8_t, kSaltBytes> s{};
  s.fill(v);
  return s;
}

// Known answer: Argon2id13, ops 1, 8 MiB, passphrase "correct horse", salt 16 x 0x01, 32-byte
// output. Computed independently with the reference
// argon2 CLI (Debian package argon2: echo -n 'correct horse' | argon2 $(printf '\x01%.0s' {1..16}) -id -t 1 -k 8192 -p 1 -l 32).
TEST(Kdf, KnownAnswer) {
  auto key = derive_key(test::secret("correct horse"), salt_of(1), KdfParams::fastest());
  ASSERT_TRUE(key) << key.error().message;
  EXPECT_EQ(to_hex(key->span()), "456e931f4e45aa5510d2316da76cc27ae01354236ee427fc283064a05bf4e9a8");
}

TEST(Kdf, SameInputsSameKeyOtherSaltOtherKey) {
  const auto p = KdfParams::fastest();
  auto a = derive_key(test::secret("passphrase one"), salt_of(7), p);
  auto b = derive_key(test::secret("passphrase one"), salt_of(7), p);
  auto c = derive_key(test::secret("passphrase one"), salt_of(8), p);
  auto d = derive_key(test::secret("passphrase two"), salt_of(7), p);
  ASSERT_TRUE(a && b && c && d);
  EXPECT_TRUE(a->equals(*b));
  EXPECT_FALSE(a->equals(*c));
  EXPECT_FALSE(a->equals(*d));
}

TEST(Kdf, RefusesParametersOutOfRange) {
  for (const KdfParams p : {KdfParams{0, 8u << 20}, KdfParams{1, 1u << 20}, KdfParams{65, 8u << 20},
                            KdfParams{1, (2ull << 30)}, KdfParams{1, (8u << 20) + 1}}) {
    auto key = derive_key(test::secret("passphrase"), salt_of(1), p);
    ASSERT_FALSE(key);
    EXPECT_EQ(key.error().code, Errc::Invalid);
  }
  EXPECT_FALSE(derive_key(test::secret(""), salt_of(1), KdfParams::fastest()));
}

TEST(Kdf, TuneWithZeroTargetGivesMinimumOps) {
  const auto p = tune(std::chrono::milliseconds(0), 8u << 20);
  EXPECT_EQ(p.opslimit, KdfParams::kMinOps);
  EXPECT_TRUE(p.valid());
}

}  // namespace
}  // namespace ik::crypto
