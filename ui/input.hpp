#pragma once
// The one file that writes Dear ImGui 1.86's input API (io.MousePos, io.MouseDown, io.KeysDown,
// io.KeyMap, io.AddInputCharacter, io.MouseWheel). The GLFW platform layer and the UI test
// driver both feed input through here, so moving to ImGui 1.87's event API touches this file only.
//
// Touch semantics: a finger has no hover. After a release, the pointer is moved off-screen on the
// next frame, so nothing stays highlighted and no information ever depends on hovering.
#include <imgui.h>

namespace ik::ui::input {

enum class Key { Tab, Left, Right, Up, Down, Home, End, Backspace, Delete, Enter, Escape, Count };

void configure(bool touch_mode);  // sets io.KeyMap once; call after ImGui::CreateContext
void pointer_move(float x, float y);
void pointer_button(bool down);
void pointer_leave();
void scroll(float dx, float dy);
void text(unsigned int codepoint);
void key(Key k, bool down);
// Per frame, before ImGui::NewFrame().
void begin_frame(float delta_seconds, ImVec2 display_size, ImVec2 framebuffer_scale);
// After ImGui::Render(): applies the deferred "finger lifted" hover reset.
void end_frame();
// True when input arrived since the last call (the event loop's "draw a few frames" trigger).
bool take_activity();

}  // namespace ik::ui::input
