#include "ui/input.hpp"

#include <cfloat>

namespace ik::ui::input {
namespace {
bool g_touch = true;
bool g_release_pending = false;
bool g_activity = false;
}  // namespace

void configure(bool touch_mode) {
  g_touch = touch_mode;
  ImGuiIO& io = ImGui::GetIO();
  io.KeyMap[ImGuiKey_Tab] = static_cast<int>(Key::Tab);
  io.KeyMap[ImGuiKey_LeftArrow] = static_cast<int>(Key::Left);
  io.KeyMap[ImGuiKey_RightArrow] = static_cast<int>(Key::Right);
  io.KeyMap[ImGuiKey_UpArrow] = static_cast<int>(Key::Up);
  io.KeyMap[ImGuiKey_DownArrow] = static_cast<int>(Key::Down);
  io.KeyMap[ImGuiKey_Home] = static_cast<int>(Key::Home);
  io.KeyMap[ImGuiKey_End] = static_cast<int>(Key::End);
  io.KeyMap[ImGuiKey_Backspace] = static_cast<int>(Key::Backspace);
  io.KeyMap[ImGuiKey_Delete] = static_cast<int>(Key::Delete);
  io.KeyMap[ImGuiKey_Enter] = static_cast<int>(Key::Enter);
  io.KeyMap[ImGuiKey_Escape] = static_cast<int>(Key::Escape);
  io.ConfigFlags |= ImGuiConfigFlags_NoMouseCursorChange;
  io.IniFilename = nullptr;  // nothing about the session is written to disk
  io.LogFilename = nullptr;
  io.MouseDragThreshold = 12.0f;
}

void pointer_move(float x, float y) {
  ImGui::GetIO().MousePos = ImVec2(x, y);
  g_activity = true;
}

void pointer_button(bool down) {
  ImGui::GetIO().MouseDown[0] = down;
  if (!down && g_touch) g_release_pending = true;
  g_activity = true;
}

void pointer_leave() { ImGui::GetIO().MousePos = ImVec2(-FLT_MAX, -FLT_MAX); }

void scroll(float dx, float dy) {
  ImGuiIO& io = ImGui::GetIO();
  io.MouseWheelH += dx;
  io.MouseWheel += dy;
  g_activity = true;
}

void text(unsigned int codepoint) {
  ImGui::GetIO().AddInputCharacter(codepoint);
  g_activity = true;
}

void key(Key k, bool down) {
  ImGui::GetIO().KeysDown[static_cast<int>(k)] = down;
  g_activity = true;
}

void begin_frame(float delta_seconds, ImVec2 display_size, ImVec2 framebuffer_scale) {
  ImGuiIO& io = ImGui::GetIO();
  io.DeltaTime = delta_seconds > 0.0f ? delta_seconds : 1.0f / 60.0f;
  io.DisplaySize = display_size;
  io.DisplayFramebufferScale = framebuffer_scale;
}

void end_frame() {
  if (g_release_pending && !ImGui::GetIO().MouseDown[0]) {
    pointer_leave();
    g_release_pending = false;
  }
}

bool take_activity() {
  const bool a = g_activity;
  g_activity = false;
  return a;
}

}  // namespace ik::ui::input
