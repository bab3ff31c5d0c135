// intakectl — the device's command-line tool. Everything the kiosk screen does can be done here
// through core/, without a window: provisioning, unlocking, staff, backups.
//
// What it never does: take a passphrase from argv, print personal data, or print a secret
// (the one exception by design is none here; HQ's `hq-intake recover` prints the database key).
// Exit status: 0 ok, 1 a refused or failed operation (one line on stderr), 2 bad usage.
#include <sys/stat.h>

#include <chrono>
#include <cstdio>
#include <optional>
#include <string>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "core/audit.hpp"
#include "core/backup.hpp"
#include "core/beds.hpp"
#include "core/demo_data.hpp"
#include "core/stats.hpp"
#include "core/provision.hpp"
#include "core/session.hpp"
#include "core/users_service.hpp"
#include "crypto/key_files.hpp"
#include "crypto/kdf.hpp"
#include "firmware-app/intakectl_outbox.hpp"
#include "firmware-app/intakectl_sync.hpp"
#include "firmware-app/passphrase_input.hpp"
#include "storage/settings_repo.hpp"

namespace {

using ik::crypto::SecureBuffer;
namespace core = ik::core;
namespace crypto = ik::crypto;

struct Failure {
  std::string message;
};

[[noreturn]] void die(const std::string& message) { throw Failure{message}; }

template <class T, class E>
T need(std::expected<T, E> r) {
  if (!r) die(r.error().message);
  if constexpr (!std::is_void_v<T>) return std::move(*r);
}

struct UnlockOptions {
  std::string data_dir;
  std::string user;
  std::optional<std::string> passphrase_file;

  void add_to(CLI::App* cmd) {
    cmd->add_option("--data-dir", data_dir, "Device data directory")->required();
    cmd->add_option("--user", user, "Staff member who unlocks")->required();
    cmd->add_option("--passphrase-file", passphrase_file, "File whose first line is the passphrase (else prompt)");
  }
  core::Session unlock() const {
    auto pass = need(ik::cli::read_passphrase(passphrase_file, fmt::format("Passphrase for {}: ", user)));
    return need(core::unlock(core::DataDir{data_dir}, user, pass));
  }
};

struct KdfOptions {
  int target_ms = 700;
  int mem_mib = 64;
  void add_to(CLI::App* cmd) {
    cmd->add_option("--kdf-ms", target_ms, "Argon2id target time per unlock, ms (0 = minimum)")
        ->capture_default_str()->check(CLI::Range(0, 10000));
    cmd->add_option("--kdf-mem-mib", mem_mib, "Argon2id memory, MiB")->capture_default_str()->check(CLI::Range(8, 1024));
  }
  crypto::KdfParams tuned() const {
    return crypto::tune(std::chrono::milliseconds(target_ms), static_cast<std::uint64_t>(mem_mib) << 20);
  }
};

struct AdminOptions {
  std::string data_dir, as;
  std::optional<std::string> admin_passphrase_file;
  void add_to(CLI::App* cmd) {
    cmd->add_option("--data-dir", data_dir, "Device data directory")->required();
    cmd->add_option("--as", as, "Admin who authorises the change")->required();
    cmd->add_option("--admin-passphrase-file", admin_passphrase_file, "File with the admin's passphrase (else prompt)");
  }
  core::Session unlock() const {
    UnlockOptions u{data_dir, as, admin_passphrase_file};
    return u.unlock();
  }
};

void print_fingerprint(const crypto::PublicKey& key) {
  fmt::print("device key id {}  fingerprint {}\n", key.id_hex(), key.fingerprint());
}

}  // namespace

