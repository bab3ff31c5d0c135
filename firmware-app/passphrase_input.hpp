#pragma once
// Passphrases for the command-line tools: from a file (for scripts) or typed at the terminal
// with echo off. Never from argv, where any user can read them in /proc.
#include <filesystem>
#include <optional>
#include <string_view>

#include "crypto/error.hpp"
#include "crypto/secure_buffer.hpp"

namespace ik::cli {

// Reads the first line of the file (at most 1 KiB, trailing newline stripped).
crypto::Result<crypto::SecureBuffer> passphrase_from_file(const std::filesystem::path& path);
// Prompts on /dev/tty without echo; `confirm` asks twice and compares.
crypto::Result<crypto::SecureBuffer> passphrase_from_tty(std::string_view prompt, bool confirm);
// The file when given, else the terminal.
crypto::Result<crypto::SecureBuffer> read_passphrase(const std::optional<std::filesystem::path>& file,
                                                     std::string_view prompt, bool confirm = false);

}  // namespace ik::cli
