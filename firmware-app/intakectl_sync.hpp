#pragma once
// `intakectl sync`: the sync agent. Moves ciphertext only — outbox/ to a USB stick (--usb) or to
// HQ over pinned HTTPS (--hq-url, --hq-cert), HQ's receipts into inbox/. Needs no passphrase and
// opens no database; reads device.pub (the stick folder's name) and the bundle files. Started by
// the systemd units (deploy/systemd/intake-sync-*.service); one agent at a time (sync/agent.lock).
// Writes sync/status.json for the kiosk's sync screen: on failure the first problem's kind
// (core::SyncFailure, which the screen says in the officer's language) and its English sentence;
// stopped by SIGTERM/SIGINT/SIGHUP (a USB stick pulled out stops the USB unit) it says so before
// the signal ends it. Exit 0 when everything pending was delivered or copied, 1 with a line per
// problem otherwise.
#include <CLI/CLI.hpp>
#include <optional>
#include <string>

#include "core/error.hpp"

namespace ik::cli {

class SyncCommand {
 public:
  explicit SyncCommand(CLI::App& app);  // registers the subcommand; options bind to members
  SyncCommand(const SyncCommand&) = delete;
  SyncCommand& operator=(const SyncCommand&) = delete;

  bool parsed() const { return cmd_->parsed(); }
  core::Result<void> run() const;

 private:
  CLI::App* cmd_ = nullptr;
  std::string data_dir_;
  std::optional<std::string> usb_, hq_url_, hq_cert_;
  int max_attempts_ = 5;
  double first_backoff_ = 1.0;
  long timeout_ = 60;
  double lock_wait_ = 600;
};

}  // namespace ik::cli
