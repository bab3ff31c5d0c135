// The network upload logic without sockets (what the server, the fuzz target and these tests
// share): receipts with 200 for accepted and rejected bundles, 413 past the size limit, 429 past
// the per-address and per-device rates; and the token bucket itself.
#include "hq/server.hpp"
#include "tests/hq/hq_fixture.hpp"

namespace ik::test {
namespace {

class UploadHandler : public HqFixture {};

std::span<const std::uint8_t> bytes_of(const std::string& s) {
  return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()};
}

TEST_F(UploadHandler, AcceptedAndRejectedBundlesBothGetA200Receipt) {
  SyntheticDevice dev;
  enrol(dev);
  hq::UploadHandler handler(*importer, {.max_body = crypto::kMaxBundleBytes, .rate_per_minute = 0});
  auto c = dev.changes();
  c["cases"] = json::array({make_case(1, 1)});
  const auto bundle = dev.seal(keys.seal, c);
  auto ok = handler.handle(bundle.file, "127.0.0.1");
  EXPECT_EQ(ok.status, 200);
  EXPECT_EQ(ok.content_type, "application/octet-stream");
  auto rc = crypto::read_receipt(bytes_of(ok.body), keys.sign);
  ASSERT_TRUE(rc);
  EXPECT_EQ(rc->status, crypto::ReceiptStatus::Accepted);

  auto garbage = handler.handle(bytes_of("this is not a bundle"), "127.0.0.1");
  EXPECT_EQ(garbage.status, 200);
  auto rr = crypto::read_receipt(bytes_of(garbage.body), keys.sign);
  ASSERT_TRUE(rr);
  EXPECT_EQ(rr->status, crypto::ReceiptStatus::Rejected);
  EXPECT_EQ(rr->reason, "size");

  auto dup = handler.handle(bundle.file, "127.0.0.1");
  EXPECT_EQ(crypto::read_receipt(bytes_of(dup.body), keys.sign)->status, crypto::ReceiptStatus::Duplicate);
  const auto n = handler.counters();
  EXPECT_EQ(n.accepted, 1);
  EXPECT_EQ(n.rejected, 1);
  EXPECT_EQ(n.duplicate, 1);
}

TEST_F(UploadHandler, BodyOverTheLimitIs413AndNothingIsRead) {
  hq::UploadHandler handler(*importer, {.max_body = 1000, .rate_per_minute = 0});
  std::vector<std::uint8_t> big(1001, 0x41);
  auto r = handler.handle(big, "127.0.0.1");
  EXPECT_EQ(r.status, 413);
  EXPECT_EQ(counts().rejections, 0) << "an oversized body is not a bundle read";
}

TEST_F(UploadHandler, PerAddressAndPerDeviceRatesAnswer429) {
  SyntheticDevice dev;
  enrol(dev);
  hq::UploadHandler handler(*importer, {.max_body = crypto::kMaxBundleBytes, .rate_per_minute = 3});
  std::vector<crypto::SealedBundle> bundles;
  for (int i = 0; i < 5; ++i) bundles.push_back(dev.seal(keys.seal, dev.changes()));
  // Per address: three, then 429; another address is not affected.
  for (int i = 0; i < 3; ++i) EXPECT_EQ(handler.handle(bytes_of("x"), "10.9.9.9").status, 200);
  EXPECT_EQ(handler.handle(bytes_of("x"), "10.9.9.9").status, 429);
  // Per device: three bundles of the same device from three addresses, then 429 with nothing imported.
  EXPECT_EQ(handler.handle(bundles[0].file, "127.0.0.2").status, 200);
  EXPECT_EQ(handler.handle(bundles[1].file, "127.0.0.3").status, 200);
  EXPECT_EQ(handler.handle(bundles[2].file, "127.0.0.4").status, 200);
  const auto before = counts();
  auto r = handler.handle(bundles[3].file, "127.0.0.5");
  EXPECT_EQ(r.status, 429);
  EXPECT_EQ(counts(), before);
  EXPECT_EQ(handler.counters().throttled, 2);
}

TEST(RateLimiter, BucketRefillsEvenlyOverAMinute) {
  hq::RateLimiter limiter(6);  // one token every 10 s
  const auto t0 = std::chrono::steady_clock::time_point{} + std::chrono::hours(1);
  for (int i = 0; i < 6; ++i) EXPECT_TRUE(limiter.admit("a", t0));
  EXPECT_FALSE(limiter.admit("a", t0));
  EXPECT_FALSE(limiter.admit("a", t0 + std::chrono::seconds(9)));
  EXPECT_TRUE(limiter.admit("a", t0 + std::chrono::seconds(11)));
  EXPECT_FALSE(limiter.admit("a", t0 + std::chrono::seconds(12)));
  EXPECT_TRUE(limiter.admit("b", t0));
  hq::RateLimiter unlimited(0);
  for (int i = 0; i < 1000; ++i) EXPECT_TRUE(unlimited.admit("a", t0));
}

TEST(RateLimiter, HoldsABoundedNumberOfClients) {
  hq::RateLimiter limiter(2, /*max_keys=*/3);
  const auto t0 = std::chrono::steady_clock::time_point{} + std::chrono::hours(1);
  for (const char* k : {"a", "b", "c"}) EXPECT_TRUE(limiter.admit(k, t0));
  EXPECT_FALSE(limiter.admit("d", t0)) << "every bucket is mid-burst: a newcomer waits";
  // A minute later the buckets are full again and can be dropped.
  EXPECT_TRUE(limiter.admit("d", t0 + std::chrono::minutes(1)));
}

}  // namespace
}  // namespace ik::test
