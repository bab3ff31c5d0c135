#include "crypto/bundle.hpp"

// The bytes of docs/bundle-format.md. What must stay true here:
//  - open_bundle applies the reading rules 1-7 in the spec's order and stops at the first failure
//    with the spec's reason name; the vectors in tests/vectors/bundles/ pin every one of them.
//  - Nothing is allocated from a length field before it is bounded: the file size is checked
//    first, the inner-stream buffer is sized from chunk lengths that are already bounded and present.
//  - Plaintext exists once: chunks are decrypted straight into one SecureBuffer (payload, then
//    manifest and signature, which are copied out and wiped); only a chunk that would pass the
//    inner-size limit, or the writer's last one or two chunks, go through a sodium scratch. A
//    reused workspace may hold an earlier bundle's plaintext: nothing reads a byte of it that this
//    bundle has not overwritten, and what is left past the payload is zeroed (truncate).
//  - The payload key and the secretstream state are wiped before returning, on every path.
//  - From kThreadedPayloadBytes on, the payload hash's 64 KiB pieces are hashed by helper threads
//    while the cipher runs (seal: the caller's payload; open: the decrypted payload, behind a mark
//    the decrypting thread publishes), and by the caller's thread once the cipher is done
//    (PieceHasher). Helpers only read bytes nobody writes any more, and are joined on every path.
#include <sodium.h>

#include <algorithm>
#include <atomic>
#include <cstring>
#include <optional>
#include <system_error>
#include <thread>

#include <fmt/format.h>

#include "crypto/sodium.hpp"

