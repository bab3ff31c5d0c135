// Writes tests/vectors/bundles/: known-answer and must-reject vectors of docs/bundle-format.md,
// and index.json, which says what each file is and what a reader must answer. Optionally also
// the fuzzers' seed corpora (a copy of the vectors, plus inner streams for the forging mode).
//
//   make_bundle_vectors OUTDIR [CORPUSDIR]
//
// The keys are derived from public seeds (tests/vectors/bundle_vectors.hpp); the bundle ids,
// payload key and clocks are fixed; and libsodium's random source is replaced, for this program
// only, by a fixed-seed stream, so crypto_box_seal's ephemeral key and the secretstream header are
// reproducible too: a rerun writes the same bytes. New vectors go at the end of main() so the ones
// before them keep their bytes. All data is synthetic.
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "crypto/bundle.hpp"
#include "crypto/file_io.hpp"
#include "tests/vectors/bundle_vectors.hpp"

namespace {

using namespace ik::crypto;
using ik::vectors::Forge;
using ik::vectors::ForgeChunk;
using ik::vectors::named_key;
using json = nlohmann::ordered_json;
using Bytes = std::vector<std::uint8_t>;

constexpr unsigned char kTagMessage = crypto_secretstream_xchacha20poly1305_TAG_MESSAGE;
constexpr unsigned char kTagPush = crypto_secretstream_xchacha20poly1305_TAG_PUSH;
constexpr unsigned char kTagRekey = crypto_secretstream_xchacha20poly1305_TAG_REKEY;
constexpr unsigned char kTagFinal = crypto_secretstream_xchacha20poly1305_TAG_FINAL;
constexpr std::int64_t kCreatedAt = 1764400000;  // 2025-11-29

// A deterministic randombytes implementation: BLAKE2b(label || counter) seeds each request's
// ChaCha20 stream. Never use anything like this outside a vector generator.
std::uint64_t g_draws = 0;
void fixed_random_buf(void* buf, size_t size) {
  unsigned char seed[randombytes_SEEDBYTES];
  unsigned char counter[8];
  for (int i = 0; i < 8; ++i) counter[i] = static_cast<unsigned char>(g_draws >> (8 * i));
  ++g_draws;
  constexpr std::string_view label = "intake-kiosk/test-vector-random/v1";
  crypto_generichash_state st;
  crypto_generichash_init(&st, nullptr, 0, sizeof seed);
  crypto_generichash_update(&st, reinterpret_cast<const unsigned char*>(label.data()), label.size());
  crypto_generichash_update(&st, counter, sizeof counter);
  crypto_generichash_final(&st, seed, sizeof seed);
  randombytes_buf_deterministic(buf, size, seed);
}
uint32_t fixed_random() {
  uint32_t v = 0;
  fixed_random_buf(&v, sizeof v);
  return v;
}
const char* fixed_random_name() { return "intake-kiosk-test-vectors"; }
randombytes_implementation g_fixed_random = {fixed_random_name, fixed_random, nullptr, nullptr, fixed_random_buf,
                                             nullptr};

std::filesystem::path g_out;
std::filesystem::path g_corpus;
json g_index;

void die(const std::string& what) {
  std::fprintf(stderr, "make_bundle_vectors: %s\n", what.c_str());
  std::exit(1);
}

void write(const std::filesystem::path& path, std::span<const std::uint8_t> bytes) {
  std::filesystem::create_directories(path.parent_path());
  if (!write_file_atomic(path, bytes, 0644)) die("cannot write " + path.string());
}

std::string hex(std::span<const std::uint8_t> b) { return to_hex(b); }

BundleId bundle_id(std::uint8_t first) {
  BundleId id{};
  for (std::size_t i = 0; i < id.size(); ++i) id[i] = static_cast<std::uint8_t>(first + i);
  return id;
}

Bytes as_bytes(const std::string& s) { return {s.begin(), s.end()}; }

// Payload kind 1 (docs/bundle-format.md), synthetic: codes from docs/data-dictionary.md, names
// and notes that say they are test data. `calls` adds call records to make a payload span chunks;
// `pad_to` pads with trailing spaces (still valid JSON) to an exact length.
std::string changes_json(const KeyPair& device, std::uint64_t sequence, std::int64_t created_at, int calls,
                         std::size_t pad_to = 0) {
  json j;
  j["format"] = "intake-kiosk/changes/v1";
  j["device_key_id"] = device.pub.id_hex();
  j["sequence"] = sequence;
  j["created_at"] = created_at;
  json person = {{"given_name", "Vector"}, {"family_name", "Test-Person"}, {"alias", nullptr},
                 {"gender", "female"}, {"birth_date", "1999-04-02"}, {"age_estimate", nullptr},
                 {"citizenship", "UZ"}, {"languages", "rus,uzb"}, {"marital_status", nullptr},
                 {"education", nullptr}, {"phone", nullptr}};
  json exploitation = {{"types", "forced_labour"}, {"labour_sector", "construction"},
                       {"sexual_exploitation", nullptr}, {"means_of_control", "debt_bondage"},
                       {"recruitment", "job_offer"}, {"recruiter_relation", "friend"},
                       {"countries_origin", "UZ"}, {"countries_transit", "KZ,RU"},
                       {"countries_exploitation", "AZ"}, {"started_on", nullptr}, {"ended_on", nullptr}};
  json c = {{"id", 12}, {"case_number", "SH-2025-0012"}, {"origin", "shelter"}, {"status", "active"},
            {"risk_level", "high"}, {"is_witness", false}, {"protection_measures", nullptr},
            {"scope", "international"}, {"repatriation_status", "requested"},
            {"repatriation_destination", "UZ"}, {"needs", "legal,medical"}, {"intake_source", "law_enforcement"},
            {"notes", "Synthetic test record, not a person."}, {"opened_at", created_at - 100000},
            {"closed_at", nullptr}, {"updated_at", created_at - 10000}, {"purged", false},
            {"person", person},
            {"consents", json::array({{{"kind", "manage_data"}, {"granted", true}, {"given_on", "2025-11-20"}}})},
            {"exploitation", exploitation},
            {"referrals", json::array({{{"id", 3}, {"direction", "outgoing"}, {"organisation_type", "legal"},
                                        {"organisation", "Test Legal Aid"}, {"status", "pending"},
                                        {"reason", nullptr}, {"created_at", created_at - 99900},
                                        {"updated_at", created_at - 99900}}})},
            {"stays", json::array({{{"id", 9}, {"bed", "W-03"}, {"wing", "women"},
                                    {"admitted_at", created_at - 99800}, {"discharged_at", nullptr},
                                    {"discharge_reason", nullptr}}})},
            {"services", json::array({{{"id", 21}, {"type", "medical"}, {"given_on", "2025-11-21"},
                                       {"note", nullptr}}})}};
  j["cases"] = json::array({c});
  j["calls"] = json::array();
  for (int i = 0; i < calls; ++i) {
    const std::int64_t at = created_at - 50000 + i * 60;
    j["calls"].push_back({{"id", 5 + i}, {"started_at", at}, {"duration_s", 420}, {"channel", "phone"},
                          {"caller_type", "potential_victim"}, {"language", "aze"}, {"region", nullptr},
                          {"call_type", "tip"}, {"ilo_indicators", "debt_bondage,deception"},
                          {"actions", "referred_law_enforcement"}, {"le_referred", true},
                          {"le_unit", "Test Unit"}, {"le_date", "2025-11-22"}, {"follow_up_due", nullptr},
                          {"follow_up_done", false}, {"case_id", nullptr}, {"caller_name", nullptr},
                          {"phone", nullptr}, {"notes", "Synthetic test call " + std::to_string(i) + "."},
                          {"updated_at", at + 420}, {"purged", false}});
  }
  j["beds"] = json::array({{{"label", "W-03"}, {"wing", "women"}, {"active", true}}});
  // The device's audit chain is core/'s to produce and HQ's to check; empty here so a vector
  // never carries a chain that does not verify.
  j["audit"] = json::array();
  j["checkpoints"] = json::array();
  std::string s = j.dump();
  if (pad_to > 0) {
    if (s.size() > pad_to) die("changes JSON longer than its padded size");
    s.append(pad_to - s.size(), ' ');
  }
  return s;
}

json manifest_json(const Manifest& m) {
  return {{"bundle_id", hex(m.bundle_id)},     {"device_key_id", hex(m.device_key_id)},
          {"recipient_key_id", hex(m.recipient_key_id)}, {"sequence", m.sequence},
          {"created_at", m.created_at},        {"payload_kind", m.payload_kind},
          {"payload_length", m.payload_length}, {"payload_hash", hex(m.payload_hash)},
          {"previous_hash", hex(m.previous_hash)}};
}

// Offsets of each chunk's length field in a well-formed bundle.
std::vector<std::size_t> chunk_offsets(const Bytes& file) {
  std::vector<std::size_t> out;
  for (std::size_t off = kBundleHeaderBytes; off + 4 <= file.size();) {
    out.push_back(off);
    const std::size_t len = file[off] | (file[off + 1] << 8) | (file[off + 2] << 16) |
                            (static_cast<std::size_t>(file[off + 3]) << 24);
    off += 4 + len;
  }
  return out;
}

void add_bundle(json entry, const Bytes& file) {
  write(g_out / entry["file"].get<std::string>(), file);
  // Seeds stay small (fuzzing speed, repository size); one multi-chunk bundle is enough.
  if (!g_corpus.empty() && (file.size() <= 70000 || entry["name"] == "valid-multichunk"))
    write(g_corpus / "bundle_reader_fuzz" / entry["file"].get<std::string>(), file);
  g_index["bundles"].push_back(std::move(entry));
}

void reject_open(const std::string& name, const std::string& reason, const std::string& what, const Bytes& file) {
  add_bundle({{"name", name}, {"file", name + ".ikb"}, {"expect", "reject"}, {"stage", "open"},
              {"reason", reason}, {"open_with", "hq-seal"}, {"what", what}},
             file);
}

Bytes flip(Bytes b, std::size_t at, std::uint8_t mask) {
  b.at(at) ^= mask;
  return b;
}

Bytes cut(const Bytes& b, std::size_t size) { return {b.begin(), b.begin() + static_cast<std::ptrdiff_t>(size)}; }

SealedBundle seal_or_die(const KeyPair& device, const PublicKey& hq, std::uint64_t seq, const Hash& previous,
                         std::span<const std::uint8_t> payload, std::uint8_t id_first) {
  const auto key = ik::vectors::vector_payload_key();
  SealRequest r;
  r.device = &device;
  r.hq_seal = hq;
  r.sequence = seq;
  r.created_at = kCreatedAt + static_cast<std::int64_t>(seq);
  r.previous_hash = previous;
  r.payload = payload;
  r.fixed_bundle_id = bundle_id(id_first);
  r.fixed_payload_key = &key;
  auto b = seal_bundle(r);
  if (!b) die(b.error().message);
  return std::move(*b);
}

Manifest manifest_for(const KeyPair& device, const PublicKey& hq, std::uint64_t seq, const Hash& previous,
                      std::span<const std::uint8_t> payload, std::uint8_t id_first) {
  Manifest m;
  m.bundle_id = bundle_id(id_first);
  m.device_key_id = device.pub.id();
  m.recipient_key_id = hq.id();
  m.sequence = seq;
  m.created_at = kCreatedAt + static_cast<std::int64_t>(seq);
  m.payload_kind = kPayloadChanges;
  m.payload_length = payload.size();
  m.payload_hash = bundle_payload_hash(payload);
  m.previous_hash = previous;
  return m;
}

// A forged bundle to hq-seal with the standard header: only the inner stream or chunking differs.
Bytes forged(const Bytes& inner, std::vector<ForgeChunk> chunks = {}, bool chunk0_ad = true) {
  const auto hq = named_key("hq-seal");
  Forge f;
  f.recipient_id = hq.pub.id();
  f.seal_to = hq.pub;
  f.inner = inner;
  f.chunks = std::move(chunks);
  f.chunk0_ad = chunk0_ad;
  return ik::vectors::forge(f, ik::vectors::vector_payload_key());
}

void write_corpus_inner(const std::string& name, const Bytes& inner) {
  if (g_corpus.empty()) return;
  // bundle_reader_fuzz's forging mode: first byte 0 = standard chunks, then the inner stream.
  Bytes seed{0};
  seed.insert(seed.end(), inner.begin(), inner.end());
  write(g_corpus / "bundle_reader_fuzz" / ("inner-" + name + ".bin"), seed);
}

void add_receipt(json entry, const Bytes& file) {
  write(g_out / entry["file"].get<std::string>(), file);
  if (!g_corpus.empty()) write(g_corpus / "receipt_reader_fuzz" / entry["file"].get<std::string>(), file);
  g_index["receipts"].push_back(std::move(entry));
}

void reject_receipt(const std::string& name, const std::string& reason, const std::string& what, const Bytes& file) {
  add_receipt({{"name", name}, {"file", name + ".ikr"}, {"expect", "reject"}, {"reason", reason},
               {"read_with", "hq-sign"}, {"what", what}},
              file);
}

json receipt_json(const Receipt& r) {
  const char* status = r.status == ReceiptStatus::Accepted ? "accepted"
                       : r.status == ReceiptStatus::Duplicate ? "duplicate" : "rejected";
  return {{"device_key_id", hex(r.device_key_id)}, {"bundle_id", hex(r.bundle_id)}, {"sequence", r.sequence},
          {"bundle_hash", hex(r.bundle_hash)},     {"received_at", r.received_at},  {"status", status},
          {"received_through", r.received_through}, {"reason", r.reason}};
}

Bytes receipt_or_die(const Receipt& r, const KeyPair& signer) {
  auto b = write_receipt(r, signer);
  if (!b) die(b.error().message);
  return *b;
}

// Signs bytes 0 .. 99+R of `body` (a receipt without its signature) under any context.
Bytes resign_receipt(Bytes file, const KeyPair& signer, std::string_view context) {
  const std::size_t signed_len = file.size() - kSignatureBytes;
  const auto sig = sign(signer, context, {file.data(), signed_len});
  std::copy(sig.begin(), sig.end(), file.begin() + static_cast<std::ptrdiff_t>(signed_len));
  return file;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2 || argc > 3) {
    std::fprintf(stderr, "usage: make_bundle_vectors OUTDIR [CORPUSDIR]\n");
    return 2;
  }
  g_out = argv[1];
  if (argc == 3) g_corpus = argv[2];
  // Before libsodium initialises: from here on every random byte comes from the fixed stream.
  if (randombytes_set_implementation(&g_fixed_random) != 0 || sodium_init() < 0) die("cannot set up libsodium");

