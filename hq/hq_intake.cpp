// hq-intake — headquarters' tool: HQ's keys and store, device enrolment, receiving sealed bundles
// (USB stick or HTTPS), and the reports over what devices sent.
// Exit status: 0 ok, 1 a refused or failed operation (one line on stderr; for `import`, also when
// any bundle was rejected or could not be read), 2 bad usage.
#include <pthread.h>
#include <signal.h>
#include <sys/stat.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <regex>
#include <string>
#include <thread>

#include <CLI/CLI.hpp>
#include <fmt/chrono.h>
#include <fmt/format.h>

#include "crypto/keys.hpp"
#include "hq/enrol.hpp"
#include "hq/hq_keys.hpp"
#include "hq/importer.hpp"
#include "hq/reports.hpp"
#include "hq/server.hpp"
#include "hq/store.hpp"
#include "hq/usb_import.hpp"

namespace {

namespace crypto = ik::crypto;
namespace hq = ik::hq;

std::int64_t now() { return static_cast<std::int64_t>(std::time(nullptr)); }

std::string day(std::int64_t t) { return fmt::format("{:%Y-%m-%d}", fmt::gmtime(static_cast<std::time_t>(t))); }

int refuse(const std::string& message) {
  fmt::print(stderr, "hq-intake: {}\n", message);
  return 1;
}

// "ADDR:PORT" or "[v6]:PORT".
bool parse_listen(const std::string& text, std::string& host, int& port) {
  const auto colon = text.rfind(':');
  if (colon == std::string::npos || colon == 0) return false;
  host = text.substr(0, colon);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  const auto p = text.substr(colon + 1);
  if (p.empty() || p.size() > 5 || p.find_first_not_of("0123456789") != std::string::npos) return false;
  port = std::stoi(p);
  return port <= 65535 && !host.empty();
}

std::string ranges(const std::vector<std::pair<std::uint64_t, std::uint64_t>>& missing) {
  std::string out;
  for (const auto& [a, b] : missing) {
    if (!out.empty()) out += ", ";
    out += a == b ? fmt::format("{}", a) : fmt::format("{}-{}", a, b);
  }
  return out;
}

int serve(const hq::HqDir& dir, const hq::ServeOptions& options, const hq::ServerLimits& limits) {
  // SIGINT/SIGTERM are taken by sigtimedwait below, never by a handler: every thread started from
  // here on inherits the blocked mask.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  auto importer = hq::Importer::open(dir);
  if (!importer) return refuse(importer.error().message);
  hq::UploadHandler handler(**importer, limits);
  auto server = hq::HttpsServer::create(handler, options);
  if (!server) return refuse(server.error().message);

  std::atomic<bool> done{false};
  ik::core::Result<void> served;
  std::thread serving([&] {
    served = (*server)->run();
    done = true;
  });
  while (!(*server)->running() && !done) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  if (!done) {
    fmt::print("listening on {}:{}\n", options.host, (*server)->port());
    std::fflush(stdout);
  }
  const timespec tick{0, 200'000'000};
  while (!done) {
    const int sig = sigtimedwait(&signals, nullptr, &tick);
    if (sig == SIGINT || sig == SIGTERM) {
      (*server)->stop();
      break;
    }
  }
  serving.join();
  const auto c = handler.counters();
  fmt::print("stopped: {} accepted, {} duplicate, {} rejected, {} rate-limited, {} too large, {} failed\n", c.accepted,
             c.duplicate, c.rejected, c.throttled, c.too_large, c.failed);
  if (!served) return refuse(served.error().message);
  return 0;
}

int import_from(const hq::HqDir& dir, const std::string& from) {
  auto importer = hq::Importer::open(dir);
  if (!importer) return refuse(importer.error().message);
  auto report = hq::import_stick(**importer, from);
  if (!report) return refuse(report.error().message);
  bool trouble = false;
  for (const auto& d : report->devices) {
    fmt::print("device {}{}: {} imported, {} duplicate, {} rejected{}; received through {}\n", d.folder,
               d.label.empty() ? std::string(" (not enrolled)") : fmt::format(" ({})", d.label), d.imported,
               d.duplicate, d.rejected, d.failed > 0 ? fmt::format(", {} not read", d.failed) : std::string(),
               d.received_through);
    if (!d.missing.empty()) fmt::print("  gap: HQ is missing sequence {}\n", ranges(d.missing));
    for (const auto& b : d.bundles) {
      if (!b.error.empty()) {
        trouble = true;
        fmt::print("  {}: {}\n", b.file, b.error);
      }
      if (b.result.outcome == hq::Outcome::Rejected) {
        trouble = true;
        fmt::print("  {}: rejected, {}: {}\n", b.file, b.result.reason, b.result.message);
      } else if (b.result.outcome == hq::Outcome::Accepted && b.result.gap) {
        fmt::print("  {}: sequence {} imported after a gap\n", b.file, b.result.sequence);
      }
    }
  }
  for (const auto& s : report->skipped) fmt::print("skipped {}\n", s);
  fmt::print("total: {} imported, {} duplicate, {} rejected\n", report->total(&hq::StickDevice::imported),
             report->total(&hq::StickDevice::duplicate), report->total(&hq::StickDevice::rejected));
  return trouble ? 1 : 0;
}

}  // namespace

