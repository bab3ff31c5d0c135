// libFuzzer: open_bundle + verify_bundle (crypto/bundle.hpp) with the fixed keys of
// tests/vectors/bundles/. Each input is read twice:
//  1. as a bundle file, as a stick or the network would deliver it;
//  2. as a mode byte followed by an inner stream (payload || manifest || signature), which the
//     vector forger encrypts to HQ's key with correct MACs: random bytes alone never get past
//     chunk 0's MAC, so this is how the manifest rules, the chunk tags and sizes, and verify_bundle
//     get fuzzed. Seeds: fuzz/corpus/bundle_reader_fuzz/ (the vectors; inner-*.bin for mode 2).
// Any crash, sanitizer report, unknown reason or broken invariant of an opened bundle is a finding.
#include <cstdlib>
#include <set>
#include <string>

#include "crypto/bundle.hpp"
#include "tests/vectors/bundle_vectors.hpp"

namespace {

using namespace ik::crypto;

struct Keys {
  KeyPair hq = ik::vectors::named_key("hq-seal");
  KeyPair device = ik::vectors::named_key("device");
  SecureBuffer payload_key = ik::vectors::vector_payload_key();
  // Sealed once: crypto_box_seal is random and slow, and the fuzzer needs neither.
  std::vector<std::uint8_t> sealed_key = seal(hq.pub, payload_key.span());
};

const Keys& keys() {
  static const Keys k;
  return k;
}

const std::set<std::string>& open_reasons() {
  static const std::set<std::string> r{"size", "magic", "version", "reserved", "recipient", "sealed-key",
                                       "stream-header", "truncated", "chunk-length", "chunk-auth", "chunk-tag",
                                       "trailing", "inner-length", "manifest-magic", "manifest-version",
                                       "payload-kind", "payload-length"};
  return r;
}

void check(std::span<const std::uint8_t> file) {
  auto opened = open_bundle(file, keys().hq);
  if (!opened) {
    if (!open_reasons().contains(opened.error().reason) || opened.error().message.empty()) std::abort();
    return;
  }
  const Manifest& m = opened->manifest;
  if (opened->payload.size() != m.payload_length || m.payload_length > kMaxPayloadBytes) std::abort();
  if (m.payload_kind != kPayloadChanges || m.recipient_key_id != keys().hq.pub.id()) std::abort();
  if (opened->hash != bundle_hash(encode_manifest(m), opened->signature)) std::abort();
  if (opened->payload_digest != bundle_payload_hash(opened->payload.span())) std::abort();
  auto verified = verify_bundle(*opened, keys().device.pub);
  if (!verified && verified.error().reason != "signature" && verified.error().reason != "payload-hash") std::abort();
}

// Mode byte: bits 0-1 the last chunk's tag (FINAL, MESSAGE, PUSH, REKEY); bit 2 an extra empty
// FINAL chunk; bit 3 chunk 0 split in two; bit 4 chunk 0 without the header as additional data;
// bit 5 one trailing byte.
std::vector<std::uint8_t> forged(std::uint8_t mode, std::span<const std::uint8_t> inner) {
  constexpr unsigned char kTags[] = {crypto_secretstream_xchacha20poly1305_TAG_FINAL,
                                     crypto_secretstream_xchacha20poly1305_TAG_MESSAGE,
                                     crypto_secretstream_xchacha20poly1305_TAG_PUSH,
                                     crypto_secretstream_xchacha20poly1305_TAG_REKEY};
  ik::vectors::Forge f;
  f.recipient_id = keys().hq.pub.id();
  f.sealed_key = keys().sealed_key;
  f.inner.assign(inner.begin(), inner.end());
  f.chunks = ik::vectors::standard_chunks(inner.size());
  f.chunks.back().tag = kTags[mode & 3];
  if (mode & 4) f.chunks.push_back({0, crypto_secretstream_xchacha20poly1305_TAG_FINAL});
  if (mode & 8) {
    const std::size_t half = f.chunks[0].plain / 2;
    f.chunks.insert(f.chunks.begin(), {half, crypto_secretstream_xchacha20poly1305_TAG_MESSAGE});
    f.chunks[1].plain -= half;
  }
  f.chunk0_ad = (mode & 16) == 0;
  auto file = ik::vectors::forge(f, keys().payload_key);
  if (mode & 32) file.push_back(0);
  return file;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size > kMaxBundleBytes + 1) return 0;
  const std::span<const std::uint8_t> input(data, size);
  check(input);
  if (!input.empty() && input.size() - 1 <= kMaxInnerBytes + 1) check(forged(input[0], input.subspan(1)));
  return 0;
}
