// The lock screen and the app's privacy rules, driven like a finger on a headless kiosk.
#include "tests/ui/harness.hpp"

namespace ik::ui::testing {
namespace {

TEST_F(UiTest, LockScreenListsStaffOnly) {
  for (const auto& s : core::kDemoStaff) EXPECT_TRUE(driver->find(fmt::format("staff:{}", s.name))) << s.name;
  // Nothing from the records: the demo family names all carry one of these stems.
  for (const char* stem : {"Nümunə", "Sınaq", "Örnək", "Misal", "Fiktiv", "Пример", "IK-"})
    EXPECT_FALSE(driver->shows(stem)) << stem;
}

TEST_F(UiTest, WrongPassphraseShowsAClearMessageAndStaysLocked) {
  ASSERT_TRUE(driver->tap("staff:Aysel"));
  ASSERT_TRUE(keyboard().is_active("passphrase")) << "the keyboard opens for the passphrase";
  ASSERT_TRUE(driver->type("wrong-pass-1"));
  const auto* field = driver->find("field:passphrase");
  ASSERT_NE(field, nullptr);
  EXPECT_EQ(field->value.find("wrong"), std::string::npos) << "the passphrase is never shown";
  ASSERT_TRUE(driver->tap("btn:unlock"));
  EXPECT_TRUE(driver->shows("Wrong passphrase.")) << driver->dump();
  EXPECT_EQ(app->screen(), Screen::Lock);
  EXPECT_EQ(app->session(), nullptr);
}

TEST_F(UiTest, SuccessfulUnlockShowsHomeWithRoleTilesAndLockButton) {
  ASSERT_TRUE(unlock_as("Aysel")) << driver->dump();
  EXPECT_EQ(app->screen(), Screen::Home);
  ASSERT_NE(app->session(), nullptr);
  EXPECT_TRUE(driver->find("btn:lock"));
  EXPECT_TRUE(driver->shows("New shelter intake"));
  EXPECT_TRUE(driver->shows("Cases"));
  EXPECT_FALSE(driver->shows("Administration")) << "an officer has no administration tile";
  EXPECT_FALSE(driver->shows("Audit log"));
}

TEST_F(UiTest, LockButtonWipesTheSessionBeforeTheNextFrame) {
  ASSERT_TRUE(unlock_as("Leyla"));
  ASSERT_TRUE(driver->tap("btn:lock"));
  EXPECT_EQ(app->screen(), Screen::Lock);
  EXPECT_EQ(app->session(), nullptr);
  EXPECT_FALSE(driver->shows("Leyla · "));
}

TEST_F(UiTest, AutoLockAfterIdleTime) {
  start(core::Lang::En, 30);
  ASSERT_TRUE(unlock_as("Leyla"));
  idle(10);
  EXPECT_EQ(app->screen(), Screen::Home);
  idle(25);
  EXPECT_EQ(app->screen(), Screen::Lock);
  EXPECT_EQ(app->session(), nullptr);
}

TEST_F(UiTest, TooManyWrongPassphrasesShowTheWait) {
  for (int i = 0; i < 4; ++i) {
    ASSERT_TRUE(driver->tap("staff:Murad"));
    ASSERT_TRUE(driver->type("nope-nope"));
    ASSERT_TRUE(driver->tap("btn:unlock"));
  }
  EXPECT_TRUE(driver->shows("Too many wrong passphrases")) << driver->dump();
  ASSERT_TRUE(driver->tap("staff:Murad"));
  ASSERT_TRUE(driver->type("demo-hotline-pass"));
  ASSERT_TRUE(driver->tap("btn:unlock"));
  EXPECT_EQ(app->screen(), Screen::Lock) << "even the right passphrase waits";
  EXPECT_TRUE(driver->shows("Try again in")) << driver->dump();
}

TEST_F(UiTest, LanguageSwitchesAtRuntime) {
  start(core::Lang::Az);
  EXPECT_EQ(language(), core::Lang::Az);
  ASSERT_TRUE(driver->tap("lang:ru"));
  EXPECT_EQ(language(), core::Lang::Ru);
  ASSERT_TRUE(driver->tap("lang:en"));
  EXPECT_TRUE(driver->shows("Locked. Choose your name and enter your passphrase."));
}

TEST_F(UiTest, TheKeyboardLayoutFollowsTheLanguage) {
  ASSERT_TRUE(driver->tap("lang:ru"));
  ASSERT_TRUE(driver->tap("staff:Aysel"));
  EXPECT_TRUE(driver->find("key:й")) << "Russian layout after switching to Russian";
  ASSERT_TRUE(driver->tap("lang:az"));
  EXPECT_TRUE(driver->find("key:ə")) << "Azerbaijani layout after switching back";
}

TEST_F(UiTest, TouchTargetsAreAtLeastTenMillimetres) {
  ASSERT_TRUE(unlock_as("Leyla"));
  const float min_px = metrics().mm(10.0f) - 0.5f;
  for (const auto& it : semantics().items()) {
    if (it.kind == ItemKind::Text) continue;
    EXPECT_GE(it.max.y - it.min.y, min_px) << it.id;
    EXPECT_GE(it.max.x - it.min.x, min_px) << it.id;
  }
}

TEST_F(UiTest, HoverIsClearedWhenTheFingerLifts) {
  ASSERT_TRUE(driver->tap("staff:Aysel"));
  EXPECT_LT(ImGui::GetIO().MousePos.x, -1e30f) << "after a tap nothing stays under a hovering pointer";
}

}  // namespace
}  // namespace ik::ui::testing
