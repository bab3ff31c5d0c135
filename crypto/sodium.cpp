#include "crypto/sodium.hpp"

#include <sodium.h>

#include <cstdlib>
#include <cstdio>

namespace ik::crypto {

void ensure_sodium() {
  static const bool ok = [] {
    if (sodium_init() < 0) {
      std::fputs("fatal: libsodium failed to initialise\n", stderr);
      std::abort();
    }
    return true;
  }();
  (void)ok;
}

}  // namespace ik::crypto