int main(int argc, char** argv) {
  ::umask(077);  // every file this tool creates is the owner's alone
  CLI::App app{"intakectl — Intake Kiosk device tool"};
  app.require_subcommand(1);
  app.set_version_flag("--version", std::string("intakectl ") + IK_VERSION);

  // init
  auto* init = app.add_subcommand("init", "Provision a new device: database, keyslots, identity, first admin");
  std::string init_dir, init_admin, init_pub, init_seal_pub, init_sign_pub;
  std::optional<std::string> init_pass;
  KdfOptions init_kdf;
  init->add_option("--data-dir", init_dir, "Device data directory (created, must be empty)")->required();
  init->add_option("--admin", init_admin, "Name of the first admin")->required();
  init->add_option("--passphrase-file", init_pass, "File with the admin's passphrase (else prompt)");
  init->add_option("--hq-recovery-pub", init_pub, "HQ recovery public key file")->required();
  init->add_option("--hq-seal-pub", init_seal_pub, "HQ seal public key file (bundles are sealed to it)")->required();
  init->add_option("--hq-sign-pub", init_sign_pub, "HQ sign public key file (receipts are checked with it)")->required();
  init_kdf.add_to(init);

  // check
  auto* check = app.add_subcommand("check", "Unlock, verify the database, exit 0 when all is well");
  UnlockOptions check_u;
  check_u.add_to(check);

  // user …
  auto* user = app.add_subcommand("user", "Manage staff (admin only)");
  user->require_subcommand(1);
  auto* user_add = user->add_subcommand("add", "Add a staff member with a role");
  AdminOptions add_admin;
  std::string add_name, add_role;
  std::optional<std::string> add_pass;
  KdfOptions add_kdf;
  add_admin.add_to(user_add);
  user_add->add_option("--user", add_name, "New staff member's name")->required();
  user_add->add_option("--role", add_role, "officer, hotline, coordinator, admin or auditor")->required()
      ->check(CLI::IsMember({"officer", "hotline", "coordinator", "admin", "auditor"}));
  user_add->add_option("--passphrase-file", add_pass, "File with the new passphrase (else prompt)");
  add_kdf.add_to(user_add);

  auto* user_disable = user->add_subcommand("disable", "Disable a staff member and remove their keyslot");
  AdminOptions dis_admin;
  std::string dis_name;
  dis_admin.add_to(user_disable);
  user_disable->add_option("--user", dis_name, "Staff member to disable")->required();

  auto* user_passwd = user->add_subcommand("passwd", "Reset a staff member's passphrase (clears a locked slot)");
  AdminOptions pw_admin;
  std::string pw_name;
  std::optional<std::string> pw_pass;
  KdfOptions pw_kdf;
  pw_admin.add_to(user_passwd);
  user_passwd->add_option("--user", pw_name, "Staff member")->required();
  user_passwd->add_option("--passphrase-file", pw_pass, "File with the new passphrase (else prompt)");
  pw_kdf.add_to(user_passwd);

  auto* user_list = user->add_subcommand("list", "List staff, roles and keyslot state");
  UnlockOptions list_u;
  list_u.add_to(user_list);

  // backup / restore
  auto* bk = app.add_subcommand("backup", "Write an encrypted backup (FILE and FILE.keyslots)");
  UnlockOptions bk_u;
  std::string bk_to;
  bk_u.add_to(bk);
  bk->add_option("--to", bk_to, "Backup file to create")->required();

  auto* rs = app.add_subcommand("restore", "Restore a backup into an empty data directory");
  UnlockOptions rs_u;
  std::string rs_from;
  rs_u.add_to(rs);
  rs->add_option("--from", rs_from, "Backup file (FILE.keyslots must sit beside it)")->required();

  // setting …
  auto* setting = app.add_subcommand("setting", "Read or write a device setting (stored encrypted)");
  setting->require_subcommand(1);
  auto* set_set = setting->add_subcommand("set", "Set a setting (admin only)");
  UnlockOptions set_u;
  std::string set_key, set_value;
  set_u.add_to(set_set);
  set_set->add_option("--key", set_key, "Setting name")->required();
  set_set->add_option("--value", set_value, "Value")->required();
  auto* set_get = setting->add_subcommand("get", "Print a setting");
  UnlockOptions get_u;
  std::string get_key;
  get_u.add_to(set_get);
  set_get->add_option("--key", get_key, "Setting name")->required();

  // demo-data
  auto* demo = app.add_subcommand("demo-data", "Fill the device with synthetic records (clearly fake names)");
  UnlockOptions demo_u;
  int demo_intakes = 0, demo_calls = 0;
  std::uint64_t demo_seed = 1;
  demo_u.add_to(demo);
  demo->add_option("--intakes", demo_intakes, "Shelter intakes to create")->check(CLI::Range(0, 1'000'000));
  demo->add_option("--calls", demo_calls, "Hotline calls to create")->check(CLI::Range(0, 2'000'000));
  demo->add_option("--seed", demo_seed, "Random seed (same seed, same data)")->capture_default_str();

  // stats
  auto* st = app.add_subcommand("stats", "Counts: cases by status, calls by type, bed occupancy (no personal data)");
  UnlockOptions st_u;
  bool st_json = false;
  st_u.add_to(st);
  st->add_flag("--json", st_json, "Print JSON");

  // audit verify
  auto* audit_cmd = app.add_subcommand("audit", "The audit log");
  audit_cmd->require_subcommand(1);
  auto* audit_verify = audit_cmd->add_subcommand("verify", "Prove the audit hash chain intact, or name the first broken entry");
  UnlockOptions av_u;
  av_u.add_to(audit_verify);

  // beds configure
  auto* beds = app.add_subcommand("beds", "The shelter's beds");
  beds->require_subcommand(1);
  auto* beds_conf = beds->add_subcommand("configure", "Add beds per wing up to the given counts (admin)");
  UnlockOptions bc_u;
  int bc_women = 20, bc_girls = 10, bc_men = 12, bc_boys = 8;
  bc_u.add_to(beds_conf);
  beds_conf->add_option("--women", bc_women, "Beds in the women's wing")->capture_default_str()->check(CLI::Range(0, 500));
  beds_conf->add_option("--girls", bc_girls, "Beds in the girls' wing")->capture_default_str()->check(CLI::Range(0, 500));
  beds_conf->add_option("--men", bc_men, "Beds in the men's wing")->capture_default_str()->check(CLI::Range(0, 500));
  beds_conf->add_option("--boys", bc_boys, "Beds in the boys' wing")->capture_default_str()->check(CLI::Range(0, 500));

  ik::cli::OutboxCommand outbox_cmd(app);
  ik::cli::SyncCommand sync_cmd(app);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }

  try {
    if (*init) {
      auto pub = need(crypto::read_public_key_file(init_pub, crypto::KeyKind::HqRecovery));
      auto seal_pub = need(crypto::read_public_key_file(init_seal_pub, crypto::KeyKind::HqSeal));
      auto sign_pub = need(crypto::read_public_key_file(init_sign_pub, crypto::KeyKind::HqSign));
      auto pass = need(ik::cli::read_passphrase(init_pass, fmt::format("New passphrase for {}: ", init_admin), true));
      fmt::print("tuning Argon2id ({} MiB, target {} ms)…\n", init_kdf.mem_mib, init_kdf.target_ms);
      const auto kdf = init_kdf.tuned();
      core::ProvisionRequest req{core::DataDir{init_dir}, init_admin, &pass, pub, kdf, seal_pub, sign_pub};
      auto res = need(core::provision(req));
      fmt::print("provisioned {} (Argon2id ops {}, {} MiB)\n", init_dir, kdf.opslimit, kdf.memlimit >> 20);
      fmt::print("HQ recovery key id {}  fingerprint {}\n", pub.id_hex(), pub.fingerprint());
      fmt::print("HQ seal key id {}  fingerprint {}\n", seal_pub.id_hex(), seal_pub.fingerprint());
      fmt::print("HQ sign key id {}  fingerprint {}\n", sign_pub.id_hex(), sign_pub.fingerprint());
      print_fingerprint(res.device_public);
      fmt::print("give {}/device.pub to headquarters for enrolment\n", init_dir);
    } else if (*check) {
      auto s = check_u.unlock();
      need(s.db().integrity_check());
      fmt::print("ok: {} ({}), database verified, schema {}\n", s.actor().name, core::to_string(s.actor().role),
                 s.db().user_version());
      print_fingerprint(s.device_key().pub);
    } else if (*user_add) {
      auto s = add_admin.unlock();
      auto pass = need(ik::cli::read_passphrase(add_pass, fmt::format("New passphrase for {}: ", add_name), true));
      need(core::UsersService(s).add(add_name, *core::parse_role(add_role), pass, add_kdf.tuned()));
      fmt::print("added {} as {}\n", add_name, add_role);
    } else if (*user_disable) {
      auto s = dis_admin.unlock();
      need(core::UsersService(s).disable(dis_name));
      fmt::print("disabled {}; their keyslot is removed\n", dis_name);
    } else if (*user_passwd) {
      auto s = pw_admin.unlock();
      auto pass = need(ik::cli::read_passphrase(pw_pass, fmt::format("New passphrase for {}: ", pw_name), true));
      need(core::UsersService(s).set_passphrase(pw_name, pass, pw_kdf.tuned()));
      fmt::print("passphrase of {} reset\n", pw_name);
    } else if (*user_list) {
      auto s = list_u.unlock();
      auto staff = need(core::UsersService(s).list());
      auto slots = need(core::staff_slots(s.data_dir()));
      for (const auto& m : staff) {
        std::string state = m.disabled ? "disabled" : "no keyslot";
        for (const auto& sl : slots)
          if (sl.name == m.name) state = sl.locked ? "locked" : fmt::format("{} failed attempts", sl.failed);
        fmt::print("{}\t{}\t{}\n", m.name, core::to_string(m.role), state);
      }
    } else if (*bk) {
      auto s = bk_u.unlock();
      need(core::backup(s, bk_to));
      fmt::print("backup written: {} and {}\n", bk_to, core::backup_keyslots_path(bk_to).string());
    } else if (*rs) {
      auto pass = need(ik::cli::read_passphrase(rs_u.passphrase_file, fmt::format("Passphrase for {}: ", rs_u.user)));
      need(core::restore(rs_from, core::DataDir{rs_u.data_dir}, rs_u.user, pass));
      fmt::print("restored into {} and verified\n", rs_u.data_dir);
    } else if (*demo) {
      auto s = demo_u.unlock();
      const auto t0 = std::chrono::steady_clock::now();
      auto r = need(core::generate_demo_data(s, {demo_intakes, demo_calls, demo_seed}));
      const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
      fmt::print("synthetic data: {} intakes ({} closed, {} in beds), {} calls in {:.1f} s\n", r.intakes, r.closed,
                 r.beds_assigned, r.calls, secs);
    } else if (*st) {
      auto s = st_u.unlock();
      auto stats = need(core::stats(s));
      if (st_json) {
        fmt::print("{}\n", core::to_json(stats));
      } else {
        fmt::print("persons {}  cases {}  calls {}  beds {}/{} occupied\n", stats.persons, stats.cases, stats.calls,
                   stats.beds_occupied, stats.beds);
        for (const auto& [k, v] : stats.cases_by_status) fmt::print("  cases {:<16} {}\n", k, v);
        for (const auto& [k, v] : stats.calls_by_type) fmt::print("  calls {:<16} {}\n", k, v);
        for (const auto& w : stats.wings) fmt::print("  wing  {:<16} {}/{}\n", w.wing, w.occupied, w.beds);
      }
    } else if (*audit_verify) {
      auto s = av_u.unlock();
      auto v = need(core::verify_audit(s));
      if (!v.intact) die(fmt::format("audit log BROKEN at entry {}: {}", *v.first_broken_seq, v.reason));
      fmt::print("audit log intact: {} entries, {} signed checkpoints\n", v.entries, v.checkpoints);
    } else if (*beds_conf) {
      auto s = bc_u.unlock();
      core::BedLayout layout;
      layout.beds_per_wing = {{"women", bc_women}, {"girls", bc_girls}, {"men", bc_men}, {"boys", bc_boys}};
      const int added = need(core::BedService(s).configure(layout));
      fmt::print("{} beds added ({} in the layout)\n", added, layout.total());
    } else if (*set_set) {
      auto s = set_u.unlock();
      if (s.actor().role != core::Role::Admin) die("only an admin may change settings");
      if (set_key.starts_with("device.") || set_key.starts_with("hq.")) die("that setting is managed by the device");
      if (set_key.empty() || set_key.size() > 128 || set_value.size() > 4096) die("setting name or value too long");
      need(ik::storage::SettingsRepo(s.db()).set_text(set_key, set_value));
      fmt::print("set {}\n", set_key);
    } else if (outbox_cmd.parsed()) {
      need(outbox_cmd.run());
    } else if (sync_cmd.parsed()) {
      need(sync_cmd.run());
    } else if (*set_get) {
      auto s = get_u.unlock();
      if (get_key.starts_with("device.") || get_key.starts_with("hq.")) die("that setting is managed by the device");
      auto v = need(ik::storage::SettingsRepo(s.db()).get_text(get_key));
      if (!v) die(fmt::format("no setting {}", get_key));
      fmt::print("{}\n", *v);
    }
  } catch (const Failure& f) {
    fmt::print(stderr, "intakectl: {}\n", f.message);
    return 1;
  }
  return 0;
}
