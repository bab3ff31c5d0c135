#include "hq/usb_import.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <tuple>

#include <fmt/format.h>

#include "crypto/file_io.hpp"

namespace ik::hq {
namespace {

namespace fs = std::filesystem;

bool is_lower_hex(const std::string& s, std::size_t len) {
  return s.size() == len &&
         std::all_of(s.begin(), s.end(), [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

bool real_directory(const fs::path& p) {
  std::error_code ec;
  return fs::symlink_status(p, ec).type() == fs::file_type::directory;
}

// Reads a regular file without following a symlink, refusing (before allocating) one larger
// than the largest bundle.
core::Result<std::vector<std::uint8_t>> read_bundle_file(const fs::path& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0) return core::fail(core::Errc::Io, fmt::format("cannot open {}", path.filename().string()));
  struct stat st {};
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    ::close(fd);
    return core::fail(core::Errc::Io, fmt::format("{} is not a regular file", path.filename().string()));
  }
  if (static_cast<std::uint64_t>(st.st_size) > crypto::kMaxBundleBytes) {
    ::close(fd);
    return core::fail(core::Errc::Invalid, "size");
  }
  std::vector<std::uint8_t> bytes(static_cast<std::size_t>(st.st_size));
  std::size_t done = 0;
  while (done < bytes.size()) {
    const auto n = ::read(fd, bytes.data() + done, bytes.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    done += static_cast<std::size_t>(n);
  }
  ::close(fd);
  // A file that shrank while read is what it is now: the reading rules judge the bytes.
  bytes.resize(done);
  return bytes;
}

struct Candidate {
  fs::path path;
  std::string name;
  fs::file_time_type mtime;
};

}  // namespace

int StickReport::total(int StickDevice::*field) const {
  int n = 0;
  for (const auto& d : devices) n += d.*field;
  return n;
}

core::Result<StickReport> import_stick(Importer& importer, const fs::path& stick, std::int64_t now) {
  const auto root = stick / "intake-kiosk";
  if (!real_directory(root))
    return core::fail(core::Errc::NotFound, fmt::format("no intake-kiosk folder at {}", stick.string()));
  StickReport report;
  std::error_code ec;
  std::vector<std::string> folders;
  for (fs::directory_iterator it(root, ec), end; !ec && it != end; it.increment(ec)) {
    const auto name = it->path().filename().string();
    if (name.starts_with('.')) continue;
    if (!real_directory(it->path()) || !is_lower_hex(name, 16)) {
      report.skipped.push_back(fmt::format("intake-kiosk/{}: not a device folder", name));
      continue;
    }
    if (folders.size() >= kMaxStickDevices) {
      report.skipped.push_back(fmt::format("intake-kiosk/{}: more than {} device folders", name, kMaxStickDevices));
      continue;
    }
    folders.push_back(name);
  }
  if (ec) return core::fail(core::Errc::Io, fmt::format("cannot list {}: {}", root.string(), ec.message()));
  std::sort(folders.begin(), folders.end());

  std::size_t taken = 0;
  for (const auto& folder : folders) {
    StickDevice device;
    device.folder = folder;
    const auto bundles_dir = root / folder / "bundles";
    std::vector<Candidate> files;
    if (real_directory(bundles_dir)) {
      for (fs::directory_iterator it(bundles_dir, ec), end; !ec && it != end; it.increment(ec)) {
        const auto name = it->path().filename().string();
        // Temp files of an interrupted copy start with '.' (and end in .tmp): never read.
        if (name.starts_with('.') || name.ends_with(".tmp")) continue;
        if (!name.ends_with(".ikb")) {
          report.skipped.push_back(fmt::format("{}/bundles/{}: not a bundle file", folder, name));
          continue;
        }
        std::error_code sec;
        if (it->symlink_status(sec).type() != fs::file_type::regular) {
          report.skipped.push_back(fmt::format("{}/bundles/{}: not a regular file (links are not followed)", folder, name));
          continue;
        }
        if (taken >= kMaxStickBundles) {
          report.skipped.push_back(fmt::format("{}/bundles/{}: more than {} bundles on this stick", folder, name,
                                               kMaxStickBundles));
          continue;
        }
        ++taken;
        files.push_back({it->path(), name, it->last_write_time(sec)});
      }
      if (ec) return core::fail(core::Errc::Io, fmt::format("cannot list {}: {}", bundles_dir.string(), ec.message()));
    }
    // The sync agent copies in sequence order; the times keep that order (names are random ids),
    // so a stick read back in order reports no passing gaps.
    std::sort(files.begin(), files.end(),
              [](const Candidate& a, const Candidate& b) { return std::tie(a.mtime, a.name) < std::tie(b.mtime, b.name); });

    const auto receipts_dir = root / folder / "receipts";
    for (const auto& file : files) {
      StickBundle sb;
      sb.file = file.name;
      auto bytes = read_bundle_file(file.path);
      if (!bytes) {
        if (bytes.error().message == "size") {
          sb.result.outcome = Outcome::Rejected;
          sb.result.reason = "size";
          sb.result.message = "larger than any bundle can be; not read";
          ++device.rejected;
        } else {
          sb.error = bytes.error().message;
          ++device.failed;
        }
        device.bundles.push_back(std::move(sb));
        continue;
      }
      ImportContext context;
      context.source = "usb";
      context.now = now;
      context.folder_device = folder;
      auto r = importer.import(*bytes, context);
      if (!r) {
        sb.error = r.error().message;
        ++device.failed;
        device.bundles.push_back(std::move(sb));
        continue;
      }
      sb.result = std::move(*r);
      switch (sb.result.outcome) {
        case Outcome::Accepted: ++device.imported; break;
        case Outcome::Duplicate: ++device.duplicate; break;
        default: ++device.rejected; break;
      }
      // The receipt, named by the bundle id (or, for a bundle that did not open, by its file name).
      std::string receipt_name = sb.result.bundle_id;
      if (receipt_name.empty()) {
        const auto stem = file.name.substr(0, file.name.size() - 4);
        if (is_lower_hex(stem, 32)) receipt_name = stem;
      }
      if (!sb.result.receipt.empty() && !receipt_name.empty()) {
        const auto target = receipts_dir / (receipt_name + ".ikr");
        std::error_code sec;
        if (fs::exists(fs::symlink_status(receipts_dir, sec)) && !real_directory(receipts_dir)) {
          sb.error = fmt::format("{}/receipts is not a folder; receipt not written", folder);
        } else {
          fs::create_directory(receipts_dir, sec);
          if (sb.result.outcome == Outcome::Duplicate &&
              fs::symlink_status(target, sec).type() == fs::file_type::regular) {
            auto held = read_bundle_file(target);
            if (held) {
              auto old = crypto::read_receipt(*held, importer.sign_public_key());
              sb.receipt_kept = old && old->bundle_hash == sb.result.bundle_hash &&
                                old->status != crypto::ReceiptStatus::Rejected;
            }
          }
          if (!sb.receipt_kept) {
            if (auto w = crypto::write_file_atomic(target, sb.result.receipt, 0644); !w)
              sb.error = fmt::format("receipt not written: {}", w.error().message);
            else
              sb.receipt_written = true;
          }
        }
      }
      device.bundles.push_back(std::move(sb));
    }
    auto state = importer.with_store([&](Store& store) -> core::Result<void> {
      auto d = store.find_device(folder);
      if (!d) return std::unexpected(d.error());
      if (!*d) return {};
      device.label = (*d)->label;
      device.received_through = (*d)->received_through;
      auto missing = store.missing_sequences(folder);
      if (!missing) return std::unexpected(missing.error());
      device.missing = std::move(*missing);
      return {};
    });
    if (!state) return std::unexpected(state.error());
    report.devices.push_back(std::move(device));
  }
  return report;
}

}  // namespace ik::hq
