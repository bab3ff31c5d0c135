#pragma once
// Staff roles. What each may do is decided in core/ services, never in a screen.
#include <optional>
#include <string_view>

namespace ik::core {

enum class Role { Officer, Hotline, Coordinator, Admin, Auditor };

std::string_view to_string(Role role);
std::optional<Role> parse_role(std::string_view text);

}  // namespace ik::core
