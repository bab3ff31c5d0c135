// PLACEHOLDER being written in this change.
#include "ui/screens/pending.hpp"

namespace ik::ui {
std::unique_ptr<ScreenController> make_case_screen() { return std::make_unique<PendingScreen>("Case"); }
void case_screen_set_case(ScreenController&, std::int64_t) {}
}  // namespace ik::ui
