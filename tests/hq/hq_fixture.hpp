#pragma once
// A real HQ directory in a temp dir (keys from hq::init_hq, the SQLCipher store), an importer
// over it, and helpers to enrol synthetic devices and read receipts back.
#include <gtest/gtest.h>

#include "crypto/bundle.hpp"
#include "crypto/key_files.hpp"
#include "hq/enrol.hpp"
#include "hq/hq_keys.hpp"
#include "hq/importer.hpp"
#include "hq/store.hpp"
#include "tests/hq/payload_builder.hpp"
#include "tests/support/temp_dir.hpp"

namespace ik::test {

inline constexpr std::int64_t kNow = 1764500000;

inline hq::ImportContext at(std::int64_t now, std::string source = "usb") {
  hq::ImportContext c;
  c.source = std::move(source);
  c.now = now;
  return c;
}

class HqFixture : public ::testing::Test {
 protected:
  void SetUp() override {
    auto k = hq::init_hq(dir);
    ASSERT_TRUE(k) << k.error().message;
    keys = *k;
    auto imp = hq::Importer::open(dir);
    ASSERT_TRUE(imp) << imp.error().message;
    importer = std::move(*imp);
  }

  hq::Enrolment enrol(const SyntheticDevice& device, const std::string& label = "Shelter A") {
    const auto pub = tmp / (device.id() + ".pub");
    EXPECT_TRUE(crypto::write_public_key_file(pub, device.key.pub));
    auto e = importer->with_store([&](hq::Store& s) { return hq::enrol_device(s, pub, label, kNow); });
    EXPECT_TRUE(e) << e.error().message;
    return e ? *e : hq::Enrolment{};
  }

  hq::ImportResult import(std::span<const std::uint8_t> file, hq::ImportContext context = {}) {
    if (context.now == 0) context.now = kNow;
    auto r = importer->import(file, context);
    EXPECT_TRUE(r) << r.error().message;
    return r ? std::move(*r) : hq::ImportResult{};
  }
  hq::ImportResult import(const crypto::SealedBundle& b, hq::ImportContext context = {}) {
    return import(b.file, std::move(context));
  }

  crypto::Receipt receipt(const hq::ImportResult& r) {
    auto rc = crypto::read_receipt(r.receipt, keys.sign);
    EXPECT_TRUE(rc) << (rc ? "" : rc.error().reason);
    return rc ? *rc : crypto::Receipt{};
  }

  hq::StoreCounts counts() {
    auto c = importer->with_store([](hq::Store& s) { return s.counts(); });
    EXPECT_TRUE(c);
    return c ? *c : hq::StoreCounts{};
  }

  TempDir tmp;
  hq::HqDir dir{tmp / "hq"};
  hq::HqPublicKeys keys;
  std::unique_ptr<hq::Importer> importer;
};

}  // namespace ik::test
