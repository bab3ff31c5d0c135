#include "crypto/file_io.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include <fmt/format.h>
#include <sodium.h>

namespace ik::crypto {
namespace {

struct Fd {
  int fd = -1;
  explicit Fd(int f) : fd(f) {}
  ~Fd() {
    if (fd >= 0) ::close(fd);
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
};

Error io_error(const char* what, const std::filesystem::path& path) {
  return Error{Errc::Io, fmt::format("{} {}: {}", what, path.string(), std::strerror(errno))};
}

// Reads exactly `size` bytes or fails; used by both readers so they share the size checks.
template <class Buffer>
Result<Buffer> read_into(const std::filesystem::path& path, std::size_t max_size) {
  Fd f(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW));
  if (f.fd < 0) return std::unexpected(io_error("cannot open", path));
  struct stat st {};
  if (::fstat(f.fd, &st) != 0) return std::unexpected(io_error("cannot stat", path));
  if (!S_ISREG(st.st_mode)) return fail(Errc::BadFormat, fmt::format("{} is not a regular file", path.string()));
  if (static_cast<std::uint64_t>(st.st_size) > max_size)
    return fail(Errc::BadFormat,
                fmt::format("{} is too large ({} bytes, at most {})", path.string(), st.st_size, max_size));
  Buffer buf(static_cast<std::size_t>(st.st_size));
  std::size_t done = 0;
  while (done < buf.size()) {
    ssize_t n = ::read(f.fd, buf.data() + done, buf.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return std::unexpected(io_error("cannot read", path));
    if (n == 0) return fail(Errc::Io, fmt::format("{} shrank while being read", path.string()));
    done += static_cast<std::size_t>(n);
  }
  return buf;
}

}  // namespace

Result<std::vector<std::uint8_t>> read_file(const std::filesystem::path& path, std::size_t max_size) {
  return read_into<std::vector<std::uint8_t>>(path, max_size);
}

Result<SecureBuffer> read_secret_file(const std::filesystem::path& path, std::size_t max_size) {
  return read_into<SecureBuffer>(path, max_size);
}

Result<void> fsync_directory(const std::filesystem::path& dir) {
  Fd d(::open(dir.empty() ? "." : dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (d.fd < 0) return std::unexpected(io_error("cannot open directory", dir));
  if (::fsync(d.fd) != 0) return std::unexpected(io_error("cannot fsync directory", dir));
  return {};
}

namespace {

std::filesystem::path temp_path_for(const std::filesystem::path& path) {
  char suffix[17];
  std::uint8_t rnd[8];
  randombytes_buf(rnd, sizeof rnd);
  sodium_bin2hex(suffix, sizeof suffix, rnd, sizeof rnd);
  // A leading dot and a .tmp suffix: no reader ever globs this as a finished file.
  return path.parent_path() / fmt::format(".{}.{}.tmp", path.filename().string(), suffix);
}

Result<void> write_all(int fd, const std::uint8_t* data, std::size_t size, const std::filesystem::path& path) {
  std::size_t done = 0;
  while (done < size) {
    ssize_t n = ::write(fd, data + done, size - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return std::unexpected(io_error("cannot write", path));
    done += static_cast<std::size_t>(n);
  }
  return {};
}

// Creates a temp file beside `path`, lets `fill` write it, syncs and renames it into place.
template <class Fill>
Result<void> replace_atomically(const std::filesystem::path& path, unsigned mode, Fill&& fill) {
  const auto tmp = temp_path_for(path);
  {
    Fd f(::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, mode));
    if (f.fd < 0) return std::unexpected(io_error("cannot create", tmp));
    Result<void> r = fill(f.fd, tmp);
    if (r && (::fchmod(f.fd, mode) != 0 || ::fsync(f.fd) != 0)) r = std::unexpected(io_error("cannot sync", tmp));
    if (!r) {
      ::unlink(tmp.c_str());
      return r;
    }
  }
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    auto err = io_error("cannot rename into", path);
    ::unlink(tmp.c_str());
    return std::unexpected(err);
  }
  return fsync_directory(path.parent_path());
}

}  // namespace

Result<void> write_file_atomic(const std::filesystem::path& path, std::span<const std::uint8_t> bytes,
                               unsigned mode) {
  return replace_atomically(path, mode, [&](int fd, const std::filesystem::path& tmp) {
    return write_all(fd, bytes.data(), bytes.size(), tmp);
  });
}

Result<void> copy_file_atomic(const std::filesystem::path& from, const std::filesystem::path& to, unsigned mode) {
  Fd in(::open(from.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW));
  if (in.fd < 0) return std::unexpected(io_error("cannot open", from));
  return replace_atomically(to, mode, [&](int fd, const std::filesystem::path& tmp) -> Result<void> {
    std::vector<std::uint8_t> buf(1 << 16);
    for (;;) {
      ssize_t n = ::read(in.fd, buf.data(), buf.size());
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) return std::unexpected(io_error("cannot read", from));
      if (n == 0) return {};
      if (auto w = write_all(fd, buf.data(), static_cast<std::size_t>(n), tmp); !w) return w;
    }
  });
}

}  // namespace ik::crypto
