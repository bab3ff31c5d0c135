#pragma once
// Staff management. Only an admin adds, disables or resets; anyone may change their own
// passphrase. A disabled staff member loses their keyslot, so their passphrase no longer
// unwraps the database key even with a copy of the files made before.
#include <string_view>
#include <vector>

#include "core/error.hpp"
#include "core/role.hpp"
#include "core/session.hpp"
#include "crypto/kdf.hpp"

namespace ik::core {

struct StaffMember {
  std::string name;
  Role role;
  bool disabled;
};

class UsersService {
 public:
  explicit UsersService(Session& session) : s_(session) {}

  Result<void> add(std::string_view name, Role role, const crypto::SecureBuffer& passphrase,
                   const crypto::KdfParams& kdf);
  Result<void> disable(std::string_view name);
  // Admin reset of anyone's passphrase, or a staff member changing their own. Clears the
  // failed-attempt counter and lock of that slot.
  Result<void> set_passphrase(std::string_view name, const crypto::SecureBuffer& passphrase,
                              const crypto::KdfParams& kdf);
  Result<std::vector<StaffMember>> list();

 private:
  Result<void> require_admin(std::string_view action);
  Session& s_;
};

}  // namespace ik::core
