#pragma once
// Payload kind 1 of docs/bundle-format.md: the changes JSON, member names and shapes exactly as
// the spec shows them (the contract with HQ). Written by hand, straight into sodium memory
// (SecureText), so the plaintext of a bundle never sits in ordinary heap memory; the record
// structs it is built from are scrubbed after use (scrub()).
//
// What the writer guarantees HQ's strict reader: valid UTF-8 (an invalid byte becomes U+FFFD),
// every string at most kMaxJsonString bytes (longer text is cut at a character boundary — core's
// validation keeps free text far below, so this only guards against a damaged row making a
// bundle HQ would refuse forever), and the caller keeps each array below kMaxArrayEntries.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "crypto/secure_buffer.hpp"
#include "storage/records.hpp"
#include "storage/sync_repo.hpp"

namespace ik::sync {

inline constexpr std::string_view kChangesFormat = "intake-kiosk/changes/v1";
inline constexpr std::size_t kMaxJsonString = 4096;
inline constexpr std::size_t kMaxArrayEntries = 100000;

// Text that grows in sodium memory; growing copies into a new buffer and wipes the old one.
class SecureText {
 public:
  void append(std::string_view s);
  void push(char c);
  std::size_t size() const { return used_; }
  std::string_view view() const { return {reinterpret_cast<const char*>(buf_.data()), used_}; }
  // The text, exactly size() bytes visible; the SecureText is empty afterwards.
  crypto::SecureBuffer take();

 private:
  void reserve(std::size_t extra);
  crypto::SecureBuffer buf_;
  std::size_t used_ = 0;
};

class ChangesPayload {
 public:
  ChangesPayload(std::string device_key_id_hex, std::uint64_t sequence, std::int64_t created_at);

  void add_case(const storage::CaseSnapshot& c);
  void add_call(const storage::CallRecord& c);
  void add_bed(const storage::BedRecord& b);
  void add_audit(const storage::AuditRecord& a);
  void add_checkpoint(const storage::CheckpointRecord& c);

  std::size_t cases() const { return cases_n_; }
  std::size_t calls() const { return calls_n_; }
  std::size_t beds() const { return beds_n_; }
  std::size_t audit_entries() const { return audit_n_; }
  std::size_t checkpoints() const { return checkpoints_n_; }
  std::size_t largest_array() const;
  // Bytes of the finished JSON so far (within a few bytes of what finish() returns).
  std::size_t bytes() const;
  // Strings that had to be cut or repaired (see above); counted, never logged.
  std::size_t strings_repaired() const { return repaired_; }

  // The whole JSON document. The payload object is empty afterwards.
  crypto::SecureBuffer finish();

 private:
  struct Json;
  std::string device_key_id_;
  std::uint64_t sequence_;
  std::int64_t created_at_;
  SecureText cases_, calls_, beds_, audit_, checkpoints_;
  std::size_t cases_n_ = 0, calls_n_ = 0, beds_n_ = 0, audit_n_ = 0, checkpoints_n_ = 0;
  std::size_t repaired_ = 0;
};

// Overwrites the text a record holds (heap strings, small-string buffers included) before it is
// dropped: the personal data read for a bundle does not linger in freed memory.
void scrub(storage::CaseSnapshot& c);
void scrub(storage::CallRecord& c);

}  // namespace ik::sync
