#include "core/role.hpp"

#include <array>
#include <utility>

namespace ik::core {
namespace {
constexpr std::array<std::pair<Role, std::string_view>, 5> kRoles{{
    {Role::Officer, "officer"},
    {Role::Hotline, "hotline"},
    {Role::Coordinator, "coordinator"},
    {Role::Admin, "admin"},
    {Role::Auditor, "auditor"},
}};
}  // namespace

std::string_view to_string(Role role) {
  for (const auto& [r, s] : kRoles)
    if (r == role) return s;
  return "unknown";
}

std::optional<Role> parse_role(std::string_view text) {
  for (const auto& [r, s] : kRoles)
    if (s == text) return r;
  return std::nullopt;
}

}  // namespace ik::core
