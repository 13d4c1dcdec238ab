// CRC combination by multiplying in GF(2)[x] modulo the CRC polynomial, the method of zlib's crc32_combine
// (since 1.2.12). With init and xorout both all ones, crc(A + B) = crc(A) * x^(8 len(B)) + crc(B) mod P: the
// ones that start B's register cancel against A's final inversion. x^(8n) mod P comes from a table of
// x^(2^k) mod P by square-and-multiply over the bits of n, so a combine costs at most 64 multiplications of
// `width` shift-and-xor steps, whatever the length.
//
// Polynomials are held reflected, as the CRCs themselves are: bit width-1 is the coefficient of x^0, bit 0
// that of x^(width-1); multiplying by x is a right shift, reducing by the reflected polynomial when a term
// falls off the end. The tables are built at compile time from the polynomial, not copied from anywhere.
#include "checksum/crc_combine.h"

#include <array>
#include <cstdlib>

#include "util/base64.h"

namespace s3fcp {

namespace {

// x^(2^k) mod P for k = 0..66: lengths up to 2^64 - 1 bytes are 2^(k+3) bits at most.
constexpr std::size_t kPowers = 67;

struct CrcModel {
  std::uint64_t poly;  // reflected, without the x^width term
  std::uint64_t top;   // x^0: bit width-1
};

constexpr std::uint64_t multiply_mod(const CrcModel& m, std::uint64_t a, std::uint64_t b) {
  std::uint64_t product = 0;
  if (a == 0) return 0;
  for (std::uint64_t bit = m.top;; bit >>= 1) {
    if (a & bit) {
      product ^= b;
      if ((a & (bit - 1)) == 0) break;
    }
    b = (b & 1) ? (b >> 1) ^ m.poly : b >> 1;
  }
  return product;
}

constexpr std::array<std::uint64_t, kPowers> make_powers(const CrcModel& m) {
  std::array<std::uint64_t, kPowers> t{};
  t[0] = m.top >> 1;  // x^1
  for (std::size_t k = 1; k < kPowers; ++k) t[k] = multiply_mod(m, t[k - 1], t[k - 1]);
  return t;
}

constexpr CrcModel kCrc64Nvme{0x9A6C9329AC4BC9B5ULL, std::uint64_t{1} << 63};
constexpr CrcModel kCrc32c{0x82F63B78ULL, std::uint64_t{1} << 31};
constexpr CrcModel kCrc32{0xEDB88320ULL, std::uint64_t{1} << 31};

constexpr auto kCrc64NvmePowers = make_powers(kCrc64Nvme);
constexpr auto kCrc32cPowers = make_powers(kCrc32c);
constexpr auto kCrc32Powers = make_powers(kCrc32);

// x^(8 n) mod P.
std::uint64_t x_pow_8n(const CrcModel& m, const std::array<std::uint64_t, kPowers>& powers, std::uint64_t n) {
  std::uint64_t p = m.top;
  for (std::size_t k = 3; n != 0; n >>= 1, ++k) {
    if (n & 1) p = multiply_mod(m, powers[k], p);
  }
  return p;
}

std::uint64_t combine(const CrcModel& m, const std::array<std::uint64_t, kPowers>& powers,
                      std::uint64_t crc_a, std::uint64_t crc_b, std::uint64_t len_b) {
  return multiply_mod(m, x_pow_8n(m, powers, len_b), crc_a) ^ crc_b;
}

}  // namespace

bool crc_combinable(ChecksumAlgorithm algorithm) {
  return algorithm == ChecksumAlgorithm::Crc64Nvme || algorithm == ChecksumAlgorithm::Crc32c ||
         algorithm == ChecksumAlgorithm::Crc32;
}

std::uint64_t crc64nvme_combine(std::uint64_t crc_a, std::uint64_t crc_b, std::uint64_t len_b) {
  return combine(kCrc64Nvme, kCrc64NvmePowers, crc_a, crc_b, len_b);
}

std::uint32_t crc32c_combine(std::uint32_t crc_a, std::uint32_t crc_b, std::uint64_t len_b) {
  return static_cast<std::uint32_t>(combine(kCrc32c, kCrc32cPowers, crc_a, crc_b, len_b));
}

std::uint32_t crc32_combine(std::uint32_t crc_a, std::uint32_t crc_b, std::uint64_t len_b) {
  return static_cast<std::uint32_t>(combine(kCrc32, kCrc32Powers, crc_a, crc_b, len_b));
}

std::uint64_t crc_combine(ChecksumAlgorithm algorithm, std::uint64_t crc_a, std::uint64_t crc_b,
                          std::uint64_t len_b) {
  switch (algorithm) {
    case ChecksumAlgorithm::Crc64Nvme:
      return crc64nvme_combine(crc_a, crc_b, len_b);
    case ChecksumAlgorithm::Crc32c:
      return crc32c_combine(static_cast<std::uint32_t>(crc_a), static_cast<std::uint32_t>(crc_b), len_b);
    case ChecksumAlgorithm::Crc32:
      return crc32_combine(static_cast<std::uint32_t>(crc_a), static_cast<std::uint32_t>(crc_b), len_b);
    default:
      std::abort();  // not a CRC: see crc_combinable()
  }
}

std::string crc_to_base64(ChecksumAlgorithm algorithm, std::uint64_t crc) {
  const std::size_t size = checksum_digest_size(algorithm);
  std::array<unsigned char, 8> bytes{};
  for (std::size_t i = 0; i < size; ++i) bytes[size - 1 - i] = static_cast<unsigned char>(crc >> (8 * i));
  return base64_encode(std::span<const unsigned char>(bytes.data(), size));
}

std::optional<std::uint64_t> crc_from_base64(ChecksumAlgorithm algorithm, std::string_view text) {
  if (!crc_combinable(algorithm)) return std::nullopt;
  const auto bytes = base64_decode(text);
  if (!bytes || bytes->size() != checksum_digest_size(algorithm)) return std::nullopt;
  std::uint64_t crc = 0;
  for (const unsigned char b : *bytes) crc = (crc << 8) | b;
  return crc;
}

CrcCombiner::CrcCombiner(ChecksumAlgorithm algorithm) : m_algorithm(algorithm) {
  if (!crc_combinable(algorithm)) std::abort();  // a programming error, as for crc_combine()
}

void CrcCombiner::append(std::uint64_t part_crc, std::uint64_t part_length) {
  m_crc = crc_combine(m_algorithm, m_crc, part_crc, part_length);
  m_length += part_length;
}

}  // namespace s3fcp