  const auto device = named_key("device");
  const auto impostor = named_key("device-impostor");
  const auto unenrolled = named_key("device-unenrolled");
  const auto revoked = named_key("device-revoked");
  const auto hq = named_key("hq-seal");
  const auto hq_other = named_key("hq-seal-other");
  const auto hq_sign = named_key("hq-sign");
  const auto hq_sign_other = named_key("hq-sign-other");

  g_index["format"] = "intake-kiosk/bundle-vectors/v1";
  g_index["spec"] = "docs/bundle-format.md";
  g_index["about"] =
      "Synthetic test data and public test keys. 'stage' says which reader answers: open = open_bundle "
      "(rules 1-7), verify = verify_bundle (rules 9-10), hq = headquarters' state (rules 8, 11, 12; see "
      "hq_state), read = read_receipt. Keys: seed = BLAKE2b-256('intake-kiosk/test-vector-seed/v1' || name), "
      "then crypto_sign_seed_keypair or crypto_box_seed_keypair; secret files hold the raw libsodium secret.";
  for (const auto& k : ik::vectors::kKeys) {
    const auto kp = named_key(k.name);
    const std::string file = std::string("keys/") + k.name + ".secret";
    write(g_out / file, kp.secret.span());
    g_index["keys"][k.name] = {{"kind", std::string(kind_name(k.kind))}, {"seed", hex(ik::vectors::seed_of(k.name))},
                               {"public", hex(kp.pub.bytes)},             {"key_id", kp.pub.id_hex()},
                               {"secret_file", file}};
  }
  g_index["payload_key"] = hex(ik::vectors::vector_payload_key().span());
  g_index["bundles"] = json::array();
  g_index["receipts"] = json::array();

