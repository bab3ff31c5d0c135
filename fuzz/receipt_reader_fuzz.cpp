// libFuzzer: read_receipt (crypto/bundle.hpp) with the fixed hq-sign key of tests/vectors/bundles/.
// Each input is read twice:
//  1. as a receipt file: if it reads, writing the same fields back must give the same bytes
//     (the layout is canonical and Ed25519 deterministic), so nothing in a receipt goes unchecked;
//  2. with the pinned signer id written in and a correct signature appended, so the checks behind
//     the signature (length, reason, status) get fuzzed too: such a receipt may be refused for its
//     layout, never for its signer or signature.
// Seeds: fuzz/corpus/receipt_reader_fuzz/ (the receipt vectors).
#include <cstdlib>
#include <cstring>
#include <set>
#include <string>

#include "crypto/bundle.hpp"
#include "tests/vectors/bundle_vectors.hpp"

namespace {

using namespace ik::crypto;

const KeyPair& hq_sign() {
  static const KeyPair k = ik::vectors::named_key("hq-sign");
  return k;
}

const std::set<std::string>& reasons() {
  static const std::set<std::string> r{"size", "magic", "version", "signer", "length", "reason", "status", "signature"};
  return r;
}

// Returns the reason, or "" when the receipt was read (and round-tripped).
std::string check(std::span<const std::uint8_t> file) {
  auto r = read_receipt(file, hq_sign().pub);
  if (!r) {
    if (!reasons().contains(r.error().reason) || r.error().message.empty()) std::abort();
    return r.error().reason;
  }
  auto again = write_receipt(*r, hq_sign());
  if (!again || again->size() != file.size() || std::memcmp(again->data(), file.data(), file.size()) != 0)
    std::abort();
  return "";
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size > 4096) return 0;
  check({data, size});
  if (size >= 17) {
    std::vector<std::uint8_t> body(data, data + size);
    const KeyId id = hq_sign().pub.id();
    std::memcpy(body.data() + 9, id.data(), id.size());
    const auto sig = sign(hq_sign(), "receipt/v1", body);
    body.insert(body.end(), sig.begin(), sig.end());
    const std::string reason = check(body);
    if (reason == "signer" || reason == "signature") std::abort();
  }
  return 0;
}
