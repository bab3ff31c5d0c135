// Sealed bundles (crypto/bundle.hpp, docs/bundle-format.md) against their floor: the bare
// crypto_secretstream_xchacha20poly1305 push/pull of the same payload in the same 64 KiB chunks
// into a buffer allocated once. What a bundle adds on top of that floor:
//   seal   the payload hash (BLAKE2b leaves over 64 KiB pieces, then a root: the signed manifest,
//          a trailer, names it) on helper threads while the payload chunks are encrypted and on
//          the caller's once they are, one Ed25519 signature, one crypto_box_seal, a fresh output
//          buffer; the bundle hash covers only manifest || signature (194 bytes);
//   open   one crypto_box_seal_open and the payload hash the same way, behind the decryption
//          (verify_bundle compares it), into a reused workspace as HQ does; open_fresh allocates
//          a new SecureBuffer per bundle; open_verify adds the Ed25519 verification.
// blake2b and spec_floor_* are there to read the others: on x86-64 libsodium's BLAKE2b is slower
// than its XChaCha20-Poly1305, so a bundle keeps up with the raw stream only while the hash
// leaves run on another core. Each benchmark reports bytes/s of payload. Figures:
// docs/performance.md. Run with --benchmark_repetitions=N --benchmark_report_aggregates_only.
#include <benchmark/benchmark.h>

#include <sodium.h>

#include <chrono>
#include <cstdint>
#include <vector>

#include "crypto/bundle.hpp"
#include "crypto/keys.hpp"
#include "crypto/sodium.hpp"

namespace ik::bench {
namespace {

using Bytes = std::vector<std::uint8_t>;
constexpr std::size_t kChunk = crypto::kChunkPlainBytes;
constexpr std::size_t kAbytes = crypto_secretstream_xchacha20poly1305_ABYTES;

// Synthetic bytes: the cipher does not care what they are.
Bytes payload(std::size_t n) {
  Bytes b(n);
  randombytes_buf_deterministic(b.data(), b.size(), std::array<unsigned char, 32>{7}.data());
  return b;
}

struct Keys {
  crypto::KeyPair device = crypto::generate_key_pair(crypto::KeyKind::DeviceSign);
  crypto::KeyPair hq = crypto::generate_key_pair(crypto::KeyKind::HqSeal);
};
const Keys& keys() {
  static const Keys k;
  return k;
}

crypto::SealedBundle seal(const Bytes& data) {
  crypto::SealRequest r;
  r.device = &keys().device;
  r.hq_seal = keys().hq.pub;
  r.sequence = 1;
  r.created_at = 1764400000;
  r.payload = data;
  return *crypto::seal_bundle(r);
}

constexpr std::size_t kHeader = crypto_secretstream_xchacha20poly1305_HEADERBYTES;

// The stream header goes first, then the chunks (as in a bundle, less the length fields).
void raw_push(const Bytes& in, Bytes& out, const unsigned char* key) {
  crypto_secretstream_xchacha20poly1305_state st;
  crypto_secretstream_xchacha20poly1305_init_push(&st, out.data(), key);
  std::size_t o = kHeader;
  for (std::size_t i = 0; i < in.size(); i += kChunk) {
    const std::size_t n = std::min(kChunk, in.size() - i);
    const unsigned char tag = i + n == in.size() ? crypto_secretstream_xchacha20poly1305_TAG_FINAL
                                                 : crypto_secretstream_xchacha20poly1305_TAG_MESSAGE;
    crypto_secretstream_xchacha20poly1305_push(&st, out.data() + o, nullptr, in.data() + i, n, nullptr, 0, tag);
    o += n + kAbytes;
  }
}

// Decrypts what raw_push wrote into `plain` (its size is the payload's); false if a chunk fails.
bool raw_pull(const Bytes& stream, Bytes& plain, const unsigned char* key) {
  crypto_secretstream_xchacha20poly1305_state st;
  crypto_secretstream_xchacha20poly1305_init_pull(&st, stream.data(), key);
  std::size_t o = kHeader;
  for (std::size_t i = 0; i < plain.size(); i += kChunk) {
    const std::size_t n = std::min(kChunk, plain.size() - i);
    unsigned long long len = 0;
    unsigned char tag = 0;
    if (crypto_secretstream_xchacha20poly1305_pull(&st, plain.data() + i, &len, &tag, stream.data() + o, n + kAbytes,
                                                   nullptr, 0) != 0)
      return false;
    o += n + kAbytes;
  }
  return true;
}

Bytes stream_buffer(std::size_t n) { return Bytes(kHeader + n + (n / kChunk + 1) * kAbytes); }

void BM_raw_push(benchmark::State& state) {
  const auto data = payload(static_cast<std::size_t>(state.range(0)));
  Bytes out = stream_buffer(data.size());
  unsigned char key[32] = {1};
  for (auto _ : state) {
    raw_push(data, out, key);
    benchmark::DoNotOptimize(out.data());
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * data.size()));
}

void BM_raw_pull(benchmark::State& state) {
  const auto data = payload(static_cast<std::size_t>(state.range(0)));
  Bytes stream = stream_buffer(data.size());
  unsigned char key[32] = {1};
  raw_push(data, stream, key);
  Bytes plain(data.size());
  for (auto _ : state) {
    if (!raw_pull(stream, plain, key)) state.SkipWithError("pull failed");
    benchmark::DoNotOptimize(plain.data());
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * data.size()));
}

