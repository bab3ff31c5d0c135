// The kiosk's busiest screens, built headless (issue 4): the real KioskApp on a copy of the shared
// 100,000-intake dataset (see bench/records_bench.cpp), in a real Dear ImGui context with the real
// fonts and catalogues, no GPU — what tests/ui/harness.hpp does. One iteration is one frame:
// input::begin_frame, ImGui::NewFrame, KioskApp::frame, ImGui::Render, input::end_frame. That is
// all the CPU work of a frame except the OpenGL upload and the buffer swap.
//
//   ui/lock_frame                 the lock screen (a baseline)
//   ui/cases_frame                the case list, as coordinator "Leyla", standing still
//   ui/cases_scroll               the case list while a finger drags it down, without pause:
//                                 pages of 200 are fetched from core as the rows come into view
//   ui/cases_scroll_closed        the same, filtered by status ("Closed")
//   ui/cases_scroll_end[_closed]  the same from the end of the list back up, where the kiosk
//                                 fetches its deepest pages (the list ends at the capped count)
//   ui/cases_search_frame         the list of a name search ("Nümun"), keyboard open
//   ui/cases_search_run           the one frame in which a typed search runs (core is queried
//                                 inside the frame), timed alone; not a drawing figure
//   ui/intake_review_frame        the intake wizard's review step of a filled, valid form
//   ui/intake_review_scroll       the review step while it is dragged up and down
//                                                              target: < 2 ms CPU per frame
//
// Google Benchmark's cpu_time is the mean; cpu_p50_ms, cpu_p99_ms, cpu_max_ms are the frame
// thread's CPU time per frame (nearest rank), wall_* the same in wall time (a page fetch waits
// for the disk), over_2ms the share of frames above the target, over_16ms the number of frames
// that would miss a 60 Hz refresh (wall time), vtx the vertices drawn, rss_kib
// the process's resident memory after the benchmark (the whole bench process, headless).
#include <benchmark/benchmark.h>
#include <imgui.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

#include <fmt/format.h>

#include "bench/temp_dir.hpp"
#include "core/demo_data.hpp"
#include "ui/app.hpp"
#include "ui/driver.hpp"
#include "ui/fonts.hpp"
#include "ui/i18n.hpp"
#include "ui/input.hpp"
#include "ui/osk.hpp"
#include "ui/scenes.hpp"
#include "ui/theme.hpp"
#include "ui/widgets.hpp"

#ifndef IK_BENCH_DATA_DIR
#define IK_BENCH_DATA_DIR "bench-data"
#endif

namespace ik::bench {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

constexpr int kIntakes = 100'000;
constexpr int kCalls = 200'000;
constexpr std::string_view kDatasetName = "records-100k";
const ImVec2 kDisplay(1280, 800);
constexpr float kDragPxPerFrame = 40.0f;  // a brisk drag: 2,400 px/s at 60 frames/s

fs::path data_root() {
  if (const char* e = std::getenv("IK_BENCH_DATA"); e != nullptr && *e != '\0') return e;
  return IK_BENCH_DATA_DIR;
}

// The dataset bench_records makes (and times). Made here too, untimed apart from generation.txt's
// total, when this program runs first.
std::optional<fs::path> dataset(std::string& error) {
  const fs::path dir = data_root() / kDatasetName;
  if (fs::exists(dir / "generation.txt") && fs::exists(dir / "device" / "intake.db")) return dir;
  std::error_code ec;
  fs::create_directories(data_root(), ec);
  const fs::path partial = data_root() / fmt::format("{}.partial-{}", kDatasetName, ::getpid());
  fs::remove_all(partial, ec);
  fs::create_directories(partial, ec);
  std::fprintf(stderr, "bench_ui: no dataset yet; generating %d intakes and %d calls into %s (a few minutes)…\n",
               kIntakes, kCalls, dir.c_str());
  const auto t0 = Clock::now();
  if (auto r = core::provision_demo_device(core::DataDir{partial / "device"}, kIntakes, kCalls); !r) {
    error = r.error().message;
    return std::nullopt;
  }
  const double total = std::chrono::duration<double>(Clock::now() - t0).count();
  {
    std::ofstream out(partial / "generation.txt");
    out << "mode provision_demo_device (bench_ui): staff, beds, intakes and calls in one call\n"
        << "intakes " << kIntakes << "\ncalls " << kCalls << "\ntotal_s " << fmt::format("{:.3f}", total) << '\n';
  }
  fs::rename(partial, dir, ec);
  if (ec) fs::remove_all(partial, ec);
  return dir;
}

double thread_cpu_seconds() {
  timespec ts{};
  ::clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

long proc_status_kib(const char* field) {
  std::ifstream in("/proc/self/status");
  std::string line;
  const std::string prefix = std::string(field) + ":";
  while (std::getline(in, line))
    if (line.rfind(prefix, 0) == 0) return std::atol(line.c_str() + prefix.size());
  return -1;
}

double percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  const auto rank = static_cast<std::size_t>(std::ceil(p * static_cast<double>(v.size())));
  return v[std::clamp<std::size_t>(rank, 1, v.size()) - 1];
}

// ---------------------------------------------------------------------------------------------
// A headless kiosk (tests/ui/harness.hpp without GoogleTest)

class Kiosk {
 public:
  std::string error;

