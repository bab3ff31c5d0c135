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
  // Argon2id time is linear in opslimit with a fixed cost per call (allocating and filling the
  // memory): fit t = fixed + per_pass * ops from two measurements, then solve for the target.
  auto measure = [&](std::uint32_t ops) {
    const auto t0 = std::chrono::steady_clock::now();
    (void)derive_key(probe, salt, {ops, memlimit});
    return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
  };
  (void)measure(1);  // warm-up: the first call also pays for page faults
  const double t1 = measure(1), t4 = measure(4);
  const double per_pass = std::max((t4 - t1) / 3.0, 0.1);
  const double fixed = std::max(t1 - per_pass, 0.0);
  const double want = static_cast<double>(target.count());
  auto ops = static_cast<std::uint32_t>(std::clamp((want - fixed) / per_pass, 1.0, double(KdfParams::kMaxOps)));
  p.opslimit = std::max(ops, KdfParams::kMinOps);
  return p;
}

}  // namespace ik::crypto