void BM_blake2b(benchmark::State& state) {
  const auto data = payload(static_cast<std::size_t>(state.range(0)));
  unsigned char h[32];
  for (auto _ : state) {
    crypto_generichash(h, sizeof h, data.data(), data.size(), nullptr, 0);
    benchmark::DoNotOptimize(h);
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * data.size()));
}

// What the spec itself costs with no implementation overhead, on one core: the raw stream plus
// the payload hash a bundle requires (all its leaves and the root, one after the other). seal and
// open hash the leaves on helper threads too, so on a machine with two cores they beat this
// floor; against raw_push/raw_pull they show what the format costs.
void BM_spec_floor_seal(benchmark::State& state) {
  const auto data = payload(static_cast<std::size_t>(state.range(0)));
  Bytes out = stream_buffer(data.size());
  unsigned char key[32] = {1};
  for (auto _ : state) {
    const auto h = crypto::bundle_payload_hash(data);
    raw_push(data, out, key);
    benchmark::DoNotOptimize(out.data());
    benchmark::DoNotOptimize(h);
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * data.size()));
}

void BM_spec_floor_open(benchmark::State& state) {
  const auto data = payload(static_cast<std::size_t>(state.range(0)));
  Bytes stream = stream_buffer(data.size());
  unsigned char key[32] = {1};
  raw_push(data, stream, key);
  Bytes plain(data.size());
  for (auto _ : state) {
    if (!raw_pull(stream, plain, key)) state.SkipWithError("pull failed");
    const auto h = crypto::bundle_payload_hash(plain);
    benchmark::DoNotOptimize(plain.data());
    benchmark::DoNotOptimize(h);
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * data.size()));
}

void BM_seal(benchmark::State& state) {
  const auto data = payload(static_cast<std::size_t>(state.range(0)));
  for (auto _ : state) {
    auto b = seal(data);
    benchmark::DoNotOptimize(b.file.data());
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * data.size()));
}

// As HQ opens bundles: one after another into the same workspace (open_bundle's last argument).
void BM_open(benchmark::State& state) {
  const auto data = payload(static_cast<std::size_t>(state.range(0)));
  const auto sealed = seal(data);
  crypto::SecureBuffer workspace;
  for (auto _ : state) {
    auto o = crypto::open_bundle(sealed.file, keys().hq, std::move(workspace));
    if (!o) state.SkipWithError("open failed");
    benchmark::DoNotOptimize(o->payload.data());
    workspace = std::move(o->payload);
    workspace.clear();  // as HQ's importer wipes it between bundles
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * data.size()));
}

// A single bundle, into a fresh sodium_malloc buffer (guard pages, mlock, fill) each time.
void BM_open_fresh(benchmark::State& state) {
  const auto data = payload(static_cast<std::size_t>(state.range(0)));
  const auto sealed = seal(data);
  for (auto _ : state) {
    auto o = crypto::open_bundle(sealed.file, keys().hq);
    if (!o) state.SkipWithError("open failed");
    benchmark::DoNotOptimize(o->payload.data());
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * data.size()));
}

