// Headquarters' receiving end on synthetic data (tests/hq/payload_builder.hpp):
//  1. hq_import_100k: 100,000 records — 10 bundles of 5,000 whole case snapshots and 5,000 calls,
//     each ~10 MB of payload JSON — imported into a fresh SQLCipher store: open, verify, parse,
//     validate, one transaction per bundle. Sealing happens before the clock starts.
//  2. hq_upload_handler: UploadHandler::handle on small bundles (one case, one call) without
//     sockets: what a bundle costs HQ once it has arrived.
//  3. hq_upload_https: the same over the real HttpsServer on 127.0.0.1 (TLS, keep-alive client
//     per thread, 4 workers), at 1 and 4 client threads; uploads per second.
// The certificate for 3 is made by the openssl CLI at start-up. Files go under $TMPDIR
// (bench/run.sh points it at a real disk: fsync on tmpfs costs nothing).
#include <benchmark/benchmark.h>
#include <httplib.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <memory>
#include <thread>

#include "bench/temp_dir.hpp"
#include "hq/hq_keys.hpp"
#include "hq/importer.hpp"
#include "hq/server.hpp"
#include "tests/hq/payload_builder.hpp"

namespace ik::bench {
namespace {

using test::json;
using test::SyntheticDevice;

struct Hq {
  TempDir tmp{"ik-bench-hq"};
  hq::HqDir dir{tmp.path() / "hq"};
  hq::HqPublicKeys keys;
  std::unique_ptr<hq::Importer> importer;

