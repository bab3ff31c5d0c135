#pragma once
// Runs a built executable (or any program) with arguments, capturing exit code and output.
#include <filesystem>
#include <string>
#include <vector>

namespace ik::test {

struct RunResult {
  int exit_code = -1;
  std::string out, err;
};

// argv[0] is looked up in IK_BIN_DIR first, then on PATH. `input` is fed to stdin.
RunResult run(const std::vector<std::string>& argv, const std::string& input = {});
std::filesystem::path bin(const std::string& name);

}  // namespace ik::test