void BM_open_verify(benchmark::State& state) {
  const auto data = payload(static_cast<std::size_t>(state.range(0)));
  const auto sealed = seal(data);
  crypto::SecureBuffer workspace;
  for (auto _ : state) {
    auto o = crypto::open_bundle(sealed.file, keys().hq, std::move(workspace));
    if (!o || !crypto::verify_bundle(*o, keys().device.pub)) state.SkipWithError("open/verify failed");
    benchmark::DoNotOptimize(o->payload.data());
    workspace = std::move(o->payload);
    workspace.clear();  // as HQ's importer wipes it between bundles
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * data.size()));
}

// The figure itself: bundle throughput over raw secretstream throughput on the same
// bytes (= raw time / bundle time), the two timed one after the other inside every iteration so
// that the drift of a shared machine's speed (it moves by a third between runs here) falls on
// both alike. Reported as the counter `ratio`; target >= 0.7.
using Clock = std::chrono::steady_clock;

void BM_ratio_seal(benchmark::State& state) {
  const auto data = payload(static_cast<std::size_t>(state.range(0)));
  Bytes out = stream_buffer(data.size());
  unsigned char key[32] = {1};
  Clock::duration raw{}, bundle{};
  for (auto _ : state) {
    const auto t0 = Clock::now();
    raw_push(data, out, key);
    benchmark::DoNotOptimize(out.data());
    const auto t1 = Clock::now();
    auto b = seal(data);
    benchmark::DoNotOptimize(b.file.data());
    bundle += Clock::now() - t1;
    raw += t1 - t0;
  }
  state.counters["ratio"] = static_cast<double>(raw.count()) / static_cast<double>(bundle.count());
}

// Open as HQ runs it (reading rules 1-10): into a reused workspace, and the signature checked.
void BM_ratio_open(benchmark::State& state) {
  const auto data = payload(static_cast<std::size_t>(state.range(0)));
  const auto sealed = seal(data);
  Bytes stream = stream_buffer(data.size());
  unsigned char key[32] = {1};
  raw_push(data, stream, key);
  Bytes plain(data.size());
  crypto::SecureBuffer workspace;
  Clock::duration raw{}, bundle{};
  for (auto _ : state) {
    const auto t0 = Clock::now();
    if (!raw_pull(stream, plain, key)) state.SkipWithError("pull failed");
    benchmark::DoNotOptimize(plain.data());
    const auto t1 = Clock::now();
    auto o = crypto::open_bundle(sealed.file, keys().hq, std::move(workspace));
    if (!o || !crypto::verify_bundle(*o, keys().device.pub)) state.SkipWithError("open/verify failed");
    bundle += Clock::now() - t1;
    raw += t1 - t0;
    // HQ wipes the workspace after the import (hq/importer.cpp): disposal, not opening — and
    // the raw side's plaintext is not wiped either.
    workspace = std::move(o->payload);
    workspace.clear();
  }
  state.counters["ratio"] = static_cast<double>(raw.count()) / static_cast<double>(bundle.count());
}

// Wall-clock time: seal and open use a second thread, whose work CPU time of the main one hides.
#define IK_SIZES ->Arg(1 << 20)->Arg(16 << 20)->Unit(benchmark::kMillisecond)->UseRealTime()
BENCHMARK(BM_raw_push) IK_SIZES;
BENCHMARK(BM_seal) IK_SIZES;
BENCHMARK(BM_raw_pull) IK_SIZES;
BENCHMARK(BM_open) IK_SIZES;
BENCHMARK(BM_open_fresh) IK_SIZES;
BENCHMARK(BM_open_verify) IK_SIZES;
BENCHMARK(BM_blake2b) IK_SIZES;
BENCHMARK(BM_spec_floor_seal) IK_SIZES;
BENCHMARK(BM_spec_floor_open) IK_SIZES;
BENCHMARK(BM_ratio_seal) IK_SIZES;
BENCHMARK(BM_ratio_open) IK_SIZES;

}  // namespace
}  // namespace ik::bench

// sodium_init() picks libsodium's SIMD ChaCha20, Poly1305 and BLAKE2b for this CPU; without it
// the portable code runs at a third of the speed. The raw_* benchmarks call libsodium directly,
// so it must run before the first of them, not inside the first bundle call.
int main(int argc, char** argv) {
  ik::crypto::ensure_sodium();
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
