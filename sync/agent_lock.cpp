// The sync agent's exclusive lock (sync/agent.lock). flock, not a PID file: the kernel drops it
// when the holder dies, so a killed agent (a stick pulled, a power cut) never blocks the next.
#include <fcntl.h>
#include <fmt/format.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <thread>

#include "sync/transport.hpp"

namespace ik::sync {

core::Result<AgentLock> AgentLock::acquire(const core::DataDir& dir, double wait_seconds) {
  const auto sync_dir = dir.sync_dir();
  if (::mkdir(sync_dir.c_str(), 0750) != 0 && errno != EEXIST)
    return core::fail(core::Errc::Io,
                      fmt::format("cannot create {}: {}", sync_dir.string(), std::strerror(errno)));
  const auto path = sync_dir / "agent.lock";
  const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd < 0)
    return core::fail(core::Errc::Io,
                      fmt::format("cannot open {}: {}", path.string(), std::strerror(errno)));
  AgentLock lock(fd);
  const auto deadline =
      std::chrono::steady_clock::now() + std::chrono::duration<double>(std::max(0.0, wait_seconds));
  for (;;) {
    if (::flock(fd, LOCK_EX | LOCK_NB) == 0) return lock;
    if (errno != EWOULDBLOCK && errno != EINTR)
      return core::fail(core::Errc::Io,
                        fmt::format("cannot lock {}: {}", path.string(), std::strerror(errno)));
    if (std::chrono::steady_clock::now() >= deadline)
      return core::fail(
          core::Errc::Exists,
          "another sync agent is running on this device; try again when it has finished");
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
}

AgentLock::~AgentLock() {
  if (fd_ >= 0) ::close(fd_);  // closing the last descriptor releases the flock
}

}  // namespace ik::sync
