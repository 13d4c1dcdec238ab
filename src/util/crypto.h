// SHA-256 and HMAC-SHA-256 for SigV4, and streaming SHA-256 / SHA-1 / MD5 for end-to-end checksums. This
// header keeps OpenSSL out of every other file; crypto.cpp is the one place that includes it.
#pragma once

#include <array>
#include <cstddef>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

struct evp_md_ctx_st;  // OpenSSL's EVP_MD_CTX, named only as an opaque pointer here.

namespace s3fcp {

// Raw 32-byte digests. A failure inside OpenSSL (no SHA-256 provider, out of memory) aborts the process:
// it means a broken installation, not a condition a caller could handle.
std::array<unsigned char, 32> sha256(std::string_view data);
std::array<unsigned char, 32> hmac_sha256(std::string_view key, std::string_view data);

// "00ff..." — two lowercase hex digits per byte.
std::string hex_lower(std::span<const unsigned char> bytes);

// hex_lower(sha256(data)): the form SigV4 uses for payload and canonical-request hashes.
std::string sha256_hex(std::string_view data);

// A digest computed over data that arrives in pieces (a download body, in order). Not thread-safe; move-only.
// finish() may be called once; update() after finish() is a programming error and aborts.
enum class DigestAlgorithm { Sha256, Sha1, Md5 };

class StreamingDigest {
 public:
  explicit StreamingDigest(DigestAlgorithm algorithm);
  ~StreamingDigest();
  StreamingDigest(StreamingDigest&&) noexcept;
  StreamingDigest& operator=(StreamingDigest&&) noexcept;
  StreamingDigest(const StreamingDigest&) = delete;
  StreamingDigest& operator=(const StreamingDigest&) = delete;

  void update(std::span<const std::byte> data);
  // The raw digest: 32 bytes (SHA-256), 20 (SHA-1) or 16 (MD5).
  std::vector<unsigned char> finish();

 private:
  struct CtxFree {
    void operator()(evp_md_ctx_st* ctx) const;
  };
  std::unique_ptr<evp_md_ctx_st, CtxFree> m_ctx;
};

}  // namespace s3fcp
