#pragma once
// A fresh directory per test, removed afterwards; and small helpers over files.
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "crypto/secure_buffer.hpp"

namespace ik::test {

class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }
  std::filesystem::path operator/(std::string_view name) const { return path_ / name; }

 private:
  std::filesystem::path path_;
};

std::vector<std::uint8_t> read_bytes(const std::filesystem::path& p);
void write_bytes(const std::filesystem::path& p, const std::vector<std::uint8_t>& bytes);
void write_text(const std::filesystem::path& p, std::string_view text);
bool contains(const std::vector<std::uint8_t>& haystack, std::string_view needle);
// Every file in `dir` with its bytes, to prove an operation changed nothing.
std::vector<std::pair<std::string, std::vector<std::uint8_t>>> snapshot(const std::filesystem::path& dir);
crypto::SecureBuffer secret(std::string_view text);

}  // namespace ik::test
