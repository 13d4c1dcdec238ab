// Diagnostics on stderr, one whole line per call so lines from different threads never interleave.
#pragma once

#include <string_view>

namespace s3fcp {

// Writes "s3fcp: <line>\n" to stderr with a single write(2).
void log_line(std::string_view line);

}  // namespace s3fcp
