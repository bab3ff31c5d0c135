#pragma once
// `intakectl outbox`: what the kiosk does after an unlock and whenever records change, for a
// technician or a timer — unlock, process HQ's receipts in inbox/ (delivered bundles, confirmed
// versions, then the retention policy), then seal what changed into outbox/. Prints counts only.
#include <optional>
#include <string>

#include <CLI/CLI.hpp>

#include "core/error.hpp"

namespace ik::cli {

class OutboxCommand {
 public:
  explicit OutboxCommand(CLI::App& app);  // registers the subcommand; options bind to members
  OutboxCommand(const OutboxCommand&) = delete;
  OutboxCommand& operator=(const OutboxCommand&) = delete;

  bool parsed() const { return cmd_->parsed(); }
  core::Result<void> run() const;

 private:
  CLI::App* cmd_ = nullptr;
  std::string data_dir_, user_;
  std::optional<std::string> passphrase_file_;
  int retention_days_;
};

}  // namespace ik::cli
