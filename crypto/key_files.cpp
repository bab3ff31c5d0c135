#include "crypto/key_files.hpp"

#include <sodium.h>
#include <sys/stat.h>

#include <cstring>
#include <string>

#include <fmt/format.h>

#include "crypto/file_io.hpp"
#include "crypto/sodium.hpp"

namespace ik::crypto {
namespace {

constexpr std::size_t kHeaderBytes = 2 + 1 + 1 + kKeyIdBytes;
constexpr std::size_t kMaxKeyFile = 1024;
constexpr std::string_view kComment = "untrusted comment: ";

std::size_t secret_size(KeyKind kind) {
  return is_signing_kind(kind) ? crypto_sign_SECRETKEYBYTES : crypto_box_SECRETKEYBYTES;
}

void put_header(std::uint8_t* out, const PublicKey& pub) {
  out[0] = 'I';
  out[1] = 'K';
  out[2] = static_cast<std::uint8_t>(pub.kind);
  out[3] = 1;
  const auto id = pub.id();
  std::memcpy(out + 4, id.data(), id.size());
}

// Splits "comment\nbase64\n" and decodes the second line into `out` (exact size required).
template <class Buffer>
Result<void> decode_body(std::string_view text, const std::filesystem::path& path, Buffer& out) {
  if (!text.starts_with(kComment)) return fail(Errc::BadFormat, fmt::format("{}: not an intake-kiosk key file", path.string()));
  const auto nl = text.find('\n');
  if (nl == std::string_view::npos) return fail(Errc::BadFormat, fmt::format("{}: truncated key file", path.string()));
  auto body = text.substr(nl + 1);
  if (!body.empty() && body.back() == '\n') body.remove_suffix(1);
  if (body.find('\n') != std::string_view::npos) return fail(Errc::BadFormat, fmt::format("{}: trailing data in key file", path.string()));
  std::size_t bin_len = 0;
  const char* end = nullptr;
  if (sodium_base642bin(out.data(), out.size(), body.data(), body.size(), nullptr, &bin_len, &end,
                        sodium_base64_VARIANT_ORIGINAL) != 0 ||
      end != body.data() + body.size() || bin_len != out.size())
    return fail(Errc::BadFormat, fmt::format("{}: key encoding or length is wrong", path.string()));
  return {};
}

Result<void> check_header(const std::uint8_t* in, KeyKind expected, const std::filesystem::path& path) {
  if (in[0] != 'I' || in[1] != 'K') return fail(Errc::BadFormat, fmt::format("{}: not an intake-kiosk key", path.string()));
  if (in[3] != 1) return fail(Errc::BadFormat, fmt::format("{}: unsupported key file version {}", path.string(), in[3]));
  if (in[2] != static_cast<std::uint8_t>(expected))
    return fail(Errc::WrongKey, fmt::format("{}: expected a {} key", path.string(), kind_name(expected)));
  return {};
}

std::string encode(std::span<const std::uint8_t> bin) {
  std::string out(sodium_base64_ENCODED_LEN(bin.size(), sodium_base64_VARIANT_ORIGINAL), '\0');
  sodium_bin2base64(out.data(), out.size(), bin.data(), bin.size(), sodium_base64_VARIANT_ORIGINAL);
  out.pop_back();
  return out;
}

}  // namespace

Result<void> write_public_key_file(const std::filesystem::path& path, const PublicKey& key) {
  ensure_sodium();
  std::array<std::uint8_t, kHeaderBytes + kPublicKeyBytes> bin{};
  put_header(bin.data(), key);
  std::memcpy(bin.data() + kHeaderBytes, key.bytes.data(), key.bytes.size());
  const auto text = fmt::format("{}intake-kiosk {} public key, fingerprint {}\n{}\n", kComment,
                                kind_name(key.kind), key.fingerprint(), encode(bin));
  return write_file_atomic(path, {reinterpret_cast<const std::uint8_t*>(text.data()), text.size()}, 0644);
}

Result<PublicKey> read_public_key_file(const std::filesystem::path& path, KeyKind expected) {
  ensure_sodium();
  auto raw = read_file(path, kMaxKeyFile);
  if (!raw) return std::unexpected(raw.error());
  const std::string_view text(reinterpret_cast<const char*>(raw->data()), raw->size());
  std::array<std::uint8_t, kHeaderBytes + kPublicKeyBytes> bin{};
  if (auto r = decode_body(text, path, bin); !r) return std::unexpected(r.error());
  if (auto r = check_header(bin.data(), expected, path); !r) return std::unexpected(r.error());
  PublicKey key;
  key.kind = expected;
  std::memcpy(key.bytes.data(), bin.data() + kHeaderBytes, key.bytes.size());
  if (std::memcmp(key.id().data(), bin.data() + 4, kKeyIdBytes) != 0)
    return fail(Errc::Corrupt, fmt::format("{}: key id does not match the key (damaged file)", path.string()));
  return key;
}

Result<void> write_secret_key_file(const std::filesystem::path& path, const KeyPair& pair) {
  ensure_sodium();
  SecureBuffer bin(kHeaderBytes + pair.secret.size());
  put_header(bin.data(), pair.pub);
  std::memcpy(bin.data() + kHeaderBytes, pair.secret.data(), pair.secret.size());
  const std::string comment = fmt::format("{}intake-kiosk {} SECRET key, keep private\n", kComment,
                                          kind_name(pair.pub.kind));
  const std::size_t b64_len = sodium_base64_ENCODED_LEN(bin.size(), sodium_base64_VARIANT_ORIGINAL);
  SecureBuffer text(comment.size() + b64_len);
  std::memcpy(text.data(), comment.data(), comment.size());
  sodium_bin2base64(reinterpret_cast<char*>(text.data() + comment.size()), b64_len, bin.data(),
                    bin.size(), sodium_base64_VARIANT_ORIGINAL);
  text.data()[text.size() - 1] = '\n';  // replaces the terminating NUL
  return write_file_atomic(path, text.span(), 0600);
}

Result<KeyPair> read_secret_key_file(const std::filesystem::path& path, KeyKind expected) {
  ensure_sodium();
  struct stat st {};
  if (::stat(path.c_str(), &st) == 0 && (st.st_mode & 077) != 0)
    return fail(Errc::Invalid, fmt::format("{}: secret key file is readable by others (mode {:o}); chmod 600 it",
                                           path.string(), st.st_mode & 0777));
  auto raw = read_secret_file(path, kMaxKeyFile);
  if (!raw) return std::unexpected(raw.error());
  SecureBuffer bin(kHeaderBytes + secret_size(expected));
  if (auto r = decode_body(raw->view(), path, bin); !r) {
    if (r.error().code == Errc::BadFormat && raw->view().starts_with(kComment)) {
      // Most often a key of another kind (other length): say so if the header tells.
      return fail(Errc::WrongKey, fmt::format("{}: not a {} secret key", path.string(), kind_name(expected)));
    }
    return std::unexpected(r.error());
  }
  if (auto r = check_header(bin.data(), expected, path); !r) return std::unexpected(r.error());
  auto pair = key_pair_from_secret(expected, SecureBuffer::copy_of(bin.span().subspan(kHeaderBytes)));
  if (!pair) return std::unexpected(Error{pair.error().code, fmt::format("{}: {}", path.string(), pair.error().message)});
  if (std::memcmp(pair->pub.id().data(), bin.data() + 4, kKeyIdBytes) != 0)
    return fail(Errc::Corrupt, fmt::format("{}: key id does not match the key (damaged file)", path.string()));
  return pair;
}

}  // namespace ik::crypto
