// PartPlan and StreamPartPlan: S3's limits at their edges (5 MiB, 10,000 parts, 5 GiB, 48.8 TiB), every plan
// tiling its bytes exactly within those limits, a stream's growing parts against a part-by-part sum, and the
// buffer budget.
#include <gtest/gtest.h>

#include <cstdint>
#include <random>

#include "ops/put/part_plan.h"
#include "test_support.h"

namespace s3fcp {
namespace {

PartPlan known(uint64_t size, uint64_t requested) {
  auto plan = plan_known_size(size, requested);
  EXPECT_TRUE(plan.has_value()) << size << " / " << requested << ": " << plan.error().message;
  return plan.value_or(PartPlan(0, 0, false));
}

// Every plan obeys S3: parts tile [0, total) in order, at most 10,000 of them, each 5 MiB..5 GiB but the last
// (which is non-empty and at most 5 GiB); a single PUT is at most 5 GiB.
void expect_valid(const PartPlan& plan) {
  SCOPED_TRACE(testing::Message() << "total " << plan.total() << " part " << plan.part_size());
  if (!plan.multipart()) {
    EXPECT_EQ(plan.part_count(), 1u);
    EXPECT_LE(plan.total(), kMaxSinglePutSize);
    EXPECT_EQ(plan.part(1), (ByteRange{0, plan.total()}));
    return;
  }
  ASSERT_GE(plan.part_count(), 2u);
  ASSERT_LE(plan.part_count(), kMaxParts);
  EXPECT_GE(plan.part_size(), kMinPartSize);
  EXPECT_LE(plan.part_size(), kMaxPartSize);
  const auto last = plan.part(plan.part_count());
  EXPECT_EQ(last.end, plan.total());
  EXPECT_FALSE(last.empty());
  EXPECT_EQ(last.begin, (plan.part_count() - 1) * plan.part_size()) << "all parts but the last are full";
  EXPECT_EQ(plan.part_of(last.begin), plan.part_count());
  EXPECT_EQ(plan.part_of(last.begin - 1), plan.part_count() - 1);
  EXPECT_GE(plan.capacity(), plan.total());
}

TEST(PartPlanTest, EmptyFileIsOneEmptyPut) {
  const auto plan = known(0, 8 * MiB);
  EXPECT_FALSE(plan.multipart());
  EXPECT_EQ(plan.part_count(), 1u);
  EXPECT_EQ(plan.part(1), (ByteRange{0, 0}));
}

TEST(PartPlanTest, SmallRequestIsRaisedToFiveMiB) {
  for (const uint64_t requested : {uint64_t{0}, uint64_t{1}, MiB, 5 * MiB - 1}) {
    SCOPED_TRACE(requested);
    EXPECT_EQ(known(5 * MiB - 1, requested), PartPlan(5 * MiB - 1, 5 * MiB, false));
    EXPECT_EQ(known(5 * MiB, requested), PartPlan(5 * MiB, 5 * MiB, false));
    const auto over = known(5 * MiB + 1, requested);
    EXPECT_EQ(over, PartPlan(5 * MiB + 1, 5 * MiB, true));
    EXPECT_EQ(over.part_count(), 2u);
    EXPECT_EQ(over.part(2), (ByteRange{5 * MiB, 5 * MiB + 1}));
    expect_valid(over);
  }
}

TEST(PartPlanTest, RequestedSizeAtItsEdges) {
  const uint64_t p = 8 * MiB;
  EXPECT_FALSE(known(p - 1, p).multipart());
  EXPECT_FALSE(known(p, p).multipart());
  const auto over = known(p + 1, p);
  EXPECT_TRUE(over.multipart());
  EXPECT_EQ(over.part_size(), p);
  EXPECT_EQ(over.part_count(), 2u);
  EXPECT_EQ(over.part(1), (ByteRange{0, p}));
  EXPECT_EQ(over.part(2), (ByteRange{p, p + 1}));
}

TEST(PartPlanTest, ExactMultiples) {
  const auto plan = known(80 * MiB, 8 * MiB);
  EXPECT_EQ(plan.part_count(), 10u);
  EXPECT_EQ(plan.part(10), (ByteRange{72 * MiB, 80 * MiB}));
  expect_valid(plan);
  const auto odd = known(80 * MiB - 1, 8 * MiB);
  EXPECT_EQ(odd.part_count(), 10u);
  EXPECT_EQ(odd.part(10).size(), 8 * MiB - 1);
}

TEST(PartPlanTest, TenThousandPartsExactlyKeepTheRequestedSize) {
  const auto plan = known(kMaxParts * 8 * MiB, 8 * MiB);
  EXPECT_EQ(plan.part_size(), 8 * MiB);
  EXPECT_EQ(plan.part_count(), kMaxParts);
  expect_valid(plan);
}

TEST(PartPlanTest, TenThousandAndOneGrowThePartToTheNextMiB) {
  // 10,000 x 8 MiB + 1 byte would need part 10,001: ceil(size / 10,000) = 8 MiB + 1, rounded up to 9 MiB.
  const auto plan = known(kMaxParts * 8 * MiB + 1, 8 * MiB);
  EXPECT_EQ(plan.part_size(), 9 * MiB);
  EXPECT_EQ(plan.part_count(), 8889u);
  expect_valid(plan);
  // 10,001 parts' worth of the request, exactly.
  const auto exact = known((kMaxParts + 1) * 8 * MiB, 8 * MiB);
  EXPECT_EQ(exact.part_size(), 9 * MiB);
  expect_valid(exact);
}

TEST(PartPlanTest, LargerRequestsAreKept) {
  const auto plan = known(100 * GiB, 64 * MiB);
  EXPECT_EQ(plan.part_size(), 64 * MiB);
  EXPECT_EQ(plan.part_count(), 1600u);
  // 100 GiB / 10,000 = 10,737,418.24 bytes: 11 MiB parts, not the 8 MiB asked for.
  const auto raised = known(100 * GiB, 8 * MiB);
  EXPECT_EQ(raised.part_size(), 11 * MiB);
  EXPECT_EQ(raised.part_count(), 9310u);
  expect_valid(raised);
}

TEST(PartPlanTest, SinglePutUpToFiveGiB) {
  EXPECT_EQ(known(5 * GiB, 5 * GiB), PartPlan(5 * GiB, 5 * GiB, false));
  const auto over = known(5 * GiB + 1, 5 * GiB);
  EXPECT_TRUE(over.multipart());
  EXPECT_EQ(over.part_count(), 2u);
  // With the default request a 5 GiB file is multipart, of course.
  EXPECT_EQ(known(5 * GiB, 8 * MiB).part_count(), 640u);
}

TEST(PartPlanTest, LargestUploadIsTenThousandFiveGiBParts) {
  EXPECT_EQ(kMaxMultipartSize, 50000 * GiB);
  EXPECT_GT(kMaxMultipartSize, 48 * TiB + 800 * GiB);  // "48.8 TiB"
  EXPECT_LT(kMaxMultipartSize, 48 * TiB + 900 * GiB);
  const auto plan = known(kMaxMultipartSize, 8 * MiB);
  EXPECT_EQ(plan.part_size(), 5 * GiB);
  EXPECT_EQ(plan.part_count(), kMaxParts);
  EXPECT_EQ(plan.part(kMaxParts).size(), 5 * GiB);
  expect_valid(plan);
}

TEST(PartPlanTest, TooLargeForAnyUploadIsAUsageError) {
  const auto plan = plan_known_size(kMaxMultipartSize + 1, 8 * MiB);
  ASSERT_FALSE(plan.has_value());
  EXPECT_EQ(plan.error().kind, ErrorKind::Usage);
  EXPECT_NE(plan.error().message.find("10,000 parts of 5 GiB"), std::string::npos) << plan.error().message;
  EXPECT_EQ(plan.error().message.find('\n'), std::string::npos);
  EXPECT_FALSE(plan_known_size(~uint64_t{0}, 5 * GiB).has_value());
}

TEST(PartPlanTest, PartSizeOverFiveGiBIsAUsageError) {
  const auto plan = plan_known_size(GiB, 5 * GiB + 1);
  ASSERT_FALSE(plan.has_value());
  EXPECT_EQ(plan.error().kind, ErrorKind::Usage);
  EXPECT_TRUE(plan_known_size(GiB, 5 * GiB).has_value());
}

TEST(PartPlanTest, RandomSizesAlwaysMakeValidPlans) {
  std::mt19937_64 rng(5);
  for (int i = 0; i < 20000; ++i) {
    const uint64_t size = rng() % (kMaxMultipartSize >> (rng() % 40));
    const uint64_t requested = rng() % (kMaxPartSize >> (rng() % 12));
    const auto plan = known(size, requested);
    ASSERT_GE(plan.part_size(), std::max(requested, kMinPartSize));
    if (plan.part_size() > std::max(requested, kMinPartSize)) {
      // Raised for the 10,000-part limit: a whole number of MiB, and one MiB less would not do.
      ASSERT_EQ(plan.part_size() % MiB, 0u);
      ASSERT_GT((size + plan.part_size() - MiB - 1) / (plan.part_size() - MiB), kMaxParts);
    }
    expect_valid(plan);
    if (HasFailure()) return;
  }
}

TEST(PartPlanTest, ExpectedSizeUsesTheKnownSizeRule) {
  const auto plan = plan_expected_size(100 * GiB, 8 * MiB);
  ASSERT_TRUE(plan.has_value());
  EXPECT_EQ(*plan, known(100 * GiB, 8 * MiB));
  EXPECT_EQ(plan->capacity(), kMaxParts * 11 * MiB) << "room for a stream somewhat longer than stated";
  EXPECT_FALSE(plan_expected_size(kMaxMultipartSize + 1, 8 * MiB).has_value());
}

// ---- streams ----

StreamPartPlan stream(uint64_t p0) {
  auto plan = StreamPartPlan::create(p0);
  EXPECT_TRUE(plan.has_value());
  return *plan;
}

TEST(StreamPartPlanTest, FirstPartSizeIsAtLeastFiveMiB) {
  EXPECT_EQ(stream(0).first_part_size(), 5 * MiB);
  EXPECT_EQ(stream(MiB).first_part_size(), 5 * MiB);
  EXPECT_EQ(stream(8 * MiB).first_part_size(), 8 * MiB);
  EXPECT_EQ(stream(5 * GiB).first_part_size(), 5 * GiB);
  const auto too_big = StreamPartPlan::create(5 * GiB + 1);
  ASSERT_FALSE(too_big.has_value());
  EXPECT_EQ(too_big.error().kind, ErrorKind::Usage);
}

TEST(StreamPartPlanTest, PartsDoubleEveryThousand) {
  const auto plan = stream(8 * MiB);
  EXPECT_EQ(plan.part_size(1), 8 * MiB);
  EXPECT_EQ(plan.part_size(1000), 8 * MiB);
  EXPECT_EQ(plan.part_size(1001), 16 * MiB);
  EXPECT_EQ(plan.part_size(2000), 16 * MiB);
  EXPECT_EQ(plan.part_size(2001), 32 * MiB);
  EXPECT_EQ(plan.part_size(9000), 2 * GiB);
  EXPECT_EQ(plan.part_size(9001), 4 * GiB);
  EXPECT_EQ(plan.part_size(10000), 4 * GiB);
  EXPECT_EQ(plan.part_size(0), 0u);
  EXPECT_EQ(plan.part_size(10001), 0u);
}

TEST(StreamPartPlanTest, PartsAreCappedAtFiveGiB) {
  const auto plan = stream(16 * MiB);
  EXPECT_EQ(plan.part_size(8000), 2 * GiB);
  EXPECT_EQ(plan.part_size(8001), 4 * GiB);
  EXPECT_EQ(plan.part_size(9001), 5 * GiB) << "16 MiB x 512 = 8 GiB, capped";
  const auto largest = stream(5 * GiB);
  EXPECT_EQ(largest.part_size(1001), 5 * GiB);
  EXPECT_EQ(largest.capacity(), kMaxMultipartSize);
}

TEST(StreamPartPlanTest, CapacityOfEightMiBIsAboutEightTiB) {
  const auto plan = stream(8 * MiB);
  EXPECT_EQ(plan.capacity(), 1000 * 8 * MiB * 1023);
  EXPECT_EQ(plan.capacity(), 8184000 * MiB);
  EXPECT_GT(plan.capacity(), 7 * TiB + 800 * GiB);  // 7.8 TiB
  EXPECT_LT(plan.capacity(), 8 * TiB);
  EXPECT_EQ(stream(5 * MiB).capacity(), 1000 * 5 * MiB * 1023);
}

TEST(StreamPartPlanTest, OffsetsAndLookupsMatchAPartByPartWalk) {
  for (const uint64_t p0 : {5 * MiB, 8 * MiB, 16 * MiB + 3, 100 * MiB, 5 * GiB}) {
    SCOPED_TRACE(p0);
    const auto plan = stream(p0);
    uint64_t offset = 0;
    for (uint64_t n = 1; n <= kMaxParts; ++n) {
      ASSERT_EQ(plan.part_offset(n), offset) << "part " << n;
      const uint64_t size = plan.part_size(n);
      ASSERT_GE(size, kMinPartSize);
      ASSERT_LE(size, kMaxPartSize);
      if (n % 1000 == 0 || n % 1000 == 1 || n % 997 == 0) {
        ASSERT_EQ(plan.part_containing(offset), n);
        ASSERT_EQ(plan.part_containing(offset + size - 1), n);
        if (n > 1) {
          ASSERT_EQ(plan.part_containing(offset - 1), n - 1);
        }
      }
      offset += size;
    }
    EXPECT_EQ(plan.part_offset(kMaxParts + 1), offset);
    EXPECT_EQ(plan.capacity(), offset);
    EXPECT_EQ(plan.part_offset(kMaxParts + 7), offset);
    EXPECT_EQ(plan.part_containing(offset - 1), kMaxParts);
    EXPECT_EQ(plan.part_containing(offset), std::nullopt);
    EXPECT_EQ(plan.part_containing(~uint64_t{0}), std::nullopt);
  }
}

TEST(StreamPartPlanTest, GrowthStepOffsets) {
  const auto plan = stream(8 * MiB);
  EXPECT_EQ(plan.part_offset(1), 0u);
  EXPECT_EQ(plan.part_offset(1001), 8000 * MiB);
  EXPECT_EQ(plan.part_offset(2001), 8000 * MiB + 16000 * MiB);
  EXPECT_EQ(plan.part_containing(8000 * MiB - 1), 1000u);
  EXPECT_EQ(plan.part_containing(8000 * MiB), 1001u);
  EXPECT_EQ(plan.part_containing(24000 * MiB - 1), 2000u);
  EXPECT_EQ(plan.part_containing(24000 * MiB), 2001u);
}

// ---- memory ----

TEST(BufferBudgetTest, DefaultIsConcurrencyPlusTwoPartsUpToTheCap) {
  const auto small = stream_buffer_budget(0, 6 * MiB, 8);
  EXPECT_EQ(small.bytes, 10 * 6 * MiB);
  EXPECT_EQ(small.min_buffers, kStreamMinBuffers);
  const auto capped = stream_buffer_budget(0, kStreamPartSize, 32);
  EXPECT_EQ(capped.bytes, kStreamBufferCap);
  EXPECT_EQ(capped.bytes / kStreamPartSize, 24u);  // the measured default: 24 buffers of 6 MiB
}

TEST(BufferBudgetTest, AGivenBudgetIsKeptBeyondTwoParts) {
  const auto given = stream_buffer_budget(64 * MiB, 8 * MiB, 32);
  EXPECT_EQ(given.bytes, 64 * MiB);
  EXPECT_EQ(given.min_buffers, 2u);
  EXPECT_TRUE(buffer_fits(given, 7, 56 * MiB, 8 * MiB));
  EXPECT_FALSE(buffer_fits(given, 8, 64 * MiB, 8 * MiB));
  EXPECT_FALSE(buffer_fits(given, 7, 56 * MiB, 8 * MiB + 1));
  // two parts always, whatever the budget: one filling, one in flight
  EXPECT_TRUE(buffer_fits(given, 1, GiB, GiB));
  EXPECT_FALSE(buffer_fits(given, 2, 2 * GiB, GiB));
}

TEST(BufferBudgetTest, GrownPartsKeepTheMinimumInFlight) {
  // Past 42 GB a stream's parts are 48 MiB: three fit in 144 MiB, yet six are allowed.
  const auto budget = stream_buffer_budget(0, kStreamPartSize, 32);
  const auto plan = stream(kStreamPartSize);
  EXPECT_EQ(plan.part_size(3001), 48 * MiB);
  EXPECT_TRUE(buffer_fits(budget, 5, 5 * 48 * MiB, 48 * MiB));
  EXPECT_FALSE(buffer_fits(budget, 6, 6 * 48 * MiB, 48 * MiB));
  // while 6 MiB parts stop at the cap
  EXPECT_TRUE(buffer_fits(budget, 23, 23 * 6 * MiB, 6 * MiB));
  EXPECT_FALSE(buffer_fits(budget, 24, 24 * 6 * MiB, 6 * MiB));
}

TEST(BufferBudgetTest, StreamDefaultHoldsS3sLargestObject) {
  EXPECT_GE(stream(kStreamPartSize).capacity(), 5 * 1024 * GiB);
  EXPECT_GE(kStreamPartSize, kMinPartSize);
}

}  // namespace
}  // namespace s3fcp
