// intake-kiosk — the full-screen touch kiosk. This file wires the platform (GLFW + OpenGL) to the
// ui::KioskApp and runs the event-driven loop: wait for input (or the next timed change), draw a
// few frames after each input and while something animates, and nothing while idle.
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <string>

#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <imgui.h>

#include "core/iso_codes.hpp"
#include "firmware-app/kiosk_config.hpp"
#include "firmware-app/platform.hpp"
#include "firmware-app/screenshots.hpp"
#include "sync/outbox.hpp"
#include "ui/app.hpp"
#include "ui/fonts.hpp"
#include "ui/i18n.hpp"
#include "ui/input.hpp"
#include "ui/theme.hpp"

namespace {
// Peak resident memory, from the kernel's own accounting.
long peak_rss_kib() {
  std::FILE* f = std::fopen("/proc/self/status", "r");
  if (f == nullptr) return -1;
  char line[256];
  long kib = -1;
  while (std::fgets(line, sizeof line, f) != nullptr)
    if (std::sscanf(line, "VmHWM: %ld kB", &kib) == 1) break;
  std::fclose(f);
  return kib;
}

// The kiosk's side of sealed sync (ik_sync), handed to ui/ as hooks: ui/ knows core only. Only
// a device provisioned with HQ's keys syncs; without them the hooks stay empty ("not set up").
ik::ui::SyncHooks sync_hooks(const ik::core::DataDir& dir) {
  using namespace ik;
  ui::SyncHooks h;
  std::error_code ec;
  if (!std::filesystem::exists(dir.hq_seal_public_key(), ec) || !std::filesystem::exists(dir.hq_sign_public_key(), ec))
    return h;
  h.flush_outbox = [](core::Session& s) -> core::Result<int> {
    auto r = sync::write_outbox(s, core::now_unix());
    if (!r) return std::unexpected(r.error());
    return r->bundles;
  };
  h.process_inbox = [](core::Session& s, int retention_days) -> core::Result<ui::SyncInboxView> {
    auto r = sync::process_inbox(s, retention_days, core::now_unix());
    if (!r) return std::unexpected(r.error());
    return ui::SyncInboxView{r->delivered, r->rejected, r->ignored, r->retention.cases_purged, r->retention.calls_purged,
                             r->retention.drafts_removed};
  };
  h.summary = [](core::Session& s) -> core::Result<ui::SyncSummaryView> {
    auto r = sync::outbox_summary(s);
    if (!r) return std::unexpected(r.error());
    return ui::SyncSummaryView{r->pending, r->pending_bytes, r->last_receipt_at, r->delivered_through, r->last_rejection,
                               r->queued_records};
  };
  return h;
}

}  // namespace

