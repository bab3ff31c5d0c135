#pragma once
// A screen whose controller is being written: shows its title only. Nothing ships with one
// (the home screen offers no tile that leads to a pending screen).
#include "ui/app.hpp"
#include "ui/i18n.hpp"
#include "ui/widgets.hpp"

namespace ik::ui {

class PendingScreen final : public ScreenController {
 public:
  explicit PendingScreen(const char* t) : title_(t) {}
  void wipe() override {}
  void draw(AppContext&) override {
    begin_content("##pending");
    title(tr(title_));
    end_content();
  }

 private:
  const char* title_;
};

}  // namespace ik::ui
