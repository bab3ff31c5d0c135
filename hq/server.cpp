#include "hq/server.hpp"

#include <algorithm>
#include <charconv>
#include <fstream>

#include <fmt/format.h>
#include <httplib.h>

namespace ik::hq {
namespace {

HttpReply text(int status, std::string body) { return HttpReply{status, "text/plain; charset=utf-8", body + "\n"}; }

std::optional<std::uint64_t> content_length(const httplib::Request& req) {
  if (!req.has_header("Content-Length")) return std::nullopt;
  const auto v = req.get_header_value("Content-Length");
  std::uint64_t n = 0;
  auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), n);
  if (ec != std::errc() || p != v.data() + v.size()) return std::nullopt;
  return n;
}

// A rate-limited client's small body is read and dropped, so the connection stays usable; a
// large one is not read at all (the connection is closed instead).
constexpr std::uint64_t kDrainLimit = 1u << 20;

}  // namespace

RateLimiter::RateLimiter(int per_minute, std::size_t max_keys) : per_minute_(per_minute), max_keys_(max_keys) {}

void RateLimiter::refill(Bucket& b, std::chrono::steady_clock::time_point now) const {
  const double elapsed = std::chrono::duration<double>(now - b.last).count();
  b.tokens = std::min<double>(per_minute_, b.tokens + elapsed * per_minute_ / 60.0);
  b.last = now;
}

bool RateLimiter::admit(const std::string& key, std::chrono::steady_clock::time_point now) {
  if (per_minute_ <= 0) return true;
  std::lock_guard lock(mutex_);
  auto it = buckets_.find(key);
  if (it == buckets_.end()) {
    if (buckets_.size() >= max_keys_) {
      for (auto b = buckets_.begin(); b != buckets_.end();) {
        refill(b->second, now);
        b = b->second.tokens >= per_minute_ ? buckets_.erase(b) : std::next(b);
      }
      // Still full: every client is mid-burst. Refuse newcomers rather than grow without bound.
      if (buckets_.size() >= max_keys_) return false;
    }
    it = buckets_.emplace(key, Bucket{static_cast<double>(per_minute_), now}).first;
  }
  refill(it->second, now);
  if (it->second.tokens < 1.0) return false;
  it->second.tokens -= 1.0;
  return true;
}

UploadHandler::UploadHandler(Importer& importer, ServerLimits limits)
    : importer_(importer), limits_(limits), per_ip_(limits.rate_per_minute), per_device_(limits.rate_per_minute) {}

bool UploadHandler::admit_client(const std::string& ip) {
  if (per_ip_.admit(ip)) return true;
  std::lock_guard lock(counters_mutex_);
  ++counters_.throttled;
  return false;
}

HttpReply UploadHandler::process(std::span<const std::uint8_t> body) {
  auto count = [&](std::int64_t Counters::*field) {
    std::lock_guard lock(counters_mutex_);
    ++(counters_.*field);
  };
  if (body.size() > limits_.max_body) {
    count(&Counters::too_large);
    return text(413, fmt::format("the bundle is larger than this server accepts ({} bytes)", limits_.max_body));
  }
  ImportContext context;
  context.source = "https";
  context.admit = [this](const std::string& device) { return per_device_.admit(device); };
  auto r = importer_.import(body, context);
  if (!r) {
    count(&Counters::failed);
    // The message concerns HQ's store (disk, I/O); the device keeps the bundle and retries.
    fmt::print(stderr, "hq-intake serve: {}\n", r.error().message);
    return text(503, "HQ could not store the bundle now; try again later");
  }
  switch (r->outcome) {
    case Outcome::Throttled:
      count(&Counters::throttled);
      return text(429, "too many bundles from this device; try again later");
    case Outcome::Accepted: count(&Counters::accepted); break;
    case Outcome::Duplicate: count(&Counters::duplicate); break;
    case Outcome::Rejected: count(&Counters::rejected); break;
  }
  return HttpReply{200, "application/octet-stream", std::string(r->receipt.begin(), r->receipt.end())};
}

HttpReply UploadHandler::handle(std::span<const std::uint8_t> body, const std::string& ip) {
  if (!admit_client(ip)) return text(429, "too many requests from this address; try again later");
  return process(body);
}

void UploadHandler::note_too_large() {
  std::lock_guard lock(counters_mutex_);
  ++counters_.too_large;
}

UploadHandler::Counters UploadHandler::counters() const {
  std::lock_guard lock(counters_mutex_);
  return counters_;
}

struct HttpsServer::Impl {
  Impl(const std::filesystem::path& cert, const std::filesystem::path& key, UploadHandler& h)
      : server(cert.c_str(), key.c_str()), handler(h) {}
  httplib::SSLServer server;
  UploadHandler& handler;
  int port = 0;
};

