#include "util/log.h"

#include <unistd.h>

#include <memory>
#include <mutex>
#include <string>

namespace s3fcp {

namespace {

std::mutex g_sink_mutex;
std::shared_ptr<const std::function<void(std::string_view)>> g_sink;  // null: stderr

void to_stderr(std::string_view line) {
  std::string out;
  out.reserve(line.size() + 8);
  out += "s3fcp: ";
  out += line;
  out += '\n';
  const char* p = out.data();
  size_t left = out.size();
  while (left > 0) {
    const ssize_t n = ::write(STDERR_FILENO, p, left);
    if (n <= 0) return;  // nothing sensible to do if stderr is gone
    p += n;
    left -= static_cast<size_t>(n);
  }
}

}  // namespace

void set_log_sink(std::function<void(std::string_view)> sink) {
  std::lock_guard lock(g_sink_mutex);
  g_sink = sink ? std::make_shared<const std::function<void(std::string_view)>>(std::move(sink)) : nullptr;
}

void log_line(std::string_view line) {
  std::shared_ptr<const std::function<void(std::string_view)>> sink;
  {
    std::lock_guard lock(g_sink_mutex);
    sink = g_sink;
  }
  if (sink) return (*sink)(line);
  to_stderr(line);
}

}  // namespace s3fcp
