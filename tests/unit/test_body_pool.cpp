// BodyPool: a buffer given back is handed out again with its capacity (no new allocation); small buffers are not
// kept; the capacity kept never passes the limit, nor the count the most gets in flight at once (the oldest goes);
// a get is given the kept buffer that fits its size best, and none more than twice its size.
#include <gtest/gtest.h>

#include <initializer_list>
#include <vector>

#include "lib/body_pool.h"

namespace s3fcp {
namespace {

std::vector<std::byte> buffer_of(size_t capacity) {
  std::vector<std::byte> b;
  b.reserve(capacity);
  b.resize(capacity / 2);
  return b;
}

// As many gets in flight at once as there are capacities, ending with buffers of them in turn.
void gets(BodyPool& pool, std::initializer_list<size_t> capacities) {
  for (size_t i = 0; i < capacities.size(); ++i) pool.begin();
  for (size_t c : capacities) pool.end(buffer_of(c));
}

TEST(BodyPool, AnEmptyPoolHandsOutAnEmptyBuffer) {
  BodyPool pool(1 << 20);
  EXPECT_EQ(pool.take(1 << 20).capacity(), 0u);
}

TEST(BodyPool, AGivenBufferComesBackEmptyWithItsMemory) {
  BodyPool pool(4 << 20);
  pool.begin();
  auto b = buffer_of(1 << 20);
  const std::byte* memory = b.data();
  pool.end(std::move(b));
  EXPECT_EQ(pool.kept_bytes(), size_t{1} << 20);
  auto again = pool.take(1 << 20);
  EXPECT_EQ(again.data(), memory);
  EXPECT_TRUE(again.empty());
  EXPECT_GE(again.capacity(), size_t{1} << 20);
  EXPECT_EQ(pool.kept_bytes(), 0u);
}

TEST(BodyPool, SmallBuffersAreNotKept) {
  BodyPool pool(4 << 20);
  gets(pool, {BodyPool::kMinPooled - 1});
  EXPECT_EQ(pool.kept_bytes(), 0u);
  EXPECT_EQ(pool.take(BodyPool::kMinPooled - 1).capacity(), 0u);
}

TEST(BodyPool, KeepsNoMoreThanItsLimit) {
  BodyPool pool(3 << 20);
  gets(pool, {1 << 20, 1 << 20, 1 << 20, 1 << 20, 1 << 20});
  EXPECT_EQ(pool.kept_bytes(), size_t{3} << 20);
  int taken = 0;
  while (pool.take(1 << 20).capacity() > 0) ++taken;
  EXPECT_EQ(taken, 3);
}

TEST(BodyPool, KeepsNoMoreBuffersThanGetsWereInFlight) {
  BodyPool pool(64 << 20);
  gets(pool, {1 << 20, 2 << 20});  // two at once
  for (int i = 0; i < 10; ++i) gets(pool, {4 << 20});  // then one at a time
  EXPECT_EQ(pool.kept_buffers(), 2u);
  // The oldest went first: what is left is the last two.
  EXPECT_EQ(pool.take(1 << 20).capacity(), 0u);
  EXPECT_EQ(pool.take(4 << 20).capacity(), size_t{4} << 20);
  EXPECT_EQ(pool.take(4 << 20).capacity(), size_t{4} << 20);
}

TEST(BodyPool, AnEndWithoutABeginKeepsNothing) {
  BodyPool pool(64 << 20);
  pool.end(buffer_of(1 << 20));
  EXPECT_EQ(pool.kept_buffers(), 0u);
}

TEST(BodyPool, TheBestFitComesBack) {
  BodyPool pool(16 << 20);
  gets(pool, {4 << 20, 1 << 20, 2 << 20});
  EXPECT_EQ(pool.take(1 << 20).capacity(), size_t{1} << 20);
  EXPECT_EQ(pool.take(3 << 20).capacity(), size_t{4} << 20);
  EXPECT_EQ(pool.take(2 << 20).capacity(), size_t{2} << 20);
  EXPECT_EQ(pool.kept_bytes(), 0u);
}

TEST(BodyPool, NoBufferOfMoreThanTwiceTheSize) {
  // A small object must not hold a large buffer: the large one stays for a large object.
  BodyPool pool(16 << 20);
  gets(pool, {8 << 20});
  EXPECT_EQ(pool.take((4 << 20) - 1).capacity(), 0u);
  EXPECT_EQ(pool.take(0).capacity(), 0u);
  EXPECT_EQ(pool.kept_bytes(), size_t{8} << 20);
  EXPECT_EQ(pool.take(4 << 20).capacity(), size_t{8} << 20);
}

TEST(BodyPool, NoBufferSmallerThanTheSize) {
  BodyPool pool(16 << 20);
  gets(pool, {1 << 20});
  EXPECT_EQ(pool.take((1 << 20) + 1).capacity(), 0u);
  EXPECT_EQ(pool.kept_bytes(), size_t{1} << 20);
}

}  // namespace
}  // namespace s3fcp
