#include <GLFW/glfw3.h>
#include <imgui.h>
#include <backends/imgui_impl_opengl3.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <exception>
#include <vector>

#define STB_IMAGE_WRITE_IMPLEMENTATION
#include <stb_image_write.h>

#include <fmt/format.h>

#include "firmware-app/platform.hpp"
#include "firmware-app/watchdog.hpp"
#include "ui/input.hpp"

namespace ik::app {
namespace {

const char* g_program = "intake-kiosk";
// systemd's watchdog (no-op outside a service): one per process, like the GLFW window.
Watchdog g_watchdog;

void on_cursor(GLFWwindow*, double x, double y) { ui::input::pointer_move(static_cast<float>(x), static_cast<float>(y)); }
void on_button(GLFWwindow*, int button, int action, int) {
  if (button == GLFW_MOUSE_BUTTON_LEFT) ui::input::pointer_button(action == GLFW_PRESS);
}
void on_scroll(GLFWwindow*, double dx, double dy) { ui::input::scroll(static_cast<float>(dx), static_cast<float>(dy)); }
void on_char(GLFWwindow*, unsigned int c) { ui::input::text(c); }
void on_enter(GLFWwindow*, int entered) {
  if (!entered) ui::input::pointer_leave();
}
void on_key(GLFWwindow*, int key, int, int action, int) {
  using K = ui::input::Key;
  K k;
  switch (key) {
    case GLFW_KEY_TAB: k = K::Tab; break;
    case GLFW_KEY_LEFT: k = K::Left; break;
    case GLFW_KEY_RIGHT: k = K::Right; break;
    case GLFW_KEY_UP: k = K::Up; break;
    case GLFW_KEY_DOWN: k = K::Down; break;
    case GLFW_KEY_HOME: k = K::Home; break;
    case GLFW_KEY_END: k = K::End; break;
    case GLFW_KEY_BACKSPACE: k = K::Backspace; break;
    case GLFW_KEY_DELETE: k = K::Delete; break;
    case GLFW_KEY_ENTER: case GLFW_KEY_KP_ENTER: k = K::Enter; break;
    case GLFW_KEY_ESCAPE: k = K::Escape; break;
    default: return;
  }
  ui::input::key(k, action != GLFW_RELEASE);
}

void fatal_signal(int sig) {
  // Async-signal-safe: one fixed line, no data from the program's memory.
  char msg[96];
  const int n = std::snprintf(msg, sizeof msg, "%s: fatal signal %d, exiting\n", g_program, sig);
  if (n > 0) (void)!::write(STDERR_FILENO, msg, static_cast<std::size_t>(n));
  ::_exit(128 + sig);
}

}  // namespace

void install_crash_handlers(const char* program) {
  g_program = program;
  rlimit none{0, 0};
  ::setrlimit(RLIMIT_CORE, &none);
  ::prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
  for (int sig : {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT}) {
    struct sigaction sa {};
    sa.sa_handler = fatal_signal;
    sigemptyset(&sa.sa_mask);
    ::sigaction(sig, &sa, nullptr);
  }
  std::set_terminate([] {
    // what() might say anything; the log line must not.
    (void)!::write(STDERR_FILENO, "intake-kiosk: uncaught exception, exiting\n", 42);
    ::_exit(134);
  });
}

core::Result<std::unique_ptr<Platform>> Platform::open(const PlatformOptions& o) {
  glfwSetErrorCallback([](int code, const char* what) { std::fprintf(stderr, "glfw error %d: %s\n", code, what); });
  if (!glfwInit()) return core::fail(core::Errc::Io, "cannot start GLFW (is there a display?)");
  glfwWindowHint(GLFW_CONTEXT_VERSION_MAJOR, 3);
  glfwWindowHint(GLFW_CONTEXT_VERSION_MINOR, 0);
  glfwWindowHint(GLFW_DECORATED, o.fullscreen ? GLFW_FALSE : GLFW_TRUE);
  glfwWindowHint(GLFW_RESIZABLE, GLFW_FALSE);
  GLFWmonitor* monitor = nullptr;
  int w = o.width, h = o.height;
  if (o.fullscreen) {
    monitor = glfwGetPrimaryMonitor();
    if (monitor != nullptr) {
      const GLFWvidmode* mode = glfwGetVideoMode(monitor);
      w = mode->width;
      h = mode->height;
    }
  }
  // The title never names anyone: it is what a window list or a crash report would show.
  GLFWwindow* win = glfwCreateWindow(w, h, "Intake Kiosk", monitor, nullptr);
  if (win == nullptr) {
    glfwTerminate();
    return core::fail(core::Errc::Io, "cannot open a window with OpenGL 3");
  }
  glfwMakeContextCurrent(win);
  glfwSwapInterval(1);
  if (o.hide_cursor) glfwSetInputMode(win, GLFW_CURSOR, GLFW_CURSOR_HIDDEN);
  glfwSetCursorPosCallback(win, on_cursor);
  glfwSetMouseButtonCallback(win, on_button);
  glfwSetScrollCallback(win, on_scroll);
  glfwSetCharCallback(win, on_char);
  glfwSetKeyCallback(win, on_key);
  glfwSetCursorEnterCallback(win, on_enter);
  // GLSL 1.30 works on desktop GL 3.0; the backend's shaders have GLES 3 variants too.
  if (!ImGui_ImplOpenGL3_Init("#version 130")) {
    glfwDestroyWindow(win);
    glfwTerminate();
    return core::fail(core::Errc::Io, "cannot initialise the OpenGL renderer");
  }
  std::unique_ptr<Platform> p(new Platform());
  p->window_ = win;
  g_watchdog = Watchdog::from_environment();
  return p;
}

Platform::~Platform() {
  g_watchdog.stopping();
  if (window_ != nullptr) {
    ImGui_ImplOpenGL3_Shutdown();
    glfwDestroyWindow(window_);
    glfwTerminate();
  }
}

bool Platform::should_close() const { return glfwWindowShouldClose(window_) != 0; }

void Platform::wait(double timeout) {
  // The loop's heartbeat: an idle kiosk still wakes within a third of WatchdogSec to ping (and
  // draws nothing); a loop stuck anywhere else never gets here, and systemd restarts it.
  g_watchdog.ping();
  if (timeout <= 0) glfwPollEvents();
  else glfwWaitEventsTimeout(std::min(timeout, g_watchdog.max_wait_seconds()));
}

void Platform::wake() { glfwPostEmptyEvent(); }

double Platform::time() const { return glfwGetTime(); }

float Platform::dpi() const {
  GLFWmonitor* m = glfwGetPrimaryMonitor();
  if (m == nullptr) return 96.0f;
  int mm_w = 0, mm_h = 0;
  glfwGetMonitorPhysicalSize(m, &mm_w, &mm_h);
  const GLFWvidmode* mode = glfwGetVideoMode(m);
  if (mm_w <= 0 || mode == nullptr) return 96.0f;
  return static_cast<float>(mode->width) / (static_cast<float>(mm_w) / 25.4f);
}

void Platform::begin_frame(float dt) {
  int w = 0, h = 0, fw = 0, fh = 0;
  glfwGetWindowSize(window_, &w, &h);
  glfwGetFramebufferSize(window_, &fw, &fh);
  ui::input::begin_frame(dt, ImVec2(static_cast<float>(w), static_cast<float>(h)),
                         ImVec2(w > 0 ? static_cast<float>(fw) / static_cast<float>(w) : 1.0f, h > 0 ? static_cast<float>(fh) / static_cast<float>(h) : 1.0f));
  ImGui_ImplOpenGL3_NewFrame();
  ImGui::NewFrame();
}

void Platform::set_vsync(bool on) { glfwSwapInterval(on ? 1 : 0); }

core::Result<void> Platform::end_frame(const std::filesystem::path* capture) {
  ImGui::Render();
  int fw = 0, fh = 0;
  glfwGetFramebufferSize(window_, &fw, &fh);
  glViewport(0, 0, fw, fh);
  glClearColor(0.957f, 0.945f, 0.918f, 1.0f);
  glClear(GL_COLOR_BUFFER_BIT);
  ImGui_ImplOpenGL3_RenderDrawData(ImGui::GetDrawData());
  core::Result<void> result;
  if (capture != nullptr) {
    // Read the back buffer before the swap: after it, its content is undefined.
    std::vector<unsigned char> pixels(static_cast<std::size_t>(fw) * fh * 4);
    glPixelStorei(GL_PACK_ALIGNMENT, 1);
    glReadBuffer(GL_BACK);
    glReadPixels(0, 0, fw, fh, GL_RGBA, GL_UNSIGNED_BYTE, pixels.data());
    stbi_flip_vertically_on_write(1);
    if (!stbi_write_png(capture->c_str(), fw, fh, 4, pixels.data(), fw * 4))
      result = core::fail(core::Errc::Io, fmt::format("cannot write {}", capture->string()));
  }
  glfwSwapBuffers(window_);
  g_watchdog.ready();  // the first frame is on screen: the unit is up
  ui::input::end_frame();
  return result;
}

}  // namespace ik::app