  Hq() {
    auto k = hq::init_hq(dir);
    if (!k) throw std::runtime_error(k.error().message);
    keys = *k;
    auto imp = hq::Importer::open(dir);
    if (!imp) throw std::runtime_error(imp.error().message);
    importer = std::move(*imp);
  }
  void enrol(const SyntheticDevice& d) {
    auto r = importer->with_store([&](hq::Store& s) { return s.add_device(d.key.pub, "bench", 1); });
    if (!r) throw std::runtime_error(r.error().message);
  }
};

hq::ImportContext context(const char* source) {
  hq::ImportContext c;
  c.source = source;
  return c;
}

void hq_import_100k(benchmark::State& state) {
  constexpr int kBundles = 10, kCases = 5000, kCalls = 5000;
  std::int64_t records = 0, bytes = 0;
  for (auto _ : state) {
    state.PauseTiming();
    auto hq = std::make_unique<Hq>();
    SyntheticDevice dev;
    hq->enrol(dev);
    std::vector<crypto::SealedBundle> bundles;
    for (int b = 0; b < kBundles; ++b) {
      auto c = dev.changes();
      for (int i = 0; i < kCases; ++i) c["cases"].push_back(test::make_case(b * kCases + i + 1, 1764390000));
      for (int i = 0; i < kCalls; ++i) c["calls"].push_back(test::make_call(b * kCalls + i + 1, 1764390000));
      bundles.push_back(dev.seal(hq->keys.seal, c));
      bytes += static_cast<std::int64_t>(bundles.back().file.size());
    }
    state.ResumeTiming();
    for (const auto& b : bundles) {
      auto r = hq->importer->import(b.file, context("usb"));
      if (!r || r->outcome != hq::Outcome::Accepted) {
        state.SkipWithError(r ? r->message.c_str() : r.error().message.c_str());
        return;
      }
      records += r->counts.inserted;
    }
    state.PauseTiming();
    hq.reset();
    state.ResumeTiming();
  }
  state.counters["records_per_s"] = benchmark::Counter(static_cast<double>(records), benchmark::Counter::kIsRate);
  state.counters["MB_per_s"] =
      benchmark::Counter(static_cast<double>(bytes) / 1e6, benchmark::Counter::kIsRate);
  state.counters["records"] = static_cast<double>(records) / static_cast<double>(state.iterations());
}
BENCHMARK(hq_import_100k)->Iterations(1)->Unit(benchmark::kSecond)->UseRealTime();

// Small bundles, sealed ahead: one case and one call each, as a kiosk sends after an intake.
std::vector<crypto::SealedBundle> small_bundles(SyntheticDevice& dev, const crypto::PublicKey& seal, int n) {
  std::vector<crypto::SealedBundle> out;
  for (int i = 0; i < n; ++i) {
    auto c = dev.changes();
    c["cases"].push_back(test::make_case(i + 1, 1764390000));
    c["calls"].push_back(test::make_call(i + 1, 1764390000));
    out.push_back(dev.seal(seal, c));
  }
  return out;
}

constexpr int kUploads = 300;

void hq_upload_handler(benchmark::State& state) {
  Hq hq;
  SyntheticDevice dev;
  hq.enrol(dev);
  const auto bundles = small_bundles(dev, hq.keys.seal, kUploads);
  hq::UploadHandler handler(*hq.importer, {crypto::kMaxBundleBytes, 0});
  std::size_t i = 0;
  for (auto _ : state) {
    const auto reply = handler.handle(bundles[i++ % bundles.size()].file, "127.0.0.1");
    if (reply.status != 200) state.SkipWithError("upload refused");
  }
  state.counters["uploads_per_s"] =
      benchmark::Counter(static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
}
BENCHMARK(hq_upload_handler)->Iterations(kUploads)->Unit(benchmark::kMillisecond)->UseRealTime();

// One server for the HTTPS runs, with a device per client thread.
struct Loopback {
  Hq hq;
  std::string cert, key;
  std::unique_ptr<hq::UploadHandler> handler;
  std::unique_ptr<hq::HttpsServer> server;
  std::thread serving;
  std::vector<std::vector<crypto::SealedBundle>> per_thread;

  explicit Loopback(int threads) {
    cert = (hq.tmp.path() / "cert.pem").string();
    key = (hq.tmp.path() / "key.pem").string();
    const auto cmd = "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -keyout '" + key +
                     "' -out '" + cert + "' -days 1 -subj /CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1 " +
                     ">/dev/null 2>&1";
    if (std::system(cmd.c_str()) != 0) throw std::runtime_error("openssl req failed");
    for (int t = 0; t < threads; ++t) {
      SyntheticDevice dev;
      hq.enrol(dev);
      per_thread.push_back(small_bundles(dev, hq.keys.seal, kUploads));
    }
    handler = std::make_unique<hq::UploadHandler>(*hq.importer, hq::ServerLimits{crypto::kMaxBundleBytes, 0});
    hq::ServeOptions options;
    options.port = 0;
    options.tls_cert = cert;
    options.tls_key = key;
    options.workers = 4;
    auto s = hq::HttpsServer::create(*handler, options);
    if (!s) throw std::runtime_error(s.error().message);
    server = std::move(*s);
    serving = std::thread([this] { (void)server->run(); });
    while (!server->running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  ~Loopback() {
    server->stop();
    serving.join();
  }
};

// Each client thread uploads its own device's bundles in order over one keep-alive connection;
// the figure is all uploads over the wall time of the whole batch.
void hq_upload_https(benchmark::State& state) {
  const int clients = static_cast<int>(state.range(0));
  Loopback loopback(clients);
  std::int64_t uploads = 0;
  for (auto _ : state) {
    std::atomic<int> failed{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < clients; ++t) {
      threads.emplace_back([&, t] {
        httplib::SSLClient client("127.0.0.1", loopback.server->port());
        client.set_ca_cert_path(loopback.cert.c_str());
        client.enable_server_certificate_verification(true);
        client.set_keep_alive(true);
        client.set_tcp_nodelay(true);  // as curl (the kiosk's client) does by default
        for (const auto& b : loopback.per_thread[static_cast<std::size_t>(t)]) {
          auto r = client.Post("/v1/bundles", std::string(b.file.begin(), b.file.end()), "application/octet-stream");
          if (!r || r->status != 200) ++failed;
        }
      });
    }
    for (auto& t : threads) t.join();
    if (failed > 0) state.SkipWithError("some uploads failed");
    uploads += static_cast<std::int64_t>(clients) * kUploads;
  }
  state.counters["uploads_per_s"] = benchmark::Counter(static_cast<double>(uploads), benchmark::Counter::kIsRate);
}
BENCHMARK(hq_upload_https)->Arg(1)->Arg(4)->Iterations(1)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace
}  // namespace ik::bench

BENCHMARK_MAIN();