  // ---- Valid bundles (known answers). ----
  auto accept = [&](const std::string& name, const SealedBundle& b, const std::string& payload, const char* signer,
                    const std::string& what) {
    const std::string payload_file = name + ".payload.json";
    write(g_out / payload_file, as_bytes(payload));
    const auto m = encode_manifest(b.manifest);
    Bytes mb(m.begin(), m.end());
    const auto sig = sign(named_key(signer), "bundle-manifest/v1", mb);
    add_bundle({{"name", name}, {"file", name + ".ikb"}, {"expect", "accept"}, {"stage", "verify"},
                {"open_with", "hq-seal"}, {"verify_with", signer}, {"what", what},
                {"manifest", manifest_json(b.manifest)}, {"manifest_hex", hex(m)}, {"signature", hex(sig)},
                {"payload_file", payload_file}, {"bundle_hash", hex(b.hash)}, {"file_size", b.file.size()},
                {"chunks", chunk_offsets(b.file).size()}},
               b.file);
    Bytes inner = as_bytes(payload);
    inner.insert(inner.end(), mb.begin(), mb.end());
    inner.insert(inner.end(), sig.begin(), sig.end());
    write_corpus_inner(name, inner);
  };

  const std::string small_json = changes_json(device, 1, kCreatedAt + 1, 1);
  const auto small = seal_or_die(device, hq.pub, 1, Hash{}, as_bytes(small_json), 0x10);
  accept("valid-small", small, small_json, "device",
         "sequence 1 of the enrolled device: one case, one call, one bed; a single FINAL chunk");

