#pragma once
// Public keys, key pairs, key ids and fingerprints; Ed25519 signatures and sealed boxes.
// Key id: the first 8 bytes of BLAKE2b-256("intake-kiosk/key-id/v1" || kind || public key) —
// checked before anything else wherever a key is named. Fingerprint: 80 bits of a separate
// BLAKE2b hash, shown as five groups of four hex digits for people to compare on two screens.
#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "crypto/error.hpp"
#include "crypto/secure_buffer.hpp"

namespace ik::crypto {

inline constexpr std::size_t kKeyIdBytes = 8;
inline constexpr std::size_t kPublicKeyBytes = 32;
inline constexpr std::size_t kSignatureBytes = 64;
using KeyId = std::array<std::uint8_t, kKeyIdBytes>;
using Signature = std::array<std::uint8_t, kSignatureBytes>;

// What a key is for. The value is part of the key id and of key files, so never renumber.
enum class KeyKind : std::uint8_t {
  DeviceSign = 1,  // Ed25519: a kiosk's identity, signs bundle manifests and audit checkpoints
  HqSeal = 2,      // X25519: bundles are sealed to it
  HqSign = 3,      // Ed25519: signs receipts and policy updates
  HqRecovery = 4,  // X25519: the recovery keyslot is sealed to it
};
bool is_signing_kind(KeyKind kind);
std::string_view kind_name(KeyKind kind);  // "device-sign", "hq-seal", ...

struct PublicKey {
  KeyKind kind{};
  std::array<std::uint8_t, kPublicKeyBytes> bytes{};
  KeyId id() const;
  std::string id_hex() const;
  std::string fingerprint() const;
  bool operator==(const PublicKey&) const = default;
};

struct KeyPair {
  PublicKey pub;
  SecureBuffer secret;  // 64 bytes for Ed25519, 32 for X25519
};

KeyPair generate_key_pair(KeyKind kind);
// Rebuilds the pair from a stored secret, checking the secret is well formed for its kind.
Result<KeyPair> key_pair_from_secret(KeyKind kind, SecureBuffer secret);

// Ed25519 over "intake-kiosk/" || context || 0x00 || message: a signature made for one purpose
// never verifies for another.
Signature sign(const KeyPair& signer, std::string_view context, std::span<const std::uint8_t> message);
bool verify(const PublicKey& signer, std::string_view context, std::span<const std::uint8_t> message,
            std::span<const std::uint8_t, kSignatureBytes> signature);

// crypto_box_seal: anonymous sender, only the holder of the recipient's secret can open.
inline constexpr std::size_t kSealOverhead = 48;
std::vector<std::uint8_t> seal(const PublicKey& recipient, std::span<const std::uint8_t> plaintext);
Result<SecureBuffer> open_sealed(const KeyPair& recipient, std::span<const std::uint8_t> sealed);

std::string to_hex(std::span<const std::uint8_t> bytes);
// Hex of a secret, itself in secure memory (e.g. the SQLCipher raw-key literal).
SecureBuffer to_hex_secure(const SecureBuffer& secret);

}  // namespace ik::crypto