int main(int argc, char** argv) {
  using namespace ik;
  const auto process_start = std::chrono::steady_clock::now();
  app::install_crash_handlers("intake-kiosk");
  CLI::App cli{"intake-kiosk — the touch-screen intake kiosk"};
  cli.set_version_flag("--version", std::string("intake-kiosk ") + IK_VERSION);
  std::string data_dir, config_file, screenshots, size = "1280x800";
  bool windowed = false, print_frames = false;
  double exit_after = 0;
  cli.add_option("--data-dir", data_dir, "Device data directory (overrides the config file)");
  cli.add_option("--config", config_file, "Configuration file (TOML)")->check(CLI::ExistingFile);
  cli.add_flag("--windowed", windowed, "A window instead of full screen (development)");
  cli.add_option("--size", size, "Window size WxH when windowed")->capture_default_str();
  cli.add_option("--screenshots", screenshots, "Render every main screen in each language into DIR and exit");
  cli.add_option("--exit-after", exit_after, "Exit after this many seconds (benchmarks)");
  cli.add_flag("--print-frames", print_frames, "Print frames drawn, start-up time and peak memory at exit (benchmarks)");
  bool exit_when_ready = false;
  cli.add_flag("--exit-when-ready", exit_when_ready, "Exit after the first frame is on screen (benchmarks)");
  CLI11_PARSE(cli, argc, argv);

  ui::KioskConfig config;
  if (!config_file.empty()) {
    auto c = app::load_kiosk_config(config_file, config);
    if (!c) {
      std::fprintf(stderr, "intake-kiosk: %s\n", c.error().message.c_str());
      return 1;
    }
    config = *c;
  }
  if (!data_dir.empty()) config.data.root = data_dir;
  if (screenshots.empty() && config.data.root.empty()) {
    std::fprintf(stderr, "intake-kiosk: no data directory (--data-dir or data_dir in --config)\n");
    return 2;
  }
  int w = 1280, h = 800;
  if (std::sscanf(size.c_str(), "%dx%d", &w, &h) != 2 || w < 320 || h < 240 || w > 8192 || h > 8192) {
    std::fprintf(stderr, "intake-kiosk: --size must be WxH\n");
    return 2;
  }
  // Everything the kiosk needs from disk is checked before the window opens.
  if (auto iso = core::IsoCodes::try_system(); !iso) {
    std::fprintf(stderr, "intake-kiosk: %s\n", iso.error().message.c_str());
    return 1;
  }
  if (auto r = ui::load_catalogues(ui::default_locale_dir()); !r) {
    std::fprintf(stderr, "intake-kiosk: %s\n", r.error().message.c_str());
    return 1;
  }

  IMGUI_CHECKVERSION();
  ImGui::CreateContext();
  const bool shots = !screenshots.empty();
  auto platform = app::Platform::open({!(windowed || shots), w, h, config.touch_only && !shots && !windowed});
  if (!platform) {
    std::fprintf(stderr, "intake-kiosk: %s\n", platform.error().message.c_str());
    return 1;
  }
  ui::input::configure(true);
  if (config.dpi <= 0 || config_file.empty()) config.dpi = shots ? 110.0f : (*platform)->dpi();
  ui::set_metrics(ui::Metrics::for_dpi(config.dpi, config.scale));
  ui::apply_style();
  if (auto f = ui::load_fonts(); !f) {
    std::fprintf(stderr, "intake-kiosk: %s\n", f.error().message.c_str());
    return 1;
  }

  int rc = 0;
  if (shots) {
    rc = app::run_screenshots(**platform, screenshots);
  } else {
    config.wake = &app::Platform::wake;  // background work (a case search) wakes the idle loop
    config.sync = sync_hooks(config.data);
    ui::KioskApp kiosk(config);
    auto& p = **platform;
    long frames = 0;
    double first_frame_ms = -1;
    constexpr int kStartupFrames = 3;
    int pending = kStartupFrames;  // frames still to draw: a few after every input
    double last = p.time();
    const double start = last;
    while (!p.should_close()) {
      const double now = p.time();
      if (exit_after > 0 && now - start >= exit_after) break;
      const double timeout = kiosk.seconds_until_next_change(now);
      // The benchmark's exit deadline wakes the loop but is not a change to draw.
      const double wait_for = exit_after > 0 ? std::min(timeout, exit_after - (now - start)) : timeout;
      if (pending == 0) p.wait(wait_for);
      else p.wait(0);
      const double after = p.time();
      if (ui::input::take_activity()) {
        kiosk.note_input(after);
        pending = std::max(pending, 3);
      }
      if (pending == 0 && after - now >= timeout - 1e-3 && timeout < 3600) pending = 1;  // a timed change is due
      if (kiosk.animating()) pending = std::max(pending, 1);
      if (pending > 0) {
        p.begin_frame(static_cast<float>(after - last));
        kiosk.frame(after);
        (void)p.end_frame();
        last = after;
        ++frames;
        --pending;
        if (first_frame_ms < 0) {
          first_frame_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - process_start).count();
          if (exit_when_ready) break;
        }
      }
    }
    if (print_frames || exit_when_ready)
      std::printf("frames %ld (start-up %d, after start-up %ld) in %.1f s; first frame %.0f ms after start; peak RSS %ld KiB\n",
                  frames, kStartupFrames, std::max(0L, frames - kStartupFrames), p.time() - start, first_frame_ms,
                  peak_rss_kib());
  }
  platform->reset();
  ImGui::DestroyContext();
  return rc;
}
