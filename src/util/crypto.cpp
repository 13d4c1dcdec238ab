// OpenSSL 3 one-shot calls (EVP_Digest, HMAC) for SigV4, and one EVP_MD_CTX per StreamingDigest; nothing
// deprecated.
#include "util/crypto.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <climits>
#include <cstdio>
#include <cstdlib>

namespace s3fcp {

namespace {

[[noreturn]] void crypto_failure(const char* what) {
  std::fprintf(stderr, "s3fcp: fatal: OpenSSL %s failed\n", what);
  std::abort();
}

}  // namespace

std::array<unsigned char, 32> sha256(std::string_view data) {
  std::array<unsigned char, 32> out{};
  unsigned int len = 0;
  if (EVP_Digest(data.data(), data.size(), out.data(), &len, EVP_sha256(), nullptr) != 1 ||
      len != out.size()) {
    crypto_failure("SHA-256");
  }
  return out;
}

std::array<unsigned char, 32> hmac_sha256(std::string_view key, std::string_view data) {
  // HMAC() takes the key length as an int; SigV4 keys are 32 bytes or a secret of a few dozen.
  if (key.size() > static_cast<std::size_t>(INT_MAX)) crypto_failure("HMAC-SHA-256 (key too long)");
  std::array<unsigned char, 32> out{};
  unsigned int len = 0;
  const auto* d = reinterpret_cast<const unsigned char*>(data.data());
  if (HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()), d, data.size(), out.data(), &len) ==
          nullptr ||
      len != out.size()) {
    crypto_failure("HMAC-SHA-256");
  }
  return out;
}

std::string hex_lower(std::span<const unsigned char> bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (unsigned char b : bytes) {
    out.push_back(kDigits[b >> 4]);
    out.push_back(kDigits[b & 0x0f]);
  }
  return out;
}

std::string sha256_hex(std::string_view data) { return hex_lower(sha256(data)); }

void StreamingDigest::CtxFree::operator()(evp_md_ctx_st* ctx) const { EVP_MD_CTX_free(ctx); }

StreamingDigest::StreamingDigest(DigestAlgorithm algorithm) : m_ctx(EVP_MD_CTX_new()) {
  if (!m_ctx) crypto_failure("EVP_MD_CTX_new");
  const EVP_MD* md = algorithm == DigestAlgorithm::Sha256 ? EVP_sha256()
                     : algorithm == DigestAlgorithm::Sha1 ? EVP_sha1()
                                                          : EVP_md5();
  if (EVP_DigestInit_ex(m_ctx.get(), md, nullptr) != 1) crypto_failure("EVP_DigestInit_ex");
}

StreamingDigest::~StreamingDigest() = default;
StreamingDigest::StreamingDigest(StreamingDigest&&) noexcept = default;
StreamingDigest& StreamingDigest::operator=(StreamingDigest&&) noexcept = default;

void StreamingDigest::update(std::span<const std::byte> data) {
  if (!m_ctx) crypto_failure("digest update after finish");
  if (EVP_DigestUpdate(m_ctx.get(), data.data(), data.size()) != 1) crypto_failure("EVP_DigestUpdate");
}

std::vector<unsigned char> StreamingDigest::finish() {
  if (!m_ctx) crypto_failure("digest finished twice");
  std::vector<unsigned char> out(EVP_MAX_MD_SIZE);
  unsigned int len = 0;
  if (EVP_DigestFinal_ex(m_ctx.get(), out.data(), &len) != 1) crypto_failure("EVP_DigestFinal_ex");
  out.resize(len);
  m_ctx.reset();
  return out;
}

}  // namespace s3fcp
