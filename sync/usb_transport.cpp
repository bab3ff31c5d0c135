// The USB transport of the sync agent (docs/bundle-format.md, "Files and places"):
//   <stick>/intake-kiosk/<device key id hex>/bundles/<bundle id hex>.ikb   copied from outbox/
//   <stick>/intake-kiosk/<device key id hex>/receipts/<bundle id hex>.ikr  collected into inbox/
//
// What must stay true:
//  - A stick is untrusted input. Every path on it is opened relative to a directory descriptor
//    with O_NOFOLLOW: a link planted on the stick is refused, never followed. Folder listings and
//    file sizes are bounded before anything is read.
//  - A file named <id>.ikb on the stick is complete: it is written as ".<id>.ikb.tmp", synced,
//    renamed without replacing, the folder synced, then read back and compared by BLAKE2b. A
//    stick pulled out mid-copy leaves only the temp file, which the next run removes (the names
//    are ours: the agent lock says no other writer is at work in this device's folder).
//  - Nothing on the stick is overwritten: a different file under a bundle's name is reported.
#include <dirent.h>
#include <fcntl.h>
#include <fmt/format.h>
#include <sodium.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <memory>
#include <set>

#include "crypto/bundle.hpp"
#include "crypto/key_files.hpp"
#include "crypto/sodium.hpp"
#include "sync/agent_files.hpp"
#include "sync/transport.hpp"

namespace ik::sync {
namespace {

namespace fs = std::filesystem;
using agent::OutboxEntry;
using core::SyncFailure;

constexpr std::size_t kCopyChunk = 1 << 20;

class Fd {
 public:
  Fd() = default;
  explicit Fd(int fd) : fd_(fd) {}
  Fd(Fd&& o) noexcept : fd_(o.fd_) { o.fd_ = -1; }
  Fd& operator=(Fd&& o) noexcept {
    std::swap(fd_, o.fd_);
    return *this;
  }
  Fd(const Fd&) = delete;
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  int get() const { return fd_; }
  int release() {
    const int f = fd_;
    fd_ = -1;
    return f;
  }

