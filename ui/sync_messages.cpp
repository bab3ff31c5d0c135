#include "ui/sync_messages.hpp"

#include <algorithm>
#include <array>

namespace ik::ui {
namespace {

using core::SyncFailure;

// Reasons of rules 1-7 of docs/bundle-format.md: HQ could not open the bundle at all. Such a
// receipt carries zeros for the bundle id and sequence, so this kiosk does not match it today and
// the screen never shows these; they share one sentence so a future kiosk that does is ready.
constexpr std::array<std::string_view, 17> kUnopened = {
    "size",         "magic",         "version",      "reserved",       "recipient",
    "sealed-key",   "stream-header", "truncated",    "chunk-length",   "chunk-auth",
    "chunk-tag",    "trailing",      "inner-length", "manifest-magic", "manifest-version",
    "payload-kind", "payload-length"};

}  // namespace

const char* sync_failure_msgid(SyncFailure kind, std::string_view transport) {
  // A USB sync starts when the stick goes in (udev), not with "Sync now" (a network sync): the
  // USB sentences send the officer to the stick.
  switch (kind) {
    case SyncFailure::UsbNotWritable:
      return IK_N_(
          "The USB stick cannot be written to: it may be write-protected (a small switch on its "
          "side). Slide the switch back or use another sync stick from HQ, then put the stick in "
          "again.");
    case SyncFailure::UsbFull:
      return IK_N_("The USB stick is full. Use another sync stick from HQ and put it in.");
    case SyncFailure::UsbRemoved:
      return IK_N_(
          "The USB stick was taken out before the copy finished. Put it in again and leave it in "
          "until this screen says the sync is done.");
    case SyncFailure::UsbVerifyFailed:
      return IK_N_(
          "The copy on the USB stick did not match the original: the stick may be failing. Use "
          "another sync stick from HQ and tell HQ about this one.");
    case SyncFailure::UsbConflict:
      return IK_N_(
          "The USB stick holds files this kiosk did not write where its bundles go. Nothing on it "
          "was changed. Use another sync stick from HQ and call HQ support.");
    case SyncFailure::UsbIo:
      return IK_N_(
          "The USB stick could not be read or written. Take it out and put it in again; if this "
          "happens again, use another sync stick from HQ.");
    case SyncFailure::HqUnreachable:
      return IK_N_(
          "HQ's server could not be reached. Check this kiosk's network connection, then press "
          "Sync now. The kiosk also tries again by itself.");
    case SyncFailure::HqTimeout:
      return IK_N_(
          "HQ's server did not answer in time: the network is slow or HQ is overloaded. Press Sync "
          "now later; the kiosk also tries again by itself.");
    case SyncFailure::HqCertificate:
      return IK_N_(
          "HQ's server did not prove it is HQ, so nothing was sent. Call HQ support: the network "
          "may be redirecting this kiosk, or HQ's certificate has changed.");
    case SyncFailure::HqBusy:
      return IK_N_(
          "HQ's server is busy right now. The kiosk tries again by itself; you can also press Sync "
          "now later.");
    case SyncFailure::HqRefused:
      return IK_N_(
          "HQ's server refused a bundle from this kiosk. Call HQ support and give them the code "
          "below.");
    case SyncFailure::HqBadAnswer:
      return IK_N_(
          "HQ's server gave an answer this kiosk cannot use. Call HQ support and give them the "
          "code below.");
    case SyncFailure::OutboxUnreadable:
      return IK_N_("This kiosk could not read the bundles waiting to be sent. Call HQ support.");
    case SyncFailure::InboxUnwritable:
      return IK_N_(
          "This kiosk could not store HQ's receipt: its disk may be full. Call HQ support.");
    case SyncFailure::Setup:
      return IK_N_("Sync is not set up correctly on this kiosk. Call HQ support.");
    case SyncFailure::Stopped:
      return IK_N_(
          "The sync was stopped before it finished (the kiosk may have been shutting down). Press "
          "Sync now to finish it.");
    case SyncFailure::Internal:
      return IK_N_(
          "The sync agent stopped because of a problem of its own. Press Sync now to try again; if "
          "it fails again, call HQ support.");
    case SyncFailure::Unknown:
      break;
  }
  if (transport == "usb")
    return IK_N_(
        "The last sync with the USB stick did not finish. Take the stick out and put it in again; "
        "if it fails again, call HQ support.");
  return IK_N_(
      "The last sync did not finish. Press Sync now to try again; if it fails again, call HQ "
      "support.");
}

const char* hq_rejection_general_msgid() {
  return IK_N_("Call HQ support and give them the code below.");
}

const char* hq_rejection_msgid(std::string_view reason) {
  // The reasons a receipt this kiosk matches can carry: HQ opened the bundle (rules 8-12).
  if (reason == "unknown-device")
    return IK_N_(
        "HQ does not know this kiosk: it has not been enrolled at HQ. Call HQ support to enrol it; "
        "until then its bundles wait here.");
  if (reason == "revoked-device")
    return IK_N_(
        "HQ no longer accepts bundles from this kiosk. Call HQ support: this kiosk has been "
        "revoked.");
  if (reason == "signature")
    return IK_N_("HQ could not confirm that this kiosk signed the bundle. Call HQ support.");
  if (reason == "payload-hash")
    return IK_N_("The bundle's contents did not match what this kiosk signed. Call HQ support.");
  if (reason == "replay")
    return IK_N_(
        "HQ already has a different bundle with the same number from this kiosk. Call HQ support.");
  if (reason == "payload-json")
    return IK_N_("HQ could not read the records in the bundle. Call HQ support.");
  if (std::find(kUnopened.begin(), kUnopened.end(), reason) != kUnopened.end())
    return IK_N_(
        "HQ could not open the bundle: it was damaged, cut short or sealed for another key. Call "
        "HQ support.");
  return hq_rejection_general_msgid();
}

}  // namespace ik::ui
