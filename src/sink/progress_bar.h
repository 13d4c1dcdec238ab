// The progress bar on stderr: bytes done/total, percent, rate and ETA, redrawn in place ~10 times a second.
// Only drawn when stderr is a terminal and the user did not ask for quiet.
#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <string>

namespace s3fcp {

std::string human_bytes(double bytes);

class ProgressBar {
 public:
  using Clock = std::chrono::steady_clock;
  explicit ProgressBar(bool enabled) : m_enabled(enabled), m_start(Clock::now()) {}
  // `total` is UINT64_MAX while unknown.
  void update(uint64_t done, uint64_t total);
  // Clears the bar's line.
  void finish();
  // The text of the bar, for tests.
  static std::string render(uint64_t done, uint64_t total, double rate_bytes_per_s);

 private:
  bool m_enabled;
  bool m_drawn = false;
  Clock::time_point m_start;
  std::deque<std::pair<Clock::time_point, uint64_t>> m_samples;  // the last ~2 s, for the rate
};

}  // namespace s3fcp
