#include "util/log.h"

#include <unistd.h>

#include <string>

namespace s3fcp {

void log_line(std::string_view line) {
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

}  // namespace s3fcp
