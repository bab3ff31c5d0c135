#include "crypto/hash.hpp"

#include "crypto/sodium.hpp"

namespace ik::crypto {

Hasher::Hasher(std::string_view domain) {
  ensure_sodium();
  crypto_generichash_init(&st_, nullptr, 0, 32);
  str(domain);
}

Hasher& Hasher::bytes(std::span<const std::uint8_t> b) {
  crypto_generichash_update(&st_, b.data(), b.size());
  return *this;
}

Hasher& Hasher::u64(std::uint64_t v) {
  std::uint8_t le[8];
  for (int i = 0; i < 8; ++i) le[i] = static_cast<std::uint8_t>(v >> (8 * i));
  return bytes(le);
}

Hasher& Hasher::str(std::string_view s) {
  u64(s.size());
  return bytes({reinterpret_cast<const std::uint8_t*>(s.data()), s.size()});
}

Hash Hasher::finish() {
  Hash h{};
  crypto_generichash_final(&st_, h.data(), h.size());
  return h;
}

}  // namespace ik::crypto