  const std::string multi_json = changes_json(device, 2, kCreatedAt + 2, 300);
  if (multi_json.size() <= 2 * kChunkPlainBytes) die("multi-chunk payload too small");
  const auto multi = seal_or_die(device, hq.pub, 2, small.hash, as_bytes(multi_json), 0x20);
  accept("valid-multichunk", multi, multi_json, "device",
         "sequence 2 of the enrolled device, previous hash = valid-small's bundle hash; 300 calls, three chunks");

  // An inner stream of exactly two chunks, written as 64 KiB MESSAGE + 64 KiB MESSAGE + an empty
  // FINAL chunk: the spec allows a last chunk of 0 bytes and every reader must accept it.
  {
    const std::string pj = changes_json(device, 3, kCreatedAt + 3, 10, 2 * kChunkPlainBytes - kInnerTailBytes);
    const Bytes payload = as_bytes(pj);
    const auto m = manifest_for(device, hq.pub, 3, multi.hash, payload, 0x30);
    const auto mb = encode_manifest(m);
    const Bytes inner = ik::vectors::inner_stream(mb, device, payload);
    const Bytes file = forged(inner, {{kChunkPlainBytes, kTagMessage}, {kChunkPlainBytes, kTagMessage}, {0, kTagFinal}});
    SealedBundle b{file, m, bundle_hash(mb, sign(device, "bundle-manifest/v1", mb))};
    accept("valid-empty-final", b, pj, "device",
           "sequence 3 of the enrolled device; the inner stream fills two chunks exactly and an empty FINAL "
           "chunk ends it (the writer never does this, readers must accept it)");
    reject_open("missing-final", "truncated",
                "valid-empty-final's two full MESSAGE chunks without the FINAL chunk: the file ends at a chunk boundary",
                forged(inner, {{kChunkPlainBytes, kTagMessage}, {kChunkPlainBytes, kTagMessage}}));
  }

  // ---- Must-reject, open_bundle (rules 1-7). ----
  const Bytes& S = small.file;
  const Bytes& M = multi.file;
  const auto mo = chunk_offsets(M);  // three chunks
  if (mo.size() != 3) die("expected three chunks in valid-multichunk");
  const auto so = chunk_offsets(S);

