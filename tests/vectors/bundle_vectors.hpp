#pragma once
// Shared by tests/vectors/make_bundle_vectors.cpp, tests/crypto/bundle_test.cpp and fuzz/:
//  - the fixed test keys of tests/vectors/bundles/ (each derived from a public seed, so anyone can
//    rebuild them: seed = BLAKE2b-256("intake-kiosk/test-vector-seed/v1" || name));
//  - a forger that builds bundles the real writer never would (wrong tags, short chunks, a bad
//    manifest inside a valid stream...), straight from libsodium and the spec, not from
//    crypto/bundle.cpp, so the must-reject vectors do not share the reader's assumptions.
// Test-only: these keys are public. Never provision a device or HQ with them.
#include <sodium.h>

#include <array>
#include <cstdint>
#include <cstring>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "crypto/bundle.hpp"
#include "crypto/keys.hpp"

namespace ik::vectors {

using crypto::KeyKind;
using crypto::KeyPair;

inline std::array<std::uint8_t, 32> seed_of(std::string_view name) {
  constexpr std::string_view label = "intake-kiosk/test-vector-seed/v1";
  std::array<std::uint8_t, 32> seed{};
  crypto_generichash_state st;
  crypto_generichash_init(&st, nullptr, 0, seed.size());
  crypto_generichash_update(&st, reinterpret_cast<const unsigned char*>(label.data()), label.size());
  crypto_generichash_update(&st, reinterpret_cast<const unsigned char*>(name.data()), name.size());
  crypto_generichash_final(&st, seed.data(), seed.size());
  return seed;
}

// crypto_sign_seed_keypair / crypto_box_seed_keypair of seed_of(name).
inline KeyPair seeded_key(KeyKind kind, std::string_view name) {
  if (sodium_init() < 0) throw std::runtime_error("libsodium failed to initialise");
  const auto seed = seed_of(name);
  KeyPair kp;
  kp.pub.kind = kind;
  if (crypto::is_signing_kind(kind)) {
    kp.secret = crypto::SecureBuffer(crypto_sign_SECRETKEYBYTES);
    crypto_sign_seed_keypair(kp.pub.bytes.data(), kp.secret.data(), seed.data());
  } else {
    kp.secret = crypto::SecureBuffer(crypto_box_SECRETKEYBYTES);
    crypto_box_seed_keypair(kp.pub.bytes.data(), kp.secret.data(), seed.data());
  }
  return kp;
}

// The named keys of tests/vectors/bundles/index.json ("keys").
struct NamedKey {
  const char* name;
  KeyKind kind;
};
inline constexpr NamedKey kKeys[] = {
    {"device", KeyKind::DeviceSign},            // the enrolled kiosk
    {"device-impostor", KeyKind::DeviceSign},   // signs a manifest that claims to be "device"
    {"device-unenrolled", KeyKind::DeviceSign}, // a kiosk HQ never enrolled
    {"device-revoked", KeyKind::DeviceSign},    // enrolled, then revoked
    {"hq-seal", KeyKind::HqSeal},               // bundles are sealed to it
    {"hq-seal-other", KeyKind::HqSeal},         // another headquarters
    {"hq-sign", KeyKind::HqSign},               // signs receipts
    {"hq-sign-other", KeyKind::HqSign},         // a key the device has not pinned
};

inline KeyPair named_key(std::string_view name) {
  for (const auto& k : kKeys)
    if (name == k.name) return seeded_key(k.kind, name);
  throw std::invalid_argument("no such vector key");
}

// The fixed payload key of every vector bundle: 0x40, 0x41, ... 0x5f.
inline crypto::SecureBuffer vector_payload_key() {
  crypto::SecureBuffer k(32);
  for (std::size_t i = 0; i < k.size(); ++i) k.data()[i] = static_cast<std::uint8_t>(0x40 + i);
  return k;
}

// payload || manifest || Sign("bundle-manifest/v1", manifest): the signed manifest is a trailer.
inline std::vector<std::uint8_t> inner_stream(std::span<const std::uint8_t> manifest, const KeyPair& signer,
                                              std::span<const std::uint8_t> payload) {
  const auto sig = crypto::sign(signer, "bundle-manifest/v1", manifest);
  std::vector<std::uint8_t> inner(payload.begin(), payload.end());
  inner.insert(inner.end(), manifest.begin(), manifest.end());
  inner.insert(inner.end(), sig.begin(), sig.end());
  return inner;
}

struct ForgeChunk {
  std::size_t plain;  // plaintext bytes taken from the inner stream
  unsigned char tag;
};

// The writer's own split: 64 KiB MESSAGE chunks, the rest in one FINAL chunk.
inline std::vector<ForgeChunk> standard_chunks(std::size_t inner) {
  std::vector<ForgeChunk> out;
  std::size_t left = inner;
  while (left > crypto::kChunkPlainBytes) {
    out.push_back({crypto::kChunkPlainBytes, crypto_secretstream_xchacha20poly1305_TAG_MESSAGE});
    left -= crypto::kChunkPlainBytes;
  }
  out.push_back({left, crypto_secretstream_xchacha20poly1305_TAG_FINAL});
  return out;
}

struct Forge {
  std::array<std::uint8_t, 8> magic{'I', 'K', 'B', 'U', 'N', 'D', 'L', 'E'};
  std::uint8_t version = 1;
  std::array<std::uint8_t, 3> reserved{};
  crypto::KeyId recipient_id{};          // written into the header
  crypto::PublicKey seal_to;             // the key the payload key is really sealed to
  std::vector<std::uint8_t> sealed_key;  // if set, used as is (80 bytes) instead of sealing
  std::vector<std::uint8_t> inner;
  std::vector<ForgeChunk> chunks;  // empty: standard_chunks(inner.size()); must cover inner
  bool chunk0_ad = true;           // false: chunk 0 pushed without the header as additional data
};

// A bundle file from the parts above, encrypted with `payload_key`.
inline std::vector<std::uint8_t> forge(const Forge& spec, const crypto::SecureBuffer& payload_key) {
  std::vector<std::uint8_t> file(crypto::kBundleHeaderBytes);
  std::memcpy(file.data(), spec.magic.data(), 8);
  file[8] = spec.version;
  std::memcpy(file.data() + 9, spec.reserved.data(), 3);
  std::memcpy(file.data() + 12, spec.recipient_id.data(), 8);
  const auto sealed = spec.sealed_key.empty() ? crypto::seal(spec.seal_to, payload_key.span()) : spec.sealed_key;
  if (sealed.size() != 80) throw std::invalid_argument("a sealed payload key is 80 bytes");
  std::memcpy(file.data() + 20, sealed.data(), 80);
  crypto_secretstream_xchacha20poly1305_state st;
  crypto_secretstream_xchacha20poly1305_init_push(&st, file.data() + 100, payload_key.data());
  const std::vector<std::uint8_t> ad(file.begin(), file.end());
  const auto chunks = spec.chunks.empty() ? standard_chunks(spec.inner.size()) : spec.chunks;
  std::size_t pos = 0;
  for (std::size_t i = 0; i < chunks.size(); ++i) {
    const auto& c = chunks[i];
    if (pos + c.plain > spec.inner.size()) throw std::invalid_argument("chunks run past the inner stream");
    const std::size_t len = c.plain + crypto_secretstream_xchacha20poly1305_ABYTES;
    const std::size_t at = file.size();
    file.resize(at + 4 + len);
    for (int b = 0; b < 4; ++b) file[at + static_cast<std::size_t>(b)] = static_cast<std::uint8_t>(len >> (8 * b));
    crypto_secretstream_xchacha20poly1305_push(&st, file.data() + at + 4, nullptr, spec.inner.data() + pos, c.plain,
                                               i == 0 && spec.chunk0_ad ? ad.data() : nullptr,
                                               i == 0 && spec.chunk0_ad ? ad.size() : 0, c.tag);
    pos += c.plain;
  }
  sodium_memzero(&st, sizeof st);
  return file;
}

}  // namespace ik::vectors