int main(int argc, char** argv) {
  ::umask(077);
  CLI::App app{"hq-intake — Intake Kiosk headquarters tool"};
  app.require_subcommand(1);
  app.set_version_flag("--version", std::string("hq-intake ") + IK_VERSION);

  std::string hq_dir;
  auto dir_option = [&](CLI::App* sub) {
    sub->add_option("--hq-dir", hq_dir, "HQ directory (keys, store.key, hq.db)")->required();
  };

  auto* init = app.add_subcommand("init", "Create HQ's seal, sign and recovery keys and HQ's encrypted store");
  dir_option(init);

  auto* recover = app.add_subcommand("recover", "Open a device's recovery keyslot and print its database key (hex)");
  std::string rec_slots;
  dir_option(recover);
  recover->add_option("--keyslots", rec_slots, "The device's keyslot file")->required()->check(CLI::ExistingFile);

  auto* enroll = app.add_subcommand("enroll", "Enrol a device's public key (device.pub) so HQ accepts its bundles");
  std::string device_pub, label;
  dir_option(enroll);
  enroll->add_option("--device-pub", device_pub, "The device's device.pub")->required();
  enroll->add_option("--label", label, "A name for the device (a shelter's name or code)");

  auto* revoke = app.add_subcommand("revoke", "Revoke a device: its bundles are refused from now on");
  std::string revoke_id, revoke_reason;
  dir_option(revoke);
  revoke->add_option("--device", revoke_id, "The device's key id (16 hex digits)")->required();
  revoke->add_option("--reason", revoke_reason, "Why (kept with the revocation)");

  auto* devices = app.add_subcommand("devices", "List enrolled devices");
  dir_option(devices);

  auto* import = app.add_subcommand("import", "Import every bundle on a USB stick and write receipts back to it");
  std::string from;
  dir_option(import);
  import->add_option("--from", from, "The stick's root (holds intake-kiosk/)")->required();

  auto* serve_cmd = app.add_subcommand("serve", "Receive bundles over HTTPS (POST /v1/bundles)");
  std::string listen, cert, key;
  std::size_t max_body = crypto::kMaxBundleBytes;
  int rate = 60, workers = 4;
  dir_option(serve_cmd);
  serve_cmd->add_option("--listen", listen, "ADDR:PORT (port 0: any free port)")->required();
  serve_cmd->add_option("--tls-cert", cert, "Certificate (PEM)")->required();
  serve_cmd->add_option("--tls-key", key, "Private key (PEM)")->required();
  serve_cmd->add_option("--max-body", max_body, "Largest accepted body in bytes")
      ->check(CLI::Range(std::size_t{1}, crypto::kMaxBundleBytes));
  serve_cmd->add_option("--rate", rate, "Uploads per minute per client address and per device (0: no limit)")
      ->check(CLI::Range(0, 100000));
  serve_cmd->add_option("--workers", workers, "Uploads handled at once")->check(CLI::Range(1, 64));

  auto* stats = app.add_subcommand("stats", "Counts per device and category (no personal data)");
  bool stats_json = false;
  dir_option(stats);
  stats->add_flag("--json", stats_json, "Print the counts as JSON");

  auto* report = app.add_subcommand("report", "Write a monthly HTML report");
  std::string period, out;
  dir_option(report);
  report->add_option("--period", period, "The month, YYYY-MM")->required();
  report->add_option("--out", out, "The HTML file to write")->required();

  auto* ctdc = app.add_subcommand("export-ctdc", "Export CTDC rows, k-anonymised");
  int k = 11;
  dir_option(ctdc);
  ctdc->add_option("--k", k, "Fewest rows that may share a combination of quasi-identifiers (CTDC: 11)")
      ->check(CLI::Range(2, 1000));
  ctdc->add_option("--out", out, "The CSV file to write")->required();

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }
  const hq::HqDir dir{hq_dir};

  if (*init) {
    auto keys = hq::init_hq(dir);
    if (!keys) return refuse(keys.error().message);
    auto store = hq::Store::open(dir, /*create=*/true);
    if (!store) return refuse(store.error().message);
    for (const auto* kp : {&keys->seal, &keys->sign, &keys->recovery})
      fmt::print("{:<12} key id {}  fingerprint {}\n", crypto::kind_name(kp->kind), kp->id_hex(), kp->fingerprint());
    fmt::print("public keys for provisioning devices: {0}/seal.pub {0}/sign.pub {0}/recovery.pub\n", hq_dir);
    fmt::print("HQ store: {}/hq.db, its key {}/store.key (back it up with the other secret keys)\n", hq_dir, hq_dir);
  } else if (*recover) {
    auto dmk = hq::recover_database_key(dir, rec_slots);
    if (!dmk) return refuse(dmk.error().message);
    // By design the one place a database key leaves sodium memory: on HQ's own terminal.
    const auto hex = crypto::to_hex_secure(*dmk);
    std::fwrite(hex.data(), 1, hex.size(), stdout);
    std::fputc('\n', stdout);
    std::fflush(stdout);
    fmt::print(stderr, "open with: sqlcipher intake.db, then PRAGMA key = \"x'<key>'\"; PRAGMA cipher_page_size = 4096;\n");
  } else if (*enroll) {
    auto store = hq::Store::open(dir);
    if (!store) return refuse(store.error().message);
    auto e = hq::enrol_device(*store, device_pub, label, now());
    if (!e) return refuse(e.error().message);
    fmt::print("enrolled device {}{}\n", e->key_id, e->label.empty() ? "" : fmt::format(" ({})", e->label));
    fmt::print("fingerprint {}  compare with the kiosk's screen\n", e->fingerprint);
  } else if (*revoke) {
    auto store = hq::Store::open(dir, /*create=*/false);
    if (!store) return refuse(store.error().message);
    if (auto r = hq::revoke_device(*store, revoke_id, revoke_reason, now()); !r) return refuse(r.error().message);
    fmt::print("revoked device {}: its bundles are refused from now on\n", hq::normalise_key_id(revoke_id));
  } else if (*devices) {
    auto store = hq::Store::open(dir, /*create=*/false);
    if (!store) return refuse(store.error().message);
    auto all = store->devices();
    if (!all) return refuse(all.error().message);
    if (all->empty()) fmt::print("no device enrolled\n");
    for (const auto& d : *all) {
      fmt::print("{}  {}  enrolled {}  received through {}  {}{}\n", d.key_id, d.public_key.fingerprint(),
                 day(d.enrolled_at), d.received_through, d.label.empty() ? "-" : d.label,
                 d.revoked() ? fmt::format("  REVOKED {}{}", day(*d.revoked_at),
                                           d.revoke_reason.empty() ? "" : ": " + d.revoke_reason)
                             : std::string());
    }
  } else if (*import) {
    return import_from(dir, from);
  } else if (*serve_cmd) {
    hq::ServeOptions options;
    if (!parse_listen(listen, options.host, options.port)) {
      fmt::print(stderr, "hq-intake: --listen takes ADDR:PORT, e.g. 0.0.0.0:8443\n");
      return 2;
    }
    options.tls_cert = cert;
    options.tls_key = key;
    options.workers = workers;
    return serve(dir, options, hq::ServerLimits{max_body, rate});
  } else if (*stats || *report || *ctdc) {
    auto store = hq::Store::open(dir, /*create=*/false);
    if (!store) return refuse(store.error().message);
    auto input = store->report_input(now());
    if (!input) return refuse(input.error().message);
    if (*stats) {
      const auto counts = hq::build_stats(*input);
      if (stats_json) {
        fmt::print("{}\n", counts.dump(2));
      } else {
        for (const auto& d : input->devices)
          fmt::print("{}  {}: {} cases, {} calls, {} beds\n", d.device_key_id, d.label.empty() ? "-" : d.label,
                     d.cases.size(), d.calls.size(), d.beds.size());
        if (input->devices.empty()) fmt::print("no device enrolled\n");
      }
    } else if (*report) {
      if (!std::regex_match(period, std::regex(R"(\d{4}-(0[1-9]|1[0-2]))"))) {
        fmt::print(stderr, "hq-intake: --period takes YYYY-MM\n");
        return 2;
      }
      if (auto r = hq::write_report_html(*input, period, out); !r) return refuse(r.error().message);
      fmt::print("report for {} written to {}\n", period, out);
    } else {
      auto r = hq::export_ctdc(*input, k, out);
      if (!r) return refuse(r.error().message);
      fmt::print("{}", hq::describe_ctdc_export(*r, k, out));  // counts only, never a value
    }
  }
  return 0;
}
