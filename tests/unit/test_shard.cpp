// --shard K/N: parsing (each malformed form a one-line Usage error), the partition (every key in exactly one
// shard), an even spread, and pinned values — computed independently with Python's hashlib and `openssl dgst`
// — so that no change can silently reshuffle running sharded jobs.
#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

#include "batch/shard.h"

namespace s3fcp {
namespace {

TEST(ParseShardTest, AcceptsKOverN) {
  EXPECT_EQ(parse_shard("0/1"), (Shard{0, 1}));
  EXPECT_EQ(parse_shard("3/4"), (Shard{3, 4}));
  EXPECT_EQ(parse_shard("999999/1000000"), (Shard{999999, 1000000}));
  EXPECT_EQ(parse_shard("07/10"), (Shard{7, 10}));
}

TEST(ParseShardTest, RejectsMalformedWithOneLineUsageErrors) {
  for (const char* bad : {"", "3", "/", "1/", "/4", "4/4", "5/4", "0/0", "-1/4", "1/-4", "+1/4", "1 /4",
                          "1/4 ", "1/4/8", "a/b", "1.0/4", "0x1/4", "0/1000001", "0/18446744073709551617"}) {
    SCOPED_TRACE(bad);
    const auto s = parse_shard(bad);
    ASSERT_FALSE(s.has_value());
    EXPECT_EQ(s.error().kind, ErrorKind::Usage);
    EXPECT_EQ(s.error().message.find('\n'), std::string::npos);
    EXPECT_TRUE(s.error().message.starts_with("--shard '")) << s.error().message;
  }
  EXPECT_EQ(parse_shard("4/4").error().message,
            "--shard '4/4': K must be less than N (shards are numbered from 0) (expected K/N, 0 <= K < N <= "
            "1000000, "
            "e.g. 0/4)");
  EXPECT_NE(parse_shard("0/0").error().message.find("N must be at least 1"), std::string::npos);
  EXPECT_NE(parse_shard("0/2000000").error().message.find("N is too large"), std::string::npos);
}

TEST(ShardOfTest, PinnedValuesAreAContract) {
  // First 8 bytes of SHA-256, big-endian:   ""  e3b0c44298fc1c14 = 16406829232824261652
  //                                         "a" ca978112ca1bbdca = 14598278634844962250
  struct Pin {
    std::string key;
    std::vector<uint32_t> expected;  // for N = 1, 2, 3, 7, 10, 1000, 1000000
  };
  const std::vector<Pin> pins = {
      {"", {0, 0, 1, 1, 2, 652, 261652}},
      {"a", {0, 0, 1, 4, 0, 250, 962250}},
      {"logs/2024/01/01/app.log.gz", {0, 0, 1, 4, 4, 444, 157444}},
      {"données/文件.txt", {0, 1, 2, 1, 1, 91, 658091}},
  };
  const std::vector<uint32_t> counts = {1, 2, 3, 7, 10, 1000, 1000000};
  for (const Pin& pin : pins) {
    for (size_t i = 0; i < counts.size(); ++i) {
      EXPECT_EQ(shard_of(pin.key, counts[i]), pin.expected[i]) << "key '" << pin.key << "' N=" << counts[i];
    }
  }
  EXPECT_TRUE(in_shard("a", 250, 1000));
  EXPECT_TRUE(in_shard("a", Shard{4, 7}));
  EXPECT_FALSE(in_shard("a", Shard{3, 7}));
}

std::vector<std::string> sample_keys(size_t n) {
  std::vector<std::string> keys;
  for (size_t i = 0; i < n; ++i) {
    keys.push_back("prefix/" + std::to_string(i / 100) + "/object-" + std::to_string(i));
  }
  return keys;
}

TEST(ShardOfTest, EveryKeyInExactlyOneShard) {
  const auto keys = sample_keys(2000);
  for (const uint32_t n : {1u, 2u, 5u, 16u, 97u}) {
    std::vector<int> hits(keys.size(), 0);
    for (uint32_t k = 0; k < n; ++k) {
      for (size_t i = 0; i < keys.size(); ++i) hits[i] += in_shard(keys[i], k, n) ? 1 : 0;
    }
    for (size_t i = 0; i < keys.size(); ++i) ASSERT_EQ(hits[i], 1) << keys[i] << " with N=" << n;
  }
}

TEST(ShardOfTest, SpreadIsRoughlyEvenOverTenThousandKeys) {
  const auto keys = sample_keys(10000);
  for (const uint32_t n : {2u, 4u, 10u, 16u}) {
    std::vector<int> per(n, 0);
    for (const auto& key : keys) ++per[shard_of(key, n)];
    const double mean = 10000.0 / n;
    for (uint32_t k = 0; k < n; ++k) {
      // A fair split has a standard deviation of sqrt(mean); 5 of them is far outside chance.
      EXPECT_NEAR(per[k], mean, 5 * std::sqrt(mean)) << "shard " << k << " of " << n;
    }
  }
}

TEST(ShardOfTest, DependsOnEveryByte) {
  EXPECT_NE(shard_of("key", 1000000), shard_of("key ", 1000000));
  EXPECT_NE(shard_of("a/b", 1000000), shard_of("a%2Fb", 1000000));
  EXPECT_EQ(shard_of(std::string_view("a\0b", 3), 1000000), shard_of(std::string("a\0b", 3), 1000000));
}

}  // namespace
}  // namespace s3fcp
