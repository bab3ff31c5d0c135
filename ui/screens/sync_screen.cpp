// PLACEHOLDER being written in this change.
#include "ui/screens/pending.hpp"

namespace ik::ui {
std::unique_ptr<ScreenController> make_sync_screen() { return std::make_unique<PendingScreen>("Sync"); }
}  // namespace ik::ui