namespace ik::crypto {
namespace {

static_assert(kChunkOverheadBytes == crypto_secretstream_xchacha20poly1305_ABYTES);
static_assert(crypto_secretstream_xchacha20poly1305_HEADERBYTES == 24);
static_assert(crypto_secretstream_xchacha20poly1305_KEYBYTES == 32);
static_assert(crypto_secretstream_xchacha20poly1305_TAG_MESSAGE == 0x00);
static_assert(crypto_secretstream_xchacha20poly1305_TAG_FINAL == 0x03);
static_assert(kSealOverhead == crypto_box_SEALBYTES);

constexpr std::string_view kBundleMagic = "IKBUNDLE";
constexpr std::string_view kManifestMagic = "IKMANIFS";
constexpr std::string_view kReceiptMagic = "IKRECEIP";
constexpr std::uint8_t kVersion = 0x01;

constexpr std::string_view kManifestContext = "bundle-manifest/v1";
constexpr std::string_view kReceiptContext = "receipt/v1";
constexpr std::string_view kPayloadLabel = "intake-kiosk/payload/v1";
constexpr std::string_view kPieceLabel = "intake-kiosk/payload-piece/v1";
constexpr std::string_view kBundleLabel = "intake-kiosk/bundle/v1";
constexpr std::string_view kFileLabel = "intake-kiosk/bundle-file/v1";

// Below this the payload is hashed on the calling thread: starting a thread costs more than a
// second core saves on a few chunks (BLAKE2b does 256 KiB in well under a millisecond).
constexpr std::size_t kThreadedPayloadBytes = 256u << 10;

// File header offsets.
constexpr std::size_t kOffVersion = 8;
constexpr std::size_t kOffReserved = 9;
constexpr std::size_t kOffRecipient = 12;
constexpr std::size_t kOffSealedKey = 20;
constexpr std::size_t kSealedKeyBytes = 32 + kSealOverhead;
constexpr std::size_t kOffStreamHeader = kOffSealedKey + kSealedKeyBytes;
static_assert(kOffStreamHeader + crypto_secretstream_xchacha20poly1305_HEADERBYTES == kBundleHeaderBytes);

constexpr std::size_t kPayloadKeyBytes = 32;
constexpr std::size_t kMaxChunkCipher = kChunkPlainBytes + kChunkOverheadBytes;
constexpr unsigned char kTagMessage = crypto_secretstream_xchacha20poly1305_TAG_MESSAGE;
constexpr unsigned char kTagFinal = crypto_secretstream_xchacha20poly1305_TAG_FINAL;

// Manifest offsets.
constexpr std::size_t kMOffVersion = 8;
constexpr std::size_t kMOffBundleId = 9;
constexpr std::size_t kMOffDevice = 25;
constexpr std::size_t kMOffRecipient = 33;
constexpr std::size_t kMOffSequence = 41;
constexpr std::size_t kMOffCreated = 49;
constexpr std::size_t kMOffKind = 57;
constexpr std::size_t kMOffLength = 58;
constexpr std::size_t kMOffPayloadHash = 66;
constexpr std::size_t kMOffPrevious = 98;
static_assert(kMOffPrevious + 32 == kManifestBytes);

// Receipt offsets.
constexpr std::size_t kROffVersion = 8;
constexpr std::size_t kROffSigner = 9;
constexpr std::size_t kROffDevice = 17;
constexpr std::size_t kROffBundleId = 25;
constexpr std::size_t kROffSequence = 41;
constexpr std::size_t kROffHash = 49;
constexpr std::size_t kROffReceivedAt = 81;
constexpr std::size_t kROffStatus = 89;
constexpr std::size_t kROffThrough = 90;
constexpr std::size_t kROffReasonLength = 98;
constexpr std::size_t kROffReason = 99;
static_assert(kROffReason + kSignatureBytes == kReceiptFixedBytes);

void put_u32(std::uint8_t* p, std::uint32_t v) {
  for (int i = 0; i < 4; ++i) p[i] = static_cast<std::uint8_t>(v >> (8 * i));
}
std::uint32_t get_u32(const std::uint8_t* p) {
  std::uint32_t v = 0;
  for (int i = 3; i >= 0; --i) v = (v << 8) | p[i];
  return v;
}
void put_u64(std::uint8_t* p, std::uint64_t v) {
  for (int i = 0; i < 8; ++i) p[i] = static_cast<std::uint8_t>(v >> (8 * i));
}
std::uint64_t get_u64(const std::uint8_t* p) {
  std::uint64_t v = 0;
  for (int i = 7; i >= 0; --i) v = (v << 8) | p[i];
  return v;
}

bool has_magic(const std::uint8_t* p, std::string_view magic) {
  return std::memcmp(p, magic.data(), magic.size()) == 0;
}

template <std::size_t N>
void copy_out(std::array<std::uint8_t, N>& dst, const std::uint8_t* src) {
  std::memcpy(dst.data(), src, N);
}

// H(label, x) of the spec: BLAKE2b-256 of the raw label followed by the bytes. Not Hasher, which
// length-prefixes its domain: the spec's labels are plain concatenation.
class LabelHash {
 public:
  explicit LabelHash(std::string_view label) {
    crypto_generichash_init(&st_, nullptr, 0, 32);
    update({reinterpret_cast<const std::uint8_t*>(label.data()), label.size()});
  }
  ~LabelHash() { sodium_memzero(&st_, sizeof st_); }
  LabelHash(const LabelHash&) = delete;
  LabelHash& operator=(const LabelHash&) = delete;
  void update(std::span<const std::uint8_t> bytes) {
    if (!bytes.empty()) crypto_generichash_update(&st_, bytes.data(), bytes.size());
  }
  Hash finish() {
    Hash h{};
    crypto_generichash_final(&st_, h.data(), h.size());
    return h;
  }

