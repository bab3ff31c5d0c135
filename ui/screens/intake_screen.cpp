// PLACEHOLDER being written in this change.
#include "ui/screens/pending.hpp"

namespace ik::ui {
std::unique_ptr<ScreenController> make_intake_screen() { return std::make_unique<PendingScreen>("New shelter intake"); }
void intake_screen_start_from_call(ScreenController&, AppContext&, std::int64_t) {}
}  // namespace ik::ui
