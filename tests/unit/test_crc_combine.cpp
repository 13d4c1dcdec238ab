// CRC combination: every split of random data agrees with one pass (the project's Checksummer: crc64nvme.cpp
// and ISA-L), empty pieces on either side, many parts folded left, and lengths far past anything a test could
// stream, checked against values computed once by independent code (see kFiveGiB below).
#include <gtest/gtest.h>

#include <cstdint>
#include <random>
#include <span>
#include <string_view>
#include <vector>

#include "checksum/checksum.h"
#include "checksum/crc64nvme.h"
#include "checksum/crc_combine.h"
#include "test_support.h"

namespace s3fcp {
namespace {

constexpr ChecksumAlgorithm kCrcs[] = {ChecksumAlgorithm::Crc64Nvme, ChecksumAlgorithm::Crc32c,
                                       ChecksumAlgorithm::Crc32};

// One pass with the project's own code, read back through crc_from_base64 (which this also tests).
std::uint64_t single_pass(ChecksumAlgorithm algorithm, std::span<const std::byte> data) {
  Checksummer c(algorithm);
  c.update(data);
  const auto value = crc_from_base64(algorithm, c.finish_base64());
  EXPECT_TRUE(value.has_value());
  return value.value_or(0);
}

std::vector<std::byte> random_bytes(std::mt19937_64& rng, std::size_t size) {
  std::vector<std::byte> data(size);
  for (auto& b : data) b = static_cast<std::byte>(rng());
  return data;
}

TEST(CrcCombineTest, CheckValuesFromTwoHalves) {
  EXPECT_EQ(crc64nvme_combine(crc64nvme(0, bytes("1234")), crc64nvme(0, bytes("56789")), 5),
            0xAE8B14860A799888ULL);
  for (const auto algorithm : kCrcs) {
    SCOPED_TRACE(checksum_algorithm_name(algorithm));
    const auto a = single_pass(algorithm, bytes("1234"));
    const auto b = single_pass(algorithm, bytes("56789"));
    EXPECT_EQ(crc_combine(algorithm, a, b, 5), single_pass(algorithm, bytes("123456789")));
  }
  // The catalogue check values, to pin single_pass() itself.
  EXPECT_EQ(single_pass(ChecksumAlgorithm::Crc32c, bytes("123456789")), 0xE3069283u);
  EXPECT_EQ(single_pass(ChecksumAlgorithm::Crc32, bytes("123456789")), 0xCBF43926u);
}

TEST(CrcCombineTest, RandomSplitsOfRandomBuffers) {
  std::mt19937_64 rng(7);
  for (int round = 0; round < 200; ++round) {
    const std::size_t size = round < 20 ? static_cast<std::size_t>(round) : rng() % 70000;
    const auto data = random_bytes(rng, size);
    const std::size_t cut = size == 0 ? 0 : rng() % (size + 1);
    const auto whole = std::span<const std::byte>(data);
    for (const auto algorithm : kCrcs) {
      SCOPED_TRACE(testing::Message()
                   << checksum_algorithm_name(algorithm) << " size " << size << " cut " << cut);
      const auto a = single_pass(algorithm, whole.first(cut));
      const auto b = single_pass(algorithm, whole.subspan(cut));
      ASSERT_EQ(crc_combine(algorithm, a, b, size - cut), single_pass(algorithm, whole));
    }
  }
}

TEST(CrcCombineTest, EmptyPieces) {
  std::mt19937_64 rng(11);
  const auto data = random_bytes(rng, 1000);
  for (const auto algorithm : kCrcs) {
    SCOPED_TRACE(checksum_algorithm_name(algorithm));
    const auto crc = single_pass(algorithm, data);
    EXPECT_EQ(single_pass(algorithm, {}), 0u);
    EXPECT_EQ(crc_combine(algorithm, crc, 0, 0), crc) << "len_b 0: B is empty";
    EXPECT_EQ(crc_combine(algorithm, 0, crc, 1000), crc) << "A is empty";
    EXPECT_EQ(crc_combine(algorithm, 0, 0, 0), 0u);
  }
}

TEST(CrcCombineTest, ManyPartsFoldedLeft) {
  std::mt19937_64 rng(13);
  const auto data = random_bytes(rng, 2 * MiB + 12345);
  const auto whole = std::span<const std::byte>(data);
  for (const auto algorithm : kCrcs) {
    SCOPED_TRACE(checksum_algorithm_name(algorithm));
    CrcCombiner combiner(algorithm);
    EXPECT_EQ(combiner.value(), 0u);
    std::size_t at = 0;
    int parts = 0;
    while (at < data.size()) {
      // Mostly small parts, some empty, a few large.
      std::size_t n = rng() % 64 == 0 ? rng() % 200000 : rng() % 3000;
      if (rng() % 10 == 0) n = 0;
      n = std::min(n, data.size() - at);
      combiner.append(single_pass(algorithm, whole.subspan(at, n)), n);
      at += n;
      ++parts;
    }
    EXPECT_GT(parts, 300);
    EXPECT_EQ(combiner.length(), data.size());
    EXPECT_EQ(combiner.value(), single_pass(algorithm, whole));
  }
}

// 5 GiB made of one 1 MiB block (byte i = i*7 mod 251) repeated 5120 times. The expected values were computed
// once, in one pass over all 5 GiB, with code that shares nothing with ours: Python's crcmod (Debian
// python3-crcmod: CRC-64/NVME as poly 0x1AD93D23594C93659 reflected, xorout all ones; its predefined
// 'crc-32c') and zlib.crc32.
struct HugeCase {
  ChecksumAlgorithm algorithm;
  std::uint64_t blocks;             // crc of the 5 GiB
  std::uint64_t check_then_blocks;  // crc of "123456789" followed by the 5 GiB
};
constexpr HugeCase kFiveGiB[] = {
    {ChecksumAlgorithm::Crc64Nvme, 0xbe4860e64fac0047ULL, 0x041711e7a2610735ULL},
    {ChecksumAlgorithm::Crc32c, 0x5e3d4adfULL, 0x3430aa65ULL},
    {ChecksumAlgorithm::Crc32, 0x1cee1f19ULL, 0x285f8368ULL},
};

TEST(CrcCombineTest, FiveGiBFromOneMiBByDoubling) {
  std::vector<std::byte> block(MiB);
  for (std::size_t i = 0; i < block.size(); ++i) block[i] = static_cast<std::byte>(i * 7 % 251);
  for (const auto& c : kFiveGiB) {
    SCOPED_TRACE(checksum_algorithm_name(c.algorithm));
    // 5120 MiB = 4096 MiB + 1024 MiB: double 1 MiB twelve times, then append the 1 GiB from the tenth step.
    std::uint64_t crc = single_pass(c.algorithm, block);
    std::uint64_t length = MiB;
    std::uint64_t one_gib = 0;
    for (int i = 0; i < 12; ++i) {
      crc = crc_combine(c.algorithm, crc, crc, length);
      length *= 2;
      if (length == GiB) one_gib = crc;
    }
    ASSERT_EQ(length, 4 * GiB);
    crc = crc_combine(c.algorithm, crc, one_gib, GiB);
    EXPECT_EQ(crc, c.blocks);
    EXPECT_EQ(crc_combine(c.algorithm, single_pass(c.algorithm, bytes("123456789")), c.blocks, 5 * GiB),
              c.check_then_blocks);
  }
}

TEST(CrcCombineTest, HugeLengthsAreAssociative) {
  for (const auto algorithm : kCrcs) {
    SCOPED_TRACE(checksum_algorithm_name(algorithm));
    const std::uint64_t mask = checksum_digest_size(algorithm) == 8 ? ~std::uint64_t{0} : 0xffffffffu;
    const std::uint64_t a = 0x0123456789abcdefULL & mask, b = 0xfedcba9876543210ULL & mask;
    const std::uint64_t c = 0x5555aaaa3333ccccULL & mask;
    const std::uint64_t len_b = 5 * GiB + 3, len_c = (std::uint64_t{1} << 62) + 17;
    const auto left = crc_combine(algorithm, crc_combine(algorithm, a, b, len_b), c, len_c);
    const auto right = crc_combine(algorithm, a, crc_combine(algorithm, b, c, len_c), len_b + len_c);
    EXPECT_EQ(left, right);
    EXPECT_EQ(left & ~mask, 0u);
    // The largest length there is.
    const auto max = ~std::uint64_t{0};
    EXPECT_EQ(crc_combine(algorithm, crc_combine(algorithm, a, b, max - 1), c, 1),
              crc_combine(algorithm, a, crc_combine(algorithm, b, c, 1), max));
  }
}

TEST(CrcCombineTest, Base64RoundTripAndStrictness) {
  Checksummer c(ChecksumAlgorithm::Crc64Nvme);
  c.update(bytes("123456789"));
  EXPECT_EQ(crc_to_base64(ChecksumAlgorithm::Crc64Nvme, 0xAE8B14860A799888ULL), c.finish_base64());
  EXPECT_EQ(crc_to_base64(ChecksumAlgorithm::Crc32, 0xCBF43926u), "y/Q5Jg==");
  EXPECT_EQ(crc_from_base64(ChecksumAlgorithm::Crc32, "y/Q5Jg=="), 0xCBF43926u);
  EXPECT_EQ(crc_from_base64(ChecksumAlgorithm::Crc64Nvme, "y/Q5Jg=="), std::nullopt) << "4 bytes, not 8";
  EXPECT_EQ(crc_from_base64(ChecksumAlgorithm::Crc32c, "not base64"), std::nullopt);
  EXPECT_EQ(crc_from_base64(ChecksumAlgorithm::Sha256, "y/Q5Jg=="), std::nullopt);
}

TEST(CrcCombineTest, OnlyCrcsCombine) {
  EXPECT_TRUE(crc_combinable(ChecksumAlgorithm::Crc64Nvme));
  EXPECT_TRUE(crc_combinable(ChecksumAlgorithm::Crc32c));
  EXPECT_TRUE(crc_combinable(ChecksumAlgorithm::Crc32));
  EXPECT_FALSE(crc_combinable(ChecksumAlgorithm::Sha256));
  EXPECT_FALSE(crc_combinable(ChecksumAlgorithm::Sha1));
  EXPECT_FALSE(crc_combinable(ChecksumAlgorithm::Md5));
  EXPECT_DEATH(crc_combine(ChecksumAlgorithm::Sha256, 1, 2, 3), "");
}

}  // namespace
}  // namespace s3fcp
