// Checksum selection and streaming computation. CRC32C and CRC32 come from ISA-L (SIMD, dispatched at run
// time), CRC64NVME from checksum/crc64nvme.cpp, SHA-256 / SHA-1 / MD5 from OpenSSL through util/crypto.
//
// ISA-L conventions, checked against the catalogue check values: crc32_gzip_refl(crc, ...) inverts on entry
// and exit, so it chains like zlib's crc32 (start from 0, pass the last result). crc32_iscsi(..., init) does
// neither: the register starts at ~0 and the result is inverted by the caller.
#include "checksum/checksum.h"

#include <isa-l/crc.h>

#include <array>
#include <climits>
#include <cstdlib>

#include "checksum/crc64nvme.h"
#include "util/base64.h"
#include "util/strings.h"

namespace s3fcp {

namespace {

struct AlgorithmInfo {
  ChecksumAlgorithm algorithm;
  std::string_view name;
  std::string_view header;
  std::size_t digest_size;
};

constexpr std::array<AlgorithmInfo, 6> kAlgorithms{{
    {ChecksumAlgorithm::Crc64Nvme, "CRC64NVME", "x-amz-checksum-crc64nvme", 8},
    {ChecksumAlgorithm::Crc32c, "CRC32C", "x-amz-checksum-crc32c", 4},
    {ChecksumAlgorithm::Crc32, "CRC32", "x-amz-checksum-crc32", 4},
    {ChecksumAlgorithm::Sha256, "SHA256", "x-amz-checksum-sha256", 32},
    {ChecksumAlgorithm::Sha1, "SHA1", "x-amz-checksum-sha1", 20},
    {ChecksumAlgorithm::Md5, "MD5", "etag", 16},
}};

const AlgorithmInfo& info(ChecksumAlgorithm algorithm) {
  for (const auto& i : kAlgorithms) {
    if (i.algorithm == algorithm) return i;
  }
  std::abort();  // unreachable: every enumerator has a row
}

std::optional<std::string_view> find_header(const HeaderList& headers, std::string_view name) {
  for (const auto& [key, value] : headers) {
    if (iequals(key, name)) return trim(value);
  }
  return std::nullopt;
}

std::string_view unquote(std::string_view s) {
  if (s.size() >= 2 && s.front() == '"' && s.back() == '"') return s.substr(1, s.size() - 2);
  return s;
}

// "...-<digits>": the suffix S3 puts on composite checksums and multipart ETags.
bool has_part_count_suffix(std::string_view value) {
  const auto dash = value.rfind('-');
  if (dash == std::string_view::npos || dash + 1 == value.size()) return false;
  for (char c : value.substr(dash + 1)) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

bool is_hex_digit(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

std::optional<DigestAlgorithm> digest_algorithm(ChecksumAlgorithm algorithm) {
  switch (algorithm) {
    case ChecksumAlgorithm::Sha256:
      return DigestAlgorithm::Sha256;
    case ChecksumAlgorithm::Sha1:
      return DigestAlgorithm::Sha1;
    case ChecksumAlgorithm::Md5:
      return DigestAlgorithm::Md5;
    default:
      return std::nullopt;
  }
}

std::vector<unsigned char> big_endian(std::uint64_t value, std::size_t size) {
  std::vector<unsigned char> out(size);
  for (std::size_t i = 0; i < size; ++i) out[size - 1 - i] = static_cast<unsigned char>(value >> (8 * i));
  return out;
}

}  // namespace

std::string_view checksum_algorithm_name(ChecksumAlgorithm algorithm) { return info(algorithm).name; }
std::size_t checksum_digest_size(ChecksumAlgorithm algorithm) { return info(algorithm).digest_size; }
std::string_view checksum_header_name(ChecksumAlgorithm algorithm) { return info(algorithm).header; }

std::optional<ChecksumAlgorithm> parse_checksum_algorithm(std::string_view name) {
  std::string folded;
  for (char c : name) {
    if (c != '-' && c != '_') folded.push_back(ascii_lower(c));
  }
  for (const auto& i : kAlgorithms) {
    if (iequals(folded, i.name)) return i.algorithm;
  }
  return std::nullopt;
}

Checksummer::Checksummer(ChecksumAlgorithm algorithm) : m_algorithm(algorithm) {
  if (auto d = digest_algorithm(algorithm)) m_digest.emplace(*d);
}

void Checksummer::update(std::span<const std::byte> data) {
  switch (m_algorithm) {
    case ChecksumAlgorithm::Crc64Nvme:
      m_crc = crc64nvme(m_crc, data);
      return;
    case ChecksumAlgorithm::Crc32:
      m_crc = crc32_gzip_refl(static_cast<std::uint32_t>(m_crc),
                              reinterpret_cast<const unsigned char*>(data.data()), data.size());
      return;
    case ChecksumAlgorithm::Crc32c: {
      // crc32_iscsi takes an int length and a non-const buffer it only reads.
      auto* p = const_cast<unsigned char*>(reinterpret_cast<const unsigned char*>(data.data()));
      std::size_t left = data.size();
      auto reg = static_cast<unsigned int>(~m_crc & 0xffffffffu);
      while (left > 0) {
        const std::size_t n = left < (std::size_t{1} << 30) ? left : (std::size_t{1} << 30);
        reg = crc32_iscsi(p, static_cast<int>(n), reg);
        p += n;
        left -= n;
      }
      m_crc = ~reg & 0xffffffffu;
      return;
    }
    default:
      m_digest->update(data);
      return;
  }
}

std::vector<unsigned char> Checksummer::finish() {
  if (m_digest) return m_digest->finish();
  return big_endian(m_crc, checksum_digest_size(m_algorithm));
}

std::string Checksummer::finish_base64() { return base64_encode(finish()); }
std::string Checksummer::finish_hex() { return hex_lower(finish()); }
std::string Checksummer::finish_encoded() {
  return m_algorithm == ChecksumAlgorithm::Md5 ? finish_hex() : finish_base64();
}

std::optional<ExpectedChecksum> parse_expected_checksum(std::string_view header_name,
                                                        std::string_view value) {
  value = trim(value);
  for (const auto& i : kAlgorithms) {
    if (i.algorithm == ChecksumAlgorithm::Md5 || !iequals(header_name, i.header)) continue;
    if (has_part_count_suffix(value)) return std::nullopt;  // composite
    const auto bytes = base64_decode(value);
    if (!bytes || bytes->size() != i.digest_size) return std::nullopt;
    return ExpectedChecksum{i.algorithm, std::string(value)};
  }
  return std::nullopt;
}

std::optional<std::string> expected_md5_from_etag(std::string_view etag) {
  etag = unquote(trim(etag));
  if (etag.size() != 32) return std::nullopt;
  std::string hex;
  for (char c : etag) {
    if (!is_hex_digit(c)) return std::nullopt;
    hex.push_back(ascii_lower(c));
  }
  return hex;
}

std::optional<ChecksumMode> parse_checksum_mode(std::string_view text) {
  if (iequals(text, "off")) return ChecksumMode::off();
  if (iequals(text, "auto")) return ChecksumMode::automatic();
  if (auto a = parse_checksum_algorithm(text)) return ChecksumMode::require(*a);
  return std::nullopt;
}

std::string MalformedChecksum::describe() const {
  if (!algorithm) {
    return header + ": '" + value + "' is not a checksum type we know (FULL_OBJECT, COMPOSITE); cannot verify the "
           "object (--checksum off skips verification)";
  }
  return header + ": '" + value + "' does not decode to a " + std::string(checksum_algorithm_name(*algorithm)) +
         " (" + std::to_string(checksum_digest_size(*algorithm)) + " bytes of base64); cannot verify the object "
         "(--checksum off skips verification)";
}

std::optional<MalformedChecksum> find_malformed_checksum(const HeaderList& headers) {
  for (const auto& [name, raw] : headers) {
    const std::string_view value = trim(raw);
    if (iequals(name, "x-amz-checksum-type")) {
      if (!iequals(value, "FULL_OBJECT") && !iequals(value, "COMPOSITE")) {
        return MalformedChecksum{name, std::string(value), std::nullopt};
      }
      continue;
    }
    for (const auto& i : kAlgorithms) {
      if (i.algorithm == ChecksumAlgorithm::Md5 || !iequals(name, i.header)) continue;
      if (!has_part_count_suffix(value) && !parse_expected_checksum(name, value)) {
        return MalformedChecksum{name, std::string(value), i.algorithm};
      }
    }
  }
  return std::nullopt;
}

Result<std::optional<ExpectedChecksum>> choose_checksum(const HeaderList& response_headers,
                                                        ChecksumMode mode) {
  if (mode.kind == ChecksumMode::Kind::Off) return std::nullopt;
  if (const auto malformed = find_malformed_checksum(response_headers)) {
    return fail(ErrorKind::Checksum, malformed->describe());
  }

  const auto etag = find_header(response_headers, "etag");
  const bool multipart = etag && has_part_count_suffix(unquote(*etag));
  const auto type = find_header(response_headers, "x-amz-checksum-type");
  const bool type_composite = type && iequals(*type, "COMPOSITE");
  const bool type_full = type && iequals(*type, "FULL_OBJECT");

  // Why `algorithm` cannot be used; empty when it can, with the value in *out.
  auto check = [&](ChecksumAlgorithm algorithm, std::optional<ExpectedChecksum>* out) -> std::string {
    const auto name = checksum_algorithm_name(algorithm);
    if (algorithm == ChecksumAlgorithm::Md5) {
      const auto sse = find_header(response_headers, "x-amz-server-side-encryption");
      if (sse && sse->starts_with("aws:kms"))
        return "the object is SSE-KMS encrypted, so its ETag is not an MD5";
      if (find_header(response_headers, "x-amz-server-side-encryption-customer-algorithm")) {
        return "the object is SSE-C encrypted, so its ETag is not an MD5";
      }
      if (!etag) return "the response has no ETag";
      auto md5 = expected_md5_from_etag(*etag);
      if (!md5) return "the ETag " + std::string(*etag) + " is not an MD5 (multipart upload?)";
      *out = ExpectedChecksum{algorithm, std::move(*md5)};
      return {};
    }
    const auto value = find_header(response_headers, checksum_header_name(algorithm));
    if (!value) return "the object has no " + std::string(name) + " checksum";
    if (has_part_count_suffix(*value) ||
        (algorithm != ChecksumAlgorithm::Crc64Nvme && (type_composite || (multipart && !type_full)))) {
      return "its " + std::string(name) + " checksum is composite (a checksum of part checksums)";
    }
    *out = parse_expected_checksum(checksum_header_name(algorithm), *value);
    if (!*out) return "its " + std::string(name) + " checksum '" + std::string(*value) + "' is malformed";
    return {};
  };

  std::optional<ExpectedChecksum> chosen;
  if (mode.kind == ChecksumMode::Kind::Require) {
    const std::string why = check(mode.algorithm, &chosen);
    if (!why.empty()) {
      return fail(ErrorKind::Checksum,
                  "cannot verify " + std::string(checksum_algorithm_name(mode.algorithm)) + ": " + why);
    }
    return chosen;
  }
  for (const auto& i : kAlgorithms) {
    if (check(i.algorithm, &chosen).empty()) return chosen;
  }
  return std::nullopt;
}

Result<void> verify(const ExpectedChecksum& expected, std::string_view computed) {
  bool same = false;
  if (expected.algorithm == ChecksumAlgorithm::Md5) {
    same = iequals(trim(expected.value), computed);
  } else {
    // Compare bytes, not text, so that a differently padded but equal encoding is not a mismatch.
    const auto a = base64_decode(trim(expected.value));
    const auto b = base64_decode(computed);
    same = a && b && *a == *b;
  }
  if (same) return {};
  return fail(ErrorKind::Checksum,
              "checksum mismatch: " + std::string(checksum_algorithm_name(expected.algorithm)) +
                  " expected " + expected.value + ", got " + std::string(computed));
}

}  // namespace s3fcp
