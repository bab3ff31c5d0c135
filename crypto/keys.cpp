#include "crypto/keys.hpp"

#include <sodium.h>

#include <cstring>

#include <fmt/format.h>

#include "crypto/sodium.hpp"

namespace ik::crypto {
namespace {

std::array<std::uint8_t, 32> labelled_hash(std::string_view label, KeyKind kind,
                                           std::span<const std::uint8_t> pk) {
  std::array<std::uint8_t, 32> out{};
  crypto_generichash_state st;
  crypto_generichash_init(&st, nullptr, 0, out.size());
  crypto_generichash_update(&st, reinterpret_cast<const unsigned char*>(label.data()), label.size());
  const auto k = static_cast<std::uint8_t>(kind);
  crypto_generichash_update(&st, &k, 1);
  crypto_generichash_update(&st, pk.data(), pk.size());
  crypto_generichash_final(&st, out.data(), out.size());
  return out;
}

std::vector<std::uint8_t> signing_input(std::string_view context, std::span<const std::uint8_t> message) {
  constexpr std::string_view prefix = "intake-kiosk/";
  std::vector<std::uint8_t> in(prefix.size() + context.size() + 1 + message.size());
  std::uint8_t* p = in.data();
  std::memcpy(p, prefix.data(), prefix.size());
  p += prefix.size();
  if (!context.empty()) std::memcpy(p, context.data(), context.size());
  p += context.size();
  *p++ = 0;
  if (!message.empty()) std::memcpy(p, message.data(), message.size());
  return in;
}

}  // namespace

bool is_signing_kind(KeyKind kind) { return kind == KeyKind::DeviceSign || kind == KeyKind::HqSign; }

std::string_view kind_name(KeyKind kind) {
  switch (kind) {
    case KeyKind::DeviceSign: return "device-sign";
    case KeyKind::HqSeal: return "hq-seal";
    case KeyKind::HqSign: return "hq-sign";
    case KeyKind::HqRecovery: return "hq-recovery";
  }
  return "unknown";
}

KeyId PublicKey::id() const {
  const auto h = labelled_hash("intake-kiosk/key-id/v1", kind, bytes);
  KeyId id{};
  std::memcpy(id.data(), h.data(), id.size());
  return id;
}

std::string PublicKey::id_hex() const { return to_hex(id()); }

std::string PublicKey::fingerprint() const {
  const auto h = labelled_hash("intake-kiosk/fingerprint/v1", kind, bytes);
  std::string out;
  for (int group = 0; group < 5; ++group) {
    if (group) out += '-';
    out += fmt::format("{:02X}{:02X}", h[group * 2], h[group * 2 + 1]);
  }
  return out;
}

KeyPair generate_key_pair(KeyKind kind) {
  ensure_sodium();
  KeyPair kp;
  kp.pub.kind = kind;
  if (is_signing_kind(kind)) {
    kp.secret = SecureBuffer(crypto_sign_SECRETKEYBYTES);
    crypto_sign_keypair(kp.pub.bytes.data(), kp.secret.data());
  } else {
    kp.secret = SecureBuffer(crypto_box_SECRETKEYBYTES);
    crypto_box_keypair(kp.pub.bytes.data(), kp.secret.data());
  }
  return kp;
}

Result<KeyPair> key_pair_from_secret(KeyKind kind, SecureBuffer secret) {
  ensure_sodium();
  KeyPair kp;
  kp.pub.kind = kind;
  if (is_signing_kind(kind)) {
    if (secret.size() != crypto_sign_SECRETKEYBYTES)
      return fail(Errc::BadFormat, "signing secret key has the wrong length");
    // An Ed25519 secret carries its seed and public key; rebuild from the seed and compare, so
    // a damaged or spliced secret is caught here and not at the first signature.
    SecureBuffer rebuilt(crypto_sign_SECRETKEYBYTES);
    crypto_sign_seed_keypair(kp.pub.bytes.data(), rebuilt.data(), secret.data());
    if (!rebuilt.equals(secret)) return fail(Errc::Corrupt, "signing secret key is inconsistent");
  } else {
    if (secret.size() != crypto_box_SECRETKEYBYTES)
      return fail(Errc::BadFormat, "sealing secret key has the wrong length");
    crypto_scalarmult_base(kp.pub.bytes.data(), secret.data());
  }
  kp.secret = std::move(secret);
  return kp;
}

Signature sign(const KeyPair& signer, std::string_view context, std::span<const std::uint8_t> message) {
  Signature sig{};
  const auto in = signing_input(context, message);
  crypto_sign_detached(sig.data(), nullptr, in.data(), in.size(), signer.secret.data());
  return sig;
}

bool verify(const PublicKey& signer, std::string_view context, std::span<const std::uint8_t> message,
            std::span<const std::uint8_t, kSignatureBytes> signature) {
  ensure_sodium();
  if (!is_signing_kind(signer.kind)) return false;
  const auto in = signing_input(context, message);
  return crypto_sign_verify_detached(signature.data(), in.data(), in.size(), signer.bytes.data()) == 0;
}

std::vector<std::uint8_t> seal(const PublicKey& recipient, std::span<const std::uint8_t> plaintext) {
  ensure_sodium();
  static_assert(kSealOverhead == crypto_box_SEALBYTES);
  std::vector<std::uint8_t> out(plaintext.size() + crypto_box_SEALBYTES);
  crypto_box_seal(out.data(), plaintext.data(), plaintext.size(), recipient.bytes.data());
  return out;
}

Result<SecureBuffer> open_sealed(const KeyPair& recipient, std::span<const std::uint8_t> sealed) {
  ensure_sodium();
  if (sealed.size() < crypto_box_SEALBYTES) return fail(Errc::BadFormat, "sealed box too short");
  SecureBuffer out(sealed.size() - crypto_box_SEALBYTES);
  if (crypto_box_seal_open(out.data(), sealed.data(), sealed.size(), recipient.pub.bytes.data(),
                           recipient.secret.data()) != 0)
    return fail(Errc::WrongKey, "sealed box does not open with this key");
  return out;
}

std::string to_hex(std::span<const std::uint8_t> bytes) {
  std::string out(bytes.size() * 2 + 1, '\0');
  sodium_bin2hex(out.data(), out.size(), bytes.data(), bytes.size());
  out.pop_back();
  return out;
}

SecureBuffer to_hex_secure(const SecureBuffer& secret) {
  SecureBuffer out(secret.size() * 2 + 1);
  sodium_bin2hex(reinterpret_cast<char*>(out.data()), out.size(), secret.data(), secret.size());
  out.truncate(secret.size() * 2);
  return out;
}

}  // namespace ik::crypto