 private:
  crypto_generichash_state st_;
};

// The secretstream state holds the derived subkey: wiped whenever it goes out of scope.
struct StreamState {
  crypto_secretstream_xchacha20poly1305_state st;
  StreamState() = default;
  ~StreamState() { sodium_memzero(&st, sizeof st); }
  StreamState(const StreamState&) = delete;
  StreamState& operator=(const StreamState&) = delete;
};

std::unexpected<BundleError> reject(std::string_view reason, std::string message) {
  return std::unexpected(BundleError{std::string(reason), std::move(message)});
}

constexpr std::size_t kPieceBytes = kChunkPlainBytes;

std::size_t piece_count(std::size_t length) { return (length + kPieceBytes - 1) / kPieceBytes; }

// H("intake-kiosk/payload-piece/v1", u64 index || piece): one leaf of the payload hash.
Hash piece_hash(std::uint64_t index, const std::uint8_t* piece, std::size_t n) {
  LabelHash h(kPieceLabel);
  std::array<std::uint8_t, 8> le{};
  put_u64(le.data(), index);
  h.update(le);
  h.update({piece, n});
  return h.finish();
}

// H("intake-kiosk/payload/v1", u64 length || leaf 0 || ... || leaf k-1): the root.
Hash payload_root(std::uint64_t length, std::span<const Hash> leaves) {
  LabelHash h(kPayloadLabel);
  std::array<std::uint8_t, 8> le{};
  put_u64(le.data(), length);
  h.update(le);
  for (const Hash& leaf : leaves) h.update(leaf);
  return h.finish();
}

// The payload hash of a large payload, on several threads. The pieces are independent, so helper
// threads (started at construction) claim them in order as soon as they are final, while the
// caller encrypts (seal) or decrypts (open); finish() then hashes whatever is left on the
// caller's thread too and joins. What must stay true:
//  - a thread reads a piece only once it is final: below the mark publish() set (release/acquire),
//    or, after finish(length), below `length`. The mark never covers the last kInnerTailBytes
//    decrypted so far (they may be the manifest and signature);
//  - each leaf slot is written by the one thread that claimed its index, and read after the join;
//  - the destructor stops and joins every helper, on every path (a refused bundle included).
class PieceHasher {
 public:
  // `base` is the payload's first byte; `capacity` bounds its length (the leaf slots).
  PieceHasher(const std::uint8_t* base, std::size_t capacity) : base_(base), leaves_(piece_count(capacity)) {
    const unsigned cores = std::max(1u, std::thread::hardware_concurrency());
    const unsigned helpers = std::clamp(cores - 1, 1u, kMaxHelpers);
    try {
      for (unsigned i = 0; i < helpers; ++i) helpers_.emplace_back([this] { run(); });
    } catch (const std::system_error&) {
      // Fewer helpers (or none): finish() hashes what they do not.
    }
  }
  ~PieceHasher() {
    state_.fetch_or(kAbort, std::memory_order_release);
    state_.notify_all();
    for (auto& t : helpers_) t.join();
    sodium_memzero(leaves_.data(), leaves_.size() * sizeof(Hash));
  }
  PieceHasher(const PieceHasher&) = delete;
  PieceHasher& operator=(const PieceHasher&) = delete;

  // Bytes [0, ready) are final payload bytes.
  void publish(std::size_t ready) {
    // Wake the helpers only when a new whole piece is ready: one notify per 64 KiB chunk at most.
    if (ready / kPieceBytes == published_ / kPieceBytes) return;
    published_ = ready;
    state_.store(ready, std::memory_order_release);
    state_.notify_all();
  }
  // The payload is exactly `length` bytes (<= capacity), all final: the root hash.
  Hash finish(std::size_t length) {
    state_.store(length | kFinal, std::memory_order_release);
    state_.notify_all();
    const std::size_t pieces = piece_count(length);
    for (std::size_t i; (i = next_.fetch_add(1, std::memory_order_relaxed)) < pieces;) hash_piece(i, length);
    for (auto& t : helpers_) t.join();
    helpers_.clear();
    return payload_root(length, {leaves_.data(), pieces});
  }

 private:
  static constexpr unsigned kMaxHelpers = 3;
  static constexpr std::uint64_t kFinal = std::uint64_t{1} << 63;
  static constexpr std::uint64_t kAbort = std::uint64_t{1} << 62;
  static constexpr std::uint64_t kCount = kAbort - 1;

  void hash_piece(std::size_t i, std::size_t length) {
    const std::size_t at = i * kPieceBytes;
    leaves_[i] = piece_hash(i, base_ + at, std::min(kPieceBytes, length - at));
  }

  void run() {
    for (;;) {
      const std::size_t i = next_.fetch_add(1, std::memory_order_relaxed);
      for (;;) {
        const std::uint64_t s = state_.load(std::memory_order_acquire);
        if ((s & kAbort) != 0) return;
        const std::size_t ready = static_cast<std::size_t>(s & kCount);
        if ((s & kFinal) != 0) {
          if (i >= piece_count(ready)) return;
          hash_piece(i, ready);
          break;
        }
        if ((i + 1) * kPieceBytes <= ready) {
          hash_piece(i, (i + 1) * kPieceBytes);
          break;
        }
        state_.wait(s, std::memory_order_acquire);
      }
    }
  }

  const std::uint8_t* base_;
  std::vector<Hash> leaves_;
  std::atomic<std::uint64_t> state_{0};
  std::atomic<std::size_t> next_{0};
  std::size_t published_ = 0;  // the caller's thread only
  std::vector<std::thread> helpers_;
};

bool printable_ascii(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char c) { return c >= 0x20 && c <= 0x7e; });
}

}  // namespace

Hash bundle_hash(std::span<const std::uint8_t, kManifestBytes> manifest, const Signature& signature) {
  ensure_sodium();
  LabelHash h(kBundleLabel);
  h.update(manifest);
  h.update(signature);
  return h.finish();
}

