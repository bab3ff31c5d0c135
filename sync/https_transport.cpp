// The network transport of the sync agent: POST <url>/v1/bundles, one bundle per request, in
// sequence order; the 200 answer is HQ's receipt, stored as inbox/<bundle id>.ikr.
//
// What must stay true:
//  - Only HQ's certificate works: it is the only trust anchor (CURLOPT_CAINFO, no CA folder) and
//    its public key is pinned as well (CURLOPT_PINNEDPUBLICKEY), so neither a public CA nor a
//    certificate issued under the pinned one is accepted. TLS 1.2 or later, https only, no
//    redirects, no proxy from the environment.
//  - HQ's answer is bounded (a receipt is at most 363 bytes) before it is stored.
//  - 429/502/503/504 and network failures are retried with exponential backoff; when the
//    attempts run out the run stops (HQ or the network is down: the next run resumes, since a
//    bundle with a receipt in inbox/ is never sent again). Another refusal (400, 413, ...) is an
//    error for that bundle only.
#include <curl/curl.h>
#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <memory>
#include <mutex>
#include <thread>

#include "crypto/bundle.hpp"
#include "crypto/file_io.hpp"
#include "sync/agent_files.hpp"
#include "sync/transport.hpp"

namespace ik::sync {
namespace {

using agent::OutboxEntry;
using core::SyncFailure;

constexpr std::size_t kMaxAnswerBytes = 1024;  // a receipt, or HQ's short plain-text error
constexpr double kMaxBackoffSeconds = 60;

struct CurlDeleter {
  void operator()(CURL* h) const { curl_easy_cleanup(h); }
};
struct SlistDeleter {
  void operator()(curl_slist* l) const { curl_slist_free_all(l); }
};

core::Result<void> global_init() {
  static std::once_flag once;
  static CURLcode rc = CURLE_OK;
  std::call_once(once, [] { rc = curl_global_init(CURL_GLOBAL_DEFAULT); });
  if (rc != CURLE_OK)
    return core::fail(core::Errc::Internal, "the network library could not start");
  return {};
}

// HQ's plain-text error, made safe for a log line: printable ASCII, short.
std::string printable(std::string_view text) {
  std::string out;
  for (char c : text) {
    if (out.size() >= 200) break;
    out += (c >= 0x20 && c < 0x7f) ? c : ' ';
  }
  while (!out.empty() && out.back() == ' ') out.pop_back();
  return out;
}

struct Answer {
  std::string body;
  bool overflow = false;
};

std::size_t on_write(char* data, std::size_t size, std::size_t n, void* user) {
  auto* a = static_cast<Answer*>(user);
  const std::size_t bytes = size * n;
  if (a->body.size() + bytes > kMaxAnswerBytes) {
    a->overflow = true;
    return 0;  // aborts the transfer: HQ never sends this much
  }
  a->body.append(data, bytes);
  return bytes;
}

struct XferState {
  const ProgressFn* progress = nullptr;
  Progress* state = nullptr;
  std::int64_t base = 0, size = 0;
};

int on_xfer(void* user, curl_off_t, curl_off_t, curl_off_t, curl_off_t ulnow) {
  auto* x = static_cast<XferState*>(user);
  if (x->progress && *x->progress) {
    x->state->bytes_done = x->base + std::clamp<std::int64_t>(ulnow, 0, x->size);
    (*x->progress)(*x->state);
  }
  return 0;
}

enum class Kind { Receipt, Retry, Refused, Fatal };
struct Attempt {
  Kind kind = Kind::Retry;
  SyncFailure failure = SyncFailure::Unknown;  // what the kiosk says when this is the last word
  std::string message;
  std::string receipt;
  double retry_after = 0;
};

bool is_certificate_failure(CURLcode rc) {
  switch (rc) {
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_ISSUER_ERROR:
      return true;
    default:
      return false;
  }
}

class HttpsRun {
 public:
  HttpsRun(const core::DataDir& dir, const HttpsOptions& opt, const ProgressFn& progress)
      : dir_(dir), opt_(opt), progress_(progress) {}
  RunResult<TransportResult> run();

