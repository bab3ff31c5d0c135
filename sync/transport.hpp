#pragma once
// The sync agent's transports. They move ciphertext only: outbox/ -> a USB stick or HQ, HQ's
// receipts -> inbox/. They need no passphrase and read no record (they open no database); what
// they need is public: device.pub (the folder name on a stick) and the files in outbox/.
#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "core/data_dir.hpp"
#include "core/error.hpp"

namespace ik::sync {

struct Progress {
  int files_done = 0, files_total = 0;
  std::int64_t bytes_done = 0, bytes_total = 0;
};
using ProgressFn = std::function<void(const Progress&)>;

struct TransportResult {
  int bundles_sent = 0;        // copied (and read back) or uploaded
  int already_there = 0;       // skipped: same bytes already on the stick / receipt already held
  int receipts_collected = 0;  // new receipts placed in inbox/
  std::vector<std::string> errors;  // per file, plain words, no personal data
};

// USB: copies every pending bundle to <stick>/intake-kiosk/<device key id>/bundles/ (temp name,
// fsync, rename, fsync; then read back and compared by hash) and collects that folder's
// receipts/ into inbox/. A stick pulled out mid-copy leaves only a temp file HQ ignores.
core::Result<TransportResult> sync_usb(const core::DataDir& dir, const std::filesystem::path& stick,
                                       const ProgressFn& progress = {});

struct HttpsOptions {
  std::string url;                       // https://host:port (POST /v1/bundles)
  std::filesystem::path pinned_cert;     // HQ's certificate (PEM): the only one trusted
  int max_attempts = 5;                  // per bundle, with exponential backoff
  double first_backoff_seconds = 1.0;
  long timeout_seconds = 60;
};
// Network: uploads pending bundles in sequence order, each receipt into inbox/ as it arrives;
// a bundle whose receipt is already in inbox/ is not sent again (so a rerun resumes).
core::Result<TransportResult> sync_https(const core::DataDir& dir, const HttpsOptions& options,
                                         const ProgressFn& progress = {});

}  // namespace ik::sync