 private:
  int fd_ = -1;
};

std::string errno_text() {
  return std::strerror(errno);
}

std::unexpected<Problem> problem(SyncFailure kind, std::string message) {
  return std::unexpected(Problem{kind, std::move(message)});
}

// Errors that say the stick itself has gone (pulled out, or its device failed).
bool stick_gone(int err) {
  return err == EIO || err == ENODEV || err == ENXIO || err == ENOTCONN;
}

// A failed read on the stick: gone, or some other trouble. `what` names the step, with "{}" for
// `shown` ("cannot read {} on the USB stick"). Call with errno still set.
std::unexpected<Problem> stick_read_error(std::string_view what, const std::string& shown) {
  const int err = errno;
  return problem(stick_gone(err) ? SyncFailure::UsbRemoved : SyncFailure::UsbIo,
                 fmt::format("{}: {}", fmt::format(fmt::runtime(what), shown), std::strerror(err)));
}

// A failed write said the way a person at the kiosk can act on. Call with errno still set.
// Sets `gone` when the error says the stick has disappeared.
Problem stick_write_problem(bool& gone) {
  const int err = errno;
  gone = gone || stick_gone(err);
  if (err == ENOSPC || err == EDQUOT) return {SyncFailure::UsbFull, "the USB stick is full"};
  if (err == EROFS)
    return {SyncFailure::UsbNotWritable, "the USB stick is read-only (a write-protect switch?)"};
  if (err == EACCES || err == EPERM)
    return {SyncFailure::UsbNotWritable,
            fmt::format("the USB stick refuses writing: {}", std::strerror(err))};
  if (stick_gone(err))
    return {SyncFailure::UsbRemoved,
            fmt::format("cannot write to the USB stick (was it removed?): {}", std::strerror(err))};
  return {SyncFailure::UsbIo, fmt::format("cannot write to the USB stick: {}", std::strerror(err))};
}

// Opens (creating if asked) one folder on the stick, refusing a link or a non-folder.
RunResult<Fd> open_folder(int parent, const std::string& name, const std::string& shown,
                          bool create) {
  if (create) {
    if (::mkdirat(parent, name.c_str(), 0700) == 0) {
      ::fsync(parent);  // the new folder's name is durable before anything is put in it
    } else if (errno != EEXIST) {
      bool gone = false;
      auto p = stick_write_problem(gone);
      p.message = fmt::format("cannot create {} on the USB stick: {}", shown, p.message);
      return std::unexpected(std::move(p));
    }
  }
  const int fd = ::openat(parent, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ELOOP || errno == ENOTDIR)
      return problem(
          SyncFailure::UsbConflict,
          fmt::format("{} on the USB stick is a link or not a folder; refusing to use it", shown));
    return stick_read_error("cannot open {} on the USB stick", shown);
  }
  return Fd(fd);
}

// Names in a folder on the stick, at most agent::kMaxDirEntries of them (the rest is ignored and
// reported): a stick with a million files costs one bounded pass.
struct Listing {
  std::vector<std::string> names;
  bool truncated = false;
};
RunResult<Listing> list_folder(int dir_fd, const std::string& shown) {
  const int dup_fd = ::dup(dir_fd);
  if (dup_fd < 0) return stick_read_error("cannot read {} on the USB stick", shown);
  std::unique_ptr<DIR, int (*)(DIR*)> d(::fdopendir(dup_fd), ::closedir);
  if (!d) {
    const int err = errno;
    ::close(dup_fd);
    errno = err;
    return stick_read_error("cannot read {} on the USB stick", shown);
  }
  ::rewinddir(d.get());  // the duplicate shares its offset with earlier listings
  Listing out;
  for (;;) {
    errno = 0;
    const dirent* e = ::readdir(d.get());
    if (!e) {
      if (errno != 0) return stick_read_error("cannot read {} on the USB stick", shown);
      break;
    }
    const std::string_view name = e->d_name;
    if (name == "." || name == "..") continue;
    if (static_cast<int>(out.names.size()) >= agent::kMaxDirEntries) {
      out.truncated = true;
      break;
    }
    out.names.emplace_back(name);
  }
  return out;
}

struct Blake2b {
  crypto_generichash_state st{};
  Blake2b() {
    crypto::ensure_sodium();
    crypto_generichash_init(&st, nullptr, 0, 32);
  }
  void update(const std::uint8_t* p, std::size_t n) { crypto_generichash_update(&st, p, n); }
  crypto::Hash finish() {
    crypto::Hash h{};
    crypto_generichash_final(&st, h.data(), h.size());
    return h;
  }
};

// Hashes a whole open file, checking it has exactly `expected_size` bytes (when >= 0). On the
// stick a file of another size did not keep what was written; in outbox/ the bundle changed.
RunResult<crypto::Hash> hash_fd(int fd, std::int64_t expected_size, const std::string& shown,
                                bool on_stick) {
  std::vector<std::uint8_t> buf(kCopyChunk);
  Blake2b h;
  std::int64_t total = 0;
  for (;;) {
    const ssize_t n = ::read(fd, buf.data(), buf.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      if (on_stick) return stick_read_error("cannot read {}", shown);
      return problem(SyncFailure::OutboxUnreadable,
                     fmt::format("cannot read {}: {}", shown, errno_text()));
    }
    if (n == 0) break;
    total += n;
    if (expected_size >= 0 && total > expected_size) break;
    h.update(buf.data(), static_cast<std::size_t>(n));
  }
  if (expected_size >= 0 && total != expected_size)
    return problem(on_stick ? SyncFailure::UsbVerifyFailed : SyncFailure::OutboxUnreadable,
                   fmt::format("{} has a different size than expected", shown));
  return h.finish();
}

RunResult<crypto::Hash> hash_source(const OutboxEntry& e) {
  Fd in(::open(e.path.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC));
  if (in.get() < 0)
    return problem(SyncFailure::OutboxUnreadable,
                   fmt::format("cannot read outbox/{}: {}", e.name, errno_text()));
  return hash_fd(in.get(), e.size, "outbox/" + e.name, false);
}

RunResult<void> write_all(int fd, const std::uint8_t* p, std::size_t n, bool& gone) {
  while (n > 0) {
    const ssize_t w = ::write(fd, p, n);
    if (w < 0 && errno == EINTR) continue;
    if (w < 0) return std::unexpected(stick_write_problem(gone));
    p += w;
    n -= static_cast<std::size_t>(w);
  }
  return {};
}

// Renames without replacing: a file that appeared under the final name is never clobbered.
// Filesystems without RENAME_NOREPLACE get a check-then-rename, safe under the agent lock.
int rename_no_replace(int dir_fd, const char* from, const char* to) {
  if (::renameat2(dir_fd, from, dir_fd, to, RENAME_NOREPLACE) == 0) return 0;
  if (errno != EINVAL && errno != ENOSYS) return -1;
  struct stat st {};
  if (::fstatat(dir_fd, to, &st, AT_SYMLINK_NOFOLLOW) == 0) {
    errno = EEXIST;
    return -1;
  }
  return ::renameat(dir_fd, from, dir_fd, to);
}

enum class Outcome { Copied, AlreadyThere, Gone };

class UsbRun {
 public:
  UsbRun(const core::DataDir& dir, const ProgressFn& progress) : dir_(dir), progress_(progress) {}