 private:
  core::Result<void> setup(const std::string& endpoint, const std::string& pin);
  Attempt post(const OutboxEntry& e, const std::vector<std::uint8_t>& body);

  const core::DataDir& dir_;
  const HttpsOptions& opt_;
  const ProgressFn& progress_;
  Progress state_;
  std::unique_ptr<CURL, CurlDeleter> curl_;
  std::unique_ptr<curl_slist, SlistDeleter> headers_;
  std::string endpoint_, pin_, cainfo_;
  char errbuf_[CURL_ERROR_SIZE] = {};
  Answer answer_;
  XferState xfer_;
};

core::Result<void> HttpsRun::setup(const std::string& endpoint, const std::string& pin) {
  if (auto g = global_init(); !g) return g;
  curl_.reset(curl_easy_init());
  if (!curl_) return core::fail(core::Errc::Internal, "the network library could not start");
  endpoint_ = endpoint;
  pin_ = pin;
  cainfo_ = opt_.pinned_cert.string();
  curl_slist* list = curl_slist_append(nullptr, "Content-Type: application/octet-stream");
  if (list) list = curl_slist_append(list, "Expect:");  // no 100-continue round trip
  if (!list) return core::fail(core::Errc::Internal, "out of memory");
  headers_.reset(list);

  CURL* h = curl_.get();
  const long timeout = std::max(1L, opt_.timeout_seconds);
  bool ok = true;
  const auto set = [&](CURLoption o, auto v) { ok = ok && curl_easy_setopt(h, o, v) == CURLE_OK; };
  set(CURLOPT_URL, endpoint_.c_str());
  set(CURLOPT_PROTOCOLS_STR, "https");
  set(CURLOPT_FOLLOWLOCATION, 0L);
  set(CURLOPT_POST, 1L);
  set(CURLOPT_HTTPHEADER, headers_.get());
  set(CURLOPT_USERAGENT, "intake-kiosk-sync/1");
  set(CURLOPT_SSLVERSION, static_cast<long>(CURL_SSLVERSION_TLSv1_2));
  set(CURLOPT_SSL_VERIFYPEER, 1L);
  set(CURLOPT_SSL_VERIFYHOST, 2L);
  set(CURLOPT_CAINFO, cainfo_.c_str());
  set(CURLOPT_CAPATH, static_cast<const char*>(nullptr));  // no system CA folder
  set(CURLOPT_PINNEDPUBLICKEY, pin_.c_str());
  set(CURLOPT_PROXY, "");  // proxy variables in the environment are ignored
  set(CURLOPT_NOPROXY, "*");
  set(CURLOPT_CONNECTTIMEOUT, timeout);
  // A stalled transfer (less than 1 byte/s for `timeout` seconds) fails; a slow one may go on.
  set(CURLOPT_LOW_SPEED_LIMIT, 1L);
  set(CURLOPT_LOW_SPEED_TIME, timeout);
  set(CURLOPT_ERRORBUFFER, errbuf_);
  set(CURLOPT_WRITEFUNCTION, &on_write);
  set(CURLOPT_WRITEDATA, &answer_);
  set(CURLOPT_NOPROGRESS, 0L);
  set(CURLOPT_XFERINFOFUNCTION, &on_xfer);
  set(CURLOPT_XFERINFODATA, &xfer_);
  if (!ok) return core::fail(core::Errc::Internal, "the network library refused its settings");
  return {};
}

Attempt HttpsRun::post(const OutboxEntry& e, const std::vector<std::uint8_t>& body) {
  CURL* h = curl_.get();
  answer_ = {};
  errbuf_[0] = '\0';
  xfer_ = {&progress_, &state_, state_.bytes_done, e.size};
  curl_easy_setopt(h, CURLOPT_POSTFIELDS, body.data());
  curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body.size()));
  const CURLcode rc = curl_easy_perform(h);
  state_.bytes_done = xfer_.base;  // counted once the bundle is done
  const std::string what = fmt::format("bundle {}", e.sequence);
  const std::string detail =
      errbuf_[0] ? std::string(errbuf_) : std::string(curl_easy_strerror(rc));

