#pragma once
// HQ's network endpoint (docs/bundle-format.md, "Network"): POST /v1/bundles over HTTPS, the
// bundle as an application/octet-stream body, the signed receipt back with 200 — for accepted
// and rejected bundles alike — or a plain-text error: 400 unreadable request, 413 too large,
// 429 rate limited, 503 busy (HQ could not store it now; the device tries again). GET /v1/health
// answers "ok".
//
// Limits, in the order they bite: the per-client-IP token bucket (before the body is read), the
// body size (before it is read whole), the per-device bucket (once the bundle is open and its
// device known), and a fixed pool of worker threads (httplib's thread pool): at most `workers`
// bundles are held in memory at once, each at most `max_body` bytes plus its plaintext and, while
// it is validated, the parsed JSON (several times the plaintext: nlohmann's DOM).
//
// UploadHandler is the whole upload logic without sockets, for the server, the tests and the
// libFuzzer target (fuzz/hq_upload_fuzz.cpp) alike.
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <unordered_map>

#include "core/error.hpp"
#include "crypto/bundle.hpp"
#include "hq/importer.hpp"

namespace ik::hq {

// Token buckets keyed by a string (an IP address, a device key id): `per_minute` requests at
// once, refilled evenly over a minute. per_minute 0 = no limit. Holds at most `max_keys`
// buckets; past that, full buckets are dropped first (they carry no state worth keeping).
class RateLimiter {
 public:
  explicit RateLimiter(int per_minute, std::size_t max_keys = 10'000);
  bool admit(const std::string& key, std::chrono::steady_clock::time_point now = std::chrono::steady_clock::now());

 private:
  struct Bucket {
    double tokens;
    std::chrono::steady_clock::time_point last;
  };
  void refill(Bucket& b, std::chrono::steady_clock::time_point now) const;
  int per_minute_;
  std::size_t max_keys_;
  std::mutex mutex_;
  std::unordered_map<std::string, Bucket> buckets_;
};

struct ServerLimits {
  std::size_t max_body = crypto::kMaxBundleBytes;
  int rate_per_minute = 60;  // per client IP, and per device; 0 = no limit
};

struct HttpReply {
  int status = 200;
  std::string content_type = "text/plain; charset=utf-8";
  std::string body;
};

class UploadHandler {
 public:
  UploadHandler(Importer& importer, ServerLimits limits);
  // The per-client-IP bucket: asked before a byte of the body is read.
  bool admit_client(const std::string& ip);
  // A whole body: size limit, import (with the per-device bucket), receipt or error.
  HttpReply process(std::span<const std::uint8_t> body);
  // Both, as one request from `ip`.
  HttpReply handle(std::span<const std::uint8_t> body, const std::string& ip);
  const ServerLimits& limits() const { return limits_; }
  // The server refused a body for its size before handing it over (counted with the rest).
  void note_too_large();

  struct Counters {
    std::int64_t accepted = 0, duplicate = 0, rejected = 0, throttled = 0, too_large = 0, failed = 0;
  };
  Counters counters() const;

 private:
  Importer& importer_;
  ServerLimits limits_;
  RateLimiter per_ip_, per_device_;
  mutable std::mutex counters_mutex_;
  Counters counters_;
};

struct ServeOptions {
  std::string host = "127.0.0.1";
  int port = 8443;  // 0: any free port (see HttpsServer::port)
  std::filesystem::path tls_cert, tls_key;  // PEM
  int workers = 4;
};

class HttpsServer {
 public:
  // Loads the certificate and key and binds the socket; nothing is served until run().
  static core::Result<std::unique_ptr<HttpsServer>> create(UploadHandler& handler, const ServeOptions& options);
  ~HttpsServer();
  int port() const;
  bool running() const;
  // Serves until stop() (from another thread or a signal-handling thread).
  core::Result<void> run();
  void stop();

 private:
  struct Impl;
  explicit HttpsServer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace ik::hq
