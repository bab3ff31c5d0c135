#pragma once
// Sealed bundles and signed receipts: the bytes of docs/bundle-format.md, nothing else.
// Reading is strict (age/minisign style): sizes before allocation, key ids before crypto,
// exact lengths, no trailing bytes. Every refusal carries the spec's reason name.
#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "crypto/error.hpp"
#include "crypto/hash.hpp"
#include "crypto/keys.hpp"
#include "crypto/secure_buffer.hpp"

namespace ik::crypto {

inline constexpr std::size_t kBundleHeaderBytes = 124;
inline constexpr std::size_t kManifestBytes = 130;
inline constexpr std::size_t kChunkPlainBytes = 65536;
inline constexpr std::size_t kMaxPayloadBytes = 64u << 20;
inline constexpr std::size_t kMaxBundleBytes = kMaxPayloadBytes + (1u << 20);
inline constexpr std::size_t kMaxReceiptReason = 200;
inline constexpr std::uint8_t kPayloadChanges = 1;
// Derived sizes of the spec, for readers that bound their input before reading it.
inline constexpr std::size_t kChunkOverheadBytes = 17;  // secretstream ABYTES
inline constexpr std::size_t kMinBundleBytes = kBundleHeaderBytes + 4 + kChunkOverheadBytes;
inline constexpr std::size_t kInnerTailBytes = kManifestBytes + kSignatureBytes;  // manifest, signature
inline constexpr std::size_t kMaxInnerBytes = kMaxPayloadBytes + kInnerTailBytes;
inline constexpr std::size_t kReceiptFixedBytes = 163;  // a receipt is this + its reason
inline constexpr std::size_t kMaxReceiptBytes = kReceiptFixedBytes + kMaxReceiptReason;

using BundleId = std::array<std::uint8_t, 16>;

struct Manifest {
  BundleId bundle_id{};
  KeyId device_key_id{};
  KeyId recipient_key_id{};
  std::uint64_t sequence = 0;
  std::int64_t created_at = 0;
  std::uint8_t payload_kind = kPayloadChanges;
  std::uint64_t payload_length = 0;
  Hash payload_hash{};
  Hash previous_hash{};  // bundle hash of sequence-1, zeros for sequence 1
};

// H("intake-kiosk/bundle/v1", manifest || signature): the bundle hash that receipts name and
// manifests chain. The signed manifest commits to the payload (its hash), the device, the sequence
// and the bundle id, so hashing these 194 bytes names the bundle without a pass over the file.
Hash bundle_hash(std::span<const std::uint8_t, kManifestBytes> manifest, const Signature& signature);
// H("intake-kiosk/bundle-file/v1", file): what a receipt names instead when the bundle could not
// be opened (reading rules 1-7 failed, so there is no manifest): the bytes HQ received.
Hash bundle_file_hash(std::span<const std::uint8_t> file);
// The manifest's payload hash: H("intake-kiosk/payload/v1", u64 length || leaf 0 || ... ), the
// leaves H("intake-kiosk/payload-piece/v1", u64 i || piece i) of its 64 KiB pieces — a hash whose
// pieces can be computed on several cores (docs/bundle-format.md, "Payload hash").
Hash bundle_payload_hash(std::span<const std::uint8_t> payload);
// The manifest's 130 bytes exactly as signed (magic and version 0x01 included).
std::array<std::uint8_t, kManifestBytes> encode_manifest(const Manifest& manifest);

struct SealRequest {
  const KeyPair* device = nullptr;  // DeviceSign
  PublicKey hq_seal;                // HqSeal
  std::uint64_t sequence = 0;
  std::int64_t created_at = 0;
  Hash previous_hash{};
  std::span<const std::uint8_t> payload;
  // For known-answer vectors only: fixed bundle id and payload key (else random).
  std::optional<BundleId> fixed_bundle_id;
  const SecureBuffer* fixed_payload_key = nullptr;
};

struct SealedBundle {
  std::vector<std::uint8_t> file;
  Manifest manifest;
  Hash hash{};  // bundle_hash(manifest, signature)
};

Result<SealedBundle> seal_bundle(const SealRequest& request);

// A reason name from the spec ("truncated", "chunk-auth", ...), for errors and receipts.
struct BundleError {
  std::string reason;
  std::string message;  // a sentence for a person
};

struct OpenedBundle {
  Manifest manifest;
  Signature signature{};
  SecureBuffer payload;  // plaintext records: sodium memory, wiped when dropped
  Hash hash{};           // bundle_hash(manifest, signature)
  // The payload hash (bundle_payload_hash) of the bytes as they were decrypted, computed while
  // decrypting; verify_bundle compares it with the manifest's (rule 10). The payload must not be
  // changed between open_bundle and the import.
  Hash payload_digest{};
};

// Steps 1-7 of the reading rules: structure, decryption, manifest. Does not check the signature
// (the caller looks the device up first: step 8) — use verify_bundle() for steps 9-10.
// `workspace`: a buffer to decrypt into, for a caller that opens bundle after bundle (HQ): pass
// the previous result's `payload` back in and its memory is reused when large enough. It comes
// back as the new result's `payload`; on a refusal it is wiped and freed like any plaintext.
std::expected<OpenedBundle, BundleError> open_bundle(std::span<const std::uint8_t> file, const KeyPair& hq_seal,
                                                     SecureBuffer workspace = {});
// Steps 9-10: the device's signature over the manifest, then the payload hash.
std::expected<void, BundleError> verify_bundle(const OpenedBundle& opened, const PublicKey& device);

enum class ReceiptStatus : std::uint8_t { Accepted = 1, Duplicate = 2, Rejected = 3 };

struct Receipt {
  KeyId device_key_id{};
  BundleId bundle_id{};
  std::uint64_t sequence = 0;
  Hash bundle_hash{};
  std::int64_t received_at = 0;
  ReceiptStatus status = ReceiptStatus::Rejected;
  std::uint64_t received_through = 0;
  std::string reason;  // spec reason name, empty when accepted
};

Result<std::vector<std::uint8_t>> write_receipt(const Receipt& receipt, const KeyPair& hq_sign);
std::expected<Receipt, BundleError> read_receipt(std::span<const std::uint8_t> file, const PublicKey& hq_sign);

std::string bundle_id_hex(const BundleId& id);

}  // namespace ik::crypto
