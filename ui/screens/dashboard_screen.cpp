// PLACEHOLDER being written in this change.
#include "ui/screens/pending.hpp"

namespace ik::ui {
std::unique_ptr<ScreenController> make_dashboard_screen() { return std::make_unique<PendingScreen>("Dashboard"); }
}  // namespace ik::ui
