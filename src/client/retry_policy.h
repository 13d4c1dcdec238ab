// When to retry and how long to wait: exponential backoff with full jitter (AWS's recommendation, also what
// aws-c-s3 does): wait = uniform(0, min(cap, base * 2^(n-1))) before the n-th retry, and never less than a
// server's Retry-After. Pure: randomness comes in as a number in [0, 1).
#pragma once

#include <algorithm>
#include <chrono>
#include <optional>

#include "util/error.h"

namespace s3fcp {

struct RetryConfig {
  int max_attempts = 10;  // requests per range, counting the first; a request that made progress resets it
  std::chrono::milliseconds base{100};
  std::chrono::milliseconds cap{5000};
  std::chrono::milliseconds max_retry_after{30000};  // a server may not park us longer than this
};

class RetryPolicy {
 public:
  explicit RetryPolicy(RetryConfig config = {}) : m_config(config) {}
  const RetryConfig& config() const { return m_config; }

  // `attempts` is the number of requests already made for this range without progress.
  bool should_retry(const Error& error, int attempts) const {
    const int limit = error.attempt_limit > 0 ? std::min(error.attempt_limit, m_config.max_attempts)
                                              : m_config.max_attempts;
    return error.retryable && attempts < limit;
  }

  // Delay before the retry that follows failure number `failures` (1-based). `uniform01` in [0, 1).
  std::chrono::milliseconds backoff(int failures, double uniform01,
                                    std::optional<std::chrono::milliseconds> retry_after = std::nullopt) const;

 private:
  RetryConfig m_config;
};

}  // namespace s3fcp
