// Sealed sync on the device: sync::write_outbox bundling 10,000 changed intakes (each a whole
// case snapshot: person, three consents, exploitation, referral, stay) and 1,000 calls, on a real
// SQLCipher device in $TMPDIR with the 50 beds and synthetic records of core::generate_demo_data.
//
//   sync/write_outbox/10000_cases   one run of write_outbox after every record was queued again:
//                                   reading the snapshots, the JSON in sodium memory, sealing
//                                   (secretstream + Ed25519), the bundle files (fsync) and the
//                                   database transaction per bundle (~16 MiB payload each)
//
// Counters: bundles, bundle file MiB, records and records per second. Every iteration
// queues everything again first (untimed), as a device whose HQ asked for a full resend would.
// Synthetic names only (every family name means "sample", "test" or "example").
#include <benchmark/benchmark.h>

#include <cstdio>
#include <optional>
#include <string>

#include "bench/temp_dir.hpp"
#include "core/beds.hpp"
#include "core/demo_data.hpp"
#include "core/provision.hpp"
#include "core/session.hpp"
#include "crypto/keys.hpp"
#include "sync/outbox.hpp"

namespace ik::bench {
namespace {

constexpr int kIntakes = 10000;
constexpr int kCalls = 1000;
constexpr std::string_view kAdmin = "Bench Admin", kPass = "bench admin passphrase";

crypto::SecureBuffer secret(std::string_view s) {
  return crypto::SecureBuffer::copy_of({reinterpret_cast<const std::uint8_t*>(s.data()), s.size()});
}

struct Device {
  TempDir tmp{"ik-sync-bench"};
  core::DataDir dir{tmp / "device"};
  std::optional<core::Session> session;
  std::string error;

  Device() {
    const auto pass = secret(kPass);
    const auto recovery = crypto::generate_key_pair(crypto::KeyKind::HqRecovery);
    const auto seal = crypto::generate_key_pair(crypto::KeyKind::HqSeal);
    const auto sign = crypto::generate_key_pair(crypto::KeyKind::HqSign);
    core::ProvisionRequest req{dir, std::string(kAdmin), &pass, recovery.pub, crypto::KdfParams::fastest(), seal.pub,
                               sign.pub};
    if (auto r = core::provision(req); !r) {
      error = r.error().message;
      return;
    }
    auto s = core::unlock(dir, kAdmin, pass);
    if (!s) {
      error = s.error().message;
      return;
    }
    std::fprintf(stderr, "bench_sync: generating %d intakes and %d calls…\n", kIntakes, kCalls);
    if (auto r = core::BedService(*s).configure(core::BedLayout{}); !r) error = r.error().message;
    if (auto r = core::generate_demo_data(*s, {.intakes = kIntakes, .calls = kCalls, .seed = 11}); !r)
      error = r.error().message;
    session = std::move(*s);
  }
};

Device& device() {
  static Device d;
  return d;
}

void BM_WriteOutbox(benchmark::State& state) {
  auto& d = device();
  if (!d.error.empty()) {
    state.SkipWithError(d.error.c_str());
    return;
  }
  auto& s = *d.session;
  std::int64_t bundles = 0, bytes = 0, records = 0;
  for (auto _ : state) {
    state.PauseTiming();
    auto queued = sync::queue_everything(s);
    if (!queued) {
      state.SkipWithError(queued.error().message.c_str());
      break;
    }
    state.ResumeTiming();
    auto r = sync::write_outbox(s, core::now_unix());
    if (!r) {
      state.SkipWithError(r.error().message.c_str());
      break;
    }
    bundles += r->bundles;
    bytes += r->bytes;
    records += r->cases + r->calls + r->beds;
  }
  const double n = static_cast<double>(state.iterations());
  if (n == 0) return;
  state.counters["bundles"] = static_cast<double>(bundles) / n;
  state.counters["file_MiB"] = static_cast<double>(bytes) / n / (1 << 20);
  state.counters["records"] = static_cast<double>(records) / n;
  state.counters["records_per_s"] = benchmark::Counter(static_cast<double>(records), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_WriteOutbox)->Name("sync/write_outbox/10000_cases")->Unit(benchmark::kMillisecond)->Iterations(3)
    ->UseRealTime();

}  // namespace
}  // namespace ik::bench

BENCHMARK_MAIN();
