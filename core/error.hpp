#pragma once
// Errors of the domain layer. `message` is a sentence for a person (in English, for logs and the
// CLI — never with personal data); callers map `code` to what they show.
#include <expected>
#include <string>
#include <vector>

#include "crypto/error.hpp"
#include "storage/error.hpp"

// Marks an English string as a translatable msgid (xgettext --keyword=IK_N_), like gettext's N_.
#define IK_N_(text) text

namespace ik::core {

enum class Errc {
  WrongPassphrase,
  SlotDelayed,
  SlotLocked,
  UnknownUser,
  UserDisabled,
  PermissionDenied,
  Invalid,       // input failed validation
  Exists,
  NotFound,
  NotProvisioned,
  Damaged,       // a file failed its integrity checks
  WrongKey,      // a database or key that is not this device's
  Io,
  Internal,
};

// One field's problem: an English message that is also its gettext msgid, with "{}" for `arg`.
struct FieldError {
  std::string field;
  std::string msgid;
  std::string arg;
  bool operator==(const FieldError&) const = default;
};

struct Error {
  Errc code;
  std::string message;
  // For Errc::Invalid from a form: each field's problem, as translatable msgids.
  std::vector<FieldError> fields = {};
};

template <class T>
using Result = std::expected<T, Error>;

inline std::unexpected<Error> fail(Errc code, std::string message) {
  return std::unexpected(Error{code, std::move(message), {}});
}
// Errc::Invalid carrying the field problems of a form.
std::unexpected<Error> invalid(std::vector<FieldError> fields);

Error from(const crypto::Error& e);
Error from(const storage::Error& e);

}  // namespace ik::core