  Kiosk() {
    auto cache = dataset(error);
    if (!cache) return;
    tmp_.emplace("ik-bench-ui");
    std::error_code ec;
    fs::copy(*cache / "device", *tmp_ / "device", fs::copy_options::recursive, ec);
    if (ec) {
      error = "copying the dataset: " + ec.message();
      return;
    }
    ImGui::CreateContext();
    ui::input::configure(true);
    ui::set_metrics(ui::Metrics::for_dpi(110.0f));
    ui::apply_style();
    if (auto f = ui::load_fonts(); !f) {
      error = f.error().message;
      return;
    }
    unsigned char* pixels = nullptr;
    int w = 0, h = 0;
    ImGui::GetIO().Fonts->GetTexDataAsRGBA32(&pixels, &w, &h);
    if (auto c = ui::load_catalogues(IK_LOCALE_DIR); !c) {
      error = c.error().message;
      return;
    }
    ui::KioskConfig cfg;
    cfg.data = core::DataDir{*tmp_ / "device"};
    cfg.language = core::Lang::En;
    cfg.auto_lock_seconds = 24 * 3600;  // no auto-lock in the middle of a benchmark
    app_ = std::make_unique<ui::KioskApp>(cfg);
    driver_ = std::make_unique<ui::Driver>(*app_, [this] { frame(); });
    driver_->frames(2);
  }

  ~Kiosk() {
    driver_.reset();
    app_.reset();
    ui::keyboard().deactivate();
    if (ImGui::GetCurrentContext() != nullptr) ImGui::DestroyContext();
  }

  void frame(double dt = 1.0 / 60) {
    t_ += dt;
    ui::input::begin_frame(static_cast<float>(dt), kDisplay, ImVec2(1, 1));
    ImGui::NewFrame();
    app_->frame(t_);
    ImGui::Render();
    ui::input::end_frame();
  }

  ui::KioskApp& app() { return *app_; }
  ui::Driver& driver() { return *driver_; }

  // Locks, then unlocks as `name` (straight through the app, as the screenshot scenes do).
  bool sign_in(std::string_view name) {
    if (app_->session() != nullptr) {
      app_->lock();
      driver_->frames(2);
    }
    ui::keyboard().deactivate();
    return ui::unlock_demo(*driver_, name);
  }

  // Drags a scroll region until the item is in view (as the intake UI test does).
  bool reveal(std::string_view key, std::string_view scroll = "scroll:intake") {
    for (int i = 0; i < 20; ++i) {
      const auto* it = driver_->find(key);
      const auto* sc = driver_->find(scroll);
      if (it == nullptr) return false;
      if (sc == nullptr) return true;
      const float cy = it->centre().y, top = sc->min.y + 8, bottom = sc->max.y - 8;
      if (cy >= top && cy <= bottom) return true;
      const float lim = (sc->max.y - sc->min.y) * 0.4f;
      driver_->drag(scroll, std::clamp((sc->min.y + sc->max.y) * 0.5f - cy, -lim, lim));
    }
    return false;
  }
  bool tap_in(std::string_view key) { return reveal(key) && driver_->tap(key); }
  bool type_in(std::string_view field, std::string_view text) {
    return tap_in(fmt::format("field:{}", field)) && driver_->type(text) && driver_->tap("key:done");
  }
  bool on_step(int n) {
    const auto* it = driver_->find(fmt::format("step:{}", n - 1));
    return it != nullptr && it->value == "current";
  }

