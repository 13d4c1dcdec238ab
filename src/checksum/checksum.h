// End-to-end checksums: which one an object carries, computing it over the body as it is written, and the
// comparison at the end. S3 sends full-object checksums as base64 of the big-endian digest in
// x-amz-checksum-{crc64nvme,crc32c,crc32,sha256,sha1} (only when asked with x-amz-checksum-mode: ENABLED,
// and not on ranged GETs); a plain ETag of 32 hex digits is the MD5 of a single-part upload without
// SSE-KMS/SSE-C. Composite values ("<base64>-<parts>", checksums of the part checksums) say nothing about the
// body as a whole and are skipped. See docs/checksums.md.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "util/base64.h"
#include "util/crypto.h"
#include "util/error.h"
#include "util/header_line.h"

namespace s3fcp {

// In the order `auto` prefers them.
enum class ChecksumAlgorithm { Crc64Nvme, Crc32c, Crc32, Sha256, Sha1, Md5 };

// "CRC64NVME", "CRC32C", "CRC32", "SHA256", "SHA1", "MD5": the spelling S3 uses (x-amz-checksum-algorithm).
std::string_view checksum_algorithm_name(ChecksumAlgorithm algorithm);
// Case-insensitive, '-' and '_' ignored: "crc64nvme", "CRC64-NVME", "sha-256", "Crc32C" all parse.
std::optional<ChecksumAlgorithm> parse_checksum_algorithm(std::string_view name);
// Digest length in bytes: 8, 4, 4, 32, 20, 16.
std::size_t checksum_digest_size(ChecksumAlgorithm algorithm);
// "x-amz-checksum-crc64nvme" etc.; "etag" for MD5.
std::string_view checksum_header_name(ChecksumAlgorithm algorithm);
// The CRCs: their full-object value combines from the parts' (a multipart upload or copy may declare FULL_OBJECT).
constexpr bool is_crc(ChecksumAlgorithm a) {
  return a == ChecksumAlgorithm::Crc64Nvme || a == ChecksumAlgorithm::Crc32c || a == ChecksumAlgorithm::Crc32;
}

// Streaming computation over the body, fed in order. Move-only; finish_*() may be called once.
class Checksummer {
 public:
  explicit Checksummer(ChecksumAlgorithm algorithm);

  ChecksumAlgorithm algorithm() const { return m_algorithm; }
  void update(std::span<const std::byte> data);

  // The raw digest; CRCs big-endian (the byte order S3 base64-encodes).
  std::vector<unsigned char> finish();
  std::string finish_base64();
  std::string finish_hex();
  // The encoding S3 uses for this algorithm, comparable with ExpectedChecksum::value: base64, or lowercase
  // hex for MD5 (the ETag form).
  std::string finish_encoded();

 private:
  ChecksumAlgorithm m_algorithm;
  std::uint64_t m_crc = 0;                  // CRCs: the finished value so far (zlib-style chaining)
  std::optional<StreamingDigest> m_digest;  // SHA-256, SHA-1, MD5
};

// A checksum the object claims, as S3 sent it: base64 for x-amz-checksum-*, lowercase hex for MD5.
struct ExpectedChecksum {
  ChecksumAlgorithm algorithm = ChecksumAlgorithm::Crc64Nvme;
  std::string value;
  bool operator==(const ExpectedChecksum&) const = default;
};

// One x-amz-checksum-* response header. nullopt for any other header, for a composite value ("...-N"), and
// for a value that is not base64 of the algorithm's digest size (moto without its optional CRC libraries
// stores a 4-byte CRC32 under x-amz-checksum-crc64nvme and -crc32c; such a value cannot be checked).
std::optional<ExpectedChecksum> parse_expected_checksum(std::string_view header_name, std::string_view value);

// A checksum the object states but that cannot be checked: an x-amz-checksum-* header of an algorithm we know whose
// value is not base64 of that algorithm's digest size (and not composite), or an x-amz-checksum-type other than
// FULL_OBJECT and COMPOSITE. Verification fails closed on it (exit 7) rather than falling back to another
// checksum: the server said something about the bytes that we could not hold it to.
struct MalformedChecksum {
  std::string header;  // as sent, e.g. "x-amz-checksum-crc32"
  std::string value;
  std::optional<ChecksumAlgorithm> algorithm;  // empty for x-amz-checksum-type
  std::string describe() const;                // one line naming the header and its value
};
std::optional<MalformedChecksum> find_malformed_checksum(const std::vector<std::pair<std::string, std::string>>& headers);

// The MD5 of a single-part upload from its ETag ("\"9e107d...\"" → "9e107d..."): nullopt for a multipart ETag
// ("...-N") or anything else that is not 32 hex digits. Whether the ETag is an MD5 at all also depends on the
// encryption (SSE-KMS and SSE-C ETags are not); choose_checksum() checks that.
std::optional<std::string> expected_md5_from_etag(std::string_view etag);

// --checksum: off, auto, or one algorithm that must be verifiable.
struct ChecksumMode {
  enum class Kind { Off, Auto, Require };
  Kind kind = Kind::Auto;
  ChecksumAlgorithm algorithm = ChecksumAlgorithm::Crc64Nvme;  // for Require

  static ChecksumMode off() { return {Kind::Off, ChecksumAlgorithm::Crc64Nvme}; }
  static ChecksumMode automatic() { return {Kind::Auto, ChecksumAlgorithm::Crc64Nvme}; }
  static ChecksumMode require(ChecksumAlgorithm a) { return {Kind::Require, a}; }
};
// "off", "auto", or an algorithm name as parse_checksum_algorithm() takes it.
std::optional<ChecksumMode> parse_checksum_mode(std::string_view text);

// The checksum to verify the body against, from the headers of a whole-object response (a GET without Range
// or a HEAD, both with x-amz-checksum-mode: ENABLED). Header names are matched case-insensitively.
//   Off:     nullopt.
//   Auto:    the first full-object one of CRC64NVME > CRC32C > CRC32 > SHA256 > SHA1, else MD5 from a plain
//            ETag when the object is not SSE-KMS/SSE-C, else nullopt (nothing to verify is not an error).
//   Require: that algorithm, or an Error of kind Checksum saying why it cannot be verified.
//   Either: an Error of kind Checksum when find_malformed_checksum() finds a stated checksum it cannot check.
// A non-CRC64NVME value counts as composite when x-amz-checksum-type says COMPOSITE, and also when that
// header is missing but the ETag is multipart (moto's HEAD drops both the "-N" and the type header).
Result<std::optional<ExpectedChecksum>> choose_checksum(const HeaderList& response_headers,
                                                        ChecksumMode mode);

// `computed` in the same encoding as expected.value (Checksummer::finish_encoded()). On a mismatch: an Error
// of kind Checksum, "checksum mismatch: CRC64NVME expected X, got Y".
Result<void> verify(const ExpectedChecksum& expected, std::string_view computed);

}  // namespace s3fcp
