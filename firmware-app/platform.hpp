#pragma once
// The platform seam: GLFW window, OpenGL 3 renderer (Dear ImGui's opengl3 backend), input
// callbacks into ui::input, the event-driven wait, screenshots. Nothing else in the project
// touches GLFW or GL.
#include <filesystem>
#include <memory>

#include "core/error.hpp"

struct GLFWwindow;

namespace ik::app {

struct PlatformOptions {
  bool fullscreen = true;  // on the primary monitor, no decorations
  int width = 1280, height = 800;
  bool hide_cursor = true;
};

class Platform {
 public:
  static core::Result<std::unique_ptr<Platform>> open(const PlatformOptions& options);
  ~Platform();
  Platform(const Platform&) = delete;
  Platform& operator=(const Platform&) = delete;

  bool should_close() const;
  // Waits for input, at most `timeout` seconds (0 = just poll).
  void wait(double timeout_seconds);
  // Wakes wait() from another thread.
  static void wake();
  // Frame: input::begin_frame + backend NewFrame + ImGui::NewFrame; then Render + swap.
  void begin_frame(float dt);
  // Renders and swaps; with `capture`, first reads the finished frame into that PNG.
  core::Result<void> end_frame(const std::filesystem::path* capture = nullptr);
  void set_vsync(bool on);
  float dpi() const;  // of the monitor the window is on
  double time() const;

 private:
  Platform() = default;
  GLFWwindow* window_ = nullptr;
};

// Crash handling: no core dumps (they would hold secrets), and a fatal signal is logged as one
// line without any data and the process exits non-zero for the service manager to restart it.
void install_crash_handlers(const char* program);

}  // namespace ik::app