  if (rc != CURLE_OK) {
    if (is_certificate_failure(rc))
      return {Kind::Fatal,
              SyncFailure::HqCertificate,
              fmt::format("HQ's server did not show the certificate this device trusts ({}); "
                          "nothing more was sent",
                          printable(detail)),
              {},
              0};
    if (rc == CURLE_WRITE_ERROR && answer_.overflow)
      return {Kind::Refused,
              SyncFailure::HqBadAnswer,
              fmt::format("{}: HQ's answer was too long to be a receipt; not stored", what),
              {},
              0};
    if (rc == CURLE_UNSUPPORTED_PROTOCOL || rc == CURLE_URL_MALFORMAT)
      return {Kind::Fatal,
              SyncFailure::Setup,
              fmt::format("HQ's address cannot be used ({})", printable(detail)),
              {},
              0};
    // A connection that was made but stalled (or never completed in time) reads differently at
    // the door from no connection at all: a slow line, not an unplugged one.
    return {Kind::Retry,
            rc == CURLE_OPERATION_TIMEDOUT ? SyncFailure::HqTimeout : SyncFailure::HqUnreachable,
            fmt::format("{}: cannot reach HQ ({})", what, printable(detail)),
            {},
            0};
  }
  long status = 0;
  curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
  if (status == 200) {
    const std::span<const std::uint8_t> bytes(
        reinterpret_cast<const std::uint8_t*>(answer_.body.data()), answer_.body.size());
    if (!agent::looks_like_receipt(bytes))
      return {Kind::Refused,
              SyncFailure::HqBadAnswer,
              fmt::format("{}: HQ's answer is not a receipt; not stored", what),
              {},
              0};
    return {Kind::Receipt, SyncFailure::Unknown, {}, answer_.body, 0};
  }
  if (status == 429 || status == 502 || status == 503 || status == 504) {
    curl_off_t after = 0;
    curl_easy_getinfo(h, CURLINFO_RETRY_AFTER, &after);
    return {Kind::Retry,
            SyncFailure::HqBusy,
            fmt::format("{}: HQ is busy (HTTP {})", what, status),
            {},
            static_cast<double>(after)};
  }
  std::string text = printable(answer_.body);
  // 4xx: HQ read the request and said no to this bundle. Anything else (a redirect, a server
  // error) is an answer this device cannot use.
  return {
      Kind::Refused,
      status >= 400 && status < 500 ? SyncFailure::HqRefused : SyncFailure::HqBadAnswer,
      fmt::format("{}: HQ refused it (HTTP {}{}{})", what, status, text.empty() ? "" : ": ", text),
      {},
      0};
}

