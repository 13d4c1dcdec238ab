// The backoff queue of one operation: tasks that failed wait here until their backoff has elapsed. The client owns
// the policy (how many attempts, how long to wait); the operation owns which of its tasks wait and what they mean
// (a chunk's missing tail, a part). A task that made progress before failing starts counting again.
#pragma once

#include <chrono>
#include <optional>
#include <string_view>
#include <vector>

#include <fmt/format.h>

#include "client/retry_policy.h"

namespace s3fcp {

// Gives a failure that will not be retried its final form. Retries exhausted is a network matter (exit 6) except
// for expired keys that a refresh did not cure (exit 4) and errors with their own attempt limit (a malformed
// answer, asked twice): those keep their kind. `what` names the task ("bytes 100-199", "part 7").
inline Error give_up(Error error, std::string_view what, int attempts) {
  if (!error.retryable) return error;
  if (error.kind != ErrorKind::Auth && error.attempt_limit == 0) error.kind = ErrorKind::Network;
  error.message = fmt::format("gave up on {} after {} attempt{}: {}", what, attempts, attempts == 1 ? "" : "s",
                              error.message);
  return error;
}

template <class Task>  // Task has an `int attempts` member: requests made for it since it last made progress
class RetryQueue {
 public:
  using Clock = std::chrono::steady_clock;

  // `task` failed with `error`. Queues it for a retry after its backoff and returns true, or returns false when the
  // policy says no more (then give_up() the error).
  bool push(Task& task, const Error& error, bool progressed, const RetryPolicy& policy, Clock::time_point now,
            double uniform01, std::optional<std::chrono::milliseconds> retry_after) {
    task.attempts = progressed ? 1 : task.attempts + 1;
    if (!policy.should_retry(error, task.attempts)) return false;
    m_waiting.push_back({task, now + policy.backoff(task.attempts, uniform01, retry_after)});
    ++m_retries;
    return true;
  }

  // The task whose backoff has elapsed that `before` orders first (the lowest chunk, say), if any.
  template <class Before>
  std::optional<Task> pop_ready(Clock::time_point now, Before before) {
    auto ready = m_waiting.end();
    for (auto it = m_waiting.begin(); it != m_waiting.end(); ++it) {
      if (it->not_before <= now && (ready == m_waiting.end() || before(it->task, ready->task))) ready = it;
    }
    if (ready == m_waiting.end()) return std::nullopt;
    Task task = ready->task;
    m_waiting.erase(ready);
    return task;
  }

  // For an operation with one request at a time: whether its request may go out now. True when no task waits, or
  // when the waiting one's backoff has elapsed (it is then moved into `task`); false while it waits.
  bool take_ready(Task& task, Clock::time_point now) {
    if (m_waiting.empty()) return true;
    auto ready = pop_ready(now, [](const Task&, const Task&) { return false; });
    if (!ready) return false;
    task = *ready;
    return true;
  }

  std::optional<Clock::time_point> next_at() const {
    std::optional<Clock::time_point> at;
    for (const auto& w : m_waiting) {
      if (!at || w.not_before < *at) at = w.not_before;
    }
    return at;
  }
  bool empty() const { return m_waiting.empty(); }
  uint64_t retries() const { return m_retries; }

 private:
  struct Waiting {
    Task task;
    Clock::time_point not_before;
  };
  std::vector<Waiting> m_waiting;  // few at a time: a vector
  uint64_t m_retries = 0;
};

}  // namespace s3fcp
