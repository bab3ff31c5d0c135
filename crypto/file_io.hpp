#pragma once
// Bounded reads and crash-safe writes. A write is temp file (O_EXCL, the final mode from the
// start) -> fsync -> rename -> fsync(directory): after a power cut the path holds either the old
// or the new content, never a mix, and a temp file never looks like the real one.
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <span>
#include <vector>

#include "crypto/error.hpp"
#include "crypto/secure_buffer.hpp"

namespace ik::crypto {

// Reads a whole file, refusing (before allocating) one larger than max_size.
Result<std::vector<std::uint8_t>> read_file(const std::filesystem::path& path,
                                            std::size_t max_size);
// Same, straight into secure memory (no intermediate heap copy).
Result<SecureBuffer> read_secret_file(const std::filesystem::path& path, std::size_t max_size);

Result<void> write_file_atomic(const std::filesystem::path& path,
                               std::span<const std::uint8_t> bytes, unsigned mode = 0600);
// Streams `from` into `to` with the same temp-fsync-rename discipline.
Result<void> copy_file_atomic(const std::filesystem::path& from, const std::filesystem::path& to,
                              unsigned mode = 0600);
Result<void> fsync_directory(const std::filesystem::path& dir);

}  // namespace ik::crypto