Hash bundle_file_hash(std::span<const std::uint8_t> file) {
  ensure_sodium();
  LabelHash h(kFileLabel);
  h.update(file);
  return h.finish();
}

Hash bundle_payload_hash(std::span<const std::uint8_t> payload) {
  ensure_sodium();
  std::vector<Hash> leaves(piece_count(payload.size()));
  for (std::size_t i = 0; i < leaves.size(); ++i) {
    const std::size_t at = i * kPieceBytes;
    leaves[i] = piece_hash(i, payload.data() + at, std::min(kPieceBytes, payload.size() - at));
  }
  const Hash root = payload_root(payload.size(), leaves);
  sodium_memzero(leaves.data(), leaves.size() * sizeof(Hash));
  return root;
}

std::array<std::uint8_t, kManifestBytes> encode_manifest(const Manifest& m) {
  std::array<std::uint8_t, kManifestBytes> out{};
  std::uint8_t* p = out.data();
  std::memcpy(p, kManifestMagic.data(), kManifestMagic.size());
  p[kMOffVersion] = kVersion;
  std::memcpy(p + kMOffBundleId, m.bundle_id.data(), m.bundle_id.size());
  std::memcpy(p + kMOffDevice, m.device_key_id.data(), m.device_key_id.size());
  std::memcpy(p + kMOffRecipient, m.recipient_key_id.data(), m.recipient_key_id.size());
  put_u64(p + kMOffSequence, m.sequence);
  put_u64(p + kMOffCreated, static_cast<std::uint64_t>(m.created_at));
  p[kMOffKind] = m.payload_kind;
  put_u64(p + kMOffLength, m.payload_length);
  std::memcpy(p + kMOffPayloadHash, m.payload_hash.data(), m.payload_hash.size());
  std::memcpy(p + kMOffPrevious, m.previous_hash.data(), m.previous_hash.size());
  return out;
}

std::string bundle_id_hex(const BundleId& id) { return to_hex(id); }

