#include "hq/enrol.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "crypto/key_files.hpp"

namespace ik::hq {
namespace {

bool has_control(const std::string& s) {
  return std::any_of(s.begin(), s.end(), [](char c) {
    const auto u = static_cast<unsigned char>(c);
    return u < 0x20 || u == 0x7f;
  });
}

}  // namespace

std::string normalise_key_id(const std::string& text) {
  if (text.size() != 16) return {};
  std::string out;
  for (char c : text) {
    if (c >= 'A' && c <= 'F') c = static_cast<char>(c - 'A' + 'a');
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return {};
    out.push_back(c);
  }
  return out;
}

core::Result<Enrolment> enrol_device(Store& store, const std::filesystem::path& device_pub, const std::string& label,
                                     std::int64_t now) {
  if (label.size() > 128 || has_control(label))
    return core::fail(core::Errc::Invalid, "a device label is at most 128 bytes, without control characters");
  auto key = crypto::read_public_key_file(device_pub, crypto::KeyKind::DeviceSign);
  if (!key) return std::unexpected(core::from(key.error()));
  auto d = store.add_device(*key, label, now);
  if (!d) return std::unexpected(d.error());
  return Enrolment{d->key_id, key->fingerprint(), d->label};
}

core::Result<void> revoke_device(Store& store, const std::string& key_id, const std::string& reason, std::int64_t now) {
  const auto id = normalise_key_id(key_id);
  if (id.empty()) return core::fail(core::Errc::Invalid, "a device key id is 16 hex digits");
  if (reason.size() > 200 || has_control(reason))
    return core::fail(core::Errc::Invalid, "a revocation reason is at most 200 bytes, without control characters");
  return store.revoke_device(id, reason, now);
}

}  // namespace ik::hq
