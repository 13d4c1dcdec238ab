// RangePlan: chunks cover [0, total) exactly, in order, without gaps or overlap; all full but the last.
#include <gtest/gtest.h>

#include <cstdint>

#include "ops/get/range_plan.h"
#include "test_support.h"

namespace s3fcp {
namespace {

// Walks every chunk and checks that together they tile [0, total) exactly.
void expect_exact_tiling(uint64_t total, uint64_t chunk_size, uint64_t expected_count) {
  SCOPED_TRACE(testing::Message() << "total=" << total << " chunk=" << chunk_size);
  const RangePlan plan(total, chunk_size);
  EXPECT_EQ(plan.total(), total);
  EXPECT_EQ(plan.chunk_size(), chunk_size);
  ASSERT_EQ(plan.chunk_count(), expected_count);
  uint64_t next = 0;
  for (uint64_t i = 0; i < plan.chunk_count(); ++i) {
    const ByteRange r = plan.chunk(i);
    ASSERT_EQ(r.begin, next) << "gap or overlap before chunk " << i;
    ASSERT_FALSE(r.empty()) << "chunk " << i;
    ASSERT_LE(r.size(), chunk_size) << "chunk " << i;
    if (i + 1 < plan.chunk_count()) {
      ASSERT_EQ(r.size(), chunk_size) << "only the last chunk may be short";
    }
    ASSERT_EQ(plan.chunk_of(r.begin), i);
    ASSERT_EQ(plan.chunk_of(r.end - 1), i);
    next = r.end;
  }
  EXPECT_EQ(next, total);
}

TEST(RangePlanTest, EmptyObjectHasNoChunks) { expect_exact_tiling(0, 8 * MiB, 0); }

TEST(RangePlanTest, OneByte) {
  expect_exact_tiling(1, 8 * MiB, 1);
  EXPECT_EQ(RangePlan(1, 8 * MiB).chunk(0), (ByteRange{0, 1}));
}

TEST(RangePlanTest, OneByteShortOfAChunk) {
  const uint64_t c = 8 * MiB;
  expect_exact_tiling(c - 1, c, 1);
  EXPECT_EQ(RangePlan(c - 1, c).chunk(0), (ByteRange{0, c - 1}));
}

TEST(RangePlanTest, ExactlyOneChunk) {
  const uint64_t c = 8 * MiB;
  expect_exact_tiling(c, c, 1);
  EXPECT_EQ(RangePlan(c, c).chunk(0), (ByteRange{0, c}));
}

TEST(RangePlanTest, OneByteOverAChunk) {
  const uint64_t c = 8 * MiB;
  expect_exact_tiling(c + 1, c, 2);
  EXPECT_EQ(RangePlan(c + 1, c).chunk(1), (ByteRange{c, c + 1}));
}

TEST(RangePlanTest, ThreeChunksAndATail) {
  const uint64_t c = 1000;
  expect_exact_tiling(3 * c + 17, c, 4);
  const RangePlan plan(3 * c + 17, c);
  EXPECT_EQ(plan.chunk(0), (ByteRange{0, 1000}));
  EXPECT_EQ(plan.chunk(2), (ByteRange{2000, 3000}));
  EXPECT_EQ(plan.chunk(3), (ByteRange{3000, 3017}));
  EXPECT_EQ(plan.chunk(3).size(), 17u);
}

TEST(RangePlanTest, TenGiBInEightMiBChunks) {
  expect_exact_tiling(10 * GiB, 8 * MiB, 1280);
  const RangePlan plan(10 * GiB, 8 * MiB);
  EXPECT_EQ(plan.chunk(1279), (ByteRange{10 * GiB - 8 * MiB, 10 * GiB}));
}

TEST(RangePlanTest, ManyChunksWithShortTail) { expect_exact_tiling(10 * GiB + 12345, 8 * MiB, 1281); }

TEST(RangePlanTest, ChunkSizeOne) { expect_exact_tiling(7, 1, 7); }

TEST(RangePlanTest, ObjectsLargerThan4GiBDoNotTruncate) {
  const uint64_t total = 5'000'000'000'000ull;  // 5 TB, the S3 maximum
  const uint64_t c = 64 * MiB;
  const RangePlan plan(total, c);
  const uint64_t count = plan.chunk_count();
  EXPECT_EQ(count, (total + c - 1) / c);
  EXPECT_EQ(plan.chunk(count - 1).end, total);
  EXPECT_EQ(plan.chunk(count - 1).begin, (count - 1) * c);
}

TEST(ByteRangeTest, HeaderValueIsInclusive) {
  EXPECT_EQ((ByteRange{0, 10}).header_value(), "bytes=0-9");
  EXPECT_EQ((ByteRange{0, 1}).header_value(), "bytes=0-0");
  EXPECT_EQ((ByteRange{8388608, 16777216}).header_value(), "bytes=8388608-16777215");
  EXPECT_EQ((ByteRange{10 * GiB - 1, 10 * GiB}).header_value(), "bytes=10737418239-10737418239");
}

TEST(ByteRangeTest, DescribeAndSize) {
  EXPECT_EQ((ByteRange{0, 10}).describe(), "bytes 0-9");
  EXPECT_EQ((ByteRange{5, 5}).describe(), "bytes 5-");
  EXPECT_EQ((ByteRange{5, 15}).size(), 10u);
  EXPECT_TRUE((ByteRange{5, 5}).empty());
  EXPECT_FALSE((ByteRange{5, 6}).empty());
}

}  // namespace
}  // namespace s3fcp
