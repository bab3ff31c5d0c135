#pragma once
// The sync agent's transports. They move ciphertext only: outbox/ -> a USB stick or HQ, HQ's
// receipts -> inbox/. They need no passphrase and read no record (they open no database); what
// they need is public: device.pub (the folder name on a stick) and the files in outbox/.
#include <cstdint>
#include <expected>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/data_dir.hpp"
#include "core/error.hpp"
#include "core/sync_status.hpp"

namespace ik::sync {

struct Progress {
  int files_done = 0, files_total = 0;
  std::int64_t bytes_done = 0, bytes_total = 0;
};
using ProgressFn = std::function<void(const Progress&)>;

// One thing that went wrong, said twice: its kind, which the agent writes into sync/status.json
// for the kiosk to say in the officer's language, and an English sentence for the journal and
// the CLI (plain words, no personal data).
struct Problem {
  core::SyncFailure kind = core::SyncFailure::Unknown;
  std::string message;
};
// A run that could not go ahead at all: nothing was moved.
template <class T>
using RunResult = std::expected<T, Problem>;

struct TransportResult {
  int bundles_sent = 0;        // copied (and read back) or uploaded
  int already_there = 0;       // skipped: same bytes already on the stick / receipt already held
  int receipts_collected = 0;  // new receipts placed in inbox/
  std::vector<Problem> errors;  // per file, in the order they happened
  // USB: delivered bundles removed from the stick (HQ's accepting receipt is on it and the kiosk
  // has removed the bundle from outbox/): a lost stick then carries as little as possible.
  int pruned = 0;
  std::vector<std::string> warnings;  // odd files left alone; not failures
};

// USB: copies every pending bundle to <stick>/intake-kiosk/<device key id>/bundles/ (temp name,
// fsync, rename, fsync; then read back and compared by hash) and collects that folder's
// receipts/ into inbox/. A stick pulled out mid-copy leaves only a temp file HQ ignores.
// Only receipts for bundles still in outbox/ are collected; nothing on the stick is overwritten
// (a different file under a bundle's name is an error) and no link on it is followed.
RunResult<TransportResult> sync_usb(const core::DataDir& dir, const std::filesystem::path& stick,
                                    const ProgressFn& progress = {});

struct HttpsOptions {
  std::string url;                       // https://host:port (POST /v1/bundles)
  std::filesystem::path pinned_cert;     // HQ's certificate (PEM): the only one trusted
  int max_attempts = 5;                  // per bundle, with exponential backoff
  double first_backoff_seconds = 1.0;
  long timeout_seconds = 60;
};
// Network: uploads pending bundles in sequence order, each receipt into inbox/ as it arrives;
// a bundle whose receipt is already in inbox/ is not sent again (so a rerun resumes). Only the
// pinned certificate's key is trusted. Busy/unreachable HQ: retried with backoff, then the run
// stops; another refusal (HTTP 4xx) is an error for that bundle and the next one still goes.
RunResult<TransportResult> sync_https(const core::DataDir& dir, const HttpsOptions& options,
                                      const ProgressFn& progress = {});

// The kiosk's outbox names: <sequence:016>-<bundle id hex:32>.ikb. Anything else (temp files
// ".name.tmp" included) is no bundle: nullopt.
struct OutboxName {
  std::uint64_t sequence = 0;
  std::string bundle_id_hex;  // 32 lowercase hex digits
};
std::optional<OutboxName> parse_outbox_name(std::string_view name);

// libcurl's CURLOPT_PINNEDPUBLICKEY ("sha256//<base64>") for the one certificate in a PEM file:
// SHA-256 of its SubjectPublicKeyInfo, as `openssl x509 -pubkey | openssl pkey -pubin -outform
// der | openssl dgst -sha256 -binary | base64` prints it. A file with no or several
// certificates is refused: the pinned file names exactly one server.
core::Result<std::string> spki_pin_from_pem(const std::filesystem::path& pem);

// Two agents never run at once (a stick inserted during a timed network sync waits): an
// exclusive flock on sync/agent.lock, held until the object is destroyed or the process dies.
class AgentLock {
 public:
  // Waits up to wait_seconds (0: try once) for another agent to finish.
  static core::Result<AgentLock> acquire(const core::DataDir& dir, double wait_seconds);
  AgentLock(AgentLock&& other) noexcept : fd_(other.fd_) { other.fd_ = -1; }
  AgentLock& operator=(AgentLock&&) = delete;
  AgentLock(const AgentLock&) = delete;
  ~AgentLock();

 private:
  explicit AgentLock(int fd) : fd_(fd) {}
  int fd_ = -1;
};

}  // namespace ik::sync
