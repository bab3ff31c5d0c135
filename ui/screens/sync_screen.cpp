// The Sync screen arrives with the sync issue (sealed bundles, USB, network); until then no tile
// leads here and it shows only its title.
#include "ui/screens/pending.hpp"

namespace ik::ui {
std::unique_ptr<ScreenController> make_sync_screen() { return std::make_unique<PendingScreen>("Sync"); }
}  // namespace ik::ui
