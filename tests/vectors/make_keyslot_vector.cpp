// Writes tests/vectors/keyslots-v1.bin: a version-1 keyslot file with one staff slot
// ("Vector Admin" / "vector passphrase", Argon2id ops 1, 8 MiB) and a recovery slot, both holding
// the database key 00 01 … 1f; and the HQ recovery secret that opens it. Run once per format
// version; the files are committed so every later release is tested against them.
#include <cstdio>

#include "crypto/file_io.hpp"
#include "crypto/keyslots.hpp"

int main(int argc, char** argv) {
  using namespace ik::crypto;
  if (argc != 2) {
    std::fprintf(stderr, "usage: make_keyslot_vector OUTDIR\n");
    return 2;
  }
  const std::filesystem::path out = argv[1];
  SecureBuffer dmk(32);
  for (int i = 0; i < 32; ++i) dmk.data()[i] = static_cast<std::uint8_t>(i);
  auto hq = generate_key_pair(KeyKind::HqRecovery);
  auto f = KeyslotFile::create(dmk, hq.pub);
  const char* pass = "vector passphrase";
  auto pw = SecureBuffer::copy_of({reinterpret_cast<const std::uint8_t*>(pass), 17});
  if (!f || !f->add_slot("Vector Admin", dmk, pw, KdfParams::fastest()) || !f->save(out / "keyslots-v1.bin") ||
      !write_file_atomic(out / "keyslots-v1.hq-recovery.secret", hq.secret.span(), 0644))
    return 1;
  return 0;
}