  reject_open("size-empty", "size", "an empty file", {});
  reject_open("size-short", "size", "valid-small cut to 144 bytes, one less than the smallest bundle", cut(S, 144));
  reject_open("truncated-mid-chunk", "truncated", "valid-multichunk cut in the middle of chunk 1",
              cut(M, mo[1] + 4 + 30000));
  reject_open("truncated-chunk-boundary", "truncated",
              "valid-multichunk cut after chunk 1: whole MESSAGE chunks, no FINAL chunk", cut(M, mo[2]));
  reject_open("truncated-in-length", "truncated", "valid-multichunk cut two bytes into chunk 2's length",
              cut(M, mo[2] + 2));
  reject_open("truncated-last-byte", "truncated", "valid-small without its last byte", cut(S, S.size() - 1));
  reject_open("flip-magic", "magic", "bit 0 of byte 0 (magic) flipped", flip(S, 0, 0x01));
  reject_open("flip-version", "version", "bit 1 of byte 8 (version) flipped: version 3", flip(S, 8, 0x02));
  {
    Bytes v = S;
    v[8] = 0x02;
    reject_open("version-2", "version", "version byte 0x02 (an unknown future version)", v);
  }
  reject_open("flip-reserved", "reserved", "bit 0 of byte 10 (reserved) flipped", flip(S, 10, 0x01));
  reject_open("flip-recipient-key-id", "recipient", "bit 0 of byte 12 (recipient key id) flipped", flip(S, 12, 0x01));
  reject_open("flip-sealed-key", "sealed-key", "bit 0 of byte 20 (sealed key: ephemeral public key) flipped",
              flip(S, 20, 0x01));
  reject_open("flip-sealed-key-mac", "sealed-key", "bit 7 of byte 99 (sealed key: last byte) flipped",
              flip(S, 99, 0x80));
  reject_open("flip-stream-header", "chunk-auth",
              "bit 0 of byte 100 (stream header) flipped: init_pull accepts any header, chunk 0 then fails",
              flip(S, 100, 0x01));
  reject_open("flip-chunk-length-high", "chunk-length",
              "bit 4 of chunk 0's length byte 2 flipped (65553 -> 1114129, above the bound)", flip(M, mo[0] + 2, 0x10));
  reject_open("flip-chunk-length-low", "chunk-auth",
              "bit 0 of chunk 0's length flipped (65553 -> 65552: in bounds and present, fails to authenticate)",
              flip(M, mo[0], 0x01));
  reject_open("flip-chunk0-ciphertext", "chunk-auth", "a bit of chunk 0's ciphertext flipped",
              flip(M, mo[0] + 4 + 1000, 0x04));
  reject_open("flip-chunk0-tag-byte", "chunk-auth", "a bit of chunk 0's encrypted tag byte flipped",
              flip(S, so[0] + 4, 0x01));
  reject_open("flip-chunk1-ciphertext", "chunk-auth", "a bit of chunk 1's ciphertext flipped",
              flip(M, mo[1] + 4 + 40000, 0x20));
  reject_open("flip-final-chunk-mac", "chunk-auth", "a bit of the FINAL chunk's MAC (last byte of the file) flipped",
              flip(M, M.size() - 1, 0x01));
  {
    Bytes r(M.begin(), M.begin() + static_cast<std::ptrdiff_t>(mo[1]));
    r.insert(r.end(), M.begin() + static_cast<std::ptrdiff_t>(mo[2]), M.end());
    r.insert(r.end(), M.begin() + static_cast<std::ptrdiff_t>(mo[1]), M.begin() + static_cast<std::ptrdiff_t>(mo[2]));
    reject_open("chunks-reordered", "chunk-auth", "valid-multichunk with chunks 1 and 2 swapped", r);
    Bytes d(M.begin(), M.begin() + static_cast<std::ptrdiff_t>(mo[1]));
    d.insert(d.end(), M.begin() + static_cast<std::ptrdiff_t>(mo[2]), M.end());
    reject_open("chunk-dropped", "chunk-auth", "valid-multichunk without chunk 1", d);
  }
  {
    Bytes t = S;
    t.push_back(0);
    reject_open("trailing-byte", "trailing", "valid-small followed by one zero byte", t);
    Bytes c = S;
    c.insert(c.end(), S.begin() + static_cast<std::ptrdiff_t>(so[0]), S.end());
    reject_open("trailing-chunk", "trailing", "valid-small followed by a copy of its own chunk", c);
  }
  {
    auto with_length = [&](std::uint32_t len) {
      Bytes b = S;
      for (int i = 0; i < 4; ++i) b[so[0] + static_cast<std::size_t>(i)] = static_cast<std::uint8_t>(len >> (8 * i));
      return b;
    };
    reject_open("chunk-length-16", "chunk-length", "chunk 0's length set to 16, one less than a MAC", with_length(16));
    reject_open("chunk-length-65554", "chunk-length", "chunk 0's length set to 65554, one more than the bound",
                with_length(65554));
    reject_open("chunk-length-max", "chunk-length", "chunk 0's length set to 0xffffffff", with_length(0xffffffffu));
  }
  {
    // Sealed to another headquarters, honestly: the key id says so.
    const auto other = seal_or_die(device, hq_other.pub, 1, Hash{}, as_bytes(small_json), 0x11);
    reject_open("wrong-recipient", "recipient", "sealed to hq-seal-other (its key id in the header)", other.file);
    // Sealed to another headquarters, but the header claims ours.
    Forge f;
    f.recipient_id = hq.pub.id();
    f.seal_to = hq_other.pub;
    const auto m = manifest_for(device, hq.pub, 1, Hash{}, as_bytes(small_json), 0x12);
    f.inner = ik::vectors::inner_stream(encode_manifest(m), device, as_bytes(small_json));
    reject_open("recipient-id-forged", "sealed-key",
                "payload key sealed to hq-seal-other, header names hq-seal's key id",
                ik::vectors::forge(f, ik::vectors::vector_payload_key()));
    // The same payload key sealed again: a valid sealed box, a different header, so chunk 0 (which
    // authenticates the whole header) fails.
    Bytes r = S;
    const auto resealed = seal(hq.pub, ik::vectors::vector_payload_key().span());
    std::copy(resealed.begin(), resealed.end(), r.begin() + 20);
    reject_open("sealed-key-swapped", "chunk-auth",
                "valid-small with its sealed key replaced by another sealing of the same payload key", r);
  }
  {
    const Bytes payload = as_bytes(small_json);
    const auto base = manifest_for(device, hq.pub, 1, Hash{}, payload, 0x13);
    const Bytes inner = ik::vectors::inner_stream(encode_manifest(base), device, payload);
    reject_open("no-header-ad", "chunk-auth", "chunk 0 pushed without the file header as additional data",
                forged(inner, {}, false));
    reject_open("tag-push", "chunk-tag", "a single chunk tagged PUSH (0x01)", forged(inner, {{inner.size(), kTagPush}}));
    reject_open("tag-rekey", "chunk-tag", "a single chunk tagged REKEY (0x02)",
                forged(inner, {{inner.size(), kTagRekey}}));
    reject_open("message-short-last", "chunk-length",
                "a single short chunk tagged MESSAGE (a MESSAGE chunk must be full, so this is not truncation)",
                forged(inner, {{inner.size(), kTagMessage}}));
    reject_open("message-short", "chunk-length", "chunk 0 tagged MESSAGE with 1000 bytes, then a FINAL chunk",
                forged(inner, {{1000, kTagMessage}, {inner.size() - 1000, kTagFinal}}));
    reject_open("inner-length", "inner-length",
                "an authentic stream of 193 bytes (manifest + signature without its last byte), one too few",
                forged(Bytes(inner.end() - static_cast<std::ptrdiff_t>(kInnerTailBytes), inner.end() - 1)));

    auto with_manifest = [&](auto&& edit) {
      auto mb = encode_manifest(base);
      edit(mb);
      return forged(ik::vectors::inner_stream(mb, device, payload));
    };
    reject_open("manifest-magic", "manifest-magic", "manifest magic IKMANIFT", with_manifest([](auto& mb) { mb[7] = 'T'; }));
    reject_open("manifest-version-2", "manifest-version", "manifest version 0x02",
                with_manifest([](auto& mb) { mb[8] = 2; }));
    reject_open("manifest-recipient", "recipient", "manifest names hq-seal-other while the header names hq-seal",
                with_manifest([&](auto& mb) {
                  const auto id = hq_other.pub.id();
                  std::copy(id.begin(), id.end(), mb.begin() + 33);
                }));
    reject_open("payload-kind-2", "payload-kind", "manifest payload kind 0x02",
                with_manifest([](auto& mb) { mb[57] = 2; }));
    auto set_length = [](auto& mb, std::uint64_t v) {
      for (int i = 0; i < 8; ++i) mb[58 + static_cast<std::size_t>(i)] = static_cast<std::uint8_t>(v >> (8 * i));
    };
    reject_open("payload-length-oversized", "payload-length", "manifest payload length 64 MiB + 1",
                with_manifest([&](auto& mb) { set_length(mb, kMaxPayloadBytes + 1); }));
    reject_open("payload-length-huge", "payload-length", "manifest payload length 2^64 - 1",
                with_manifest([&](auto& mb) { set_length(mb, ~std::uint64_t{0}); }));
    reject_open("payload-length-more", "payload-length", "manifest announces one byte more than the stream carries",
                with_manifest([&](auto& mb) { set_length(mb, payload.size() + 1); }));
    reject_open("payload-length-less", "payload-length",
                "manifest announces one byte less than the stream carries (a byte between payload and manifest)",
                with_manifest([&](auto& mb) { set_length(mb, payload.size() - 1); }));
  }

