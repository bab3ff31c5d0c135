#pragma once
// Argon2id passphrase -> 32-byte wrapping key. Parameters are stored per keyslot so a slot made
// on a faster device still opens, and tuned on the device for ~0.5-1 s per unlock.
#include <chrono>
#include <cstdint>
#include <span>

#include "crypto/error.hpp"
#include "crypto/secure_buffer.hpp"

namespace ik::crypto {

inline constexpr std::size_t kSaltBytes = 16;
inline constexpr std::size_t kKeyBytes = 32;

struct KdfParams {
  std::uint32_t opslimit = 3;
  std::uint64_t memlimit = 64ull << 20;  // bytes

  // Bounds every stored slot must respect: below the floor is too weak to ship, above the
  // ceiling a hostile keyslot file could make the kiosk allocate without limit.
  static constexpr std::uint32_t kMinOps = 1, kMaxOps = 64;
  static constexpr std::uint64_t kMinMem = 8ull << 20, kMaxMem = 1ull << 30;
  bool valid() const;
  // The fastest valid parameters, for tests and sanitizer builds only.
  static KdfParams fastest() { return {kMinOps, kMinMem}; }
  bool operator==(const KdfParams&) const = default;
};

Result<SecureBuffer> derive_key(const SecureBuffer& passphrase,
                                std::span<const std::uint8_t, kSaltBytes> salt,
                                const KdfParams& params);

// Picks opslimit at the given memory so one derivation takes about `target` on this machine.
// A target of zero returns the minimum opslimit at that memory.
KdfParams tune(std::chrono::milliseconds target, std::uint64_t memlimit);

}  // namespace ik::crypto