HttpsServer::HttpsServer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
HttpsServer::~HttpsServer() = default;
int HttpsServer::port() const { return impl_->port; }
bool HttpsServer::running() const { return impl_->server.is_running(); }

core::Result<std::unique_ptr<HttpsServer>> HttpsServer::create(UploadHandler& handler, const ServeOptions& options) {
  for (const auto* p : {&options.tls_cert, &options.tls_key}) {
    std::ifstream probe(*p);
    if (!probe) return core::fail(core::Errc::NotFound, fmt::format("cannot read {}", p->string()));
  }
  auto impl = std::make_unique<Impl>(options.tls_cert, options.tls_key, handler);
  auto& svr = impl->server;
  if (!svr.is_valid())
    return core::fail(core::Errc::Invalid, "the TLS certificate or key does not load (PEM files that belong together?)");

  const auto workers = static_cast<std::size_t>(std::max(1, options.workers));
  svr.new_task_queue = [workers] { return new httplib::ThreadPool(workers); };
  svr.set_payload_max_length(handler.limits().max_body);
  svr.set_read_timeout(30, 0);
  svr.set_write_timeout(30, 0);
  svr.set_keep_alive_max_count(100);
  // A receipt is small and written in two pieces (headers, body): without TCP_NODELAY, Nagle's
  // algorithm against the client's delayed ACK adds ~40 ms to every upload (bench/hq_bench.cpp).
  svr.set_tcp_nodelay(true);
  // A client that announces a body too large hears 413 before sending it.
  svr.set_expect_100_continue_handler([&handler](const httplib::Request& req, httplib::Response& res) {
    const auto n = content_length(req);
    if (n && *n > handler.limits().max_body) {
      // httplib answers with `res` as it is: the status must be set here, not only returned.
      handler.note_too_large();
      res.status = 413;
      res.set_header("Connection", "close");
      res.set_content("the bundle is larger than this server accepts\n", "text/plain; charset=utf-8");
      return 413;
    }
    return 100;
  });

  svr.Get("/v1/health", [](const httplib::Request&, httplib::Response& res) {
    res.set_content("ok\n", "text/plain; charset=utf-8");
  });
  svr.Post("/v1/bundles", [&handler](const httplib::Request& req, httplib::Response& res,
                                     const httplib::ContentReader& reader) {
    auto send = [&](const HttpReply& r) {
      res.status = r.status;
      res.set_content(r.body, r.content_type);
    };
    const auto length = content_length(req);
    if (!handler.admit_client(req.remote_addr)) {
      if (length && *length <= kDrainLimit) (void)reader([](const char*, std::size_t) { return true; });
      else res.set_header("Connection", "close");
      return send(text(429, "too many requests from this address; try again later"));
    }
    const auto max = handler.limits().max_body;
    std::vector<std::uint8_t> body;
    if (length && *length <= max) body.reserve(*length);
    bool too_large = false;
    const bool ok = reader([&](const char* data, std::size_t n) {
      if (body.size() + n > max) {
        too_large = true;
        return false;
      }
      body.insert(body.end(), reinterpret_cast<const std::uint8_t*>(data),
                  reinterpret_cast<const std::uint8_t*>(data) + n);
      return true;
    });
    if (!ok || too_large) {
      res.set_header("Connection", "close");
      if (too_large || res.status == 413 || (length && *length > max)) {
        handler.note_too_large();
        return send(text(413, fmt::format("the bundle is larger than this server accepts ({} bytes)", max)));
      }
      return send(text(400, "the request body could not be read"));
    }
    send(handler.process(body));
  });
  svr.set_error_handler([](const httplib::Request&, httplib::Response& res) {
    if (res.body.empty())
      res.set_content(res.status == 404 ? "no such endpoint: POST /v1/bundles, GET /v1/health\n"
                                        : fmt::format("request refused (HTTP {})\n", res.status),
                      "text/plain; charset=utf-8");
  });

  if (options.port == 0) {
    impl->port = svr.bind_to_any_port(options.host);
    if (impl->port < 0) return core::fail(core::Errc::Io, fmt::format("cannot listen on {}", options.host));
  } else {
    if (!svr.bind_to_port(options.host, options.port))
      return core::fail(core::Errc::Io, fmt::format("cannot listen on {}:{}", options.host, options.port));
    impl->port = options.port;
  }
  return std::unique_ptr<HttpsServer>(new HttpsServer(std::move(impl)));
}

core::Result<void> HttpsServer::run() {
  if (!impl_->server.listen_after_bind() && impl_->server.is_running())
    return core::fail(core::Errc::Io, "the server stopped unexpectedly");
  return {};
}

void HttpsServer::stop() { impl_->server.stop(); }

}  // namespace ik::hq
