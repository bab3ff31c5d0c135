#include "crypto/keyslots.hpp"

#include <fcntl.h>
#include <sodium.h>
#include <sys/file.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>

#include <fmt/format.h>

#include "crypto/file_io.hpp"
#include "crypto/sodium.hpp"

namespace ik::crypto {
namespace {

constexpr std::uint8_t kMagic[8] = {'I', 'K', 'K', 'E', 'Y', 'S', 'L', 'T'};
constexpr std::uint16_t kVersion = 1;
constexpr std::uint8_t kKindPassphrase = 1, kKindRecovery = 2;
constexpr std::uint8_t kAlgArgon2id13 = 2;
constexpr std::string_view kAdLabel = "intake-kiosk/keyslot/v1";
constexpr std::string_view kChecksumLabel = "intake-kiosk/keyslots-checksum/v1";

// Passphrase slot offsets (see docs/keys.md).
constexpr std::size_t kOffName = 8, kOffAlg = 72, kOffOps = 76, kOffMem = 80, kOffSalt = 88,
                      kOffNonce = 104, kOffWrapped = 128, kOffFailed = 176, kOffLocked = 180,
                      kOffNotBefore = 184, kEndPassSlot = 192;
// Recovery slot offsets.
constexpr std::size_t kOffRecId = 8, kOffRecSealed = 16, kEndRecSlot = 96;

void put16(std::uint8_t* p, std::uint16_t v) {
  p[0] = static_cast<std::uint8_t>(v & 0xff);
  p[1] = static_cast<std::uint8_t>(v >> 8);
}
void put32(std::uint8_t* p, std::uint32_t v) { for (int i = 0; i < 4; ++i) p[i] = (v >> (8 * i)) & 0xff; }
void put64(std::uint8_t* p, std::uint64_t v) { for (int i = 0; i < 8; ++i) p[i] = (v >> (8 * i)) & 0xff; }
std::uint16_t get16(const std::uint8_t* p) { return static_cast<std::uint16_t>(p[0] | p[1] << 8); }
std::uint32_t get32(const std::uint8_t* p) {
  std::uint32_t v = 0;
  for (int i = 3; i >= 0; --i) v = v << 8 | p[i];
  return v;
}
std::uint64_t get64(const std::uint8_t* p) {
  std::uint64_t v = 0;
  for (int i = 7; i >= 0; --i) v = v << 8 | p[i];
  return v;
}
bool all_zero(const std::uint8_t* p, std::size_t n) {
  return std::all_of(p, p + n, [](std::uint8_t b) { return b == 0; });
}

std::array<std::uint8_t, 32> checksum(std::span<const std::uint8_t> bytes) {
  std::array<std::uint8_t, 32> out{};
  crypto_generichash_state st;
  crypto_generichash_init(&st, nullptr, 0, out.size());
  crypto_generichash_update(&st, reinterpret_cast<const unsigned char*>(kChecksumLabel.data()), kChecksumLabel.size());
  crypto_generichash_update(&st, bytes.data(), bytes.size());
  crypto_generichash_final(&st, out.data(), out.size());
  return out;
}

Error corrupt(std::string_view what);

}  // namespace

bool valid_slot_name(std::string_view name) {
  if (name.empty() || name.size() > kMaxSlotName) return false;
  std::size_t i = 0;
  while (i < name.size()) {
    const auto c = static_cast<unsigned char>(name[i]);
    std::size_t len = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
    if (len == 0 || i + len > name.size()) return false;
    if (len == 1 && (c < 0x20 || c == 0x7f)) return false;
    for (std::size_t k = 1; k < len; ++k)
      if ((static_cast<unsigned char>(name[i + k]) >> 6) != 2) return false;
    i += len;
  }
  return true;
}

namespace {

Error corrupt(std::string_view what) {
  return Error{Errc::Corrupt, fmt::format("keyslot file is damaged: {}", what)};
}

class FileLock {
 public:
  explicit FileLock(const std::filesystem::path& target) {
    const auto p = target.string() + ".lock";
    fd_ = ::open(p.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (fd_ >= 0 && ::flock(fd_, LOCK_EX) != 0) {
      ::close(fd_);
      fd_ = -1;
    }
  }
  ~FileLock() {
    if (fd_ >= 0) ::close(fd_);  // releases the flock
  }
  FileLock(const FileLock&) = delete;
  FileLock& operator=(const FileLock&) = delete;
  bool ok() const { return fd_ >= 0; }

 private:
  int fd_ = -1;
};

}  // namespace

std::int64_t AttemptPolicy::delay_after(std::uint32_t failures) const {
  if (failures <= free_attempts) return 0;
  const std::uint32_t doublings = std::min<std::uint32_t>(failures - free_attempts - 1, 30);
  return std::min<std::int64_t>(base_delay_s << doublings, max_delay_s);
}

std::array<std::uint8_t, 104> KeyslotFile::slot_ad_bytes(const PassSlot& s) {
  std::array<std::uint8_t, 104> b{};
  b[0] = kKindPassphrase;
  b[1] = static_cast<std::uint8_t>(s.name.size());
  std::memcpy(b.data() + kOffName, s.name.data(), s.name.size());
  b[kOffAlg] = kAlgArgon2id13;
  put32(b.data() + kOffOps, s.params.opslimit);
  put64(b.data() + kOffMem, s.params.memlimit);
  std::memcpy(b.data() + kOffSalt, s.salt.data(), s.salt.size());
  return b;
}

Result<KeyslotFile> KeyslotFile::create(const SecureBuffer& dmk, const PublicKey& hq_recovery) {
  ensure_sodium();
  if (dmk.size() != kKeyBytes) return fail(Errc::Invalid, "database key must be 32 bytes");
  if (hq_recovery.kind != KeyKind::HqRecovery) return fail(Errc::WrongKey, "not an HQ recovery key");
  KeyslotFile f;
  f.recovery_id_ = hq_recovery.id();
  const auto sealed = seal(hq_recovery, dmk.span());
  std::memcpy(f.recovery_sealed_.data(), sealed.data(), sealed.size());
  return f;
}

Result<void> KeyslotFile::add_slot(std::string_view name, const SecureBuffer& dmk,
                                   const SecureBuffer& passphrase, const KdfParams& params) {
  if (!valid_slot_name(name)) return fail(Errc::Invalid, "staff name must be 1-64 bytes of printable UTF-8");
  if (find(name) != nullptr) return fail(Errc::Exists, fmt::format("a keyslot for '{}' already exists", name));
  if (slots_.size() >= kMaxPassphraseSlots) return fail(Errc::Invalid, "no free keyslot (at most 64 staff)");
  if (dmk.size() != kKeyBytes) return fail(Errc::Invalid, "database key must be 32 bytes");
  PassSlot s;
  s.name = std::string(name);
  s.params = params;
  randombytes_buf(s.salt.data(), s.salt.size());
  randombytes_buf(s.nonce.data(), s.nonce.size());
  auto kek = derive_key(passphrase, s.salt, params);
  if (!kek) return std::unexpected(kek.error());
  const auto ad = slot_ad_bytes(s);
  std::vector<std::uint8_t> full_ad(kAdLabel.begin(), kAdLabel.end());
  full_ad.insert(full_ad.end(), ad.begin(), ad.end());
  unsigned long long clen = 0;
  crypto_aead_xchacha20poly1305_ietf_encrypt(s.wrapped.data(), &clen, dmk.data(), dmk.size(),
                                             full_ad.data(), full_ad.size(), nullptr,
                                             s.nonce.data(), kek->data());
  slots_.push_back(std::move(s));
  return {};
}

Result<void> KeyslotFile::remove_slot(std::string_view name) {
  auto it = std::find_if(slots_.begin(), slots_.end(), [&](const PassSlot& s) { return s.name == name; });
  if (it == slots_.end()) return fail(Errc::NoSuchSlot, fmt::format("no keyslot for '{}'", name));
  slots_.erase(it);
  return {};
}

Result<SecureBuffer> KeyslotFile::open_slot(std::string_view name, const SecureBuffer& passphrase) const {
  const PassSlot* s = find(name);
  if (s == nullptr) return fail(Errc::NoSuchSlot, fmt::format("no keyslot for '{}'", name));
  auto kek = derive_key(passphrase, s->salt, s->params);
  if (!kek) return std::unexpected(kek.error());
  const auto ad = slot_ad_bytes(*s);
  std::vector<std::uint8_t> full_ad(kAdLabel.begin(), kAdLabel.end());
  full_ad.insert(full_ad.end(), ad.begin(), ad.end());
  SecureBuffer dmk(kKeyBytes);
  unsigned long long mlen = 0;
  if (crypto_aead_xchacha20poly1305_ietf_decrypt(dmk.data(), &mlen, nullptr, s->wrapped.data(),
                                                 s->wrapped.size(), full_ad.data(), full_ad.size(),
                                                 s->nonce.data(), kek->data()) != 0)
    return fail(Errc::WrongPassphrase, "wrong passphrase");
  return dmk;
}

Result<SecureBuffer> KeyslotFile::open_recovery(const KeyPair& hq_recovery) const {
  if (hq_recovery.pub.kind != KeyKind::HqRecovery) return fail(Errc::WrongKey, "not an HQ recovery key");
  if (hq_recovery.pub.id() != recovery_id_)
    return fail(Errc::WrongKey, fmt::format("this device's recovery slot is sealed to HQ key {}, not {}",
                                            to_hex(recovery_id_), hq_recovery.pub.id_hex()));
  auto dmk = open_sealed(hq_recovery, recovery_sealed_);
  if (!dmk) return fail(Errc::Corrupt, "recovery slot does not open with the HQ recovery key");
  if (dmk->size() != kKeyBytes) return std::unexpected(corrupt("recovery slot holds a key of the wrong size"));
  return dmk;
}

KeyId KeyslotFile::recovery_key_id() const { return recovery_id_; }

KeyslotFile::PassSlot* KeyslotFile::find(std::string_view name) {
  for (auto& s : slots_)
    if (s.name == name) return &s;
  return nullptr;
}
const KeyslotFile::PassSlot* KeyslotFile::find(std::string_view name) const {
  return const_cast<KeyslotFile*>(this)->find(name);
}

std::vector<SlotStatus> KeyslotFile::slots() const {
  std::vector<SlotStatus> out;
  for (const auto& s : slots_) out.push_back({s.name, s.params, s.failed, s.not_before, s.locked});
  return out;
}

std::optional<SlotStatus> KeyslotFile::slot(std::string_view name) const {
  const PassSlot* s = find(name);
  if (s == nullptr) return std::nullopt;
  return SlotStatus{s->name, s->params, s->failed, s->not_before, s->locked};
}

void KeyslotFile::record_failure(std::string_view name, std::int64_t now, const AttemptPolicy& policy) {
  PassSlot* s = find(name);
  if (s == nullptr) return;
  if (s->failed < UINT32_MAX) ++s->failed;
  const auto delay = policy.delay_after(s->failed);
  s->not_before = delay > 0 ? now + delay : 0;
  if (s->failed >= policy.lock_after) s->locked = true;
}

void KeyslotFile::record_success(std::string_view name) {
  PassSlot* s = find(name);
  if (s == nullptr) return;
  s->failed = 0;
  s->not_before = 0;
  s->locked = false;
}

std::vector<std::uint8_t> KeyslotFile::serialize() const {
  const std::size_t n = slots_.size() + 1;
  std::vector<std::uint8_t> out(kHeaderBytes + n * kSlotBytes + kChecksumBytes, 0);
  std::memcpy(out.data(), kMagic, sizeof kMagic);
  put16(out.data() + 8, kVersion);
  put16(out.data() + 10, static_cast<std::uint16_t>(n));
  std::uint8_t* p = out.data() + kHeaderBytes;
  for (const auto& s : slots_) {
    const auto ad = slot_ad_bytes(s);
    std::memcpy(p, ad.data(), ad.size());
    std::memcpy(p + kOffNonce, s.nonce.data(), s.nonce.size());
    std::memcpy(p + kOffWrapped, s.wrapped.data(), s.wrapped.size());
    put32(p + kOffFailed, s.failed);
    p[kOffLocked] = s.locked ? 1 : 0;
    put64(p + kOffNotBefore, static_cast<std::uint64_t>(s.not_before));
    p += kSlotBytes;
  }
  p[0] = kKindRecovery;
  std::memcpy(p + kOffRecId, recovery_id_.data(), recovery_id_.size());
  std::memcpy(p + kOffRecSealed, recovery_sealed_.data(), recovery_sealed_.size());
  const auto sum = checksum({out.data(), out.size() - kChecksumBytes});
  std::memcpy(out.data() + out.size() - kChecksumBytes, sum.data(), sum.size());
  return out;
}

Result<KeyslotFile> KeyslotFile::parse(std::span<const std::uint8_t> bytes) {
  ensure_sodium();
  // Size first: nothing below reads past what this check allows.
  if (bytes.size() < kHeaderBytes + kSlotBytes + kChecksumBytes || bytes.size() > kMaxFileBytes ||
      (bytes.size() - kHeaderBytes - kChecksumBytes) % kSlotBytes != 0) {
    if (bytes.size() >= 8 && std::memcmp(bytes.data(), kMagic, 8) == 0)
      return std::unexpected(corrupt(fmt::format("wrong size {} (truncated or extended)", bytes.size())));
    return fail(Errc::BadFormat, "not an intake-kiosk keyslot file");
  }
  if (std::memcmp(bytes.data(), kMagic, 8) != 0) return fail(Errc::BadFormat, "not an intake-kiosk keyslot file");
  const auto sum = checksum(bytes.first(bytes.size() - kChecksumBytes));
  if (sodium_memcmp(sum.data(), bytes.data() + bytes.size() - kChecksumBytes, kChecksumBytes) != 0)
    return std::unexpected(corrupt("checksum mismatch"));
  const std::uint16_t version = get16(bytes.data() + 8);
  if (version != kVersion) return fail(Errc::BadFormat, fmt::format("unsupported keyslot file version {}", version));
  const std::size_t n = get16(bytes.data() + 10);
  if (n * kSlotBytes + kHeaderBytes + kChecksumBytes != bytes.size())
    return std::unexpected(corrupt("slot count does not match the file size"));
  if (!all_zero(bytes.data() + 12, 4)) return std::unexpected(corrupt("reserved header bytes set"));

  KeyslotFile f;
  bool have_recovery = false;
  for (std::size_t i = 0; i < n; ++i) {
    const std::uint8_t* p = bytes.data() + kHeaderBytes + i * kSlotBytes;
    if (p[0] == kKindPassphrase) {
      const std::size_t len = p[1];
      if (len == 0 || len > kMaxSlotName || !all_zero(p + 2, 6) || !all_zero(p + kOffName + len, 64 - len))
        return std::unexpected(corrupt("bad slot name field"));
      PassSlot s;
      s.name.assign(reinterpret_cast<const char*>(p + kOffName), len);
      if (!valid_slot_name(s.name)) return std::unexpected(corrupt("slot name is not printable UTF-8"));
      if (f.find(s.name) != nullptr) return std::unexpected(corrupt("two slots with the same name"));
      if (p[kOffAlg] != kAlgArgon2id13 || !all_zero(p + kOffAlg + 1, 3))
        return fail(Errc::BadFormat, "keyslot uses an unsupported key derivation");
      s.params = {get32(p + kOffOps), get64(p + kOffMem)};
      if (!s.params.valid()) return std::unexpected(corrupt("Argon2id parameters out of range"));
      std::memcpy(s.salt.data(), p + kOffSalt, s.salt.size());
      std::memcpy(s.nonce.data(), p + kOffNonce, s.nonce.size());
      std::memcpy(s.wrapped.data(), p + kOffWrapped, s.wrapped.size());
      s.failed = get32(p + kOffFailed);
      if (p[kOffLocked] > 1 || !all_zero(p + kOffLocked + 1, 3)) return std::unexpected(corrupt("bad lock flag"));
      s.locked = p[kOffLocked] == 1;
      s.not_before = static_cast<std::int64_t>(get64(p + kOffNotBefore));
      if (s.not_before < 0) return std::unexpected(corrupt("bad wait time"));
      if (!all_zero(p + kEndPassSlot, kSlotBytes - kEndPassSlot)) return std::unexpected(corrupt("padding not zero"));
      if (f.slots_.size() >= kMaxPassphraseSlots) return std::unexpected(corrupt("too many slots"));
      f.slots_.push_back(std::move(s));
    } else if (p[0] == kKindRecovery) {
      if (have_recovery) return std::unexpected(corrupt("two recovery slots"));
      if (!all_zero(p + 1, kOffRecId - 1) || !all_zero(p + kEndRecSlot, kSlotBytes - kEndRecSlot))
        return std::unexpected(corrupt("recovery slot padding not zero"));
      std::memcpy(f.recovery_id_.data(), p + kOffRecId, kKeyIdBytes);
      std::memcpy(f.recovery_sealed_.data(), p + kOffRecSealed, f.recovery_sealed_.size());
      have_recovery = true;
    } else {
      return std::unexpected(corrupt(fmt::format("unknown slot kind {}", p[0])));
    }
  }
  if (!have_recovery) return std::unexpected(corrupt("no recovery slot"));
  return f;
}

Result<KeyslotFile> KeyslotFile::load(const std::filesystem::path& path) {
  auto bytes = read_file(path, kMaxFileBytes);
  if (!bytes) {
    if (bytes.error().code == Errc::BadFormat) return fail(Errc::Corrupt, "keyslot file is damaged: too large");
    return std::unexpected(bytes.error());
  }
  return parse(*bytes);
}

Result<void> KeyslotFile::save(const std::filesystem::path& path) const {
  const auto bytes = serialize();
  return write_file_atomic(path, bytes, 0600);
}

Result<void> update_keyslot_file(const std::filesystem::path& path,
                                 const std::function<Result<void>(KeyslotFile&)>& change) {
  FileLock lock(path);
  if (!lock.ok()) return fail(Errc::Io, "cannot lock the keyslot file");
  auto f = KeyslotFile::load(path);
  if (!f) return std::unexpected(f.error());
  if (auto r = change(*f); !r) return r;
  return f->save(path);
}

Result<SecureBuffer> unlock_keyslot_file(const std::filesystem::path& path, std::string_view name,
                                         const SecureBuffer& passphrase, std::int64_t now,
                                         const AttemptPolicy& policy, std::uint32_t* failures_before) {
  FileLock lock(path);
  if (!lock.ok()) return fail(Errc::Io, "cannot lock the keyslot file");
  auto f = KeyslotFile::load(path);
  if (!f) return std::unexpected(f.error());
  const auto st = f->slot(name);
  if (!st) return fail(Errc::NoSuchSlot, fmt::format("no keyslot for '{}'", name));
  if (st->locked)
    return fail(Errc::SlotLocked, "this slot is locked after too many wrong passphrases; an admin must reset it");
  if (now < st->not_before)
    return fail(Errc::SlotDelayed, fmt::format("too many wrong passphrases; try again in {} s", st->not_before - now));
  // Pessimistic: count this attempt as failed on disk first.
  f->record_failure(name, now, policy);
  if (auto r = f->save(path); !r) return std::unexpected(r.error());
  auto dmk = f->open_slot(name, passphrase);
  if (!dmk) {
    if (dmk.error().code == Errc::WrongPassphrase) {
      const auto after = f->slot(name);
      if (after->locked)
        return fail(Errc::WrongPassphrase, "wrong passphrase; the slot is now locked, an admin must reset it");
      if (after->not_before > now)
        return fail(Errc::WrongPassphrase, fmt::format("wrong passphrase; next try in {} s", after->not_before - now));
    }
    return dmk;
  }
  if (failures_before != nullptr) *failures_before = st->failed;
  f->record_success(name);
  if (auto r = f->save(path); !r) return std::unexpected(r.error());
  return dmk;
}

}  // namespace ik::crypto
