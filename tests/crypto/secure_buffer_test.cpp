#include "crypto/secure_buffer.hpp"

#include <gtest/gtest.h>

#include <vector>

namespace ik::crypto {
namespace {

TEST(SecureBuffer, StartsZeroedAndHasItsSize) {
  SecureBuffer b(48);
  ASSERT_EQ(b.size(), 48u);
  for (auto byte : b.span()) EXPECT_EQ(byte, 0);
}

TEST(SecureBuffer, RandomBuffersDiffer) {
  auto a = SecureBuffer::random(32), b = SecureBuffer::random(32);
  EXPECT_FALSE(a.equals(b));
  EXPECT_TRUE(a.equals(a));
}

TEST(SecureBuffer, MoveLeavesSourceEmpty) {
  auto a = SecureBuffer::random(32);
  auto copy = a.clone();
  SecureBuffer b = std::move(a);
  EXPECT_TRUE(a.empty());  // NOLINT(bugprone-use-after-move): the moved-from state is the point
  EXPECT_EQ(a.data(), nullptr);
  EXPECT_TRUE(b.equals(copy));
}

TEST(SecureBuffer, WipeEmptiesAndTruncateShrinks) {
  auto a = SecureBuffer::copy_of(std::vector<std::uint8_t>{1, 2, 3, 4});
  a.truncate(2);
  EXPECT_EQ(a.size(), 2u);
  EXPECT_EQ(a.data()[1], 2);
  a.wipe();
  EXPECT_TRUE(a.empty());
  EXPECT_EQ(a.data(), nullptr);
}

TEST(SecureBuffer, ResizeReusesTheMemoryWithinItsCapacityAndZeroesWhatComesBack) {
  auto a = SecureBuffer::copy_of(std::vector<std::uint8_t>{1, 2, 3, 4, 5, 6});
  const std::uint8_t* memory = a.data();
  a.resize(2);
  EXPECT_EQ(a.size(), 2u);
  EXPECT_EQ(a.capacity(), 6u);
  a.resize(5);  // grows back within the capacity: same memory, the old bytes 3..5 were wiped
  EXPECT_EQ(a.data(), memory);
  const std::vector<std::uint8_t> expected{1, 2, 0, 0, 0};
  EXPECT_EQ(std::vector<std::uint8_t>(a.span().begin(), a.span().end()), expected);
  a.resize(64);  // past the capacity: a fresh, zeroed buffer
  EXPECT_EQ(a.size(), 64u);
  EXPECT_EQ(a.capacity(), 64u);
  for (auto byte : a.span()) EXPECT_EQ(byte, 0);
  a.resize(0);
  EXPECT_TRUE(a.empty());
  EXPECT_EQ(a.capacity(), 64u);
}

TEST(SecureBuffer, EqualsComparesSizeAndContent) {
  auto a = SecureBuffer::copy_of(std::vector<std::uint8_t>{1, 2, 3});
  auto b = SecureBuffer::copy_of(std::vector<std::uint8_t>{1, 2, 4});
  auto c = SecureBuffer::copy_of(std::vector<std::uint8_t>{1, 2});
  EXPECT_FALSE(a.equals(b));
  EXPECT_FALSE(a.equals(c));
  EXPECT_TRUE(a.equals(a.clone()));
}

}  // namespace
}  // namespace ik::crypto
