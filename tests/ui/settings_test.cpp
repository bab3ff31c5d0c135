// Device settings in Administration: auto-lock minutes, languages offered, retention days —
// edited on the kiosk, refused with the problem under the field (in the language on screen,
// what was typed kept), saved encrypted and audited, and applied: the kiosk locks itself on the
// new time, offers only the chosen languages (on the lock screen too), and a restart keeps them.
#include <algorithm>

#include "core/audit.hpp"
#include "core/device_settings.hpp"
#include "tests/ui/harness.hpp"

namespace ik::ui::testing {
namespace {

class DeviceSettings : public UiTest {
 protected:
  bool open_admin() { return unlock_as("Admin") && driver->tap("Administration") && app->screen() == Screen::Admin; }
  bool tap_in(std::string_view key) { return driver->reveal(key, "scroll:admin") && driver->tap(key); }
  // Empties a number field on the keyboard and types a new value.
  bool set_field(std::string_view field, std::string_view text) {
    if (!tap_in(fmt::format("field:{}", field)) || !keyboard().is_active(field)) return false;
    for (int i = 0; i < 12; ++i)
      if (!driver->tap("key:backspace")) return false;
    return driver->type(text) && driver->tap("key:done");
  }
  std::string value(std::string_view id) {
    const auto* it = driver->find(id);
    return it ? it->value : "<not on screen>";
  }
  std::vector<std::string> errors_shown() {
    std::vector<std::string> out;
    for (const auto& it : semantics().items())
      if (it.id == "error") out.push_back(it.label);
    return out;
  }
  bool shows_error(std::string_view text) {
    const auto e = errors_shown();
    return std::find(e.begin(), e.end(), text) != e.end();
  }
  core::Session session_as(std::string_view name) {
    for (const auto& s : core::kDemoStaff)
      if (s.name == name) {
        auto r = core::unlock(dir, name, test::secret(s.passphrase));
        EXPECT_TRUE(r) << r.error().message;
        if (r) return std::move(*r);
      }
    return core::Session{};
  }
  core::StoredDeviceSettings stored() {
    auto s = session_as("Auditor");
    auto r = core::read_device_settings(s);
    EXPECT_TRUE(r);
    return r ? *r : core::StoredDeviceSettings{};
  }
};

TEST_F(DeviceSettings, ABadValueIsShownUnderItsFieldAndAGoodOneChangesTheAutoLock) {
  ASSERT_TRUE(open_admin()) << driver->dump();
  EXPECT_EQ(value("field:auto_lock_minutes"), "2") << "the configuration file's 120 s";
  ASSERT_TRUE(set_field("auto_lock_minutes", "45"));
  ASSERT_TRUE(tap_in("btn:save-settings"));
  const std::string msgid = "Enter a whole number of minutes from 1 to 30.";
  EXPECT_TRUE(shows_error(msgid)) << driver->dump();
  EXPECT_EQ(value("field:auto_lock_minutes"), "45") << "what was typed stays, to be corrected";
  EXPECT_EQ(app->auto_lock_seconds(), 120) << "nothing applied";
  // The problem is said in the language on screen.
  ASSERT_TRUE(driver->tap("lang:ru"));
  EXPECT_FALSE(shows_error(msgid));
  EXPECT_TRUE(shows_error(tr(msgid))) << driver->dump();
  EXPECT_NE(std::string(tr(msgid)), msgid);
  ASSERT_TRUE(driver->tap("lang:en"));

  ASSERT_TRUE(set_field("auto_lock_minutes", "1"));
  EXPECT_FALSE(shows_error(msgid)) << "the problem follows the correction";
  ASSERT_TRUE(tap_in("btn:save-settings"));
  EXPECT_TRUE(driver->shows("Device settings saved.")) << driver->dump();
  EXPECT_EQ(app->auto_lock_seconds(), 60);
  EXPECT_FALSE(app->session() == nullptr);
  idle(45);
  EXPECT_EQ(app->screen(), Screen::Admin) << "45 s idle: still open";
  idle(20);
  EXPECT_EQ(app->screen(), Screen::Lock) << "locked after one minute, the new setting";

  const auto st = stored();
  EXPECT_EQ(st.auto_lock_minutes, 1);
  EXPECT_EQ(st.retention_days, 90);
  ASSERT_TRUE(st.languages);
  EXPECT_EQ(st.languages->size(), 3u);
  auto s = session_as("Auditor");
  auto log = core::audit_entries(s, 1, 100000);
  ASSERT_TRUE(log);
  EXPECT_TRUE(std::any_of(log->begin(), log->end(), [](const storage::AuditRecord& e) {
    return e.action == "device_settings" && e.actor_name == "Admin" &&
           e.detail == "auto_lock_minutes=1 languages=az,ru,en retention_days=90";
  }));
}

TEST_F(DeviceSettings, LanguagesOfferedAndRetentionAreCheckedSavedAndKeptAcrossARestart) {
  ASSERT_TRUE(open_admin());
  for (const char* l : {"offer:az", "offer:ru", "offer:en"}) {
    ASSERT_EQ(value(l), "on") << l;
    ASSERT_TRUE(tap_in(l));
    EXPECT_EQ(value(l), "off") << l;
  }
  ASSERT_TRUE(set_field("retention_days", "20"));
  ASSERT_TRUE(tap_in("btn:save-settings"));
  EXPECT_TRUE(shows_error("Offer at least one language.")) << driver->dump();
  EXPECT_TRUE(shows_error("Enter a whole number of days from 30 to 3650."));
  EXPECT_EQ(value("field:retention_days"), "20");
  EXPECT_FALSE(stored().retention_days) << "nothing stored";

  ASSERT_TRUE(tap_in("offer:az"));
  ASSERT_TRUE(tap_in("offer:ru"));
  ASSERT_TRUE(set_field("retention_days", "400"));
  EXPECT_TRUE(errors_shown().empty()) << driver->dump();
  ASSERT_TRUE(tap_in("btn:save-settings"));
  EXPECT_EQ(app->retention_days(), 400);
  ASSERT_EQ(app->languages().size(), 2u);
  // English is no longer offered: the screen moved to the first offered language, and the
  // status bar offers the two.
  EXPECT_EQ(language(), core::Lang::Az);
  EXPECT_TRUE(driver->find("lang:az"));
  EXPECT_TRUE(driver->find("lang:ru"));
  EXPECT_FALSE(driver->find("lang:en"));
  ASSERT_TRUE(driver->tap("btn:lock"));
  EXPECT_TRUE(driver->find("lang:ru")) << "the lock screen offers the same";
  EXPECT_FALSE(driver->find("lang:en"));

  // A restart: the lock screen shows the configuration file's languages until someone unlocks
  // (the settings live inside the encrypted database); then the saved ones apply again.
  start(core::Lang::En);
  EXPECT_TRUE(driver->find("lang:en"));
  ASSERT_TRUE(unlock_as("Leyla"));
  EXPECT_EQ(app->retention_days(), 400);
  EXPECT_EQ(app->languages().size(), 2u);
  EXPECT_FALSE(driver->find("lang:en"));
  EXPECT_EQ(language(), core::Lang::Az);
}

TEST_F(DeviceSettings, OnlyAnAdministratorChangesThemAndTheRulesAreCores) {
  auto leyla = session_as("Leyla");
  core::DeviceSettingsForm f{"5", "90", {core::Lang::Az}};
  auto r = core::save_device_settings(leyla, f);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, core::Errc::PermissionDenied);
  EXPECT_TRUE(core::read_device_settings(leyla)) << "anyone unlocked may read them";
  leyla.lock();

