#pragma once
// A provisioned device in a temp dir, with the fastest Argon2id parameters.
#include <gtest/gtest.h>

#include "core/provision.hpp"
#include "core/session.hpp"
#include "core/users_service.hpp"
#include "tests/support/temp_dir.hpp"

namespace ik::core::testing {

struct DeviceFixture : ::testing::Test {
  test::TempDir tmp;
  DataDir dir{tmp / "device"};
  crypto::KeyPair hq = crypto::generate_key_pair(crypto::KeyKind::HqRecovery);
  crypto::KdfParams fast = crypto::KdfParams::fastest();

  void SetUp() override {
    auto pass = test::secret("admin passphrase 1");
    auto r = provision({dir, "Admin Aysel", &pass, hq.pub, fast});
    ASSERT_TRUE(r) << r.error().message;
  }
  Session unlock_as(std::string_view name, std::string_view pass) {
    auto s = unlock(dir, name, test::secret(pass));
    EXPECT_TRUE(s) << s.error().message;
    return s ? std::move(*s) : Session{};
  }
  Session admin() { return unlock_as("Admin Aysel", "admin passphrase 1"); }
};

}  // namespace ik::core::testing
