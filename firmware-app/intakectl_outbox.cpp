#include "firmware-app/intakectl_outbox.hpp"

#include <filesystem>

#include <fmt/format.h>

#include "core/retention.hpp"
#include "core/session.hpp"
#include "firmware-app/passphrase_input.hpp"
#include "sync/outbox.hpp"

namespace ik::cli {

OutboxCommand::OutboxCommand(CLI::App& app) : retention_days_(core::kDefaultRetentionDays) {
  cmd_ = app.add_subcommand("outbox",
                            "Unlock, process HQ's receipts (then retention), seal changed records into outbox/");
  cmd_->add_option("--data-dir", data_dir_, "Device data directory")->required();
  cmd_->add_option("--user", user_, "Staff member who unlocks")->required();
  cmd_->add_option("--passphrase-file", passphrase_file_, "File whose first line is the passphrase (else prompt)");
  cmd_->add_option("--retention-days", retention_days_,
                   "Purge personal data of closed records HQ confirmed, this many days after")
      ->capture_default_str()
      ->check(CLI::Range(1, 3650));
}

core::Result<void> OutboxCommand::run() const {
  std::optional<std::filesystem::path> file;
  if (passphrase_file_) file = *passphrase_file_;
  auto pass = read_passphrase(file, fmt::format("Passphrase for {}: ", user_));
  if (!pass) return std::unexpected(core::from(pass.error()));
  auto s = core::unlock(core::DataDir{data_dir_}, user_, *pass);
  if (!s) return std::unexpected(s.error());
  pass->wipe();
  const auto now = core::now_unix();
  // Receipts first: a delivered bundle's file is gone before the outbox is looked at.
  auto in = sync::process_inbox(*s, retention_days_, now);
  if (!in) return std::unexpected(in.error());
  fmt::print("receipts: {} delivered, {} rejected, {} ignored; {} record versions confirmed by HQ\n", in->delivered,
             in->rejected, in->ignored, in->confirmed);
  for (const auto& r : in->rejections) fmt::print("  rejected by HQ: {}\n", r);
  fmt::print("retention ({} days): {} cases and {} calls purged, {} drafts removed\n", retention_days_,
             in->retention.cases_purged, in->retention.calls_purged, in->retention.drafts_removed);
  auto out = sync::write_outbox(*s, now);
  if (!out) return std::unexpected(out.error());
  if (out->recovered > 0 || out->lost > 0)
    fmt::print("outbox repaired: {} interrupted files finished or removed, {} bundles lost (records queued again)\n",
               out->recovered, out->lost);
  if (out->bundles == 0) {
    fmt::print("outbox: nothing changed, no bundle written\n");
  } else {
    fmt::print("outbox: {} bundles written (sequence up to {}): {} cases, {} calls, {} beds, {} audit entries, {} bytes\n",
               out->bundles, out->last_sequence, out->cases, out->calls, out->beds, out->audit_entries, out->bytes);
  }
  auto sum = sync::outbox_summary(*s);
  if (!sum) return std::unexpected(sum.error());
  fmt::print("pending: {} bundles ({} bytes) awaiting HQ's receipt; {}\n", sum->pending, sum->pending_bytes,
             sum->delivered_through == 0 ? std::string("HQ has confirmed none yet")
                                         : fmt::format("HQ holds sequences 1..{}", sum->delivered_through));
  if (!sum->last_rejection.empty()) fmt::print("last rejection by HQ: {}\n", sum->last_rejection);
  return {};
}

}  // namespace ik::cli
