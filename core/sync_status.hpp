#pragma once
// What the kiosk shows about sync without touching a stick or a socket: the sync agent's status
// file (DataDir::sync_dir()/status.json, written atomically by `intakectl sync`) and the kiosk's
// "sync now" request (sync_dir()/request, which a systemd path unit turns into a network sync).
// Needs no key; never holds personal data (counts, times, reason names only).
#include <cstdint>
#include <string>

#include "core/data_dir.hpp"
#include "core/error.hpp"

namespace ik::core {

struct AgentStatus {
  enum class State { Never, Running, Done, Failed } state = State::Never;
  std::string transport;            // "usb" | "https" | ""
  bool usb_present = false;         // a stick is mounted for sync right now
  int files_done = 0, files_total = 0;
  std::int64_t bytes_done = 0, bytes_total = 0;
  std::int64_t updated_at = 0, finished_at = 0;
  std::string error;                // plain words, empty when none
};

// A missing file is State::Never; a damaged or oversized one (> 64 KiB) is an error.
Result<AgentStatus> read_agent_status(const DataDir& dir);
Result<void> write_agent_status(const DataDir& dir, const AgentStatus& status);  // atomic
// Pending bundle files in outbox/ (names only; no key needed).
int count_outbox_files(const DataDir& dir);
// Asks the sync agent for a network sync (touches sync/request atomically).
Result<void> request_sync(const DataDir& dir, std::int64_t now);

}  // namespace ik::core
