#pragma once
// SecureBuffer: bytes in sodium_malloc memory (guard pages, canary, mlock where allowed),
// wiped on destruction. Move-only: a secret is never copied implicitly. Every secret in the
// project (passphrases, the database master key, secret keys) lives in one of these.
#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

namespace ik::crypto {

class SecureBuffer {
 public:
  SecureBuffer() = default;
  explicit SecureBuffer(std::size_t size);  // zero-filled; throws std::bad_alloc
  ~SecureBuffer();
  SecureBuffer(SecureBuffer&& other) noexcept;
  SecureBuffer& operator=(SecureBuffer&& other) noexcept;
  SecureBuffer(const SecureBuffer&) = delete;
  SecureBuffer& operator=(const SecureBuffer&) = delete;

  static SecureBuffer random(std::size_t size);
  static SecureBuffer copy_of(std::span<const std::uint8_t> bytes);
  // An explicit copy, for the rare place that must keep a second handle on a secret.
  SecureBuffer clone() const;

  std::uint8_t* data() { return data_; }
  const std::uint8_t* data() const { return data_; }
  std::size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  std::span<std::uint8_t> span() { return {data_, size_}; }
  std::span<const std::uint8_t> span() const { return {data_, size_}; }
  // For APIs that take characters (a passphrase is bytes, not necessarily text).
  std::string_view view() const { return {reinterpret_cast<const char*>(data_), size_}; }

  std::size_t capacity() const { return capacity_; }
  // Shrinks the visible size (e.g. after stripping a newline) without reallocating.
  void truncate(std::size_t size);
  // Makes the buffer `size` bytes long for its next use, keeping its memory when the capacity
  // allows (saving the allocation, locking and filling of a fresh one), else allocating anew.
  // The first min(old, new) bytes keep this buffer's old contents; the rest are zero.
  void resize(std::size_t size);
  // Zeroes the contents, keeping the buffer (for an input field that is emptied and reused).
  void clear();
  // Wipes and frees now; the buffer becomes empty.
  void wipe();
  bool equals(const SecureBuffer& other) const;  // constant time for equal sizes

 private:
  std::uint8_t* data_ = nullptr;
  std::size_t size_ = 0;
  std::size_t capacity_ = 0;  // bytes [size_, capacity_) are always zero
};

}  // namespace ik::crypto