  auto field_of = [](const core::DeviceSettingsForm& form) {
    std::vector<std::string> out;
    for (const auto& e : core::validate_device_settings(form)) out.push_back(e.field);
    return out;
  };
  using V = std::vector<std::string>;
  EXPECT_EQ(field_of({" 5 ", "30", {core::Lang::Ru}}), V{});
  EXPECT_EQ(field_of({"30", "3650", {core::Lang::En}}), V{});
  for (const char* bad : {"0", "31", "", "abc", "1.5", "-1", "99999999"})
    EXPECT_EQ(field_of({bad, "90", {core::Lang::Az}}), V{"auto_lock_minutes"}) << bad;
  for (const char* bad : {"29", "3651", "", "x"})
    EXPECT_EQ(field_of({"2", bad, {core::Lang::Az}}), V{"retention_days"}) << bad;
  EXPECT_EQ(field_of({"2", "90", {}}), V{"languages"});

  auto admin = session_as("Admin");
  auto ok = core::save_device_settings(admin, {"7", "365", {core::Lang::Ru, core::Lang::Az, core::Lang::Ru}});
  ASSERT_TRUE(ok) << ok.error().message;
  EXPECT_EQ(ok->auto_lock_minutes, 7);
  EXPECT_EQ(core::join_langs(ok->languages), "az,ru") << "repeats dropped, in the kiosk's order";
  auto back = core::read_device_settings(admin);
  ASSERT_TRUE(back);
  EXPECT_EQ(back->auto_lock_minutes, 7);
  EXPECT_EQ(back->retention_days, 365);
}

}  // namespace
}  // namespace ik::ui::testing
