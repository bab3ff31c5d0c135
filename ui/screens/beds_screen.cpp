// PLACEHOLDER being written in this change.
#include "ui/screens/pending.hpp"

namespace ik::ui {
std::unique_ptr<ScreenController> make_beds_screen() { return std::make_unique<PendingScreen>("Beds"); }
}  // namespace ik::ui
