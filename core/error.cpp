#include "core/error.hpp"

#include <fmt/format.h>

#include "core/validation.hpp"

namespace ik::core {

std::unexpected<Error> invalid(std::vector<FieldError> fields) {
  std::string message = fields.empty() ? std::string("invalid input") : render(fields.front());
  if (fields.size() > 1) message += fmt::format(" (and {} more)", fields.size() - 1);
  return std::unexpected(Error{Errc::Invalid, std::move(message), std::move(fields)});
}

Error from(const crypto::Error& e) {
  using C = crypto::Errc;
  Errc code = Errc::Internal;
  switch (e.code) {
    case C::WrongPassphrase: code = Errc::WrongPassphrase; break;
    case C::SlotDelayed: code = Errc::SlotDelayed; break;
    case C::SlotLocked: code = Errc::SlotLocked; break;
    case C::NoSuchSlot: code = Errc::UnknownUser; break;
    case C::Corrupt: case C::BadFormat: code = Errc::Damaged; break;
    case C::Io: code = Errc::Io; break;
    case C::Exists: code = Errc::Exists; break;
    case C::Invalid: code = Errc::Invalid; break;
    case C::BadSignature: case C::WrongKey: code = Errc::WrongKey; break;
  }
  return Error{code, e.message, {}};
}

Error from(const storage::Error& e) {
  using S = storage::Errc;
  Errc code = Errc::Internal;
  switch (e.code) {
    case S::WrongKeyOrNotKioskDb: code = Errc::WrongKey; break;
    case S::Damaged: code = Errc::Damaged; break;
    case S::NotFound: code = Errc::NotFound; break;
    case S::Exists: code = Errc::Exists; break;
    case S::Constraint: code = Errc::Invalid; break;
    case S::TooNew: code = Errc::Internal; break;
    case S::Sql: code = Errc::Internal; break;
    case S::Io: code = Errc::Io; break;
  }
  return Error{code, e.message, {}};
}

}  // namespace ik::core
