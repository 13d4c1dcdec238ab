#include "client/shared_budget.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>
#include <vector>

namespace s3fcp {
namespace {

TEST(SharedBudgetTest, TakesUpToTheLimitAndTheReserve) {
  SharedBudget budget(3);
  EXPECT_TRUE(budget.try_take(0));
  EXPECT_TRUE(budget.try_take(0));
  EXPECT_TRUE(budget.try_take(0));
  EXPECT_FALSE(budget.try_take(0));
  EXPECT_TRUE(budget.try_take(1));  // an auxiliary request's one more
  EXPECT_FALSE(budget.try_take(1));
  EXPECT_EQ(budget.used(), 4u);
}

TEST(SharedBudgetTest, GivingBackToAFullBudgetSaysSo) {
  SharedBudget budget(2);
  ASSERT_TRUE(budget.try_take(0));
  ASSERT_TRUE(budget.try_take(0));
  EXPECT_TRUE(budget.give_back());   // it was full: another thread may wait for this room
  EXPECT_FALSE(budget.give_back());  // it was not
  EXPECT_EQ(budget.used(), 0u);
}

TEST(SharedBudgetTest, AZeroLimitIsOne) {
  SharedBudget budget(0);
  EXPECT_TRUE(budget.try_take(0));
  EXPECT_FALSE(budget.try_take(0));
}

TEST(SharedBudgetTest, ThreadsNeverHoldMoreThanTheLimit) {
  constexpr uint32_t kLimit = 5;
  SharedBudget budget(kLimit);
  std::atomic<uint32_t> held{0}, most{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 20000; ++i) {
        if (!budget.try_take(0)) continue;
        const uint32_t now = held.fetch_add(1) + 1;
        uint32_t seen = most.load();
        while (now > seen && !most.compare_exchange_weak(seen, now)) {
        }
        held.fetch_sub(1);
        budget.give_back();
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_LE(most.load(), kLimit);
  EXPECT_EQ(budget.used(), 0u);
}

}  // namespace
}  // namespace s3fcp
