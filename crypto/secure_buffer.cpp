#include "crypto/secure_buffer.hpp"

#include <sodium.h>

#include <cstring>
#include <new>
#include <utility>

#include "crypto/sodium.hpp"

namespace ik::crypto {

SecureBuffer::SecureBuffer(std::size_t size) {
  ensure_sodium();
  if (size == 0) return;
  data_ = static_cast<std::uint8_t*>(sodium_malloc(size));
  if (data_ == nullptr) throw std::bad_alloc();
  sodium_memzero(data_, size);
  size_ = capacity_ = size;
}

SecureBuffer::~SecureBuffer() { wipe(); }

SecureBuffer::SecureBuffer(SecureBuffer&& other) noexcept
    : data_(std::exchange(other.data_, nullptr)),
      size_(std::exchange(other.size_, 0)),
      capacity_(std::exchange(other.capacity_, 0)) {}

SecureBuffer& SecureBuffer::operator=(SecureBuffer&& other) noexcept {
  if (this != &other) {
    wipe();
    data_ = std::exchange(other.data_, nullptr);
    size_ = std::exchange(other.size_, 0);
    capacity_ = std::exchange(other.capacity_, 0);
  }
  return *this;
}

SecureBuffer SecureBuffer::random(std::size_t size) {
  SecureBuffer b(size);
  if (size > 0) randombytes_buf(b.data(), size);
  return b;
}

SecureBuffer SecureBuffer::copy_of(std::span<const std::uint8_t> bytes) {
  SecureBuffer b(bytes.size());
  if (!bytes.empty()) std::memcpy(b.data(), bytes.data(), bytes.size());
  return b;
}

SecureBuffer SecureBuffer::clone() const { return copy_of(span()); }

void SecureBuffer::truncate(std::size_t size) {
  if (size >= size_) return;
  sodium_memzero(data_ + size, size_ - size);
  size_ = size;
}

void SecureBuffer::resize(std::size_t size) {
  if (size > capacity_) {
    *this = SecureBuffer(size);
    return;
  }
  if (size < size_) truncate(size);
  size_ = size;
}

void SecureBuffer::clear() {
  if (data_ != nullptr) sodium_memzero(data_, capacity_);
}

void SecureBuffer::wipe() {
  if (data_ != nullptr) {
    sodium_memzero(data_, capacity_);
    sodium_free(data_);  // also wipes, and checks the canary
  }
  data_ = nullptr;
  size_ = capacity_ = 0;
}

bool SecureBuffer::equals(const SecureBuffer& other) const {
  if (size_ != other.size_) return false;
  if (size_ == 0) return true;
  return sodium_memcmp(data_, other.data_, size_) == 0;
}

}  // namespace ik::crypto