  RunResult<TransportResult> run(const fs::path& stick);

 private:
  RunResult<Outcome> copy_one(const OutboxEntry& e);
  RunResult<void> collect_receipts(const std::set<std::string>& outbox_ids);
  void sweep_temps();
  void report() {
    if (progress_) progress_(progress_state_);
  }

  const core::DataDir& dir_;
  const ProgressFn& progress_;
  Progress progress_state_;
  TransportResult result_;
  bool stick_lost_ = false;  // a write said the stick is gone: the run stops
  Fd bundles_, receipts_;
};

RunResult<TransportResult> UsbRun::run(const fs::path& stick) {
  // The stick itself: a real folder (the mount point), not a link to one. A mount point that is
  // missing or gone is a stick taken out before the agent got to it.
  const auto root_error = [&] {
    const int err = errno;
    return problem(err == ENOENT || stick_gone(err) ? SyncFailure::UsbRemoved : SyncFailure::UsbIo,
                   fmt::format("the USB stick folder {} cannot be opened: {}", stick.string(),
                               std::strerror(err)));
  };
  struct stat st {};
  if (::lstat(stick.c_str(), &st) != 0) return root_error();
  // The unit gives the mount point: a link or a file there is not a stick that was mounted.
  if (S_ISLNK(st.st_mode))
    return problem(
        SyncFailure::UsbIo,
        fmt::format("{} is a symbolic link; give the stick's mount point itself", stick.string()));
  if (!S_ISDIR(st.st_mode))
    return problem(SyncFailure::UsbIo, fmt::format("{} is not a folder", stick.string()));
  Fd root(::open(stick.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
  if (root.get() < 0) return root_error();

  // device.pub is public: it names this device's folder on the stick and nothing more.
  auto device = crypto::read_public_key_file(dir_.device_public_key(), crypto::KeyKind::DeviceSign);
  if (!device) return problem(SyncFailure::Setup, core::from(device.error()).message);
  const std::string key_id = device->id_hex();

  auto top = open_folder(root.get(), "intake-kiosk", "intake-kiosk/", true);
  if (!top) return std::unexpected(top.error());
  const std::string dev_shown = fmt::format("intake-kiosk/{}/", key_id);
  auto dev = open_folder(top->get(), key_id, dev_shown, true);
  if (!dev) return std::unexpected(dev.error());
  auto bundles = open_folder(dev->get(), "bundles", dev_shown + "bundles/", true);
  if (!bundles) return std::unexpected(bundles.error());
  auto receipts = open_folder(dev->get(), "receipts", dev_shown + "receipts/", true);
  if (!receipts) return std::unexpected(receipts.error());
  bundles_ = std::move(*bundles);
  receipts_ = std::move(*receipts);

  if (auto p = agent::prepare_inbox(dir_); !p)
    return problem(SyncFailure::InboxUnwritable, p.error().message);
  auto listing = agent::list_outbox(dir_);
  if (!listing) return problem(SyncFailure::OutboxUnreadable, listing.error().message);
  for (const auto& e : listing->errors)
    result_.errors.push_back({SyncFailure::OutboxUnreadable, e});
  result_.warnings = listing->warnings;
  std::set<std::string> outbox_ids;
  for (const auto& e : listing->bundles) outbox_ids.insert(e.id_hex);

  sweep_temps();
  // Receipts first: a bundle HQ has already answered need not be copied again.
  if (auto c = collect_receipts(outbox_ids); !c) return std::unexpected(c.error());

  std::vector<OutboxEntry> pending;
  for (const auto& e : listing->bundles) {
    if (agent::has_receipt(dir_, e.id_hex)) continue;
    pending.push_back(e);
    progress_state_.bytes_total += e.size;
  }
  progress_state_.files_total = static_cast<int>(pending.size());
  report();

  for (std::size_t i = 0; i < pending.size(); ++i) {
    const auto& e = pending[i];
    const auto before = progress_state_.bytes_done;
    auto r = copy_one(e);
    if (!r && stick_lost_) {
      // Pulled out: every further copy would fail the same way.
      result_.errors.push_back(
          {r.error().kind, fmt::format("bundle {}: {}", e.sequence, r.error().message)});
      if (const auto left = pending.size() - i - 1; left > 0)
        result_.errors.push_back(
            {r.error().kind,
             fmt::format("{} more bundle{} left for the next sync", left, left == 1 ? "" : "s")});
      break;
    }
    progress_state_.bytes_done = before + e.size;
    ++progress_state_.files_done;
    if (!r) {
      result_.errors.push_back(
          {r.error().kind, fmt::format("bundle {}: {}", e.sequence, r.error().message)});
    } else if (*r == Outcome::Copied) {
      ++result_.bundles_sent;
    } else if (*r == Outcome::AlreadyThere) {
      ++result_.already_there;
    }
    report();
  }
  return std::move(result_);
}

// Only names this agent writes: ".<32 hex>.ikb.tmp".
void UsbRun::sweep_temps() {
  auto names = list_folder(bundles_.get(), "bundles/");
  if (!names) return;  // the copies below report the stick's trouble
  bool removed = false;
  for (const auto& n : names->names) {
    const std::string_view v = n;
    if (v.size() == 1 + 32 + 8 && v[0] == '.' && v.ends_with(".ikb.tmp") &&
        agent::is_lower_hex(v.substr(1, 32))) {
      if (::unlinkat(bundles_.get(), n.c_str(), 0) == 0) removed = true;
    }
  }
  if (removed) ::fsync(bundles_.get());
}

RunResult<void> UsbRun::collect_receipts(const std::set<std::string>& outbox_ids) {
  auto names = list_folder(receipts_.get(), "receipts/");
  if (!names) return std::unexpected(names.error());
  if (names->truncated)
    result_.warnings.push_back(
        fmt::format("receipts/ on the USB stick holds more than {} files; only the first were read",
                    agent::kMaxDirEntries));
  bool pruned_any = false;
  for (const auto& name : names->names) {
    const std::string_view v = name;
    if (v.size() != 32 + 4 || !v.ends_with(".ikr") || !agent::is_lower_hex(v.substr(0, 32)))
      continue;
    const std::string id(v.substr(0, 32));
    struct stat st {};
    // Looked at before it is opened: opening a device node or a FIFO can itself do something.
    if (::fstatat(receipts_.get(), name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0 ||
        !S_ISREG(st.st_mode)) {
      result_.warnings.push_back(
          fmt::format("receipts/{} on the USB stick is not a receipt; left alone", name));
      continue;
    }
    Fd f(::openat(receipts_.get(), name.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK));
    if (f.get() < 0 || ::fstat(f.get(), &st) != 0 || !S_ISREG(st.st_mode) ||
        static_cast<std::size_t>(st.st_size) > agent::kMaxReceiptBytes) {
      result_.warnings.push_back(
          fmt::format("receipts/{} on the USB stick is not a receipt; left alone", name));
      continue;
    }
    std::vector<std::uint8_t> bytes(static_cast<std::size_t>(st.st_size));
    const ssize_t n = ::read(f.get(), bytes.data(), bytes.size());
    if (n != static_cast<ssize_t>(bytes.size()) || !agent::looks_like_receipt(bytes)) {
      result_.warnings.push_back(
          fmt::format("receipts/{} on the USB stick is not a receipt; left alone", name));
      continue;
    }
    if (!outbox_ids.contains(id)) {
      // The kiosk removes a bundle from outbox/ only after verifying HQ's accepting receipt, so
      // the copy on the stick has done its work: take it (and its receipt) off the stick.
      const auto status = agent::receipt_status_byte(bytes);
      if (status == 1 || status == 2) {
        const std::string bundle = id + ".ikb";
        struct stat bst {};
        if (::fstatat(bundles_.get(), bundle.c_str(), &bst, AT_SYMLINK_NOFOLLOW) == 0 &&
            S_ISREG(bst.st_mode))
          ::unlinkat(bundles_.get(), bundle.c_str(), 0);
        ::unlinkat(receipts_.get(), name.c_str(), 0);
        ++result_.pruned;
        pruned_any = true;
      }
      continue;
    }
    // One receipt per bundle waits in inbox/ until the kiosk has read it; a newer one on the
    // stick is collected on a later run.
    if (agent::has_receipt(dir_, id)) continue;
    if (auto s = agent::store_receipt(dir_, id, bytes); !s)
      return problem(SyncFailure::InboxUnwritable, s.error().message);
    ++result_.receipts_collected;
  }
  if (pruned_any) {
    ::fsync(bundles_.get());
    ::fsync(receipts_.get());
  }
  return {};
}

RunResult<Outcome> UsbRun::copy_one(const OutboxEntry& e) {
  const std::string name = e.id_hex + ".ikb";
  const std::string shown = "bundles/" + name;
  Fd in(::open(e.path.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC));
  if (in.get() < 0) {
    if (errno == ENOENT) return Outcome::Gone;  // the kiosk got its receipt meanwhile
    return problem(SyncFailure::OutboxUnreadable,
                   fmt::format("cannot read outbox/{}: {}", e.name, errno_text()));
  }

  const auto conflict = [&] {
    return problem(
        SyncFailure::UsbConflict,
        fmt::format(
            "a different file named {} is already on the USB stick; left as it is, not copied",
            shown));
  };
  struct stat st {};
  if (::fstatat(bundles_.get(), name.c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0) {
    // Same name: the same bytes are fine (an earlier run); anything else is never overwritten.
    if (!S_ISREG(st.st_mode) || st.st_size != e.size) return conflict();
    Fd there(::openat(bundles_.get(), name.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC));
    if (there.get() < 0) return stick_read_error("cannot read {} on the USB stick", shown);
    auto h_there = hash_fd(there.get(), e.size, shown, true);
    auto h_src = hash_source(e);
    if (!h_src) return std::unexpected(h_src.error());
    if (h_there && *h_there == *h_src) return Outcome::AlreadyThere;
    return conflict();
  }
  if (errno != ENOENT) return stick_read_error("cannot look at {} on the USB stick", shown);

  const std::string tmp = "." + name + ".tmp";
  ::unlinkat(bundles_.get(), tmp.c_str(), 0);  // our own leftover from a run that was cut short
  Fd out(::openat(bundles_.get(), tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
                  0600));
  if (out.get() < 0) return std::unexpected(stick_write_problem(stick_lost_));
  auto fail_and_clean = [&](Problem p) -> RunResult<Outcome> {
    out = Fd();
    ::unlinkat(bundles_.get(), tmp.c_str(), 0);
    return std::unexpected(std::move(p));
  };

  std::vector<std::uint8_t> buf(kCopyChunk);
  Blake2b h_src;
  std::int64_t copied = 0;
  const std::int64_t base = progress_state_.bytes_done;
  for (;;) {
    const ssize_t n = ::read(in.get(), buf.data(), buf.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0)
      return fail_and_clean({SyncFailure::OutboxUnreadable,
                             fmt::format("cannot read outbox/{}: {}", e.name, errno_text())});
    if (n == 0) break;
    copied += n;
    if (copied > e.size) break;
    h_src.update(buf.data(), static_cast<std::size_t>(n));
    if (auto w = write_all(out.get(), buf.data(), static_cast<std::size_t>(n), stick_lost_); !w)
      return fail_and_clean(w.error());
    progress_state_.bytes_done = base + copied;
    report();
  }
  if (copied != e.size)
    return fail_and_clean(
        {SyncFailure::OutboxUnreadable,
         fmt::format("outbox/{} changed while it was copied; not copied", e.name)});
  if (::fsync(out.get()) != 0) return fail_and_clean(stick_write_problem(stick_lost_));
  // Drop the cached pages so the read-back below reads what the stick holds where it can.
  ::posix_fadvise(out.get(), 0, 0, POSIX_FADV_DONTNEED);
  out = Fd();
  if (rename_no_replace(bundles_.get(), tmp.c_str(), name.c_str()) != 0) {
    if (errno == EEXIST)
      return fail_and_clean(
          {SyncFailure::UsbConflict,
           fmt::format("a file named {} appeared on the USB stick during the copy; left as it is",
                       shown)});
    return fail_and_clean(stick_write_problem(stick_lost_));
  }
  if (::fsync(bundles_.get()) != 0) return std::unexpected(stick_write_problem(stick_lost_));

  const auto want = h_src.finish();
  Fd back(::openat(bundles_.get(), name.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC));
  if (back.get() < 0) {
    stick_lost_ = stick_lost_ || stick_gone(errno);
    return stick_read_error("cannot read back {} from the USB stick", shown);
  }
  ::posix_fadvise(back.get(), 0, 0, POSIX_FADV_DONTNEED);
  auto got = hash_fd(back.get(), e.size, shown, true);
  if (!got && got.error().kind == SyncFailure::UsbRemoved) {
    stick_lost_ = true;  // nothing to clean up on a stick that is gone
    return std::unexpected(got.error());
  }
  if (!got || *got != want) {
    // Ours, and wrong: remove it so the next run copies again rather than reporting a conflict.
    back = Fd();
    ::unlinkat(bundles_.get(), name.c_str(), 0);
    ::fsync(bundles_.get());
    return problem(SyncFailure::UsbVerifyFailed,
                   fmt::format("{} read back from the USB stick differs from what was written; "
                               "the stick may be failing",
                               shown));
  }
  return Outcome::Copied;
}

}  // namespace

RunResult<TransportResult> sync_usb(const core::DataDir& dir, const fs::path& stick,
                                    const ProgressFn& progress) {
  UsbRun run(dir, progress);
  return run.run(stick);
}

}  // namespace ik::sync
