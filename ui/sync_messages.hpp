#pragma once
// What the Sync screen says, in the officer's language, when the sync agent's last run failed and
// when HQ refused a bundle: one plain sentence each, saying what to do where there is something
// to do. The codes themselves (the agent's kind, HQ's reason name) are not translated: the screen
// shows them in small print for HQ support.
//
// The functions return msgids (the English text, marked for xgettext); pass them to tr(). Tests
// compare the screen with the catalogues through the same msgids.
#include <string_view>

#include "core/sync_status.hpp"

namespace ik::ui {

// Why the agent failed. Unknown (a status file without a code, or a code this kiosk does not
// know) gets a general sentence, which depends on the transport ("usb" or "https"): a USB sync
// starts again with the stick, a network sync with "Sync now".
const char* sync_failure_msgid(core::SyncFailure kind, std::string_view transport);

// Why HQ refused a bundle, from the reason name its signed receipt carries (docs/bundle-format.md,
// "Reading a bundle: the rules"). A name this kiosk does not know gets a general sentence.
const char* hq_rejection_msgid(std::string_view reason);

// The general sentences, for callers and tests that need to tell them apart.
const char* hq_rejection_general_msgid();

}  // namespace ik::ui
