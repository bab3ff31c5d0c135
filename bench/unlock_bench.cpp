// Unlock cost at the Argon2id parameters `intakectl init` picks by default:
// crypto::tune(700 ms, 64 MiB), measured on this machine when the program starts.
//
//   derive_key            one Argon2id derivation (the floor of every unlock)
//   unlock_keyslot_file   lock file, attempt recorded on disk, Argon2id, AEAD unwrap, outcome saved
//   core_unlock           the above + storage::Database::open + staff lookup + device key: what a
//                         member of staff waits for after typing a passphrase
//
// One iteration is a whole unlock (~0.7 s), so a few iterations are enough; run.sh runs this
// binary once. Figures: docs/performance.md.
#include <benchmark/benchmark.h>

#include <array>
#include <chrono>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "bench/temp_dir.hpp"
#include "core/provision.hpp"
#include "core/session.hpp"
#include "crypto/kdf.hpp"
#include "crypto/keys.hpp"
#include "crypto/keyslots.hpp"
#include "crypto/secure_buffer.hpp"

namespace ik::bench {
namespace {

// The defaults of `intakectl init` (firmware-app/intakectl.cpp: target_ms, mem_mib).
constexpr auto kTarget = std::chrono::milliseconds(700);
constexpr std::uint64_t kMemlimit = 64ull << 20;
constexpr int kIterations = 5;

// Synthetic staff member and passphrase: nothing here belongs to anyone.
constexpr std::string_view kStaff = "Bench Officer";
constexpr std::string_view kPassphrase = "correct horse battery staple 42";

crypto::SecureBuffer secret(std::string_view text) {
  return crypto::SecureBuffer::copy_of(
      std::span(reinterpret_cast<const std::uint8_t*>(text.data()), text.size()));
}

// One provisioned device, made once per process. Tuning runs here, not at static-init time, so
// `--benchmark_list_tests` stays instant.
struct Device {
  TempDir tmp{"ik-bench-unlock"};
  core::DataDir dir{tmp / "device"};
  crypto::KdfParams params;
  double tune_ms = 0;  // what `intakectl init` spends choosing the parameters
  std::string error;

  Device() {
    const auto t0 = std::chrono::steady_clock::now();
    params = crypto::tune(kTarget, kMemlimit);
    tune_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
    const auto pass = secret(kPassphrase);
    const auto hq = crypto::generate_key_pair(crypto::KeyKind::HqRecovery);
    const auto seal = crypto::generate_key_pair(crypto::KeyKind::HqSeal);
    const auto sign = crypto::generate_key_pair(crypto::KeyKind::HqSign);
    if (auto r = core::provision({dir, std::string(kStaff), &pass, hq.pub, params, seal.pub, sign.pub}); !r)
      error = r.error().message;
  }
};

Device& device() {
  static Device d;
  return d;
}

void report_params(benchmark::State& state, const crypto::KdfParams& p) {
  state.counters["argon2_ops"] = p.opslimit;
  state.counters["argon2_MiB"] = static_cast<double>(p.memlimit >> 20);
}

void report_device(benchmark::State& state, const Device& d) {
  report_params(state, d.params);
  state.counters["tune_ms"] = d.tune_ms;
}

void derive_key(benchmark::State& state) {
  auto& d = device();
  const auto pass = secret(kPassphrase);
  const std::array<std::uint8_t, crypto::kSaltBytes> salt{};  // the salt does not change the cost
  for (auto _ : state) {
    auto key = crypto::derive_key(pass, salt, d.params);
    if (!key) {
      state.SkipWithError(key.error().message.c_str());
      break;
    }
    benchmark::DoNotOptimize(key->data());
  }
  report_device(state, d);
}

void unlock_keyslot_file(benchmark::State& state) {
  auto& d = device();
  if (!d.error.empty()) {
    state.SkipWithError(d.error.c_str());
    return;
  }
  const auto pass = secret(kPassphrase);
  for (auto _ : state) {
    auto dmk = crypto::unlock_keyslot_file(d.dir.keyslots(), kStaff, pass, core::now_unix());
    if (!dmk) {
      state.SkipWithError(dmk.error().message.c_str());
      break;
    }
    benchmark::DoNotOptimize(dmk->data());
  }
  report_device(state, d);
}

void core_unlock(benchmark::State& state) {
  auto& d = device();
  if (!d.error.empty()) {
    state.SkipWithError(d.error.c_str());
    return;
  }
  const auto pass = secret(kPassphrase);
  for (auto _ : state) {
    // The session locks (closes the database, wipes the key) when it goes out of scope: that
    // is part of the cycle a kiosk goes through between two members of staff.
    auto session = core::unlock(d.dir, kStaff, pass);
    if (!session) {
      state.SkipWithError(session.error().message.c_str());
      break;
    }
    benchmark::DoNotOptimize(session->unlocked());
  }
  report_device(state, d);
}

// For scale: the fastest parameters the keyslot format accepts (tests and sanitizer builds only).
void derive_key_fastest(benchmark::State& state) {
  const auto pass = secret(kPassphrase);
  const std::array<std::uint8_t, crypto::kSaltBytes> salt{};
  const auto params = crypto::KdfParams::fastest();
  for (auto _ : state) {
    auto key = crypto::derive_key(pass, salt, params);
    if (!key) {
      state.SkipWithError(key.error().message.c_str());
      break;
    }
    benchmark::DoNotOptimize(key->data());
  }
  report_params(state, params);
}

// Argon2id time against opslimit at 64 MiB. tune() times ops = 1 once and extrapolates linearly
// from zero; this shows how far that holds (any cost per call that does not grow with opslimit
// makes the extrapolation undershoot the target).
void derive_key_ops(benchmark::State& state) {
  const auto pass = secret(kPassphrase);
  const std::array<std::uint8_t, crypto::kSaltBytes> salt{};
  const crypto::KdfParams params{static_cast<std::uint32_t>(state.range(0)), kMemlimit};
  for (auto _ : state) {
    auto key = crypto::derive_key(pass, salt, params);
    if (!key) {
      state.SkipWithError(key.error().message.c_str());
      break;
    }
    benchmark::DoNotOptimize(key->data());
  }
  report_params(state, params);
}

}  // namespace
}  // namespace ik::bench

BENCHMARK(ik::bench::derive_key)
    ->Name("derive_key/tuned_700ms_64MiB")
    ->Iterations(ik::bench::kIterations)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();
BENCHMARK(ik::bench::unlock_keyslot_file)
    ->Name("unlock_keyslot_file/tuned_700ms_64MiB")
    ->Iterations(ik::bench::kIterations)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();
BENCHMARK(ik::bench::core_unlock)
    ->Name("core_unlock/tuned_700ms_64MiB")
    ->Iterations(ik::bench::kIterations)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();
BENCHMARK(ik::bench::derive_key_fastest)
    ->Name("derive_key/fastest_8MiB")
    ->Iterations(20)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

BENCHMARK(ik::bench::derive_key_ops)
    ->Name("derive_key/64MiB")
    ->ArgName("ops")
    ->Arg(1)
    ->Arg(2)
    ->Arg(4)
    ->Arg(8)
    ->Iterations(ik::bench::kIterations)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

BENCHMARK_MAIN();
