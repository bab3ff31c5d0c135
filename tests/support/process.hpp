#pragma once
// `hq-intake serve` (or any long-running built executable) as a child process of a test: its
// stdout is read until it prints "listening on 127.0.0.1:PORT"; SIGKILLed when the test ends.
#include <sys/types.h>

#include <string>
#include <vector>

namespace ik::test {

class ServeProcess {
 public:
  // args: hq-intake's arguments (the executable is found like run() finds it).
  explicit ServeProcess(std::vector<std::string> args);
  ~ServeProcess();
  ServeProcess(const ServeProcess&) = delete;
  ServeProcess& operator=(const ServeProcess&) = delete;

  int port() const { return port_; }  // 0 if it never said it was listening (within 60 s)
  const std::string& output() const { return output_; }
  // SIGTERM, then the exit status (-1 if it did not exit within 30 s).
  int terminate();

 private:
  bool read_some(int timeout_ms);
  pid_t pid_ = -1;
  int out_ = -1;
  int port_ = 0;
  std::string output_;
};

}  // namespace ik::test
