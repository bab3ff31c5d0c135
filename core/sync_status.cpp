#include "core/sync_status.hpp"

#include <fmt/format.h>
#include <sys/stat.h>

#include <cerrno>
#include <cstring>
#include <iterator>
#include <limits>
#include <nlohmann/json.hpp>
#include <string_view>

#include "crypto/file_io.hpp"

namespace ik::core {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

constexpr std::string_view kFormat = "intake-kiosk/sync-status/v1";
constexpr std::size_t kMaxStatusBytes = 64 * 1024;
// An error sentence is for a status line on the kiosk screen; longer text is cut, not refused.
constexpr std::size_t kMaxErrorBytes = 1024;
// outbox/ is the kiosk's own folder; this bounds the work a damaged one can cause.
constexpr int kMaxOutboxEntries = 10'000;
// The status file and the request are read by the kiosk's user through the shared group.
constexpr unsigned kSharedMode = 0640;

std::string_view state_name(AgentStatus::State s) {
  switch (s) {
    case AgentStatus::State::Never:
      return "never";
    case AgentStatus::State::Running:
      return "running";
    case AgentStatus::State::Done:
      return "done";
    case AgentStatus::State::Failed:
      return "failed";
  }
  return "never";
}

bool parse_state(std::string_view name, AgentStatus::State& out) {
  for (auto s : {AgentStatus::State::Never, AgentStatus::State::Running, AgentStatus::State::Done,
                 AgentStatus::State::Failed}) {
    if (state_name(s) == name) {
      out = s;
      return true;
    }
  }
  return false;
}

// The codes of SyncFailure, in the status file. Stable: a code once written is never renamed.
struct FailureCode {
  SyncFailure kind;
  std::string_view code;
};
constexpr FailureCode kFailureCodes[] = {
    {SyncFailure::UsbNotWritable, "usb-not-writable"},
    {SyncFailure::UsbFull, "usb-full"},
    {SyncFailure::UsbRemoved, "usb-removed"},
    {SyncFailure::UsbVerifyFailed, "usb-verify-failed"},
    {SyncFailure::UsbConflict, "usb-conflict"},
    {SyncFailure::UsbIo, "usb-io"},
    {SyncFailure::HqUnreachable, "hq-unreachable"},
    {SyncFailure::HqTimeout, "hq-timeout"},
    {SyncFailure::HqCertificate, "hq-certificate"},
    {SyncFailure::HqBusy, "hq-busy"},
    {SyncFailure::HqRefused, "hq-refused"},
    {SyncFailure::HqBadAnswer, "hq-bad-answer"},
    {SyncFailure::OutboxUnreadable, "outbox-unreadable"},
    {SyncFailure::InboxUnwritable, "inbox-unwritable"},
    {SyncFailure::Setup, "setup"},
    {SyncFailure::Stopped, "stopped"},
    {SyncFailure::Internal, "internal"},
};
static_assert(std::size(kFailureCodes) == std::size(kAllSyncFailures));

std::string status_path_string(const DataDir& dir) {
  return (dir.sync_dir() / "status.json").string();
}

std::unexpected<Error> damaged(const DataDir& dir, std::string_view why) {
  return fail(Errc::Damaged,
              fmt::format("the sync status file {} is damaged ({})", status_path_string(dir), why));
}

// Reads one required integer member within [0, max]; false names the member as damaged.
template <class T>
bool get_count(const json& j, const char* key, T& out, std::string& bad) {
  const auto it = j.find(key);
  if (it == j.end() || !it->is_number_integer()) {
    bad = key;
    return false;
  }
  // Both signed and unsigned JSON integers: negative values and overflow are refused alike.
  if (it->is_number_unsigned()) {
    const auto v = it->get<std::uint64_t>();
    if (v > static_cast<std::uint64_t>(std::numeric_limits<T>::max())) {
      bad = key;
      return false;
    }
    out = static_cast<T>(v);
    return true;
  }
  const auto v = it->get<std::int64_t>();
  if (v < 0 || v > static_cast<std::int64_t>(std::numeric_limits<T>::max())) {
    bad = key;
    return false;
  }
  out = static_cast<T>(v);
  return true;
}

Result<void> ensure_dir(const fs::path& path) {
  if (::mkdir(path.c_str(), 0750) == 0 || errno == EEXIST) {
    struct stat st {};
    if (::lstat(path.c_str(), &st) != 0 || !S_ISDIR(st.st_mode))
      return fail(Errc::Io, fmt::format("{} is not a folder", path.string()));
    return {};
  }
  return fail(Errc::Io, fmt::format("cannot create {}: {}", path.string(), std::strerror(errno)));
}

bool is_lower_hex(std::string_view s) {
  for (char c : s)
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  return true;
}

// The kiosk's outbox names: <sequence:016>-<bundle id hex:32>.ikb (docs/bundle-format.md).
bool is_outbox_bundle_name(std::string_view name) {
  if (name.size() != 16 + 1 + 32 + 4 || name[16] != '-' || !name.ends_with(".ikb")) return false;
  for (char c : name.substr(0, 16))
    if (c < '0' || c > '9') return false;
  return is_lower_hex(name.substr(17, 32));
}

}  // namespace

std::string_view sync_failure_code(SyncFailure kind) {
  for (const auto& f : kFailureCodes)
    if (f.kind == kind) return f.code;
  return {};
}

SyncFailure parse_sync_failure(std::string_view code) {
  for (const auto& f : kFailureCodes)
    if (f.code == code) return f.kind;
  return SyncFailure::Unknown;
}

