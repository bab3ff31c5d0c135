// Home screen.
// Shows: large tiles for what the signed-in role may do — new shelter intake, hotline call,
// cases, beds, dashboard, sync, administration. (The status bar with the lock button is drawn
// by the app on every unlocked screen.)
// Emits: navigation.
// Never: shows a tile for something the role may not do (core/ would refuse it anyway).
#include "core/permissions.hpp"
#include "ui/app.hpp"
#include "ui/i18n.hpp"
#include "ui/scenes.hpp"
#include "ui/theme.hpp"
#include "ui/widgets.hpp"

namespace ik::ui {
namespace {

class HomeScreen final : public ScreenController {
 public:
  void wipe() override {}
  void draw(AppContext& ctx) override {
    auto* s = ctx.session();
    if (s == nullptr) return;
    const auto& m = metrics();
    begin_content("##home");
    title(trf("Hello, {}", s->actor().name));
    ImGui::Spacing();
    struct Tile {
      const char* label;
      const char* caption;
      core::Action needs;
      Screen to;
    };
    const Tile tiles[] = {
        {IK_N_("New shelter intake"), IK_N_("Register a person arriving at the shelter"), core::Action::RegisterIntake, Screen::Intake},
        {IK_N_("Hotline call"), IK_N_("Log a call as it happens"), core::Action::LogCall, Screen::Call},
        {IK_N_("Cases"), IK_N_("Find and follow cases"), core::Action::ViewCases, Screen::Cases},
        {IK_N_("Beds"), IK_N_("Who sleeps where, free beds"), core::Action::ViewBeds, Screen::Beds},
        {IK_N_("Dashboard"), IK_N_("Intakes, calls and occupancy"), core::Action::ViewStats, Screen::Dashboard},
        {IK_N_("Sync"), IK_N_("What waits for HQ; send it now"), core::Action::Sync, Screen::Sync},
        {IK_N_("Administration"), IK_N_("Staff, device settings, keys"), core::Action::ManageUsers, Screen::Admin},
        {IK_N_("Audit log"), IK_N_("Who saw or changed what"), core::Action::ViewAudit, Screen::Admin},
    };
    const float avail = ImGui::GetContentRegionAvail().x;
    const float cols = avail > m.touch_px * 16 ? 3.0f : 2.0f;
    const ImVec2 size((avail - m.gap * (cols - 1)) / cols, std::max(m.touch_px * 3.0f, m.font_px * 6));
    int shown = 0;
    for (const auto& t : tiles) {
      if (!core::allowed(s->actor().role, t.needs)) continue;
      if (shown++ % static_cast<int>(cols)) ImGui::SameLine();
      if (tile(tr(t.label), tr(t.caption), size)) ctx.navigate(t.to);
    }
    end_content();
  }
};

}  // namespace

std::unique_ptr<ScreenController> make_home_screen() { return std::make_unique<HomeScreen>(); }

namespace {
const bool kScenes = register_scene({10, "home-coordinator", [](Driver& d) { return unlock_demo(d, "Leyla"); }}) &&
                     register_scene({11, "home-officer", [](Driver& d) { return unlock_demo(d, "Aysel"); }}) &&
                     register_scene({12, "home-admin", [](Driver& d) { return unlock_demo(d, "Admin"); }});
}  // namespace

}  // namespace ik::ui