 private:
  std::optional<TempDir> tmp_;
  std::unique_ptr<ui::KioskApp> app_;
  std::unique_ptr<ui::Driver> driver_;
  double t_ = 1000.0;
};

Kiosk* g_kiosk = nullptr;

// The rectangle spanned by the items whose id starts with `prefix` (rows of the list), or the
// item `prefix` itself (a scroll region), clipped to the screen.
std::optional<std::pair<ImVec2, ImVec2>> area_of(std::string_view prefix) {
  std::optional<std::pair<ImVec2, ImVec2>> r;
  for (const auto& it : ui::semantics().items()) {
    if (!it.id.starts_with(prefix)) continue;
    if (!r) r = {it.min, it.max};
    r->first = ImVec2(std::min(r->first.x, it.min.x), std::min(r->first.y, it.min.y));
    r->second = ImVec2(std::max(r->second.x, it.max.x), std::max(r->second.y, it.max.y));
  }
  if (r) {
    r->first.y = std::max(r->first.y, 0.0f);
    r->second.y = std::min(r->second.y, kDisplay.y - 1);
  }
  return r;
}

// A finger dragging the content without pause: pressed near one edge of the area, moved
// kDragPxPerFrame per frame to the other, lifted, pressed again. `down` scrolls towards the end
// (the finger moves up); `bounce` reverses the direction after every stroke.
class Finger {
 public:
  Finger(std::string area, bool bounce, float inset, bool towards_end = true)
      : area_(std::move(area)), bounce_(bounce), inset_(inset), towards_end_(towards_end) {}

  // Sets the input for the next frame; false when the area is not on screen.
  bool step() {
    if (!pressed_) {
      const auto a = area_of(area_);
      if (!a) return ++misses_ < 30;  // rows still being fetched: draw a frame and look again
      misses_ = 0;
      // Rows are recorded whole even when the list clips them: keep well inside (a row's height
      // off the top), so the finger never lands on the search field above the list.
      const float margin = std::min(inset_, (a->second.y - a->first.y) * 0.25f);
      x_ = a->first.x + std::min(60.0f, (a->second.x - a->first.x) * 0.25f);
      from_ = towards_end_ ? a->second.y - 24 : a->first.y + margin;
      to_ = towards_end_ ? a->first.y + margin : a->second.y - 24;
      if (std::abs(to_ - from_) < 4 * kDragPxPerFrame) return false;
      y_ = from_;
      ui::input::pointer_move(x_, y_);
      ui::input::pointer_button(true);
      pressed_ = true;
      return true;
    }
    const float dir = to_ < from_ ? -1.0f : 1.0f;
    const float next = y_ + dir * kDragPxPerFrame;
    if ((dir < 0 && next < to_) || (dir > 0 && next > to_)) {
      ui::input::pointer_button(false);
      pressed_ = false;
      if (bounce_) towards_end_ = !towards_end_;
      return true;
    }
    y_ = next;
    moved_ += kDragPxPerFrame;
    ui::input::pointer_move(x_, y_);
    return true;
  }
  void lift() {
    if (pressed_) ui::input::pointer_button(false);
    pressed_ = false;
  }
  double moved() const { return moved_; }

