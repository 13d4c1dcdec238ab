// The progress bar on stderr: bytes done/total, percent, rate and ETA, redrawn in place ~10 times a second.
// Drawn in place when stderr is a terminal (and not -q); --progress on a non-terminal prints one log-friendly
// line per second instead.
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
  enum class Mode { Off, Bar, Lines };
  explicit ProgressBar(Mode mode) : m_mode(mode), m_start(Clock::now()), m_last_line(m_start) {}
  // `total` is UINT64_MAX while unknown; `status` (may be empty) starts the line: "12/300 objects".
  void update(uint64_t done, uint64_t total, const std::string& status = {});
  // Clears the bar's line.
  void finish();
  // The text of the bar, for tests.
  static std::string render(uint64_t done, uint64_t total, double rate_bytes_per_s);

 private:
  Mode m_mode;
  bool m_drawn = false;
  Clock::time_point m_start;
  Clock::time_point m_last_line;
  std::deque<std::pair<Clock::time_point, uint64_t>> m_samples;  // the last ~2 s, for the rate
};

}  // namespace s3fcp