RunResult<TransportResult> HttpsRun::run() {
  const auto refuse = [](SyncFailure kind, std::string message) {
    return std::unexpected(Problem{kind, std::move(message)});
  };
  std::string url = opt_.url;
  if (!url.starts_with("https://") || url.size() > 2048 ||
      std::any_of(url.begin(), url.end(), [](char c) { return c <= 0x20 || c >= 0x7f; }))
    return refuse(SyncFailure::Setup, "HQ's address must be an https:// URL");
  while (url.ends_with('/')) url.pop_back();
  if (opt_.max_attempts < 1 || opt_.max_attempts > 100 || !(opt_.first_backoff_seconds >= 0) ||
      opt_.first_backoff_seconds > 3600)
    return refuse(SyncFailure::Setup,
                  "retry settings out of range (1..100 attempts, 0..3600 s backoff)");
  // The pinned certificate file is the device's own setting: missing or unusable is a setup
  // problem, not HQ showing another certificate.
  auto pin = spki_pin_from_pem(opt_.pinned_cert);
  if (!pin) return refuse(SyncFailure::Setup, pin.error().message);

  if (auto p = agent::prepare_inbox(dir_); !p)
    return refuse(SyncFailure::InboxUnwritable, p.error().message);
  auto listing = agent::list_outbox(dir_);
  if (!listing) return refuse(SyncFailure::OutboxUnreadable, listing.error().message);
  TransportResult result;
  for (const auto& e : listing->errors) result.errors.push_back({SyncFailure::OutboxUnreadable, e});
  result.warnings = listing->warnings;

  std::vector<OutboxEntry> pending;
  for (const auto& e : listing->bundles) {
    if (agent::has_receipt(dir_, e.id_hex)) {
      ++result.already_there;
      continue;
    }
    pending.push_back(e);
    state_.bytes_total += e.size;
  }
  state_.files_total = static_cast<int>(pending.size());
  if (progress_) progress_(state_);
  if (pending.empty()) return result;
  if (auto s = setup(url + "/v1/bundles", *pin); !s)
    return refuse(SyncFailure::Internal, s.error().message);

  for (std::size_t i = 0; i < pending.size(); ++i) {
    const auto& e = pending[i];
    auto body = crypto::read_file(e.path, crypto::kMaxBundleBytes);
    if (!body) {
      std::error_code ec;
      if (std::filesystem::exists(e.path, ec))
        result.errors.push_back({SyncFailure::OutboxUnreadable,
                                 fmt::format("bundle {}: {}", e.sequence, body.error().message)});
      // else: removed meanwhile, the kiosk got its receipt another way
    } else {
      double backoff = opt_.first_backoff_seconds;
      bool stop = false;
      SyncFailure stopper = SyncFailure::Unknown;  // why the run stops here
      for (int attempt = 1;; ++attempt) {
        Attempt a = post(e, *body);
        if (a.kind == Kind::Receipt) {
          const std::span<const std::uint8_t> bytes(
              reinterpret_cast<const std::uint8_t*>(a.receipt.data()), a.receipt.size());
          if (auto s = agent::store_receipt(dir_, e.id_hex, bytes); !s) {
            stopper = SyncFailure::InboxUnwritable;
            result.errors.push_back({stopper, fmt::format("bundle {}: HQ's receipt could not be "
                                                          "stored: {}",
                                                          e.sequence, s.error().message)});
            stop = true;  // inbox/ is not writable: every further receipt would be lost as well
          } else {
            ++result.bundles_sent;
            ++result.receipts_collected;
          }
          break;
        }
        if (a.kind == Kind::Refused) {
          result.errors.push_back({a.failure, std::move(a.message)});
          break;
        }
        if (a.kind == Kind::Fatal || attempt >= opt_.max_attempts) {
          if (a.kind == Kind::Retry)
            a.message += fmt::format(" after {} attempt{}", attempt, attempt == 1 ? "" : "s");
          stopper = a.failure;
          result.errors.push_back({a.failure, std::move(a.message)});
          stop = true;
          break;
        }
        const double wait = std::min(kMaxBackoffSeconds, std::max(backoff, a.retry_after));
        std::this_thread::sleep_for(std::chrono::duration<double>(wait));
        backoff = std::min(kMaxBackoffSeconds, backoff * 2);
      }
      if (stop) {
        if (const auto left = pending.size() - i - 1; left > 0)
          result.errors.push_back({stopper, fmt::format("{} more bundle{} left for the next sync",
                                                        left, left == 1 ? "" : "s")});
        break;
      }
    }
    state_.bytes_done += e.size;
    ++state_.files_done;
    if (progress_) progress_(state_);
  }
  return result;
}

}  // namespace

RunResult<TransportResult> sync_https(const core::DataDir& dir, const HttpsOptions& options,
                                      const ProgressFn& progress) {
  HttpsRun run(dir, options, progress);
  return run.run();
}

}  // namespace ik::sync
