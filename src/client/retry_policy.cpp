#include "client/retry_policy.h"

#include <algorithm>
#include <cmath>

namespace s3fcp {

std::chrono::milliseconds RetryPolicy::backoff(int failures, double uniform01,
                                               std::optional<std::chrono::milliseconds> retry_after) const {
  const int exponent = std::clamp(failures - 1, 0, 30);
  const double ceiling = std::min(static_cast<double>(m_config.cap.count()),
                                  static_cast<double>(m_config.base.count()) * std::ldexp(1.0, exponent));
  const double u = std::clamp(uniform01, 0.0, 1.0);
  auto wait = std::chrono::milliseconds(static_cast<long long>(u * ceiling));
  if (retry_after) wait = std::max(wait, std::min(*retry_after, m_config.max_retry_after));
  return wait;
}

}  // namespace s3fcp
