#pragma once
// What the kiosk shows about sync without touching a stick or a socket: the sync agent's status
// file (DataDir::sync_dir()/status.json, written atomically by `intakectl sync`) and the kiosk's
// "sync now" request (sync_dir()/request, which a systemd path unit turns into a network sync).
// Needs no key; never holds personal data (counts, times, reason names only).
#include <cstdint>
#include <string>
#include <string_view>

#include "core/data_dir.hpp"
#include "core/error.hpp"

namespace ik::core {

// Why the agent's last run failed, as a short stable code in the status file ("error_kind"), so
// the kiosk can say it in the officer's language; AgentStatus::error keeps the agent's English
// sentence for the journal and the CLI. The codes are part of the file: add new ones, never rename
// or reuse one (an older kiosk reads a code it does not know as Unknown, not as damage).
enum class SyncFailure {
  Unknown,           // no code: a file from an agent older than the codes, or a code not known here
  UsbNotWritable,    // "usb-not-writable": write-protected (read-only) or refused writing
  UsbFull,           // "usb-full"
  UsbRemoved,        // "usb-removed": the stick went away (pulled out mid-copy, or not there)
  UsbVerifyFailed,   // "usb-verify-failed": a copy read back from the stick differs
  UsbConflict,       // "usb-conflict": a file or link on the stick where this device's files go
  UsbIo,             // "usb-io": another read or write error on the stick
  HqUnreachable,     // "hq-unreachable": no connection to HQ's server, after every attempt
  HqTimeout,         // "hq-timeout": HQ's server did not answer in time, after every attempt
  HqCertificate,     // "hq-certificate": not the pinned certificate (TLS)
  HqBusy,            // "hq-busy": HTTP 429/502/503/504, after every attempt
  HqRefused,         // "hq-refused": HTTP 4xx for a bundle
  HqBadAnswer,       // "hq-bad-answer": an answer that is no receipt (too long, 3xx, 5xx)
  OutboxUnreadable,  // "outbox-unreadable": outbox/ or a bundle in it cannot be read or sent
  InboxUnwritable,   // "inbox-unwritable": HQ's receipt cannot be stored in inbox/
  Setup,             // "setup": device.pub, HQ's address or HQ's certificate file unusable
  Stopped,           // "stopped": the agent was told to stop before it finished (SIGTERM)
  Internal,          // "internal": the agent's own trouble (the network library would not start)
};
inline constexpr SyncFailure kAllSyncFailures[] = {
    SyncFailure::UsbNotWritable, SyncFailure::UsbFull,       SyncFailure::UsbRemoved,
    SyncFailure::UsbVerifyFailed, SyncFailure::UsbConflict,  SyncFailure::UsbIo,
    SyncFailure::HqUnreachable,  SyncFailure::HqTimeout,     SyncFailure::HqCertificate,
    SyncFailure::HqBusy,         SyncFailure::HqRefused,     SyncFailure::HqBadAnswer,
    SyncFailure::OutboxUnreadable, SyncFailure::InboxUnwritable, SyncFailure::Setup,
    SyncFailure::Stopped,        SyncFailure::Internal};
// "usb-full"; "" for Unknown.
std::string_view sync_failure_code(SyncFailure kind);
// The kind of a code; Unknown for "" and for any code this build does not know.
SyncFailure parse_sync_failure(std::string_view code);

struct AgentStatus {
  enum class State { Never, Running, Done, Failed } state = State::Never;
  std::string transport;            // "usb" | "https" | ""
  bool usb_present = false;         // a stick is mounted for sync right now
  int files_done = 0, files_total = 0;
  std::int64_t bytes_done = 0, bytes_total = 0;
  std::int64_t updated_at = 0, finished_at = 0;
  std::string error;                // the agent's English sentence, empty when none
  SyncFailure failure = SyncFailure::Unknown;  // what kind of failure (State::Failed)
};

// A missing file is State::Never; a damaged or oversized one (> 64 KiB) is an error.
Result<AgentStatus> read_agent_status(const DataDir& dir);
Result<void> write_agent_status(const DataDir& dir, const AgentStatus& status);  // atomic
// Pending bundle files in outbox/ (names only; no key needed).
int count_outbox_files(const DataDir& dir);
// Asks the sync agent for a network sync (touches sync/request atomically).
Result<void> request_sync(const DataDir& dir, std::int64_t now);

}  // namespace ik::core
