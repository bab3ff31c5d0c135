#pragma once
// The keyslot file beside the database (like a LUKS header): the database master key (DMK)
// wrapped once per staff member under Argon2id(passphrase), plus one recovery slot with the DMK
// sealed to headquarters' recovery key. Byte layout and threat notes: docs/keys.md.
//
// What must stay true:
//  - the file never holds the DMK or a passphrase-derived key in clear;
//  - every slot's name, KDF parameters and salt are bound to its wrapped key (AEAD associated
//    data), so editing them makes the slot fail to open rather than weaken it;
//  - a failed attempt is written to disk *before* the Argon2id work, so killing the process
//    mid-attempt does not give a free guess.
#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "crypto/error.hpp"
#include "crypto/kdf.hpp"
#include "crypto/keys.hpp"
#include "crypto/secure_buffer.hpp"

namespace ik::crypto {

inline constexpr std::size_t kMaxSlotName = 64;
inline constexpr std::size_t kMaxPassphraseSlots = 64;

// Staff names are shown on the lock screen: 1-64 bytes of UTF-8 with no control characters.
bool valid_slot_name(std::string_view name);

// How failures slow down and then lock a slot.
struct AttemptPolicy {
  std::uint32_t free_attempts = 3;     // failures with no wait at all
  std::int64_t base_delay_s = 30;      // first wait, doubling with each further failure
  std::int64_t max_delay_s = 15 * 60;  // longest wait
  std::uint32_t lock_after = 10;       // failures that lock the slot until an admin resets it
  std::int64_t delay_after(std::uint32_t failures) const;
};

struct SlotStatus {
  std::string name;
  KdfParams params;
  std::uint32_t failed = 0;
  std::int64_t not_before = 0;  // unix seconds; 0 = no wait
  bool locked = false;
};

class KeyslotFile {
 public:
  static constexpr std::size_t kHeaderBytes = 16, kSlotBytes = 256, kChecksumBytes = 32;
  static constexpr std::size_t kMaxFileBytes =
      kHeaderBytes + kSlotBytes * (kMaxPassphraseSlots + 1) + kChecksumBytes;

  // A new file with only the recovery slot.
  static Result<KeyslotFile> create(const SecureBuffer& dmk, const PublicKey& hq_recovery);
  static Result<KeyslotFile> parse(std::span<const std::uint8_t> bytes);
  static Result<KeyslotFile> load(const std::filesystem::path& path);
  std::vector<std::uint8_t> serialize() const;
  Result<void> save(const std::filesystem::path& path) const;

  Result<void> add_slot(std::string_view name, const SecureBuffer& dmk, const SecureBuffer& passphrase,
                        const KdfParams& params);
  Result<void> remove_slot(std::string_view name);
  // Unwraps the DMK. Does not enforce the attempt policy: see unlock_keyslot_file().
  Result<SecureBuffer> open_slot(std::string_view name, const SecureBuffer& passphrase) const;
  Result<SecureBuffer> open_recovery(const KeyPair& hq_recovery) const;
  KeyId recovery_key_id() const;

  std::vector<SlotStatus> slots() const;
  std::optional<SlotStatus> slot(std::string_view name) const;
  // Counter updates, exposed for unlock_keyslot_file().
  void record_failure(std::string_view name, std::int64_t now, const AttemptPolicy& policy);
  void record_success(std::string_view name);

 private:
  struct PassSlot {
    std::string name;
    KdfParams params;
    std::array<std::uint8_t, kSaltBytes> salt{};
    std::array<std::uint8_t, 24> nonce{};
    std::array<std::uint8_t, kKeyBytes + 16> wrapped{};
    std::uint32_t failed = 0;
    bool locked = false;
    std::int64_t not_before = 0;
  };
  PassSlot* find(std::string_view name);
  const PassSlot* find(std::string_view name) const;
  static std::array<std::uint8_t, 104> slot_ad_bytes(const PassSlot& s);

  std::vector<PassSlot> slots_;
  KeyId recovery_id_{};
  std::array<std::uint8_t, kKeyBytes + kSealOverhead> recovery_sealed_{};
};

// Checks the attempt policy, records the attempt on disk before deriving, opens the slot, and
// records the outcome — all under an exclusive lock on `path`.lock. Errors: NoSuchSlot,
// SlotLocked, SlotDelayed (message says how long), WrongPassphrase, Corrupt/BadFormat/Io.
// `failures_before`, when given, receives the failed attempts counted before this success (for
// the audit log, which cannot be written while the database is locked).
Result<SecureBuffer> unlock_keyslot_file(const std::filesystem::path& path, std::string_view name,
                                         const SecureBuffer& passphrase, std::int64_t now,
                                         const AttemptPolicy& policy = {},
                                         std::uint32_t* failures_before = nullptr);

// Loads, applies `change`, saves — under the same lock. For adding, removing, resetting slots.
Result<void> update_keyslot_file(const std::filesystem::path& path,
                                 const std::function<Result<void>(KeyslotFile&)>& change);

}  // namespace ik::crypto