  // ---- Must-reject, verify_bundle (rules 9-10). ----
  auto reject_verify = [&](const std::string& name, const std::string& reason, const std::string& what,
                           const Bytes& file) {
    add_bundle({{"name", name}, {"file", name + ".ikb"}, {"expect", "reject"}, {"stage", "verify"},
                {"reason", reason}, {"open_with", "hq-seal"}, {"verify_with", "device"}, {"what", what}},
               file);
  };
  {
    const Bytes payload = as_bytes(small_json);
    const auto m = manifest_for(device, hq.pub, 1, Hash{}, payload, 0x14);
    const auto mb = encode_manifest(m);
    reject_verify("bad-signature", "signature",
                  "manifest names the enrolled device's key id but is signed by device-impostor",
                  forged(ik::vectors::inner_stream(mb, impostor, payload)));
    Bytes inner = payload;
    const auto wrong_ctx = sign(device, "receipt/v1", mb);
    inner.insert(inner.end(), mb.begin(), mb.end());
    inner.insert(inner.end(), wrong_ctx.begin(), wrong_ctx.end());
    reject_verify("signature-wrong-context", "signature",
                  "signed by the device's own key, but as a receipt (context receipt/v1)", forged(inner));
    Bytes other = payload;
    other[other.size() - 2] ^= 0x01;  // inside the JSON: same length, different bytes
    reject_verify("payload-hash", "payload-hash",
                  "the manifest (correctly signed) hashes a different payload of the same length",
                  forged(ik::vectors::inner_stream(mb, device, other)));
  }