Result<SealedBundle> seal_bundle(const SealRequest& request) {
  ensure_sodium();
  if (request.device == nullptr || request.device->pub.kind != KeyKind::DeviceSign ||
      request.device->secret.size() != crypto_sign_SECRETKEYBYTES)
    return fail(Errc::Invalid, "a bundle must be signed with this device's signing key");
  if (request.hq_seal.kind != KeyKind::HqSeal)
    return fail(Errc::Invalid, "a bundle must be sealed to headquarters' sealing key");
  const auto payload = request.payload;
  if (payload.size() > kMaxPayloadBytes)
    return fail(Errc::Invalid, fmt::format("the bundle payload is {} bytes; at most {} fit in one bundle",
                                           payload.size(), kMaxPayloadBytes));
  if (request.sequence == 0) return fail(Errc::Invalid, "bundle sequence numbers start at 1");
  if (request.sequence == 1 && request.previous_hash != Hash{})
    return fail(Errc::Invalid, "the first bundle of a device cannot name a previous bundle");
  if (request.fixed_payload_key != nullptr && request.fixed_payload_key->size() != kPayloadKeyBytes)
    return fail(Errc::Invalid, "a fixed payload key must be 32 bytes");

  SealedBundle out;
  Manifest& m = out.manifest;
  if (request.fixed_bundle_id)
    m.bundle_id = *request.fixed_bundle_id;
  else
    randombytes_buf(m.bundle_id.data(), m.bundle_id.size());
  m.device_key_id = request.device->pub.id();
  m.recipient_key_id = request.hq_seal.id();
  m.sequence = request.sequence;
  m.created_at = request.created_at;
  m.payload_kind = kPayloadChanges;
  m.payload_length = payload.size();
  m.previous_hash = request.previous_hash;

  // The payload hash (which the manifest needs) starts first: its helpers work through the
  // pieces while this thread seals the payload key (an X25519 key exchange) and encrypts.
  std::optional<PieceHasher> hasher;
  if (payload.size() >= kThreadedPayloadBytes) {
    hasher.emplace(payload.data(), payload.size());
    hasher->publish(payload.size());
  }
  const SecureBuffer payload_key = request.fixed_payload_key != nullptr ? request.fixed_payload_key->clone()
                                                                        : SecureBuffer::random(kPayloadKeyBytes);
  const auto sealed_key = seal(request.hq_seal, payload_key.span());
  if (sealed_key.size() != kSealedKeyBytes) return fail(Errc::Invalid, "sealing the payload key failed");

  // Every chunk but the last carries exactly 64 KiB; when the inner stream is a whole number of
  // chunks the last one is full too (no empty FINAL chunk is written, though readers accept one).
  const std::size_t inner = payload.size() + kInnerTailBytes;
  const std::size_t chunks = (inner + kChunkPlainBytes - 1) / kChunkPlainBytes;
  out.file.resize(kBundleHeaderBytes + chunks * (4 + kChunkOverheadBytes) + inner);
  std::uint8_t* const f = out.file.data();
  std::memcpy(f, kBundleMagic.data(), kBundleMagic.size());
  f[kOffVersion] = kVersion;
  std::memcpy(f + kOffRecipient, m.recipient_key_id.data(), m.recipient_key_id.size());
  std::memcpy(f + kOffSealedKey, sealed_key.data(), sealed_key.size());
  StreamState stream;
  crypto_secretstream_xchacha20poly1305_init_push(&stream.st, f + kOffStreamHeader, payload_key.data());

  std::size_t off = kBundleHeaderBytes;
  std::size_t index = 0;
  auto push = [&](const std::uint8_t* src, std::size_t plain, bool last) {
    put_u32(f + off, static_cast<std::uint32_t>(plain + kChunkOverheadBytes));
    const int rc = crypto_secretstream_xchacha20poly1305_push(&stream.st, f + off + 4, nullptr, src, plain,
                                                              index == 0 ? f : nullptr,
                                                              index == 0 ? kBundleHeaderBytes : 0,
                                                              last ? kTagFinal : kTagMessage);
    off += 4 + plain + kChunkOverheadBytes;
    ++index;
    return rc == 0;
  };

  // The chunks that hold payload only are encrypted straight from the caller's buffer while the
  // payload hash runs beside them. None of them is the last chunk: manifest and signature follow
  // the payload.
  const std::size_t payload_chunks = payload.size() / kChunkPlainBytes;
  for (std::size_t c = 0; c < payload_chunks; ++c)
    if (!push(payload.data() + c * kChunkPlainBytes, kChunkPlainBytes, false))
      return fail(Errc::Invalid, "encrypting a bundle chunk failed");

  m.payload_hash = hasher ? hasher->finish(payload.size()) : bundle_payload_hash(payload);
  const auto manifest = encode_manifest(m);
  const Signature signature = sign(*request.device, kManifestContext, manifest);
  out.hash = bundle_hash(manifest, signature);

  // The rest of the payload (under 64 KiB), the manifest and the signature, assembled in sodium
  // memory: 194 to 65,536 + 193 bytes, so one FINAL chunk or a MESSAGE chunk and a FINAL one.
  const std::size_t done = payload_chunks * kChunkPlainBytes;
  SecureBuffer tail(inner - done);
  const std::size_t rest = payload.size() - done;
  if (rest > 0) std::memcpy(tail.data(), payload.data() + done, rest);
  std::memcpy(tail.data() + rest, manifest.data(), manifest.size());
  std::memcpy(tail.data() + rest + kManifestBytes, signature.data(), signature.size());
  for (std::size_t t = 0; t < tail.size();) {
    const std::size_t plain = std::min(kChunkPlainBytes, tail.size() - t);
    if (!push(tail.data() + t, plain, t + plain == tail.size()))
      return fail(Errc::Invalid, "encrypting a bundle chunk failed");
    t += plain;
  }
  return out;
}