 private:
  std::string area_;
  bool bounce_;
  float inset_;
  bool towards_end_;
  int misses_ = 0;
  bool pressed_ = false;
  float x_ = 0, y_ = 0, from_ = 0, to_ = 0;
  double moved_ = 0;
};

// Times one frame per iteration; `before` sets up the frame's input (false stops with an error).
template <class Before>
void frames(benchmark::State& state, Before&& before) {
  auto& k = *g_kiosk;
  std::vector<double> cpu, wall;
  cpu.reserve(static_cast<std::size_t>(state.max_iterations));
  wall.reserve(static_cast<std::size_t>(state.max_iterations));
  double vtx = 0;
  for (auto _ : state) {
    if (!before()) {  // a few input calls: timed along with the frame by Google Benchmark
      state.SkipWithError("the screen is not what the benchmark expects (an item is missing)");
      break;
    }
    const double c0 = thread_cpu_seconds();
    const auto w0 = Clock::now();
    k.frame();
    wall.push_back(std::chrono::duration<double>(Clock::now() - w0).count());
    cpu.push_back(thread_cpu_seconds() - c0);
    if (const ImDrawData* d = ImGui::GetDrawData(); d != nullptr) vtx += d->TotalVtxCount;
  }
  state.counters["cpu_p50_ms"] = percentile(cpu, 0.50) * 1e3;
  state.counters["cpu_p99_ms"] = percentile(cpu, 0.99) * 1e3;
  state.counters["cpu_max_ms"] = cpu.empty() ? 0 : *std::max_element(cpu.begin(), cpu.end()) * 1e3;
  state.counters["wall_p50_ms"] = percentile(wall, 0.50) * 1e3;
  state.counters["wall_p99_ms"] = percentile(wall, 0.99) * 1e3;
  state.counters["wall_max_ms"] = wall.empty() ? 0 : *std::max_element(wall.begin(), wall.end()) * 1e3;
  const auto over = std::count_if(cpu.begin(), cpu.end(), [](double s) { return s > 2e-3; });
  state.counters["over_2ms"] = cpu.empty() ? 0 : static_cast<double>(over) / static_cast<double>(cpu.size());
  // Frames that would miss a 60 Hz refresh.
  state.counters["over_16ms"] =
      static_cast<double>(std::count_if(wall.begin(), wall.end(), [](double s) { return s > 1.0 / 60; }));
  state.counters["vtx"] = cpu.empty() ? 0 : vtx / static_cast<double>(cpu.size());
  state.counters["rss_kib"] = static_cast<double>(proc_status_kib("VmRSS"));
}

void still(benchmark::State& state) {
  frames(state, [] { return true; });
}

// ---------------------------------------------------------------------------------------------
// Setting the screens up (outside the timing)

// What the list says it holds ("10000 cases").
std::string shown_count() {
  for (const auto& it : ui::semantics().items())
    if (it.id.empty() && (it.label.ends_with(" cases") || it.label == "1 case")) return it.label;
  return "?";
}

std::string to_cases(std::string_view status, std::string_view search) {
  auto& k = *g_kiosk;
  auto& d = k.driver();
  if (!k.sign_in("Leyla")) return "cannot unlock as Leyla";
  if (!d.tap(ui::tr("Cases"))) return "no Cases tile on the home screen";
  d.frames(3);
  if (!status.empty() && !d.tap(fmt::format("status={}", status))) return fmt::format("no status={} chip", status);
  if (!search.empty()) {
    if (!d.tap("field:search") || !d.type(search)) return "cannot type the search";
    k.frame(0.5);  // the search runs after a pause in typing
    d.frames(3);
  }
  if (k.app().screen() != ui::Screen::Cases) return "not on the case list";
  // The kiosk keeps drawing while the screen animates (pages just fetched); so does this.
  for (int i = 0; i < 60 && !area_of("row:"); ++i) k.frame();
  if (!area_of("row:")) return "the case list shows no rows";
  return {};
}

void run_on(benchmark::State& state, const std::string& setup_error, const std::function<void()>& body) {
  if (!setup_error.empty()) {
    // What was on screen, for whoever reads the log.
    std::fprintf(stderr, "bench_ui: %s; on screen:\n%s\n", setup_error.c_str(),
                 g_kiosk->driver().dump().c_str());
    state.SkipWithError(setup_error.c_str());
    for (auto _ : state) {
    }
    return;
  }
  body();
}

void lock_frame(benchmark::State& state) {
  auto& k = *g_kiosk;
  if (k.app().session() != nullptr) k.app().lock();
  k.driver().frames(2);
  run_on(state, k.app().screen() == ui::Screen::Lock ? "" : "not on the lock screen", [&] { still(state); });
}

void cases_frame(benchmark::State& state) {
  run_on(state, to_cases("", ""), [&] {
    state.SetLabel(shown_count());
    still(state);
  });
}

// Drags the list without pause. From the top; or, with `from_end`, from the end of the list (reached
// with the mouse wheel, untimed: a finger would take minutes) back towards the top — where the
// kiosk fetches its deepest pages.
void cases_scroll(benchmark::State& state, const char* status, bool from_end) {
  run_on(state, to_cases(status, ""), [&] {
    auto& k = *g_kiosk;
    if (from_end) {
      const auto a = area_of("row:");
      ik::ui::input::pointer_move(a->first.x + 60, (a->first.y + a->second.y) * 0.5f);
      ik::ui::input::scroll(0, -1e7f);
      for (int i = 0; i < 10; ++i) k.frame();
      for (int i = 0; i < 60 && !area_of("row:"); ++i) k.frame();
    }
    const auto* row = [] {
      for (const auto& it : ik::ui::semantics().items())
        if (it.id.starts_with("row:")) return &it;
      return static_cast<const ik::ui::SemanticItem*>(nullptr);
    }();
    if (row == nullptr) {
      state.SkipWithError("no rows after jumping to the end of the list");
      return;
    }
    state.SetLabel(shown_count() + (from_end ? ", from the end" : ", from the top"));
    const float row_h = row->max.y - row->min.y;
    Finger finger("row:", false, row_h * 1.5f, !from_end);
    frames(state, [&] { return finger.step(); });
    finger.lift();
    k.driver().frames(3);
    state.counters["px_scrolled"] = finger.moved();
    if (k.app().screen() != ik::ui::Screen::Cases) state.SkipWithError("the drag opened a case");
  });
}

void cases_search_frame(benchmark::State& state) {
  run_on(state, to_cases("", "Nümun"), [&] {
    state.counters["keyboard"] = ui::keyboard().active() ? 1 : 0;
    state.SetLabel(shown_count());
    still(state);
  });
}

// The frame in which a typed search runs: the kiosk queries core inside the frame, after a
// pause in typing. Each iteration changes the search by one letter on the on-screen keyboard
// ("Nümun" <-> "Nümu", untimed), then times the frame after the pause.
void cases_search_run(benchmark::State& state) {
  run_on(state, to_cases("", "Nümun"), [&] {
    auto& k = *g_kiosk;
    auto& d = k.driver();
    std::vector<double> cpu, wall;
    bool shorter = true;
    for (auto _ : state) {
      state.PauseTiming();
      const bool typed = shorter ? d.tap("key:backspace") : d.type("n");
      shorter = !shorter;
      state.ResumeTiming();
      if (!typed) {
        state.SkipWithError("cannot type on the search field");
        return;
      }
      const double c0 = thread_cpu_seconds();
      const auto w0 = Clock::now();
      k.frame(0.5);  // the pause is over: this frame runs the search
      const double w = std::chrono::duration<double>(Clock::now() - w0).count();
      state.SetIterationTime(w);
      wall.push_back(w);
      cpu.push_back(thread_cpu_seconds() - c0);
    }
    state.counters["cpu_p50_ms"] = percentile(cpu, 0.50) * 1e3;
    state.counters["cpu_p99_ms"] = percentile(cpu, 0.99) * 1e3;
    state.counters["wall_p50_ms"] = percentile(wall, 0.50) * 1e3;
    state.counters["wall_p99_ms"] = percentile(wall, 0.99) * 1e3;
    state.counters["wall_max_ms"] = wall.empty() ? 0 : *std::max_element(wall.begin(), wall.end()) * 1e3;
    state.SetLabel(shown_count());
  });
}

// Fills the wizard as a person would (like tests/ui/intake_flow_test.cpp), up to the review step.
std::string to_review() {
  auto& k = *g_kiosk;
  auto& d = k.driver();
  if (!k.sign_in("Leyla")) return "cannot unlock as Leyla";
  if (!d.tap(ui::tr("New shelter intake"))) return "no New shelter intake tile";
  if (d.find("btn:start-new") != nullptr && !d.tap("btn:start-new")) return "cannot start a new intake";
  if (!k.on_step(1)) return "the wizard did not open";
  if (!d.tap("consent:manage_data") || !d.tap("consent:share_law_enforcement") || !d.tap("consent:referral") ||
      !d.tap("btn:next"))
    return "consent step";
  if (!k.type_in("given_name", "Xəyalə") || !k.type_in("family_name", "Sınaqzadə") || !k.tap_in("gender=female") ||
      !k.type_in("age_estimate", "27") || !k.type_in("phone", "+994 55 000 11 22") || !k.tap_in("pick:citizenship") ||
      !d.tap("opt:AZ") || !k.tap_in("pick:languages") || !d.tap("opt:aze") || !d.tap("opt:rus") ||
      !d.tap("btn:picker-done") || !k.tap_in("marital_status=single") || !k.tap_in("education=secondary") ||
      !d.tap("btn:next"))
    return "person step";
  if (!k.on_step(3)) return "the person step refused the form";
  if (!k.tap_in("exploitation_types=forced_labour") || !k.tap_in("labour_sector=construction") ||
      !k.tap_in("means_of_control=withholds_documents") || !k.tap_in("means_of_control=debt_bondage") ||
      !k.tap_in("recruitment=job_offer") || !k.tap_in("recruiter_relation=friend") ||
      !k.tap_in("pick:countries_origin") || !d.tap("opt:AZ") || !d.tap("btn:picker-done") ||
      !k.tap_in("pick:countries_exploitation") || !d.tap("opt:RU") || !d.tap("btn:picker-done") || !d.tap("btn:next"))
    return "exploitation step";
  if (!k.tap_in("needs=accommodation") || !k.tap_in("needs=medical") || !k.tap_in("risk_level=high") ||
      !k.tap_in("is_witness") || !k.type_in("protection_measures", "Escort to court") || !d.tap("btn:next"))
    return "needs step";
  if (!k.tap_in("intake_source=ngo") || !k.tap_in("source_organisation_type=ngo") ||
      !k.type_in("source_organisation", "Demo NGO") || !d.tap("btn:next"))
    return "status step";
  if (!k.on_step(6)) return "not on the bed step";
  // The dataset's newest active cases fill every bed; take a free one when there is one.
  for (const auto& it : ui::semantics().items())
    if (it.id.starts_with("bed:") && it.id != "bed:none") {
      const std::string id = it.id;
      if (!k.tap_in(id)) return "cannot choose a bed";
      break;
    }
  if (!d.tap("btn:next") || !k.on_step(7)) return "not on the review step";
  if (!d.shows("Xəyalə Sınaqzadə")) return "the review does not show the name";
  d.frames(3);
  return {};
}

void intake_review_frame(benchmark::State& state) {
  run_on(state, to_review(), [&] { still(state); });
}

void intake_review_scroll(benchmark::State& state) {
  run_on(state, to_review(), [&] {
    Finger finger("scroll:intake", true, 24.0f);
    frames(state, [&] { return finger.step(); });
    finger.lift();
    g_kiosk->driver().frames(3);
    state.counters["px_scrolled"] = finger.moved();
    if (!g_kiosk->on_step(7)) state.SkipWithError("the drag left the review step");
  });
}

}  // namespace
}  // namespace ik::bench