  // ---- Rules 8, 11, 12: headquarters' state. ----
  g_index["hq_state"] = {
      {"about", "What every vector with stage 'hq' assumes headquarters already holds."},
      {"enrolled", json::array({{{"key", "device"}, {"key_id", device.pub.id_hex()}, {"public", hex(device.pub.bytes)}},
                                {{"key", "device-revoked"},
                                 {"key_id", revoked.pub.id_hex()},
                                 {"public", hex(revoked.pub.bytes)}}})},
      {"revoked", json::array({revoked.pub.id_hex()})},
      {"imported", json::array({{{"device_key_id", device.pub.id_hex()}, {"sequence", 1}, {"bundle_hash", hex(small.hash)}},
                                {{"device_key_id", device.pub.id_hex()},
                                 {"sequence", 2},
                                 {"bundle_hash", hex(multi.hash)}}})}};
  auto hq_vector = [&](const std::string& name, const char* signer, json outcome, const std::string& what,
                       const SealedBundle& b) {
    json e = {{"name", name}, {"file", name + ".ikb"}, {"stage", "hq"}, {"open_with", "hq-seal"},
              {"verify_with", signer}, {"what", what}, {"manifest", manifest_json(b.manifest)},
              {"bundle_hash", hex(b.hash)}};
    for (auto& [k, v] : outcome.items()) e[k] = v;
    add_bundle(std::move(e), b.file);
  };
  {
    const std::string pj = changes_json(unenrolled, 1, kCreatedAt + 1, 1);
    hq_vector("hq-unknown-device", "device-unenrolled", {{"expect", "reject"}, {"reason", "unknown-device"}},
              "a well-formed bundle from a device headquarters never enrolled",
              seal_or_die(unenrolled, hq.pub, 1, Hash{}, as_bytes(pj), 0x40));
  }
  {
    const std::string pj = changes_json(revoked, 1, kCreatedAt + 1, 1);
    hq_vector("hq-revoked-device", "device-revoked", {{"expect", "reject"}, {"reason", "revoked-device"}},
              "a well-formed bundle from an enrolled device that has been revoked",
              seal_or_die(revoked, hq.pub, 1, Hash{}, as_bytes(pj), 0x41));
  }
  {
    const std::string pj = changes_json(device, 1, kCreatedAt + 1, 2);  // two calls: not valid-small's content
    hq_vector("hq-replay", "device", {{"expect", "reject"}, {"reason", "replay"}},
              "sequence 1 again with different content (a different bundle hash than the one imported)",
              seal_or_die(device, hq.pub, 1, Hash{}, as_bytes(pj), 0x42));
  }
  // valid-small once more: the same sequence with the same hash.
  g_index["bundles"].push_back({{"name", "hq-duplicate"}, {"file", "valid-small.ikb"}, {"stage", "hq"},
                                {"open_with", "hq-seal"}, {"verify_with", "device"}, {"expect", "accept"},
                                {"status", "duplicate"}, {"received_through", 2}, {"reason", "duplicate"},
                                {"what", "valid-small again: accepted again, nothing imported twice"},
                                {"manifest", manifest_json(small.manifest)}, {"bundle_hash", hex(small.hash)}});
  {
    const std::string pj = changes_json(device, 3, kCreatedAt + 3, 1);
    hq_vector("hq-next", "device", {{"expect", "accept"}, {"status", "accepted"}, {"received_through", 3}},
              "sequence 3, the next one expected: imported",
              seal_or_die(device, hq.pub, 3, multi.hash, as_bytes(pj), 0x43));
  }
  {
    const std::string pj = changes_json(device, 5, kCreatedAt + 5, 1);
    const Hash unseen = bundle_payload_hash(as_bytes(std::string("bundle 4, never received")));
    hq_vector("hq-gap", "device", {{"expect", "accept"}, {"status", "accepted"}, {"received_through", 2}},
              "sequence 5 while 3 and 4 are missing: imported, and the receipt's received-through stays at 2",
              seal_or_die(device, hq.pub, 5, unseen, as_bytes(pj), 0x44));
  }
  {
    const std::string garbage = "this is not JSON";
    hq_vector("hq-payload-not-json", "device", {{"expect", "reject"}, {"reason", "payload-json"}},
              "sequence 3 whose payload is not JSON", seal_or_die(device, hq.pub, 3, multi.hash, as_bytes(garbage), 0x45));
    const std::string wrong_seq = changes_json(device, 9, kCreatedAt + 3, 1);
    hq_vector("hq-payload-sequence-mismatch", "device", {{"expect", "reject"}, {"reason", "payload-json"}},
              "sequence 3 whose JSON says sequence 9",
              seal_or_die(device, hq.pub, 3, multi.hash, as_bytes(wrong_seq), 0x46));
    const std::string wrong_dev = changes_json(unenrolled, 3, kCreatedAt + 3, 1);
    hq_vector("hq-payload-device-mismatch", "device", {{"expect", "reject"}, {"reason", "payload-json"}},
              "sequence 3 whose JSON names another device key id",
              seal_or_die(device, hq.pub, 3, multi.hash, as_bytes(wrong_dev), 0x47));
  }

  // ---- Receipts. ----
  const Bytes flipped_bundle = flip(M, mo[0] + 4 + 1000, 0x04);
  Receipt accepted{device.pub.id(), small.manifest.bundle_id, 1, small.hash, kCreatedAt + 100,
                   ReceiptStatus::Accepted, 1, ""};
  Receipt duplicate{device.pub.id(), small.manifest.bundle_id, 1, small.hash, kCreatedAt + 200,
                    ReceiptStatus::Duplicate, 2, ""};
  // A bundle that could not be opened has no manifest: its receipt names the file's bytes.
  Receipt rejected{{}, {}, 0, bundle_file_hash(flipped_bundle), kCreatedAt + 300, ReceiptStatus::Rejected, 0,
                   "chunk-auth"};
  const Bytes RA = receipt_or_die(accepted, hq_sign);
  const Bytes RD = receipt_or_die(duplicate, hq_sign);
  const Bytes RR = receipt_or_die(rejected, hq_sign);
  auto accept_receipt = [&](const std::string& name, const Receipt& r, const Bytes& file, const std::string& what) {
    add_receipt({{"name", name}, {"file", name + ".ikr"}, {"expect", "accept"}, {"read_with", "hq-sign"},
                 {"what", what}, {"receipt", receipt_json(r)}, {"hex", hex(file)}},
                file);
  };
  accept_receipt("receipt-accepted", accepted, RA, "valid-small accepted, HQ holds 1..1");
  accept_receipt("receipt-duplicate", duplicate, RD, "valid-small seen again, HQ holds 1..2");
  accept_receipt("receipt-rejected", rejected, RR,
                 "a bundle that could not be opened (valid-multichunk with chunk 0 damaged): zeros, the file's hash, "
                 "reason chunk-auth");