std::expected<OpenedBundle, BundleError> open_bundle(std::span<const std::uint8_t> file, const KeyPair& hq_seal,
                                                     SecureBuffer workspace) {
  ensure_sodium();
  const std::size_t n = file.size();
  const std::uint8_t* const f = file.data();

  // 1-2. Size, then the fixed header fields.
  if (n < kMinBundleBytes || n > kMaxBundleBytes)
    return reject("size", fmt::format("the file is {} bytes; a bundle is between {} and {} bytes", n,
                                      kMinBundleBytes, kMaxBundleBytes));
  if (!has_magic(f, kBundleMagic)) return reject("magic", "this is not a sealed bundle (wrong magic)");
  if (f[kOffVersion] != kVersion)
    return reject("version", fmt::format("bundle format version {} is not supported (only 1)", f[kOffVersion]));
  if (f[kOffReserved] != 0 || f[kOffReserved + 1] != 0 || f[kOffReserved + 2] != 0)
    return reject("reserved", "the bundle's reserved header bytes are not zero");

  // 3. The key id before any secret-dependent work.
  KeyId recipient{};
  copy_out(recipient, f + kOffRecipient);
  const KeyId ours = hq_seal.pub.id();
  if (recipient != ours)
    return reject("recipient", fmt::format("the bundle is sealed to headquarters key {}, not to this key ({})",
                                           to_hex(recipient), to_hex(ours)));

  // 4-5. The payload key, then the stream.
  auto payload_key = open_sealed(hq_seal, {f + kOffSealedKey, kSealedKeyBytes});
  if (!payload_key || payload_key->size() != kPayloadKeyBytes)
    return reject("sealed-key", "the bundle's payload key does not open with this headquarters key");
  StreamState stream;
  const int init = crypto_secretstream_xchacha20poly1305_init_pull(&stream.st, f + kOffStreamHeader,
                                                                   payload_key->data());
  payload_key->wipe();
  if (init != 0) return reject("stream-header", "the bundle's stream header is invalid");

  // The inner-stream buffer is sized from the chunk lengths actually present and in bounds (at
  // most the file size, itself bounded), never from a field that has not been checked.
  std::size_t present = 0;
  for (std::size_t off = kBundleHeaderBytes; n - off >= 4;) {
    const std::size_t len = get_u32(f + off);
    if (len < kChunkOverheadBytes || len > kMaxChunkCipher || len > n - off - 4) break;
    present += len - kChunkOverheadBytes;
    off += 4 + len;
  }
  SecureBuffer stream_plain = std::move(workspace);  // payload || manifest || signature
  stream_plain.resize(std::min(present, kMaxInnerBytes));
  std::array<std::uint8_t, kInnerTailBytes> tail{};               // manifest || signature
  struct Wipe {
    std::array<std::uint8_t, kInnerTailBytes>& t;
    ~Wipe() { sodium_memzero(t.data(), t.size()); }
  } wipe_tail{tail};
  SecureBuffer scratch;  // for a chunk that would pass the inner-size limit, and for an empty buffer
  // Declared after the buffer it reads, so it is stopped and joined before the buffer is freed.
  std::optional<PieceHasher> hasher;
  if (stream_plain.size() >= kThreadedPayloadBytes + kInnerTailBytes)
    hasher.emplace(stream_plain.data(), stream_plain.size());

  // 6. Chunks.
  std::size_t off = kBundleHeaderBytes;
  std::size_t inner = 0;
  for (std::size_t index = 0;; ++index) {
    if (off == n) return reject("truncated", "the bundle ends before its final chunk");
    if (n - off < 4) return reject("truncated", fmt::format("the bundle ends inside the length of chunk {}", index));
    const std::size_t len = get_u32(f + off);
    if (len < kChunkOverheadBytes || len > kMaxChunkCipher)
      return reject("chunk-length", fmt::format("chunk {} claims {} bytes; a chunk is {} to {} bytes", index, len,
                                                kChunkOverheadBytes, kMaxChunkCipher));
    if (len > n - off - 4) return reject("truncated", fmt::format("the bundle ends inside chunk {}", index));
    const std::size_t plain = len - kChunkOverheadBytes;
    const bool direct = !stream_plain.empty() && plain <= stream_plain.size() - inner;
    std::uint8_t* dst = nullptr;
    if (direct) {
      dst = stream_plain.data() + inner;
    } else {
      if (scratch.empty()) scratch = SecureBuffer(kChunkPlainBytes);
      dst = scratch.data();
    }
    unsigned long long plain_len = 0;
    unsigned char tag = 0;
    if (crypto_secretstream_xchacha20poly1305_pull(&stream.st, dst, &plain_len, &tag, f + off + 4, len,
                                                   index == 0 ? f : nullptr, index == 0 ? kBundleHeaderBytes : 0) != 0)
      return reject("chunk-auth", fmt::format("chunk {} does not authenticate: damaged, reordered or forged", index));
    if (!direct) sodium_memzero(dst, plain);  // nothing is kept from it: an empty chunk, or a refusal below
    if (tag != kTagMessage && tag != kTagFinal)
      return reject("chunk-tag", fmt::format("chunk {} has tag {}; only MESSAGE and FINAL are allowed", index, tag));
    if (tag == kTagMessage && plain != kChunkPlainBytes)
      return reject("chunk-length", fmt::format("chunk {} holds {} bytes; every chunk but the last holds {}", index,
                                                plain, kChunkPlainBytes));
    if (plain > kMaxInnerBytes - inner || !(direct || plain == 0))
      // The second test cannot be true when the first is false (every chunk that gets here was
      // counted by the prescan, whose total the buffer holds up to the limit): a safety net only.
      return reject("size", fmt::format("the bundle's content exceeds {} bytes", kMaxInnerBytes));
    inner += plain;
    off += 4 + len;
    // Everything but the last kInnerTailBytes decrypted so far is payload, whatever follows.
    if (hasher && inner > kInnerTailBytes) hasher->publish(inner - kInnerTailBytes);
    if (tag == kTagFinal) {
      if (off != n)
        return reject("trailing", fmt::format("{} bytes follow the bundle's final chunk", n - off));
      break;
    }
  }

  // 7. The manifest and signature: the last 194 bytes of the inner stream.
  if (inner < kInnerTailBytes)
    return reject("inner-length", fmt::format("the bundle holds {} bytes, too few for a manifest and signature", inner));
  const std::size_t carried = inner - kInnerTailBytes;
  std::memcpy(tail.data(), stream_plain.data() + carried, kInnerTailBytes);
  const std::uint8_t* mp = tail.data();
  if (!has_magic(mp, kManifestMagic)) return reject("manifest-magic", "the bundle's manifest has the wrong magic");
  if (mp[kMOffVersion] != kVersion)
    return reject("manifest-version",
                  fmt::format("bundle manifest version {} is not supported (only 1)", mp[kMOffVersion]));
  OpenedBundle out;
  Manifest& m = out.manifest;
  copy_out(m.bundle_id, mp + kMOffBundleId);
  copy_out(m.device_key_id, mp + kMOffDevice);
  copy_out(m.recipient_key_id, mp + kMOffRecipient);
  m.sequence = get_u64(mp + kMOffSequence);
  m.created_at = static_cast<std::int64_t>(get_u64(mp + kMOffCreated));
  m.payload_kind = mp[kMOffKind];
  m.payload_length = get_u64(mp + kMOffLength);
  copy_out(m.payload_hash, mp + kMOffPayloadHash);
  copy_out(m.previous_hash, mp + kMOffPrevious);
  if (m.recipient_key_id != recipient)
    return reject("recipient", "the manifest names a different headquarters key than the bundle header");
  if (m.payload_kind != kPayloadChanges)
    return reject("payload-kind", fmt::format("payload kind {} is not supported (only 1)", m.payload_kind));
  if (m.payload_length > kMaxPayloadBytes || m.payload_length != carried)
    return reject("payload-length", fmt::format("the manifest announces {} payload bytes but the bundle carries {}",
                                                m.payload_length, carried));
  copy_out(out.signature, mp + kManifestBytes);
  out.hash = bundle_hash(std::span<const std::uint8_t, kManifestBytes>(mp, kManifestBytes), out.signature);
  // The helpers read only below `carried`; the tail is wiped once they have finished.
  out.payload_digest = hasher ? hasher->finish(carried) : bundle_payload_hash({stream_plain.data(), carried});
  stream_plain.truncate(carried);
  out.payload = std::move(stream_plain);
  return out;
}

