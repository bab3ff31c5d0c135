#include "core/permissions.hpp"

#include <fmt/format.h>

#include "core/audit.hpp"
#include "core/session.hpp"

namespace ik::core {

std::string_view to_string(Action a) {
  switch (a) {
    case Action::RegisterIntake: return "register_intake";
    case Action::ViewCases: return "view_cases";
    case Action::ViewCase: return "view_case";
    case Action::RevealName: return "reveal_name";
    case Action::UpdateCase: return "update_case";
    case Action::AddService: return "add_service";
    case Action::Refer: return "refer";
    case Action::ManageBeds: return "manage_beds";
    case Action::ViewBeds: return "view_beds";
    case Action::LogCall: return "log_call";
    case Action::ViewCalls: return "view_calls";
    case Action::ManageUsers: return "manage_users";
    case Action::ManageDevice: return "manage_device";
    case Action::ViewStats: return "view_stats";
    case Action::ViewAudit: return "view_audit";
    case Action::GenerateDemoData: return "generate_demo_data";
    case Action::Backup: return "backup";
    case Action::Sync: return "sync";
  }
  return "unknown";
}

bool allowed(Role role, Action a) {
  using A = Action;
  switch (role) {
    case Role::Officer:
      return a == A::RegisterIntake || a == A::ViewCases || a == A::ViewCase || a == A::RevealName ||
             a == A::AddService || a == A::ManageBeds || a == A::ViewBeds || a == A::Sync;
    case Role::Hotline:
      // A call that turns into an admission at night is registered by the hotline operator.
      return a == A::LogCall || a == A::ViewCalls || a == A::RegisterIntake;
    case Role::Coordinator:
      return a == A::RegisterIntake || a == A::ViewCases || a == A::ViewCase || a == A::RevealName ||
             a == A::UpdateCase || a == A::AddService || a == A::Refer || a == A::ManageBeds || a == A::ViewBeds ||
             a == A::ViewCalls || a == A::ViewStats || a == A::GenerateDemoData || a == A::Sync;
    case Role::Admin:
      return a == A::ManageUsers || a == A::ManageDevice || a == A::ViewStats || a == A::ViewBeds ||
             a == A::GenerateDemoData || a == A::Backup || a == A::Sync;
    case Role::Auditor:
      return a == A::ViewAudit;
  }
  return false;
}

Result<void> require(Session& session, Action action) {
  if (!session.unlocked()) return fail(Errc::PermissionDenied, "the device is locked");
  if (allowed(session.actor().role, action)) return {};
  // The refusal is itself a fact worth keeping; a failure to record it must not turn a denial
  // into anything else, so its result is not checked here.
  (void)audit(session, "permission_denied", "action", 0, std::string(to_string(action)));
  return fail(Errc::PermissionDenied, fmt::format("a {} may not {}", to_string(session.actor().role),
                                                  to_string(action)));
}

}  // namespace ik::core
