#pragma once
// An unlocked device: the database master key (sodium memory), the open database, the device
// identity and who is acting. It is the only holder of the key; lock() wipes all of it at once.
#include <cstdint>
#include <string>
#include <string_view>

#include "core/data_dir.hpp"
#include "core/error.hpp"
#include "core/role.hpp"
#include "crypto/keys.hpp"
#include "crypto/keyslots.hpp"
#include "crypto/secure_buffer.hpp"
#include "storage/database.hpp"

namespace ik::core {

std::int64_t now_unix();

struct Actor {
  std::int64_t id = 0;
  std::string name;
  Role role = Role::Officer;
};

class Session {
 public:
  Session() = default;
  Session(Session&&) = default;
  Session& operator=(Session&&) = default;
  ~Session() { lock(); }

  bool unlocked() const { return db_.is_open(); }
  void lock();

  const Actor& actor() const { return actor_; }
  const DataDir& data_dir() const { return dir_; }
  storage::Database& db() { return db_; }
  const crypto::KeyPair& device_key() const { return device_; }
  const crypto::SecureBuffer& database_key() const { return dmk_; }

 private:
  friend Result<Session> unlock(const DataDir&, std::string_view, const crypto::SecureBuffer&,
                                std::int64_t, const crypto::AttemptPolicy&);
  DataDir dir_;
  crypto::SecureBuffer dmk_;
  storage::Database db_;
  crypto::KeyPair device_;
  Actor actor_;
};

// Unlocks with a staff member's passphrase; counts failures per the attempt policy.
Result<Session> unlock(const DataDir& dir, std::string_view user, const crypto::SecureBuffer& passphrase,
                       std::int64_t now = now_unix(), const crypto::AttemptPolicy& policy = {});

// Names on the lock screen: staff with a keyslot, and their wait/lock state. Needs no key.
Result<std::vector<crypto::SlotStatus>> staff_slots(const DataDir& dir);

}  // namespace ik::core
