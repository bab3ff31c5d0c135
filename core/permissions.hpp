#pragma once
// Who may do what. Decided here, in core/, for every client: a screen that shows a button the
// role may not use still gets PermissionDenied (and an audit entry) when it is pressed.
//
//   officer      registers intakes, sees and serves shelter cases, assigns and releases beds
//   hotline      logs and follows up calls (with referrals of tips to law enforcement), and
//                registers the intake when a caller becomes a resident
//   coordinator  sees and follows every case: services, referrals, discharge, repatriation
//   admin        manages staff and the device, sees statistics; cannot read case details
//   auditor      reads the audit log, nothing else
// Sync (seeing what waits for HQ and asking for a sync now) is for officers, coordinators and
// admins: the people who run the shelter's device. Bundles are written for every role at lock.
#include <string_view>

#include "core/error.hpp"
#include "core/role.hpp"

namespace ik::core {

class Session;

enum class Action {
  RegisterIntake,
  ViewCases,     // the masked list
  ViewCase,      // a case page
  RevealName,    // unmask a name in a list
  UpdateCase,    // status, risk, repatriation, close
  AddService,
  Refer,
  ManageBeds,    // assign, release, discharge
  ViewBeds,
  LogCall,
  ViewCalls,
  ManageUsers,
  ManageDevice,
  ViewStats,
  ViewAudit,
  GenerateDemoData,
  Backup,
  Sync,          // the sync screen: pending bundles, the agent's state, "sync now"
};

std::string_view to_string(Action action);
bool allowed(Role role, Action action);

// Ok, or PermissionDenied after writing a "permission_denied" audit entry.
Result<void> require(Session& session, Action action);

}  // namespace ik::core
