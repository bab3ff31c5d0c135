#pragma once
// Enrolment at HQ: a device's public key (device.pub, written by `intakectl init`) becomes one
// HQ accepts bundles from; revocation ends that, for good. The fingerprint printed at enrolment
// is the one the kiosk shows: a person compares the two screens before trusting the key.
#include <cstdint>
#include <filesystem>
#include <string>

#include "core/error.hpp"
#include "hq/store.hpp"

namespace ik::hq {

struct Enrolment {
  std::string key_id;       // 16 hex digits
  std::string fingerprint;  // crypto::PublicKey::fingerprint
  std::string label;
};

// Refuses a key already enrolled (revoked ones included) and a label longer than 128 bytes or
// with control characters.
core::Result<Enrolment> enrol_device(Store& store, const std::filesystem::path& device_pub, const std::string& label,
                                     std::int64_t now);
// `key_id`: 16 hex digits (either case). Reason: at most 200 bytes, no control characters.
core::Result<void> revoke_device(Store& store, const std::string& key_id, const std::string& reason, std::int64_t now);

// "0123456789abcdef" from any-case hex; empty when not 16 hex digits.
std::string normalise_key_id(const std::string& text);

}  // namespace ik::hq
