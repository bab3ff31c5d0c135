#pragma once
// BLAKE2b-256 (crypto_generichash) for hash chains and content hashes. Feed canonical,
// length-prefixed encodings only: two different records must never hash the same bytes.
#include <array>
#include <cstdint>
#include <span>
#include <string_view>

#include <sodium.h>

namespace ik::crypto {

using Hash = std::array<std::uint8_t, 32>;

class Hasher {
 public:
  explicit Hasher(std::string_view domain);  // every use starts with its own label
  Hasher& bytes(std::span<const std::uint8_t> b);
  Hasher& u64(std::uint64_t v);                // 8 bytes little-endian
  Hasher& i64(std::int64_t v) { return u64(static_cast<std::uint64_t>(v)); }
  Hasher& str(std::string_view s);             // u64 length, then the bytes
  Hash finish();

 private:
  crypto_generichash_state st_;
};

}  // namespace ik::crypto
