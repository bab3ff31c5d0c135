#pragma once
#include <expected>
#include <string>

namespace ik::storage {

enum class Errc {
  WrongKeyOrNotKioskDb,  // the key does not decrypt it, or it is not an intake-kiosk database
  Damaged,               // truncated or failing its integrity checks
  NotFound,              // no such file / row
  Exists,                // refusing to overwrite
  Constraint,            // a UNIQUE/CHECK/FOREIGN KEY rule refused the change
  TooNew,                // written by a newer version of the kiosk
  Sql,                   // any other SQLite error
  Io,
};

struct Error {
  Errc code;
  std::string message;
};

template <class T>
using Result = std::expected<T, Error>;

inline std::unexpected<Error> fail(Errc code, std::string message) {
  return std::unexpected(Error{code, std::move(message)});
}

}  // namespace ik::storage
