#include "tests/support/temp_dir.hpp"

#include <stdlib.h>

#include <algorithm>
#include <cstring>
#include <fstream>
#include <iterator>

#include <gtest/gtest.h>

namespace ik::test {

TempDir::TempDir() {
  std::string tmpl = (std::filesystem::temp_directory_path() / "ik-test-XXXXXX").string();
  if (::mkdtemp(tmpl.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
  path_ = tmpl;
}

TempDir::~TempDir() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

std::vector<std::uint8_t> read_bytes(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

void write_bytes(const std::filesystem::path& p, const std::vector<std::uint8_t>& bytes) {
  std::ofstream out(p, std::ios::binary | std::ios::trunc);
  out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
}

void write_text(const std::filesystem::path& p, std::string_view text) {
  std::ofstream out(p, std::ios::binary | std::ios::trunc);
  out << text;
}

bool contains(const std::vector<std::uint8_t>& haystack, std::string_view needle) {
  // Compare as unsigned bytes: a plain char above 0x7F never equals a uint8_t of the same bits.
  const auto* n = reinterpret_cast<const std::uint8_t*>(needle.data());
  return std::search(haystack.begin(), haystack.end(), n, n + needle.size()) != haystack.end();
}

std::vector<std::pair<std::string, std::vector<std::uint8_t>>> snapshot(const std::filesystem::path& dir) {
  std::vector<std::pair<std::string, std::vector<std::uint8_t>>> out;
  for (const auto& e : std::filesystem::directory_iterator(dir))
    if (e.is_regular_file()) out.emplace_back(e.path().filename().string(), read_bytes(e.path()));
  std::sort(out.begin(), out.end());
  return out;
}

crypto::SecureBuffer secret(std::string_view text) {
  return crypto::SecureBuffer::copy_of({reinterpret_cast<const std::uint8_t*>(text.data()), text.size()});
}

}  // namespace ik::test