std::expected<void, BundleError> verify_bundle(const OpenedBundle& opened, const PublicKey& device) {
  ensure_sodium();
  // 9. The key id first: a key that is not the one the manifest names cannot vouch for it.
  if (device.kind != KeyKind::DeviceSign || device.id() != opened.manifest.device_key_id)
    return reject("signature", fmt::format("the bundle names device key {}, not the key it was checked with ({})",
                                           to_hex(opened.manifest.device_key_id), device.id_hex()));
  const auto manifest = encode_manifest(opened.manifest);
  if (!verify(device, kManifestContext, manifest, opened.signature))
    return reject("signature", "the bundle's manifest signature does not verify under the device's key");
  // 10.
  // The hash open_bundle computed while decrypting (on a second thread for a large payload).
  const Hash& h = opened.payload_digest;
  if (sodium_memcmp(h.data(), opened.manifest.payload_hash.data(), h.size()) != 0)
    return reject("payload-hash", "the bundle's payload does not match the hash its manifest signs");
  return {};
}

Result<std::vector<std::uint8_t>> write_receipt(const Receipt& receipt, const KeyPair& hq_sign) {
  ensure_sodium();
  if (hq_sign.pub.kind != KeyKind::HqSign || hq_sign.secret.size() != crypto_sign_SECRETKEYBYTES)
    return fail(Errc::Invalid, "a receipt must be signed with headquarters' signing key");
  if (receipt.reason.size() > kMaxReceiptReason)
    return fail(Errc::Invalid, fmt::format("a receipt reason is at most {} bytes", kMaxReceiptReason));
  if (!printable_ascii(receipt.reason)) return fail(Errc::Invalid, "a receipt reason must be printable ASCII");
  const auto status = static_cast<std::uint8_t>(receipt.status);
  if (status < 1 || status > 3) return fail(Errc::Invalid, "a receipt status is accepted, duplicate or rejected");

  const std::size_t r = receipt.reason.size();
  std::vector<std::uint8_t> out(kReceiptFixedBytes + r);
  std::uint8_t* p = out.data();
  std::memcpy(p, kReceiptMagic.data(), kReceiptMagic.size());
  p[kROffVersion] = kVersion;
  const KeyId signer = hq_sign.pub.id();
  std::memcpy(p + kROffSigner, signer.data(), signer.size());
  std::memcpy(p + kROffDevice, receipt.device_key_id.data(), receipt.device_key_id.size());
  std::memcpy(p + kROffBundleId, receipt.bundle_id.data(), receipt.bundle_id.size());
  put_u64(p + kROffSequence, receipt.sequence);
  std::memcpy(p + kROffHash, receipt.bundle_hash.data(), receipt.bundle_hash.size());
  put_u64(p + kROffReceivedAt, static_cast<std::uint64_t>(receipt.received_at));
  p[kROffStatus] = status;
  put_u64(p + kROffThrough, receipt.received_through);
  p[kROffReasonLength] = static_cast<std::uint8_t>(r);
  if (r > 0) std::memcpy(p + kROffReason, receipt.reason.data(), r);
  const Signature sig = sign(hq_sign, kReceiptContext, {p, kROffReason + r});
  std::memcpy(p + kROffReason + r, sig.data(), sig.size());
  return out;
}

