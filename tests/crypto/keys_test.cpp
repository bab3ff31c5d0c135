#include "crypto/keys.hpp"

#include <regex>

#include <gtest/gtest.h>

namespace ik::crypto {
namespace {

std::vector<std::uint8_t> bytes(std::string_view s) { return {s.begin(), s.end()}; }

TEST(Keys, KeyIdAndFingerprintAreStableAndKindSeparated) {
  PublicKey k{KeyKind::HqSeal, {}};
  for (std::size_t i = 0; i < k.bytes.size(); ++i) k.bytes[i] = static_cast<std::uint8_t>(i);
  // Golden values: BLAKE2b-256("intake-kiosk/key-id/v1" || 0x02 || 00 01 … 1f)[0..8], and the
  // fingerprint from the "intake-kiosk/fingerprint/v1" label (see docs/keys.md); computed
  // independently with Python hashlib.blake2b.
  EXPECT_EQ(k.id_hex(), "64b6b8ec5a1e2f30");
  EXPECT_EQ(k.fingerprint(), "344D-2A7D-8BE4-E464-3F62");
  EXPECT_TRUE(std::regex_match(k.fingerprint(), std::regex("([0-9A-F]{4}-){4}[0-9A-F]{4}")));
  PublicKey other = k;
  other.kind = KeyKind::HqRecovery;
  EXPECT_NE(k.id(), other.id()) << "the same bytes under another kind must get another id";
}

TEST(Keys, SignatureVerifiesOnlyInItsContext) {
  auto kp = generate_key_pair(KeyKind::DeviceSign);
  const auto msg = bytes("manifest bytes");
  const auto sig = sign(kp, "bundle-manifest/v1", msg);
  EXPECT_TRUE(verify(kp.pub, "bundle-manifest/v1", msg, sig));
  EXPECT_FALSE(verify(kp.pub, "receipt/v1", msg, sig));
  auto tampered = msg;
  tampered[0] ^= 1;
  EXPECT_FALSE(verify(kp.pub, "bundle-manifest/v1", tampered, sig));
  auto other = generate_key_pair(KeyKind::DeviceSign);
  EXPECT_FALSE(verify(other.pub, "bundle-manifest/v1", msg, sig));
}

TEST(Keys, SealOpensOnlyForTheRecipient) {
  auto hq = generate_key_pair(KeyKind::HqSeal);
  auto other = generate_key_pair(KeyKind::HqSeal);
  const auto box = seal(hq.pub, bytes("payload key"));
  ASSERT_EQ(box.size(), 11 + kSealOverhead);
  auto opened = open_sealed(hq, box);
  ASSERT_TRUE(opened);
  EXPECT_EQ(std::string(opened->view()), "payload key");
  auto refused = open_sealed(other, box);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, Errc::WrongKey);
  auto flipped = box;
  flipped.back() ^= 0x80;
  EXPECT_FALSE(open_sealed(hq, flipped));
}

TEST(Keys, KeyPairFromSecretRebuildsAndChecks) {
  auto kp = generate_key_pair(KeyKind::DeviceSign);
  auto again = key_pair_from_secret(KeyKind::DeviceSign, kp.secret.clone());
  ASSERT_TRUE(again);
  EXPECT_EQ(again->pub, kp.pub);
  auto damaged = kp.secret.clone();
  damaged.data()[40] ^= 1;  // the embedded public half
  EXPECT_FALSE(key_pair_from_secret(KeyKind::DeviceSign, std::move(damaged)));
  auto box = generate_key_pair(KeyKind::HqRecovery);
  auto rebuilt = key_pair_from_secret(KeyKind::HqRecovery, box.secret.clone());
  ASSERT_TRUE(rebuilt);
  EXPECT_EQ(rebuilt->pub, box.pub);
  EXPECT_FALSE(key_pair_from_secret(KeyKind::HqRecovery, SecureBuffer(31)));
}

TEST(Keys, HexOfSecretStaysInSecureMemory) {
  auto s = SecureBuffer::copy_of(std::vector<std::uint8_t>{0xde, 0xad, 0x01});
  auto hex = to_hex_secure(s);
  EXPECT_EQ(hex.view(), "dead01");
  EXPECT_EQ(to_hex(s.span()), "dead01");
}

}  // namespace
}  // namespace ik::crypto
