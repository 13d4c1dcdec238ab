// The CRC of concatenated data from the CRCs of its pieces, without a second pass over the bytes: what a
// FULL_OBJECT checksum of a multipart upload needs, since each part's CRC is computed as the part is sent and
// S3 wants the whole object's CRC on CompleteMultipartUpload. Works for the three CRCs S3 offers, all
// reflected with init and xorout all ones, chained zlib-style as checksum/crc64nvme.h and Checksummer do:
// crc(A + B) = crc_combine(crc(A), crc(B), len(B)), in O(log len(B)) time.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "checksum/checksum.h"

namespace s3fcp {

// CRC64NVME, CRC32C and CRC32: the algorithms crc_combine() takes.
bool crc_combinable(ChecksumAlgorithm algorithm);

// crc(A + B) from crc(A), crc(B) and the length of B in bytes. A 32-bit CRC travels in the low half; the high
// half must be zero. Calling it with SHA-256, SHA-1 or MD5 is a programming error and aborts.
std::uint64_t crc_combine(ChecksumAlgorithm algorithm, std::uint64_t crc_a, std::uint64_t crc_b,
                          std::uint64_t len_b);

std::uint64_t crc64nvme_combine(std::uint64_t crc_a, std::uint64_t crc_b, std::uint64_t len_b);
std::uint32_t crc32c_combine(std::uint32_t crc_a, std::uint32_t crc_b, std::uint64_t len_b);
std::uint32_t crc32_combine(std::uint32_t crc_a, std::uint32_t crc_b, std::uint64_t len_b);

// A CRC as S3 writes it (base64 of the big-endian value, as Checksummer::finish_base64() gives it) and back.
// from_base64 is nullopt unless the text decodes to exactly the algorithm's digest size.
std::string crc_to_base64(ChecksumAlgorithm algorithm, std::uint64_t crc);
std::optional<std::uint64_t> crc_from_base64(ChecksumAlgorithm algorithm, std::string_view text);

// Folds part CRCs, in part order, into the CRC of everything appended so far. Empty: the CRC of no bytes (0).
class CrcCombiner {
 public:
  explicit CrcCombiner(ChecksumAlgorithm algorithm);

  void append(std::uint64_t part_crc, std::uint64_t part_length);
  std::uint64_t value() const { return m_crc; }
  std::uint64_t length() const { return m_length; }
  ChecksumAlgorithm algorithm() const { return m_algorithm; }

 private:
  ChecksumAlgorithm m_algorithm;
  std::uint64_t m_crc = 0;
  std::uint64_t m_length = 0;
};

}  // namespace s3fcp
