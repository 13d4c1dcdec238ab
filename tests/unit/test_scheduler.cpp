// Scheduler: the probe first, nothing more until the plan is known, then new chunks in order within the
// concurrency limit and the reorder window; failed ranges come back after their backoff, lowest chunk first.
// The clock and the randomness are passed in, so every test is deterministic.
#include <gtest/gtest.h>

#include <chrono>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>

#include "ops/get/scheduler.h"

namespace s3fcp {
namespace {

using namespace std::chrono_literals;
using Clock = Scheduler::Clock;

constexpr uint64_t kChunk = 100;
constexpr uint64_t kNoWindow = std::numeric_limits<uint64_t>::max();
const Clock::time_point t0 = Clock::time_point{} + 1h;

Error retryable(ErrorKind kind = ErrorKind::Network, std::string message = "HTTP 503") {
  Error e{kind, std::move(message), 503};
  e.retryable = true;
  return e;
}

Error fatal() {
  Error e{ErrorKind::Auth, "Access Denied", 403};
  e.s3_code = "AccessDenied";
  return e;
}

// A scheduler whose probe has been handed out and completed, with a plan of `total` bytes.
Scheduler planned(uint64_t total, uint32_t concurrency, RetryConfig config = {}) {
  Scheduler s(kChunk, concurrency, RetryPolicy(config));
  const auto probe = s.next(t0, kNoWindow);
  EXPECT_TRUE(probe && probe->probe);
  s.set_plan(RangePlan(total, kChunk));
  s.on_complete();
  return s;
}

TEST(SchedulerTest, FirstTaskIsTheProbe) {
  Scheduler s(kChunk, 4, RetryPolicy{});
  const auto task = s.next(t0, kNoWindow);
  ASSERT_TRUE(task.has_value());
  EXPECT_TRUE(task->probe);
  EXPECT_EQ(task->chunk, 0u);
  EXPECT_EQ(task->range, (ByteRange{0, kChunk}));
  EXPECT_EQ(task->attempts, 0);
  EXPECT_EQ(s.active(), 1u);
  EXPECT_FALSE(s.has_plan());
}

TEST(SchedulerTest, NothingElseBeforeThePlan) {
  Scheduler s(kChunk, 4, RetryPolicy{});
  ASSERT_TRUE(s.next(t0, kNoWindow).has_value());
  for (int i = 0; i < 5; ++i) EXPECT_FALSE(s.next(t0 + i * 1s, kNoWindow).has_value());
  EXPECT_EQ(s.active(), 1u);
  EXPECT_FALSE(s.finished());
  EXPECT_FALSE(s.next_retry_at().has_value());
}

TEST(SchedulerTest, ChunksComeInOrderAfterThePlan) {
  Scheduler s(kChunk, 8, RetryPolicy{});
  ASSERT_TRUE(s.next(t0, kNoWindow).has_value());
  s.set_plan(RangePlan(450, kChunk));
  EXPECT_TRUE(s.has_plan());
  EXPECT_EQ(s.plan().chunk_count(), 5u);
  for (uint64_t i = 1; i < 5; ++i) {
    const auto task = s.next(t0, kNoWindow);
    ASSERT_TRUE(task.has_value()) << "chunk " << i;
    EXPECT_FALSE(task->probe);
    EXPECT_EQ(task->chunk, i);
    EXPECT_EQ(task->range, RangePlan(450, kChunk).chunk(i));
    EXPECT_EQ(task->attempts, 0);
  }
  EXPECT_EQ(s.next(t0, kNoWindow), std::nullopt) << "chunk 0 is the probe's; nothing beyond chunk 4";
  EXPECT_EQ(s.active(), 5u);
}

TEST(SchedulerTest, RespectsConcurrency) {
  Scheduler s(kChunk, 3, RetryPolicy{});
  ASSERT_TRUE(s.next(t0, kNoWindow).has_value());  // the probe takes a slot
  s.set_plan(RangePlan(10 * kChunk, kChunk));
  EXPECT_EQ(s.next(t0, kNoWindow)->chunk, 1u);
  EXPECT_EQ(s.next(t0, kNoWindow)->chunk, 2u);
  EXPECT_FALSE(s.next(t0, kNoWindow).has_value());
  EXPECT_EQ(s.active(), 3u);
  s.on_complete();
  EXPECT_EQ(s.next(t0, kNoWindow)->chunk, 3u);
  EXPECT_FALSE(s.next(t0, kNoWindow).has_value());
}

TEST(SchedulerTest, ZeroConcurrencyMeansOne) {
  Scheduler s(kChunk, 0, RetryPolicy{});
  ASSERT_TRUE(s.next(t0, kNoWindow).has_value());
  s.set_plan(RangePlan(10 * kChunk, kChunk));
  EXPECT_FALSE(s.next(t0, kNoWindow).has_value());
  s.on_complete();
  EXPECT_EQ(s.next(t0, kNoWindow)->chunk, 1u);
}

TEST(SchedulerTest, RespectsWindowEnd) {
  Scheduler s = planned(10 * kChunk, 16);
  EXPECT_EQ(s.next(t0, 3)->chunk, 1u);
  EXPECT_EQ(s.next(t0, 3)->chunk, 2u);
  EXPECT_FALSE(s.next(t0, 3).has_value()) << "chunk 3 is not below window_end 3";
  EXPECT_EQ(s.next(t0, 5)->chunk, 3u);
  EXPECT_EQ(s.next(t0, 5)->chunk, 4u);
  EXPECT_FALSE(s.next(t0, 5).has_value());
}

TEST(SchedulerTest, RetryableFailureRequeuesTheTailAfterItsBackoff) {
  Scheduler s = planned(10 * kChunk, 8);
  auto task = s.next(t0, kNoWindow);  // chunk 1
  ASSERT_TRUE(task && task->chunk == 1u);
  // 30 bytes arrived before the connection dropped: only [130, 200) is still missing.
  FetchTask rest = *task;
  rest.range.begin = 130;
  EXPECT_EQ(s.on_failure(rest, retryable(), /*progressed=*/true, t0, 0.5, std::nullopt), std::nullopt);
  EXPECT_EQ(s.active(), 0u);
  EXPECT_EQ(s.retries(), 1u);
  // First failure after progress: backoff(1, 0.5) = 0.5 * 100 ms.
  ASSERT_TRUE(s.next_retry_at().has_value());
  EXPECT_EQ(*s.next_retry_at(), t0 + 50ms);

  // window_end 2: no new chunk may start, so only the retry could be handed out, and not yet.
  EXPECT_FALSE(s.next(t0, 2).has_value());
  EXPECT_FALSE(s.next(t0 + 49ms, 2).has_value());
  EXPECT_FALSE(s.finished());
  const auto retry = s.next(t0 + 50ms, 2);
  ASSERT_TRUE(retry.has_value());
  EXPECT_EQ(retry->chunk, 1u);
  EXPECT_EQ(retry->range, (ByteRange{130, 200}));
  EXPECT_EQ(retry->attempts, 1);
  EXPECT_FALSE(retry->probe);
  EXPECT_FALSE(s.next_retry_at().has_value());
  EXPECT_FALSE(s.next(t0 + 1h, 2).has_value()) << "handed out twice";
}

TEST(SchedulerTest, NewChunksGoAheadOfARetryStillBackingOff) {
  Scheduler s = planned(10 * kChunk, 8);
  const auto one = s.next(t0, kNoWindow);
  ASSERT_TRUE(one.has_value());
  ASSERT_EQ(s.on_failure(*one, retryable(), false, t0, 0.5, std::nullopt), std::nullopt);
  const auto next = s.next(t0 + 10ms, kNoWindow);
  ASSERT_TRUE(next.has_value());
  EXPECT_EQ(next->chunk, 2u);
  EXPECT_EQ(next->attempts, 0);
}

TEST(SchedulerTest, RetryAfterDelaysTheRetry) {
  Scheduler s = planned(10 * kChunk, 8);
  const auto one = s.next(t0, kNoWindow);
  ASSERT_TRUE(one.has_value());
  ASSERT_EQ(s.on_failure(*one, retryable(), false, t0, 0.0, 2s), std::nullopt);
  EXPECT_EQ(*s.next_retry_at(), t0 + 2s);
  EXPECT_FALSE(s.next(t0 + 1999ms, 2).has_value());
  EXPECT_EQ(s.next(t0 + 2s, 2)->chunk, 1u);
}

TEST(SchedulerTest, ElapsedRetriesArePreferredLowestChunkFirst) {
  Scheduler s = planned(20 * kChunk, 8);
  FetchTask tasks[4];
  for (auto& t : tasks) t = *s.next(t0, kNoWindow);  // chunks 1..4
  ASSERT_EQ(tasks[3].chunk, 4u);
  // Chunk 3 fails first, then chunk 1: the order of failure must not matter.
  ASSERT_EQ(s.on_failure(tasks[2], retryable(), false, t0, 0.0, std::nullopt), std::nullopt);
  ASSERT_EQ(s.on_failure(tasks[0], retryable(), false, t0, 0.0, std::nullopt), std::nullopt);
  EXPECT_EQ(s.next_retry_at(), t0);
  const auto a = s.next(t0, kNoWindow);
  const auto b = s.next(t0, kNoWindow);
  const auto c = s.next(t0, kNoWindow);
  ASSERT_TRUE(a && b && c);
  EXPECT_EQ(a->chunk, 1u);
  EXPECT_EQ(b->chunk, 3u);
  EXPECT_EQ(c->chunk, 5u) << "new chunks only after the retries";
  EXPECT_EQ(c->attempts, 0);
}

TEST(SchedulerTest, RetriesRespectConcurrency) {
  Scheduler s = planned(10 * kChunk, 2);
  const auto a = s.next(t0, kNoWindow);
  const auto b = s.next(t0, kNoWindow);
  ASSERT_TRUE(a && b);
  ASSERT_EQ(s.on_failure(*a, retryable(), false, t0, 0.0, std::nullopt), std::nullopt);
  const auto c = s.next(t0, 3);  // the retry, into the freed slot
  ASSERT_TRUE(c.has_value());
  EXPECT_EQ(c->chunk, 1u);
  ASSERT_EQ(s.on_failure(*c, retryable(), false, t0, 0.0, std::nullopt), std::nullopt);
  ASSERT_EQ(s.next(t0, 3)->chunk, 1u);
  EXPECT_EQ(s.active(), 2u);
  EXPECT_FALSE(s.next(t0 + 1h, kNoWindow).has_value());
}

TEST(SchedulerTest, NonRetryableErrorIsReturnedAtOnce) {
  Scheduler s = planned(10 * kChunk, 8);
  const auto task = s.next(t0, kNoWindow);
  ASSERT_TRUE(task.has_value());
  const auto error = s.on_failure(*task, fatal(), false, t0, 0.5, std::nullopt);
  ASSERT_TRUE(error.has_value());
  EXPECT_EQ(error->kind, ErrorKind::Auth);
  EXPECT_EQ(error->message, "Access Denied");
  EXPECT_EQ(error->s3_code, "AccessDenied");
  EXPECT_EQ(error->http_status, 403);
  EXPECT_FALSE(s.next_retry_at().has_value());
  EXPECT_EQ(s.retries(), 0u);
  EXPECT_EQ(s.active(), 0u);
}

TEST(SchedulerTest, ExpiredKeysThatStayExpiredEndAsAuth) {
  RetryConfig config;
  config.max_attempts = 2;
  Scheduler s = planned(10 * kChunk, 8, config);
  auto task = s.next(t0, 2);
  ASSERT_TRUE(task.has_value());
  Error expired{ErrorKind::Auth, "The provided token has expired.", 400};
  expired.s3_code = "ExpiredToken";
  expired.retryable = true;
  ASSERT_EQ(s.on_failure(*task, expired, false, t0, 0.0, std::nullopt), std::nullopt);  // refreshed, retried
  task = s.next(t0, 2);
  ASSERT_TRUE(task.has_value());
  const auto error = s.on_failure(*task, expired, false, t0, 0.0, std::nullopt);
  ASSERT_TRUE(error.has_value());
  EXPECT_EQ(error->kind, ErrorKind::Auth);
}

TEST(SchedulerTest, GivesUpAfterMaxAttempts) {
  RetryConfig config;
  config.max_attempts = 3;
  Scheduler s = planned(10 * kChunk, 8, config);
  auto task = s.next(t0, 2);
  ASSERT_TRUE(task && task->chunk == 1u);
  // A retryable failure of a kind other than Network still ends as Network once retries are exhausted.
  for (int attempt = 1; attempt <= 2; ++attempt) {
    ASSERT_EQ(
        s.on_failure(*task, retryable(ErrorKind::Other, "connection reset"), false, t0, 0.0, std::nullopt),
        std::nullopt)
        << "attempt " << attempt;
    task = s.next(t0, 2);
    ASSERT_TRUE(task.has_value());
    EXPECT_EQ(task->attempts, attempt);
  }
  const auto error =
      s.on_failure(*task, retryable(ErrorKind::Other, "connection reset"), false, t0, 0.0, std::nullopt);
  ASSERT_TRUE(error.has_value());
  EXPECT_EQ(error->kind, ErrorKind::Network);
  EXPECT_TRUE(error->retryable);
  EXPECT_NE(error->message.find("bytes 100-199"), std::string::npos) << error->message;
  EXPECT_NE(error->message.find("3 attempts"), std::string::npos) << error->message;
  EXPECT_NE(error->message.find("connection reset"), std::string::npos) << error->message;
  EXPECT_EQ(error->http_status, 503);
  EXPECT_EQ(s.retries(), 2u);
  EXPECT_FALSE(s.next_retry_at().has_value());
}

// A malformed answer (a Content-Range outside its own total) is asked once more, then ends with its own kind.
TEST(SchedulerTest, AnErrorsOwnAttemptLimitWinsAndKeepsItsKind) {
  Scheduler s = planned(10 * kChunk, 8, RetryConfig{});
  auto task = s.next(t0, kNoWindow);
  ASSERT_TRUE(task.has_value());
  Error malformed = retryable(ErrorKind::Other, "malformed Content-Range");
  malformed.attempt_limit = 2;
  ASSERT_EQ(s.on_failure(*task, malformed, false, t0, 0.0, std::nullopt), std::nullopt);
  task = s.next(t0, kNoWindow);
  ASSERT_TRUE(task.has_value());
  const auto error = s.on_failure(*task, malformed, false, t0, 0.0, std::nullopt);
  ASSERT_TRUE(error.has_value());
  EXPECT_EQ(error->kind, ErrorKind::Other);
  EXPECT_NE(error->message.find("2 attempts"), std::string::npos) << error->message;
}

TEST(SchedulerTest, GiveUpMessageNamesTheRemainingRange) {
  RetryConfig config;
  config.max_attempts = 1;
  Scheduler s = planned(10 * kChunk, 8, config);
  auto task = s.next(t0, kNoWindow);
  ASSERT_TRUE(task.has_value());
  task->range.begin = 150;
  const auto error = s.on_failure(*task, retryable(), false, t0, 0.0, std::nullopt);
  ASSERT_TRUE(error.has_value());
  EXPECT_NE(error->message.find("bytes 150-199"), std::string::npos) << error->message;
  EXPECT_NE(error->message.find("1 attempt:"), std::string::npos) << error->message;
}

TEST(SchedulerTest, ProgressResetsAttempts) {
  RetryConfig config;
  config.max_attempts = 3;
  Scheduler s = planned(10 * kChunk, 8, config);
  auto task = s.next(t0, 2);
  ASSERT_TRUE(task.has_value());
  // Two failures without progress: attempts 2.
  for (int i = 0; i < 2; ++i) {
    ASSERT_EQ(s.on_failure(*task, retryable(), false, t0, 0.0, std::nullopt), std::nullopt);
    task = s.next(t0, 2);
    ASSERT_TRUE(task.has_value());
  }
  ASSERT_EQ(task->attempts, 2);
  // This one received bytes before failing: it counts as the first attempt of the remaining range,
  // and its backoff is that of a first failure (0.999 * 100 ms), not a third (0.999 * 400 ms).
  task->range.begin = 160;
  ASSERT_EQ(s.on_failure(*task, retryable(), true, t0, 0.999, std::nullopt), std::nullopt);
  ASSERT_TRUE(s.next_retry_at().has_value());
  EXPECT_LE(*s.next_retry_at(), t0 + 100ms);
  task = s.next(t0 + 1s, 2);
  ASSERT_TRUE(task.has_value());
  EXPECT_EQ(task->attempts, 1);
  EXPECT_EQ(task->range, (ByteRange{160, 200}));
  // So two more failures without progress are needed to give up.
  ASSERT_EQ(s.on_failure(*task, retryable(), false, t0, 0.0, std::nullopt), std::nullopt);
  task = s.next(t0 + 1s, 2);
  ASSERT_TRUE(task.has_value());
  EXPECT_TRUE(s.on_failure(*task, retryable(), false, t0, 0.0, std::nullopt).has_value());
}

TEST(SchedulerTest, FinishedOnlyWhenEverythingIsDone) {
  Scheduler s(kChunk, 8, RetryPolicy{});
  EXPECT_FALSE(s.finished());
  ASSERT_TRUE(s.next(t0, kNoWindow).has_value());
  EXPECT_FALSE(s.finished());
  s.set_plan(RangePlan(3 * kChunk, kChunk));
  EXPECT_FALSE(s.finished()) << "chunks 1 and 2 never requested";
  s.on_complete();  // the probe
  const auto one = s.next(t0, kNoWindow);
  const auto two = s.next(t0, kNoWindow);
  ASSERT_TRUE(one && two);
  EXPECT_FALSE(s.next(t0, kNoWindow).has_value());
  s.on_complete();
  EXPECT_FALSE(s.finished()) << "one transfer still active";
  ASSERT_EQ(s.on_failure(*two, retryable(), false, t0, 0.5, std::nullopt), std::nullopt);
  EXPECT_EQ(s.active(), 0u);
  EXPECT_FALSE(s.finished()) << "a retry is pending";
  ASSERT_TRUE(s.next(t0 + 1h, kNoWindow).has_value());
  EXPECT_FALSE(s.finished());
  s.on_complete();
  EXPECT_TRUE(s.finished());
}

TEST(SchedulerTest, ProbeIsRetriedBeforeThePlanIsKnown) {
  Scheduler s(kChunk, 4, RetryPolicy{});
  const auto probe = s.next(t0, kNoWindow);
  ASSERT_TRUE(probe.has_value());
  ASSERT_EQ(s.on_failure(*probe, retryable(), false, t0, 0.5, std::nullopt), std::nullopt);
  EXPECT_FALSE(s.next(t0 + 49ms, kNoWindow).has_value());
  const auto again = s.next(t0 + 50ms, kNoWindow);
  ASSERT_TRUE(again.has_value());
  EXPECT_TRUE(again->probe);
  EXPECT_EQ(again->range, (ByteRange{0, kChunk}));
  EXPECT_EQ(again->attempts, 1);
  EXPECT_FALSE(s.next(t0 + 1h, kNoWindow).has_value()) << "only one probe";
}

TEST(SchedulerTest, WholeObjectSchedulesNothingElse) {
  Scheduler s(kChunk, 8, RetryPolicy{});
  ASSERT_TRUE(s.next(t0, kNoWindow).has_value());
  s.set_plan(RangePlan(50 * kChunk, kChunk), /*whole_object=*/true);
  EXPECT_FALSE(s.next(t0, kNoWindow).has_value());
  EXPECT_FALSE(s.finished()) << "the probe still carries the object";
  s.on_complete();
  EXPECT_TRUE(s.finished());
  EXPECT_FALSE(s.next(t0, kNoWindow).has_value());
}

TEST(SchedulerTest, EmptyObjectFinishesAfterTheProbe) {
  Scheduler s(kChunk, 8, RetryPolicy{});
  ASSERT_TRUE(s.next(t0, kNoWindow).has_value());
  s.set_plan(RangePlan(0, kChunk));
  EXPECT_FALSE(s.next(t0, kNoWindow).has_value());
  EXPECT_FALSE(s.finished());
  s.on_complete();
  EXPECT_TRUE(s.finished());
}

TEST(SchedulerTest, ObjectSmallerThanAChunkIsJustTheProbe) {
  Scheduler s(kChunk, 8, RetryPolicy{});
  ASSERT_TRUE(s.next(t0, kNoWindow).has_value());
  s.set_plan(RangePlan(kChunk - 1, kChunk));
  EXPECT_FALSE(s.next(t0, kNoWindow).has_value());
  s.on_complete();
  EXPECT_TRUE(s.finished());
}

}  // namespace
}  // namespace s3fcp