int main(int argc, char** argv) {
  using namespace ik::bench;
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  Kiosk kiosk;
  if (!kiosk.error.empty()) {
    std::fprintf(stderr, "bench_ui: %s\n", kiosk.error.c_str());
    return 1;
  }
  g_kiosk = &kiosk;

  const auto reg = [](const char* name, auto fn, int frames) {
    benchmark::RegisterBenchmark(name, fn)->Iterations(frames)->Unit(benchmark::kMillisecond);
  };
  reg("ui/lock_frame", lock_frame, 600);
  reg("ui/cases_frame", cases_frame, 600);
  for (const auto& [name, status, from_end] : {std::tuple{"ui/cases_scroll", "", false},
                                               std::tuple{"ui/cases_scroll_closed", "closed", false},
                                               std::tuple{"ui/cases_scroll_end", "", true},
                                               std::tuple{"ui/cases_scroll_end_closed", "closed", true}})
    benchmark::RegisterBenchmark(name, cases_scroll, status, from_end)->Iterations(3000)->Unit(benchmark::kMillisecond);
  reg("ui/cases_search_frame", cases_search_frame, 600);
  benchmark::RegisterBenchmark("ui/cases_search_run", cases_search_run)
      ->Iterations(40)
      ->UseManualTime()
      ->Unit(benchmark::kMillisecond);
  reg("ui/intake_review_frame", intake_review_frame, 600);
  reg("ui/intake_review_scroll", intake_review_scroll, 1200);
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  std::fprintf(stderr, "bench_ui: peak RSS %ld KiB\n", proc_status_kib("VmHWM"));
  return 0;
}
