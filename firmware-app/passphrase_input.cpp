#include "firmware-app/passphrase_input.hpp"

#include <fcntl.h>
#include <termios.h>
#include <unistd.h>

#include <fmt/format.h>

#include "crypto/file_io.hpp"

namespace ik::cli {
namespace {
constexpr std::size_t kMaxPassphraseFile = 1024;

// Cuts at the first newline: a file may end with one, and only the first line counts.
void strip_line(crypto::SecureBuffer& buf) {
  for (std::size_t i = 0; i < buf.size(); ++i) {
    if (buf.data()[i] == '\n' || buf.data()[i] == '\r') {
      buf.truncate(i);
      return;
    }
  }
}
}  // namespace

crypto::Result<crypto::SecureBuffer> passphrase_from_file(const std::filesystem::path& path) {
  auto buf = crypto::read_secret_file(path, kMaxPassphraseFile);
  if (!buf) return buf;
  strip_line(*buf);
  if (buf->empty()) return crypto::fail(crypto::Errc::Invalid, fmt::format("{}: empty passphrase", path.string()));
  return buf;
}

crypto::Result<crypto::SecureBuffer> passphrase_from_tty(std::string_view prompt, bool confirm) {
  const int fd = ::open("/dev/tty", O_RDWR | O_CLOEXEC);
  if (fd < 0) return crypto::fail(crypto::Errc::Io, "no terminal to ask for a passphrase; use --passphrase-file");
  auto ask = [&](std::string_view p) -> crypto::Result<crypto::SecureBuffer> {
    (void)!::write(fd, p.data(), p.size());
    termios old {};
    const bool is_tty = ::tcgetattr(fd, &old) == 0;
    if (is_tty) {
      termios quiet = old;
      quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
      ::tcsetattr(fd, TCSAFLUSH, &quiet);
    }
    crypto::SecureBuffer buf(257);
    std::size_t n = 0;
    char c = 0;
    while (::read(fd, &c, 1) == 1 && c != '\n' && c != '\r') {
      if (n < buf.size()) buf.data()[n++] = static_cast<std::uint8_t>(c);
    }
    c = 0;
    if (is_tty) ::tcsetattr(fd, TCSAFLUSH, &old);
    (void)!::write(fd, "\n", 1);
    buf.truncate(n);
    if (n == 0) return crypto::fail(crypto::Errc::Invalid, "empty passphrase");
    return buf;
  };
  auto first = ask(prompt);
  if (first && confirm) {
    auto second = ask("Repeat: ");
    if (!second) first = std::move(second);
    else if (!first->equals(*second)) first = crypto::fail(crypto::Errc::Invalid, "the passphrases differ");
  }
  ::close(fd);
  return first;
}

crypto::Result<crypto::SecureBuffer> read_passphrase(const std::optional<std::filesystem::path>& file,
                                                     std::string_view prompt, bool confirm) {
  if (file) return passphrase_from_file(*file);
  return passphrase_from_tty(prompt, confirm);
}

}  // namespace ik::cli
