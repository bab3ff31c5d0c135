// libFuzzer: HQ's upload handler (hq/server.hpp, UploadHandler::handle — what POST /v1/bundles
// runs) over a real SQLCipher store in a temp dir, with the fixed keys of tests/vectors/bundles/
// (the "device" key enrolled, "device-revoked" enrolled and revoked). The first byte picks how
// the rest is used:
//   even: the request body as it arrives (random bytes, or the vector bundles of the seeds);
//   odd:  a payload (changes JSON), sealed as the enrolled device's next bundle — random bytes
//         never get past the AEAD, so this is how the payload quarantine and the import
//         transaction get fuzzed. With bit 1 set too, a payload that parses as an object gets
//         the current device key id and sequence written in first (the fuzzer cannot know the
//         sequence, which grows with every accepted input).
// Findings: a crash or sanitizer report; an answer other than 200 + a receipt HQ's sign key
// verifies (413 for an oversized body); a reason outside the spec's list; a refused payload that
// changed the store; an accepted one whose bundle is not held afterwards.
// Seeds: fuzz/corpus/hq_upload_fuzz/ (vector bundles behind 0x00, vector payloads behind 0x01).
#include <cstdlib>
#include <filesystem>
#include <set>
#include <string>

#include <nlohmann/json.hpp>

#include "crypto/bundle.hpp"
#include "hq/server.hpp"
#include "tests/vectors/bundle_vectors.hpp"

namespace {

using namespace ik;

struct Fixture {
  std::filesystem::path dir;
  crypto::KeyPair device = vectors::named_key("device");
  crypto::PublicKey sign_pub;
  std::unique_ptr<hq::Importer> importer;
  std::unique_ptr<hq::UploadHandler> handler;
  std::uint64_t next_sequence = 1;
  crypto::Hash previous{};

  Fixture() {
    std::string pattern = (std::filesystem::temp_directory_path() / "ik-hq-fuzz-XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr) std::abort();
    dir = pattern;
    auto store = hq::Store::open(hq::HqDir{dir}, true);
    if (!store) std::abort();
    if (!store->add_device(device.pub, "fuzz", 1)) std::abort();
    const auto revoked = vectors::named_key("device-revoked");
    if (!store->add_device(revoked.pub, "revoked", 1) || !store->revoke_device(revoked.pub.id_hex(), "fuzz", 1))
      std::abort();
    auto sign = vectors::named_key("hq-sign");
    sign_pub = sign.pub;
    importer = std::make_unique<hq::Importer>(std::move(*store), vectors::named_key("hq-seal"), std::move(sign));
    handler = std::make_unique<hq::UploadHandler>(*importer, hq::ServerLimits{crypto::kMaxBundleBytes, 0});
  }
  ~Fixture() {
    handler.reset();
    importer.reset();
    std::error_code ec;
    std::filesystem::remove_all(dir, ec);
  }
};

Fixture& fixture() {
  static Fixture f;
  return f;
}

const std::set<std::string>& reasons() {
  static const std::set<std::string> r{
      "size",         "magic",          "version",        "reserved",     "recipient",      "sealed-key",
      "stream-header", "truncated",     "chunk-length",   "chunk-auth",   "chunk-tag",      "trailing",
      "inner-length", "manifest-magic", "manifest-version", "payload-kind", "payload-length", "unknown-device",
      "revoked-device", "signature",    "payload-hash",   "duplicate",    "replay",         "payload-json"};
  return r;
}

hq::StoreCounts counts() {
  auto c = fixture().importer->with_store([](hq::Store& s) { return s.counts(); });
  if (!c) std::abort();
  return *c;
}

crypto::Receipt answer(std::span<const std::uint8_t> body) {
  const auto reply = fixture().handler->handle(body, "fuzz");
  if (reply.status != 200) std::abort();
  auto receipt = crypto::read_receipt(
      {reinterpret_cast<const std::uint8_t*>(reply.body.data()), reply.body.size()}, fixture().sign_pub);
  if (!receipt) std::abort();
  if (receipt->status == crypto::ReceiptStatus::Rejected && !reasons().contains(receipt->reason)) std::abort();
  if (receipt->status != crypto::ReceiptStatus::Rejected && !receipt->reason.empty()) std::abort();
  return *receipt;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  auto& f = fixture();
  const std::span<const std::uint8_t> rest(data + 1, size - 1);
  if ((data[0] & 1) == 0) {
    (void)answer(rest);
    return 0;
  }
  crypto::SealRequest req;
  req.device = &f.device;
  req.hq_seal = f.importer->seal_public_key();
  req.sequence = f.next_sequence;
  req.created_at = 1764400000;
  req.previous_hash = f.previous;
  std::string fixed;
  if ((data[0] & 2) != 0) {
    auto doc = nlohmann::json::parse(rest.begin(), rest.end(), nullptr, /*allow_exceptions=*/false);
    if (doc.is_object()) {
      doc["device_key_id"] = f.device.pub.id_hex();
      doc["sequence"] = f.next_sequence;
      fixed = doc.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    }
  }
  req.payload = fixed.empty() ? rest
                              : std::span<const std::uint8_t>(reinterpret_cast<const std::uint8_t*>(fixed.data()),
                                                              fixed.size());
  auto sealed = crypto::seal_bundle(req);
  if (!sealed) std::abort();
  const auto before = counts();
  const auto receipt = answer(sealed->file);
  const auto after = counts();
  if (receipt.status == crypto::ReceiptStatus::Accepted) {
    if (after.bundles != before.bundles + 1 || receipt.sequence != f.next_sequence) std::abort();
    ++f.next_sequence;
    f.previous = sealed->hash;
  } else {
    if (receipt.status != crypto::ReceiptStatus::Rejected || receipt.reason != "payload-json") std::abort();
    auto unchanged = after;
    unchanged.rejections = before.rejections;
    if (!(unchanged == before) || after.rejections != before.rejections + 1) std::abort();
  }
  return 0;
}
