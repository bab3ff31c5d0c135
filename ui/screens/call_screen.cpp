// PLACEHOLDER being written in this change.
#include "ui/screens/pending.hpp"

namespace ik::ui {
std::unique_ptr<ScreenController> make_call_screen() { return std::make_unique<PendingScreen>("Hotline call"); }
}  // namespace ik::ui
