#include "crypto/kdf.hpp"

#include <sodium.h>

#include <algorithm>

#include <fmt/format.h>

#include "crypto/sodium.hpp"

namespace ik::crypto {

bool KdfParams::valid() const {
  return opslimit >= kMinOps && opslimit <= kMaxOps && memlimit >= kMinMem &&
         memlimit <= kMaxMem && memlimit % 1024 == 0;
}

Result<SecureBuffer> derive_key(const SecureBuffer& passphrase,
                                std::span<const std::uint8_t, kSaltBytes> salt,
                                const KdfParams& params) {
  ensure_sodium();
  static_assert(kSaltBytes == crypto_pwhash_SALTBYTES);
  if (!params.valid())
    return fail(Errc::Invalid, fmt::format("Argon2id parameters out of range (ops {}, mem {} bytes)",
                                           params.opslimit, params.memlimit));
  if (passphrase.empty()) return fail(Errc::Invalid, "empty passphrase");
  SecureBuffer key(kKeyBytes);
  if (crypto_pwhash(key.data(), key.size(), reinterpret_cast<const char*>(passphrase.data()),
                    passphrase.size(), salt.data(), params.opslimit,
                    static_cast<std::size_t>(params.memlimit), crypto_pwhash_ALG_ARGON2ID13) != 0)
    return fail(Errc::Io, "Argon2id ran out of memory");
  return key;
}

KdfParams tune(std::chrono::milliseconds target, std::uint64_t memlimit) {
  KdfParams p{KdfParams::kMinOps, memlimit};
  if (target.count() <= 0) return p;
  SecureBuffer probe = SecureBuffer::random(16);
  std::uint8_t salt[kSaltBytes] = {};
  // Argon2id time is linear in opslimit: measure once at ops=1, then extrapolate and round up
  // (and one more measurement to catch a machine that is slower than linear).
  auto measure = [&](std::uint32_t ops) {
    const auto t0 = std::chrono::steady_clock::now();
    (void)derive_key(probe, salt, {ops, memlimit});
    return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
  };
  const double one = std::max(measure(1), 0.1);
  auto ops = static_cast<std::uint32_t>(std::clamp(static_cast<double>(target.count()) / one, 1.0, double(KdfParams::kMaxOps)));
  while (ops > 1 && measure(ops) > static_cast<double>(target.count()) * 1.25) --ops;
  p.opslimit = std::max(ops, KdfParams::kMinOps);
  return p;
}

}  // namespace ik::crypto