Result<AgentStatus> read_agent_status(const DataDir& dir) {
  const auto path = dir.sync_dir() / "status.json";
  struct stat st {};
  if (::lstat(path.c_str(), &st) != 0) {
    if (errno == ENOENT) return AgentStatus{};  // the agent has never run
    return fail(Errc::Io, fmt::format("cannot read {}: {}", path.string(), std::strerror(errno)));
  }
  auto bytes = crypto::read_file(path, kMaxStatusBytes);
  if (!bytes) {
    if (bytes.error().code == crypto::Errc::BadFormat) return damaged(dir, bytes.error().message);
    return std::unexpected(from(bytes.error()));
  }
  const json j = json::parse(bytes->begin(), bytes->end(), nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object()) return damaged(dir, "not a JSON object");
  const auto fmt_it = j.find("format");
  if (fmt_it == j.end() || !fmt_it->is_string() || fmt_it->get<std::string>() != kFormat)
    return damaged(dir, "unknown format");

  AgentStatus s;
  const auto state_it = j.find("state");
  if (state_it == j.end() || !state_it->is_string() ||
      !parse_state(state_it->get<std::string>(), s.state))
    return damaged(dir, "unknown state");
  const auto tr = j.find("transport");
  if (tr == j.end() || !tr->is_string()) return damaged(dir, "transport");
  s.transport = tr->get<std::string>();
  if (s.transport != "usb" && s.transport != "https" && !s.transport.empty())
    return damaged(dir, "transport");
  const auto usb = j.find("usb_present");
  if (usb == j.end() || !usb->is_boolean()) return damaged(dir, "usb_present");
  s.usb_present = usb->get<bool>();

  std::string bad;
  if (!get_count(j, "files_done", s.files_done, bad) ||
      !get_count(j, "files_total", s.files_total, bad) ||
      !get_count(j, "bytes_done", s.bytes_done, bad) ||
      !get_count(j, "bytes_total", s.bytes_total, bad) ||
      !get_count(j, "updated_at", s.updated_at, bad) ||
      !get_count(j, "finished_at", s.finished_at, bad))
    return damaged(dir, bad);

  const auto err = j.find("error");
  if (err == j.end() || !err->is_string()) return damaged(dir, "error");
  s.error = err->get<std::string>();
  if (s.error.size() > kMaxErrorBytes) return damaged(dir, "error too long");
  // Optional: files from agents older than the codes have none (Unknown). A code this kiosk does
  // not know (a newer agent) is Unknown too: the screen then says "the sync failed", in general.
  if (const auto kind = j.find("error_kind"); kind != j.end()) {
    if (!kind->is_string()) return damaged(dir, "error_kind");
    s.failure = parse_sync_failure(kind->get_ref<const std::string&>());
  }
  return s;
}

Result<void> write_agent_status(const DataDir& dir, const AgentStatus& status) {
  if (auto d = ensure_dir(dir.sync_dir()); !d) return d;
  if (status.files_done < 0 || status.files_total < 0 || status.bytes_done < 0 ||
      status.bytes_total < 0 || status.updated_at < 0 || status.finished_at < 0)
    return fail(Errc::Invalid, "sync status counts and times must not be negative");
  if (status.transport != "usb" && status.transport != "https" && !status.transport.empty())
    return fail(Errc::Invalid, "sync status transport must be usb, https or empty");

  std::string error = status.error;
  if (error.size() > kMaxErrorBytes)
    error.resize(kMaxErrorBytes);  // a cut UTF-8 tail is replaced below
  json j = {{"format", kFormat},
            {"state", state_name(status.state)},
            {"transport", status.transport},
            {"usb_present", status.usb_present},
            {"files_done", status.files_done},
            {"files_total", status.files_total},
            {"bytes_done", status.bytes_done},
            {"bytes_total", status.bytes_total},
            {"updated_at", status.updated_at},
            {"finished_at", status.finished_at},
            {"error", error},
            {"error_kind", sync_failure_code(status.failure)}};
  // replace: an error text with invalid UTF-8 (a cut sentence, an odd file name) must not throw.
  const std::string text = j.dump(2, ' ', false, json::error_handler_t::replace) + "\n";
  auto w = crypto::write_file_atomic(
      dir.sync_dir() / "status.json",
      {reinterpret_cast<const std::uint8_t*>(text.data()), text.size()}, kSharedMode);
  if (!w) return std::unexpected(from(w.error()));
  return {};
}

int count_outbox_files(const DataDir& dir) {
  std::error_code ec;
  fs::directory_iterator it(dir.outbox(), ec), end;
  int count = 0, seen = 0;
  for (; !ec && it != end && seen < kMaxOutboxEntries; it.increment(ec), ++seen) {
    const auto name = it->path().filename().string();
    // Temp files (".name.tmp") and anything not named like a bundle are not pending bundles.
    if (!is_outbox_bundle_name(name)) continue;
    std::error_code sec;
    if (it->is_regular_file(sec) && !it->is_symlink(sec)) ++count;
  }
  return count;
}

Result<void> request_sync(const DataDir& dir, std::int64_t now) {
  if (auto d = ensure_dir(dir.sync_dir()); !d) return d;
  // The content is only a time for people reading the folder; the systemd path unit reacts to
  // the rename itself.
  const std::string text = fmt::format("{}\n", now);
  auto w = crypto::write_file_atomic(
      dir.sync_dir() / "request", {reinterpret_cast<const std::uint8_t*>(text.data()), text.size()},
      kSharedMode);
  if (!w) return std::unexpected(from(w.error()));
  return {};
}

}  // namespace ik::core
