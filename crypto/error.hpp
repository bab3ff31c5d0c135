#pragma once
// Errors a caller of crypto/ must handle. Messages are for a person and never carry secrets.
#include <expected>
#include <string>

namespace ik::crypto {

enum class Errc {
  WrongPassphrase,  // the AEAD did not open: wrong passphrase for this slot
  SlotDelayed,      // too many failures: try again after a wait
  SlotLocked,       // too many failures: the slot is locked until an admin resets it
  NoSuchSlot,       // no keyslot for that staff member
  Corrupt,          // a file failed its checksum or structure checks
  BadFormat,        // not the kind of file expected (magic, version, size)
  Io,               // the operating system refused a read or write
  Exists,           // refusing to overwrite
  Invalid,          // an argument out of its allowed range
  BadSignature,
  WrongKey,         // a sealed box or key file that is not for this key
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

}  // namespace ik::crypto
