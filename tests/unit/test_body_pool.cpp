// BodyPool: a buffer given back is handed out again with its capacity (no new allocation); small buffers are not
// kept; the capacity kept never passes the limit; the most recently given buffer comes back first.
#include <gtest/gtest.h>

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

TEST(BodyPool, AnEmptyPoolHandsOutAnEmptyBuffer) {
  BodyPool pool(1 << 20);
  EXPECT_EQ(pool.take().capacity(), 0u);
}

TEST(BodyPool, AGivenBufferComesBackEmptyWithItsMemory) {
  BodyPool pool(4 << 20);
  auto b = buffer_of(1 << 20);
  const std::byte* memory = b.data();
  pool.give(std::move(b));
  EXPECT_EQ(pool.kept_bytes(), size_t{1} << 20);
  auto again = pool.take();
  EXPECT_EQ(again.data(), memory);
  EXPECT_TRUE(again.empty());
  EXPECT_GE(again.capacity(), size_t{1} << 20);
  EXPECT_EQ(pool.kept_bytes(), 0u);
}

TEST(BodyPool, SmallBuffersAreNotKept) {
  BodyPool pool(4 << 20);
  pool.give(buffer_of(BodyPool::kMinPooled - 1));
  EXPECT_EQ(pool.kept_bytes(), 0u);
  EXPECT_EQ(pool.take().capacity(), 0u);
}

TEST(BodyPool, KeepsNoMoreThanItsLimit) {
  BodyPool pool(3 << 20);
  for (int i = 0; i < 5; ++i) pool.give(buffer_of(1 << 20));
  EXPECT_EQ(pool.kept_bytes(), size_t{3} << 20);
  int taken = 0;
  while (pool.take().capacity() > 0) ++taken;
  EXPECT_EQ(taken, 3);
}

TEST(BodyPool, TheLastGivenComesFirst) {
  BodyPool pool(8 << 20);
  pool.give(buffer_of(1 << 20));
  pool.give(buffer_of(2 << 20));
  EXPECT_GE(pool.take().capacity(), size_t{2} << 20);
  EXPECT_LT(pool.take().capacity(), size_t{2} << 20);
}

}  // namespace
}  // namespace s3fcp