std::expected<Receipt, BundleError> read_receipt(std::span<const std::uint8_t> file, const PublicKey& hq_sign) {
  ensure_sodium();
  const std::size_t n = file.size();
  const std::uint8_t* const p = file.data();
  if (n < kReceiptFixedBytes || n > kMaxReceiptBytes)
    return reject("size", fmt::format("the file is {} bytes; a receipt is between {} and {} bytes", n,
                                      kReceiptFixedBytes, kMaxReceiptBytes));
  if (!has_magic(p, kReceiptMagic)) return reject("magic", "this is not a receipt (wrong magic)");
  if (p[kROffVersion] != kVersion)
    return reject("version", fmt::format("receipt format version {} is not supported (only 1)", p[kROffVersion]));
  KeyId signer{};
  copy_out(signer, p + kROffSigner);
  if (signer != hq_sign.id())
    return reject("signer", fmt::format("the receipt is signed by key {}, not by the pinned headquarters key ({})",
                                        to_hex(signer), hq_sign.id_hex()));
  const std::size_t r = p[kROffReasonLength];
  if (kReceiptFixedBytes + r != n)
    return reject("length", fmt::format("the receipt's reason length {} does not match its size of {} bytes", r, n));
  Receipt out;
  out.reason.assign(reinterpret_cast<const char*>(p + kROffReason), r);
  if (!printable_ascii(out.reason)) return reject("reason", "the receipt's reason is not printable ASCII");
  const std::uint8_t status = p[kROffStatus];
  if (status < 1 || status > 3) return reject("status", fmt::format("receipt status {} is unknown", status));
  if (!verify(hq_sign, kReceiptContext, {p, kROffReason + r},
              std::span<const std::uint8_t, kSignatureBytes>(p + kROffReason + r, kSignatureBytes)))
    return reject("signature", "the receipt's signature does not verify under headquarters' key");
  copy_out(out.device_key_id, p + kROffDevice);
  copy_out(out.bundle_id, p + kROffBundleId);
  out.sequence = get_u64(p + kROffSequence);
  copy_out(out.bundle_hash, p + kROffHash);
  out.received_at = static_cast<std::int64_t>(get_u64(p + kROffReceivedAt));
  out.status = static_cast<ReceiptStatus>(status);
  out.received_through = get_u64(p + kROffThrough);
  return out;
}

}  // namespace ik::crypto
