// HQ's public key pin for libcurl (CURLOPT_PINNEDPUBLICKEY), computed from the pinned certificate
// at start-up so the device is provisioned with one file, not a certificate and a hash to keep
// in step. The certificate is only walked far enough to find its SubjectPublicKeyInfo: strict
// DER (definite lengths, lengths within the enclosing element), nothing else is interpreted.
#include <fmt/format.h>
#include <sodium.h>

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "crypto/file_io.hpp"
#include "crypto/sodium.hpp"
#include "sync/transport.hpp"

namespace ik::sync {
namespace {

constexpr std::size_t kMaxPemBytes = 64 * 1024;
constexpr std::string_view kBegin = "-----BEGIN CERTIFICATE-----";
constexpr std::string_view kEnd = "-----END CERTIFICATE-----";

struct Tlv {
  std::uint8_t tag = 0;
  std::span<const std::uint8_t> content;  // the value
  std::span<const std::uint8_t> whole;    // tag, length and value
};

// Reads one DER element at the front of `in` and advances past it.
bool read_tlv(std::span<const std::uint8_t>& in, Tlv& out) {
  if (in.size() < 2) return false;
  const std::uint8_t tag = in[0];
  if ((tag & 0x1f) == 0x1f) return false;  // multi-byte tags never occur in a certificate's frame
  std::size_t len = in[1], header = 2;
  if (len & 0x80) {
    const std::size_t n = len & 0x7f;
    if (n == 0 || n > 4 || in.size() < 2 + n) return false;  // 0: indefinite length, not DER
    len = 0;
    for (std::size_t i = 0; i < n; ++i) len = (len << 8) | in[2 + i];
    if (len < 0x80 || (n > 1 && in[2] == 0)) return false;  // not the shortest form
    header += n;
  }
  if (len > in.size() - header) return false;
  out.tag = tag;
  out.content = in.subspan(header, len);
  out.whole = in.subspan(0, header + len);
  in = in.subspan(header + len);
  return true;
}

// Certificate ::= SEQUENCE { tbsCertificate SEQUENCE { [0] version OPTIONAL, serialNumber INTEGER,
//   signature SEQUENCE, issuer SEQUENCE, validity SEQUENCE, subject SEQUENCE,
//   subjectPublicKeyInfo SEQUENCE, ... }, ... }   (RFC 5280, 4.1)
bool find_spki(std::span<const std::uint8_t> der, std::span<const std::uint8_t>& spki) {
  Tlv cert, tbs, el;
  if (!read_tlv(der, cert) || cert.tag != 0x30 || !der.empty()) return false;
  auto c = cert.content;
  if (!read_tlv(c, tbs) || tbs.tag != 0x30) return false;
  auto t = tbs.content;
  if (!read_tlv(t, el)) return false;
  if (el.tag == 0xa0 && !read_tlv(t, el)) return false;  // version, then the serial number
  if (el.tag != 0x02) return false;
  for (int i = 0; i < 4; ++i)  // signature algorithm, issuer, validity, subject
    if (!read_tlv(t, el) || el.tag != 0x30) return false;
  if (!read_tlv(t, el) || el.tag != 0x30) return false;
  spki = el.whole;
  return true;
}

}  // namespace

core::Result<std::string> spki_pin_from_pem(const std::filesystem::path& pem) {
  crypto::ensure_sodium();
  auto bytes = crypto::read_file(pem, kMaxPemBytes);
  if (!bytes) return std::unexpected(core::from(bytes.error()));
  const std::string_view text(reinterpret_cast<const char*>(bytes->data()), bytes->size());
  const auto refuse = [&](std::string_view why) {
    return core::fail(core::Errc::Invalid,
                      fmt::format("HQ's certificate {} cannot be used: {}", pem.string(), why));
  };
  const auto begin = text.find(kBegin);
  if (begin == std::string_view::npos) return refuse("no PEM certificate in it");
  const auto body_at = begin + kBegin.size();
  const auto end = text.find(kEnd, body_at);
  if (end == std::string_view::npos) return refuse("the certificate is cut short");
  if (text.find(kBegin, end) != std::string_view::npos)
    return refuse("it holds more than one certificate; give HQ's certificate alone");

  const auto b64 = text.substr(body_at, end - body_at);
  std::vector<std::uint8_t> der(b64.size());
  std::size_t der_len = 0;
  const char* b64_end = nullptr;
  if (sodium_base642bin(der.data(), der.size(), b64.data(), b64.size(), " \t\r\n", &der_len,
                        &b64_end, sodium_base64_VARIANT_ORIGINAL) != 0 ||
      b64_end != b64.data() + b64.size())
    return refuse("the certificate's base64 is damaged");
  der.resize(der_len);

  std::span<const std::uint8_t> spki;
  if (!find_spki(der, spki)) return refuse("it is not a well-formed X.509 certificate");
  std::uint8_t digest[crypto_hash_sha256_BYTES];
  crypto_hash_sha256(digest, spki.data(), spki.size());
  char b64_out[sodium_base64_ENCODED_LEN(crypto_hash_sha256_BYTES, sodium_base64_VARIANT_ORIGINAL)];
  sodium_bin2base64(b64_out, sizeof b64_out, digest, sizeof digest, sodium_base64_VARIANT_ORIGINAL);
  return fmt::format("sha256//{}", b64_out);
}

}  // namespace ik::sync
