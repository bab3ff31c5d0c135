#pragma once
// Importing a USB stick (docs/bundle-format.md, "Files and places"):
//   <stick>/intake-kiosk/<device key id hex>/bundles/<bundle id hex>.ikb   read
//   <stick>/intake-kiosk/<device key id hex>/receipts/<bundle id hex>.ikr  written (atomically)
// Every bundle goes through the importer (rules 1-12, one transaction each) and gets a signed
// receipt back in its folder. Dot files and temp files are ignored, symlinks are never followed,
// sizes are checked before reading and counts are bounded. A bundle signed by another device
// than its folder names is refused (folder-mismatch) and gets no receipt there.
// Importing the same stick twice changes nothing: every bundle is a duplicate, and a receipt
// already on the stick that HQ signed for the same bundle is left as it is.
#include <cstdint>
#include <filesystem>
#include <string>
#include <utility>
#include <vector>

#include "core/error.hpp"
#include "hq/importer.hpp"

namespace ik::hq {

inline constexpr std::size_t kMaxStickBundles = 100'000;   // per stick
inline constexpr std::size_t kMaxStickDevices = 1'000;     // device folders per stick

struct StickBundle {
  std::string file;  // the name in bundles/ (a bundle id: not personal)
  ImportResult result;
  bool receipt_written = false;
  bool receipt_kept = false;  // a valid receipt for this bundle was already there
  std::string error;          // not answered at all (HQ store failure, unreadable file, ...)
};

struct StickDevice {
  std::string folder;  // the device key id the folder names
  std::string label;   // HQ's enrolment label, empty when not enrolled
  std::vector<StickBundle> bundles;
  int imported = 0, duplicate = 0, rejected = 0, failed = 0;
  std::uint64_t received_through = 0;
  std::vector<std::pair<std::uint64_t, std::uint64_t>> missing;  // sequences HQ still lacks
};

struct StickReport {
  std::vector<StickDevice> devices;
  std::vector<std::string> skipped;  // entries not taken, each with why (names only)
  int total(int StickDevice::*field) const;
};

core::Result<StickReport> import_stick(Importer& importer, const std::filesystem::path& stick, std::int64_t now = 0);

}  // namespace ik::hq
