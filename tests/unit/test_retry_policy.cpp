// RetryPolicy: exponential backoff with full jitter, wait = u * min(cap, base * 2^(n-1)), a server's
// Retry-After as a floor (itself capped), and the attempt limit.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cstdint>

#include "client/retry_policy.h"
#include "client/retry_queue.h"

namespace s3fcp {
namespace {

using namespace std::chrono_literals;
using std::chrono::milliseconds;

Error retryable_error() {
  Error e{ErrorKind::Network, "503 SlowDown", 503};
  e.retryable = true;
  return e;
}

Error fatal_error() { return Error{ErrorKind::Auth, "AccessDenied", 403}; }

// min(cap, base * 2^(n-1)) in milliseconds, computed without the code under test.
int64_t ceiling_ms(const RetryConfig& c, int failures) {
  int64_t v = c.base.count();
  for (int i = 1; i < failures && v < c.cap.count(); ++i) v *= 2;
  return std::min<int64_t>(v, c.cap.count());
}

TEST(RetryPolicyTest, Defaults) {
  const RetryPolicy policy;
  EXPECT_EQ(policy.config().max_attempts, 10);
  EXPECT_EQ(policy.config().base, 100ms);
  EXPECT_EQ(policy.config().cap, 5000ms);
}

TEST(RetryPolicyTest, ZeroJitterGivesZero) {
  const RetryPolicy policy;
  for (int n = 1; n <= 12; ++n) EXPECT_EQ(policy.backoff(n, 0.0), 0ms) << "failure " << n;
}

TEST(RetryPolicyTest, BackoffStaysWithinTheExponentialCeiling) {
  const RetryPolicy policy;
  const RetryConfig& c = policy.config();
  for (double u : {0.0, 0.5, 0.999}) {
    for (int n = 1; n <= 12; ++n) {
      SCOPED_TRACE(testing::Message() << "u=" << u << " failure=" << n);
      const milliseconds wait = policy.backoff(n, u);
      const int64_t ceiling = ceiling_ms(c, n);
      EXPECT_GE(wait.count(), 0);
      EXPECT_LE(wait.count(), ceiling);
      // Full jitter: the wait is u times the ceiling (to the millisecond), not a fixed part plus jitter.
      EXPECT_NEAR(static_cast<double>(wait.count()), u * static_cast<double>(ceiling), 1.0);
    }
  }
}

TEST(RetryPolicyTest, BackoffDoublesUntilTheCap) {
  const RetryPolicy policy;
  EXPECT_EQ(policy.backoff(1, 0.5), 50ms);
  EXPECT_EQ(policy.backoff(2, 0.5), 100ms);
  EXPECT_EQ(policy.backoff(3, 0.5), 200ms);
  EXPECT_EQ(policy.backoff(6, 0.5), 1600ms);
  EXPECT_EQ(policy.backoff(7, 0.5), 2500ms);  // 6400 capped at 5000
  EXPECT_EQ(policy.backoff(12, 0.5), 2500ms);
  EXPECT_EQ(policy.backoff(12, 0.999), 4995ms);
}

TEST(RetryPolicyTest, HugeFailureCountsDoNotOverflow) {
  const RetryPolicy policy;
  EXPECT_LE(policy.backoff(1000, 0.999), 5000ms);
  EXPECT_GE(policy.backoff(1000, 0.999), 4990ms);
}

TEST(RetryPolicyTest, CustomBaseAndCap) {
  const RetryPolicy policy(RetryConfig{5, 10ms, 1000ms, 30000ms});
  EXPECT_EQ(policy.backoff(1, 0.999), 9ms);
  EXPECT_EQ(policy.backoff(4, 0.5), 40ms);
  EXPECT_EQ(policy.backoff(20, 0.5), 500ms);
}

TEST(RetryPolicyTest, RetryAfterIsAFloor) {
  const RetryPolicy policy;
  EXPECT_EQ(policy.backoff(1, 0.0, 2000ms), 2000ms);
  EXPECT_EQ(policy.backoff(1, 0.999, 2000ms), 2000ms);
  // A small Retry-After does not shorten a longer backoff.
  EXPECT_EQ(policy.backoff(7, 0.5, 10ms), 2500ms);
  EXPECT_EQ(policy.backoff(3, 0.5, 0ms), 200ms);
}

TEST(RetryPolicyTest, RetryAfterIsCappedByMaxRetryAfter) {
  const RetryPolicy policy;  // max_retry_after 30 s
  EXPECT_EQ(policy.backoff(1, 0.5, 3600000ms), 30000ms);
  const RetryPolicy tight(RetryConfig{10, 100ms, 5000ms, 1000ms});
  EXPECT_EQ(tight.backoff(1, 0.0, 60000ms), 1000ms);
  // The cap applies to the server's request only; our own backoff keeps its own cap.
  EXPECT_EQ(tight.backoff(12, 0.999, 60000ms), 4995ms);
}

TEST(RetryPolicyTest, ShouldRetryOnlyRetryableErrors) {
  const RetryPolicy policy;
  EXPECT_TRUE(policy.should_retry(retryable_error(), 1));
  EXPECT_FALSE(policy.should_retry(fatal_error(), 1));
  EXPECT_FALSE(policy.should_retry(fatal_error(), 0));
}

TEST(RetryPolicyTest, ShouldRetryStopsAtMaxAttempts) {
  const RetryPolicy policy(RetryConfig{3, 100ms, 5000ms, 30000ms});
  EXPECT_TRUE(policy.should_retry(retryable_error(), 1));
  EXPECT_TRUE(policy.should_retry(retryable_error(), 2));
  EXPECT_FALSE(policy.should_retry(retryable_error(), 3));
  EXPECT_FALSE(policy.should_retry(retryable_error(), 4));
}

struct OneTask {
  int attempts = 0;
  int id = 0;
};

// take_ready: the one request of a one-request operation goes out at once, waits out its backoff after a retryable
// failure, then goes out again as the task that failed (its attempt count kept).
TEST(RetryQueueTest, TakeReadyWaitsOutTheBackoffOfTheOneTask) {
  RetryQueue<OneTask> queue;
  const RetryPolicy policy;
  const auto t0 = std::chrono::steady_clock::now();
  OneTask task{0, 7};
  EXPECT_TRUE(queue.take_ready(task, t0));  // nothing waits
  ASSERT_TRUE(queue.push(task, retryable_error(), false, policy, t0, 1.0, std::nullopt));
  task.id = 0;  // what the operation holds meanwhile is not what goes out next
  EXPECT_FALSE(queue.take_ready(task, t0));
  EXPECT_EQ(task.id, 0);
  ASSERT_TRUE(queue.next_at().has_value());
  EXPECT_TRUE(queue.take_ready(task, *queue.next_at()));
  EXPECT_EQ(task.id, 7);
  EXPECT_EQ(task.attempts, 1);
  EXPECT_TRUE(queue.empty());
  EXPECT_FALSE(queue.push(task, fatal_error(), false, policy, t0, 1.0, std::nullopt));  // not retried
}

}  // namespace
}  // namespace s3fcp
