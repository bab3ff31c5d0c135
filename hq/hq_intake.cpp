// hq-intake — headquarters' tool. Now: create HQ's keys, recover a device's database key.
// Exit status: 0 ok, 1 a refused or failed operation (one line on stderr), 2 bad usage.
#include <sys/stat.h>

#include <cstdio>
#include <string>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "crypto/keys.hpp"
#include "hq/hq_keys.hpp"

int main(int argc, char** argv) {
  ::umask(077);
  namespace crypto = ik::crypto;
  CLI::App app{"hq-intake — Intake Kiosk headquarters tool"};
  app.require_subcommand(1);
  app.set_version_flag("--version", std::string("hq-intake ") + IK_VERSION);

  auto* init = app.add_subcommand("init", "Create HQ's seal, sign and recovery keys");
  std::string init_dir;
  init->add_option("--hq-dir", init_dir, "HQ directory (created; secret keys are written 0600)")->required();

  auto* recover = app.add_subcommand("recover", "Open a device's recovery keyslot and print its database key (hex)");
  std::string rec_dir, rec_slots;
  recover->add_option("--hq-dir", rec_dir, "HQ directory with recovery.key")->required();
  recover->add_option("--keyslots", rec_slots, "The device's keyslot file")->required()->check(CLI::ExistingFile);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }

  if (*init) {
    auto keys = ik::hq::init_hq(ik::hq::HqDir{init_dir});
    if (!keys) {
      fmt::print(stderr, "hq-intake: {}\n", keys.error().message);
      return 1;
    }
    for (const auto* k : {&keys->seal, &keys->sign, &keys->recovery})
      fmt::print("{:<12} key id {}  fingerprint {}\n", crypto::kind_name(k->kind), k->id_hex(), k->fingerprint());
    fmt::print("public keys for provisioning devices: {0}/seal.pub {0}/sign.pub {0}/recovery.pub\n", init_dir);
  } else if (*recover) {
    auto dmk = ik::hq::recover_database_key(ik::hq::HqDir{rec_dir}, rec_slots);
    if (!dmk) {
      fmt::print(stderr, "hq-intake: {}\n", dmk.error().message);
      return 1;
    }
    // By design the one place a database key leaves sodium memory: on HQ's own terminal.
    const auto hex = crypto::to_hex_secure(*dmk);
    std::fwrite(hex.data(), 1, hex.size(), stdout);
    std::fputc('\n', stdout);
    std::fflush(stdout);
    fmt::print(stderr, "open with: sqlcipher intake.db, then PRAGMA key = \"x'<key>'\"; PRAGMA cipher_page_size = 4096;\n");
  }
  return 0;
}
