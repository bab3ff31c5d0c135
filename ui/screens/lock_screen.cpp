// Lock screen.
// Shows: the staff who can unlock (names of staff only, from the keyslot file), a passphrase
// field on the on-screen keyboard, the language switch, and a clear message on a wrong
// passphrase or a locked slot (with the remaining wait).
// Emits: unlock(user, passphrase), language change.
// Never: shows anything from the records, or keeps the passphrase outside sodium memory.
#include <fmt/format.h>

#include "core/session.hpp"
#include "ui/app.hpp"
#include "ui/fonts.hpp"
#include "ui/i18n.hpp"
#include "ui/osk.hpp"
#include "ui/scenes.hpp"
#include "ui/theme.hpp"
#include "ui/widgets.hpp"

namespace ik::ui {
namespace {

constexpr std::size_t kMaxPassphrase = 256;

struct LockVm {
  std::vector<crypto::SlotStatus> staff;
  std::string load_error;
  std::string selected;
  crypto::SecureBuffer passphrase{kMaxPassphrase};
  std::size_t length = 0;
  std::string message;  // translated
};

class LockScreen final : public ScreenController {
 public:
  void enter(AppContext& ctx) override {
    wipe();
    auto slots = core::staff_slots(ctx.config().data);
    if (!slots) vm_.load_error = tr("This device is not set up or its key file is damaged.");
    else vm_.staff = std::move(*slots);
  }

  void wipe() override {
    vm_.selected.clear();
    vm_.message.clear();
    clear_passphrase();
  }

  void draw(AppContext& ctx) override {
    const auto& m = metrics();
    begin_content("##lock");
    // Language switch, top right: the languages this device offers (its settings, as last read
    // while unlocked, else the configuration file's).
    const auto& langs = ctx.languages();
    ImGui::SetCursorPosX(ImGui::GetWindowWidth() - static_cast<float>(langs.size()) * (m.touch_px * 1.3f + m.gap) - m.gap * 2);
    for (const auto l : langs) {
      const std::string code(core::lang_code(l));
      const std::string name = code == "az" ? "AZ" : code == "ru" ? "RU" : "EN";
      if (button(name, ImVec2(m.touch_px * 1.3f, 0), language() == l ? Style::Primary : Style::Secondary, true,
                 "lang:" + code))
        set_language(l);
      ImGui::SameLine();
    }
    ImGui::NewLine();
    title(tr("Intake Kiosk"));
    muted(tr("Locked. Choose your name and enter your passphrase."));
    ImGui::Spacing();
    if (!vm_.load_error.empty()) {
      error_text(vm_.load_error);
      end_content();
      return;
    }
    const float tile_w = std::max(m.touch_px * 4.5f, 240.0f);
    const int per_row = std::max(1, static_cast<int>((ImGui::GetContentRegionAvail().x + m.gap) / (tile_w + m.gap)));
    int i = 0;
    for (const auto& s : vm_.staff) {
      if (i++ % per_row) ImGui::SameLine();
      const bool sel = vm_.selected == s.name;
      if (button(s.name, ImVec2(tile_w, m.touch_px * 1.4f), sel ? Style::Primary : Style::Secondary, true,
                 "staff:" + s.name)) {
        vm_.selected = s.name;
        vm_.message.clear();
        clear_passphrase();
        keyboard().activate("passphrase", FieldKind::Secret);
      }
    }
    ImGui::Spacing();
    if (!vm_.selected.empty()) {
      ImGui::PushItemWidth(std::min(ImGui::GetContentRegionAvail().x, m.touch_px * 12));
      ImGui::BeginGroup();
      ImGui::SetNextItemWidth(m.touch_px * 12);
      ImGui::BeginChild("##pass", ImVec2(std::min(ImGui::GetContentRegionAvail().x, m.touch_px * 12), m.touch_px * 3.4f),
                        false, ImGuiWindowFlags_NoScrollbar);
      secret_field("passphrase", trf("Passphrase for {}", vm_.selected), &vm_.passphrase, &vm_.length,
                   vm_.message.empty() ? nullptr : vm_.message.c_str());
      ImGui::EndChild();
      ImGui::EndGroup();
      ImGui::PopItemWidth();
      if (button(tr("Unlock"), ImVec2(m.touch_px * 5, 0), Style::Primary, vm_.length > 0, "btn:unlock")) try_unlock(ctx);
      if (keyboard().is_active("passphrase") && ImGui::IsKeyPressed(ImGui::GetIO().KeyMap[ImGuiKey_Enter]))
        try_unlock(ctx);
    }
    end_content();
  }

 private:
  void clear_passphrase() {
    vm_.passphrase.clear();
    vm_.length = 0;
  }

  void try_unlock(AppContext& ctx) {
    auto pass = crypto::SecureBuffer::copy_of({vm_.passphrase.data(), vm_.length});
    clear_passphrase();
    keyboard().deactivate();
    auto r = static_cast<KioskApp&>(ctx).unlock(vm_.selected, pass);
    if (r) return;  // the app has moved on (and wiped this screen)
    // The slot's state after this attempt decides what to say: wrong, wait, or locked.
    std::optional<crypto::SlotStatus> slot;
    if (auto slots = core::staff_slots(ctx.config().data)) {
      vm_.staff = std::move(*slots);
      for (const auto& st : vm_.staff)
        if (st.name == vm_.selected) slot = st;
    }
    const std::int64_t wait = slot ? slot->not_before - core::now_unix() : 0;
    using E = core::Errc;
    const auto code = r.error().code;
    if (code == E::SlotLocked || (slot && slot->locked)) {
      vm_.message = tr("This passphrase is locked after too many attempts. Ask an administrator.");
    } else if (code == E::SlotDelayed || wait > 0) {
      vm_.message = std::string(code == E::WrongPassphrase ? tr("Wrong passphrase.") : "") +
                    (code == E::WrongPassphrase ? " " : "") +
                    trf("Too many wrong passphrases. Try again in {} seconds.", std::to_string(std::max<std::int64_t>(wait, 1)));
    } else if (code == E::WrongPassphrase) {
      vm_.message = tr("Wrong passphrase.");
    } else if (code == E::UnknownUser || code == E::UserDisabled) {
      vm_.message = tr("This account cannot unlock the device.");
    } else {
      vm_.message = tr("The device could not be unlocked.");
    }
    keyboard().activate("passphrase", FieldKind::Secret);
  }

  LockVm vm_;
};

}  // namespace

std::unique_ptr<ScreenController> make_lock_screen() { return std::make_unique<LockScreen>(); }

namespace {
const bool kScenes = register_scene({0, "lock", [](Driver& d) { return d.tap("staff:Aysel"); }}) &&
                     register_scene({1, "lock-wrong-passphrase", [](Driver& d) {
                                       return d.tap("staff:Aysel") && d.type("not-it-1") && d.tap("btn:unlock");
                                     }});
}  // namespace

}  // namespace ik::ui
