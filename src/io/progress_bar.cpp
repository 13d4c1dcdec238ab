#include "io/progress_bar.h"

#include <unistd.h>

#include <cmath>

#include <fmt/format.h>

namespace s3fcp {

std::string human_bytes(double bytes) {
  static constexpr const char* units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
  int u = 0;
  while (bytes >= 1024 && u < 4) {
    bytes /= 1024;
    ++u;
  }
  return u == 0 ? fmt::format("{:.0f} B", bytes) : fmt::format("{:.1f} {}", bytes, units[u]);
}

std::string ProgressBar::render(uint64_t done, uint64_t total, double rate) {
  const bool known = total != UINT64_MAX;
  std::string out = known ? fmt::format("{} / {}", human_bytes(static_cast<double>(done)), human_bytes(static_cast<double>(total)))
                          : human_bytes(static_cast<double>(done));
  if (known && total > 0) {
    const double frac = static_cast<double>(done) / static_cast<double>(total);
    constexpr int width = 24;
    const int filled = static_cast<int>(frac * width);
    out = fmt::format("[{}{}] {:3.0f}%  {}", std::string(static_cast<size_t>(filled), '#'),
                      std::string(static_cast<size_t>(width - filled), ' '), frac * 100, out);
  }
  out += fmt::format("  {}/s", human_bytes(rate));
  if (known && rate > 0 && done < total) {
    const auto eta = static_cast<long long>(std::ceil(static_cast<double>(total - done) / rate));
    out += fmt::format("  ETA {}:{:02}", eta / 60, eta % 60);
  }
  return out;
}

void ProgressBar::update(uint64_t done, uint64_t total, const std::string& status) {
  if (m_mode == Mode::Off) return;
  const auto now = Clock::now();
  m_samples.emplace_back(now, done);
  while (m_samples.size() > 2 && now - m_samples.front().first > std::chrono::seconds(2)) m_samples.pop_front();
  double rate = 0;
  const auto span = std::chrono::duration<double>(now - m_samples.front().first).count();
  if (span > 0.05) rate = static_cast<double>(done - m_samples.front().second) / span;
  if (m_mode == Mode::Lines) {
    if (now - m_last_line < std::chrono::seconds(1)) return;
    m_last_line = now;
    const std::string line = "s3fcp: " + (status.empty() ? "" : status + "  ") + render(done, total, rate) + "\n";
    [[maybe_unused]] const auto n = ::write(STDERR_FILENO, line.data(), line.size());
    return;
  }
  const std::string line = "\r\033[K" + (status.empty() ? "" : status + "  ") + render(done, total, rate);
  [[maybe_unused]] const auto n = ::write(STDERR_FILENO, line.data(), line.size());
  m_drawn = true;
}

void ProgressBar::finish() {
  if (!m_drawn) return;
  static constexpr char clear[] = "\r\033[K";
  [[maybe_unused]] const auto n = ::write(STDERR_FILENO, clear, sizeof clear - 1);
  m_drawn = false;
}

}  // namespace s3fcp