  reject_receipt("receipt-empty", "size", "an empty file", {});
  reject_receipt("receipt-truncated", "size", "receipt-accepted without its last byte (162 bytes)", cut(RA, RA.size() - 1));
  reject_receipt("receipt-truncated-reason", "length", "receipt-rejected without its last byte", cut(RR, RR.size() - 1));
  {
    Bytes x = RA;
    x.push_back(0);
    reject_receipt("receipt-trailing-byte", "length", "receipt-accepted followed by one zero byte", x);
    Receipt long_reason = rejected;
    long_reason.reason = std::string(200, 'x');
    Bytes l = receipt_or_die(long_reason, hq_sign);  // 363 bytes, the largest receipt
    l[98] = 201;
    l.insert(l.begin() + 99, 'x');
    reject_receipt("receipt-reason-201", "size", "a reason of 201 bytes (364-byte file)", resign_receipt(l, hq_sign, "receipt/v1"));
  }
  reject_receipt("receipt-flip-magic", "magic", "bit 0 of byte 0 flipped", flip(RA, 0, 0x01));
  reject_receipt("receipt-flip-version", "version", "bit 1 of byte 8 (version) flipped", flip(RA, 8, 0x02));
  reject_receipt("receipt-flip-signer", "signer", "bit 0 of byte 9 (signer key id) flipped", flip(RA, 9, 0x01));
  reject_receipt("receipt-flip-device", "signature", "bit 0 of byte 17 (device key id) flipped", flip(RA, 17, 0x01));
  reject_receipt("receipt-flip-bundle-id", "signature", "bit 0 of byte 25 (bundle id) flipped", flip(RA, 25, 0x01));
  reject_receipt("receipt-flip-sequence", "signature", "bit 1 of byte 41 (sequence) flipped", flip(RA, 41, 0x02));
  reject_receipt("receipt-flip-bundle-hash", "signature", "bit 0 of byte 49 (bundle hash) flipped", flip(RA, 49, 0x01));
  reject_receipt("receipt-flip-received-at", "signature", "bit 0 of byte 81 (received at) flipped", flip(RA, 81, 0x01));
  reject_receipt("receipt-flip-status-valid", "signature", "status 1 -> 3 (bit 1 of byte 89): a valid status, unsigned",
                 flip(RA, 89, 0x02));
  reject_receipt("receipt-flip-status-invalid", "status", "status 1 -> 5 (bit 2 of byte 89)", flip(RA, 89, 0x04));
  {
    Bytes z = RA;
    z[89] = 0;
    reject_receipt("receipt-status-zero", "status", "status 0", z);
  }
  reject_receipt("receipt-flip-through", "signature", "bit 0 of byte 90 (received through) flipped", flip(RA, 90, 0x01));
  reject_receipt("receipt-flip-reason-length", "length", "receipt-rejected's reason length 10 -> 11 (bit 0 of byte 98)",
                 flip(RR, 98, 0x01));
  reject_receipt("receipt-flip-reason-length-zero", "length",
                 "receipt-accepted's reason length 0 -> 1 with no byte added (bit 0 of byte 98)", flip(RA, 98, 0x01));
  reject_receipt("receipt-reason-not-ascii", "reason", "bit 7 of the reason's first byte set (0xe3)",
                 resign_receipt(flip(RR, 99, 0x80), hq_sign, "receipt/v1"));
  reject_receipt("receipt-reason-control", "reason", "the reason's first byte replaced by a newline", [&] {
    Bytes b = RR;
    b[99] = '\n';
    return resign_receipt(b, hq_sign, "receipt/v1");
  }());
  reject_receipt("receipt-flip-reason", "signature", "a bit of the reason flipped, still printable ('c' -> 'b')",
                 flip(RR, 99, 0x01));
  reject_receipt("receipt-flip-signature", "signature", "bit 0 of the signature's first byte flipped",
                 flip(RA, 99, 0x01));
  reject_receipt("receipt-wrong-signer", "signer", "written and signed by hq-sign-other (its own key id)",
                 receipt_or_die(accepted, hq_sign_other));
  {
    Bytes w = RA;
    w = resign_receipt(w, hq_sign_other, "receipt/v1");
    reject_receipt("receipt-impostor-signer", "signature",
                   "names the pinned hq-sign key id but is signed by hq-sign-other", w);
    reject_receipt("receipt-wrong-context", "signature", "signed by hq-sign as a bundle manifest (context bundle-manifest/v1)",
                   resign_receipt(RA, hq_sign, "bundle-manifest/v1"));
  }

  const std::string text = g_index.dump(2) + "\n";
  write(g_out / "index.json", as_bytes(text));
  std::printf("%zu bundle vectors, %zu receipt vectors written to %s\n", g_index["bundles"].size(),
              g_index["receipts"].size(), g_out.c_str());
  return 0;
}
