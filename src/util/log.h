// Diagnostics, one whole line per call so lines from different threads never interleave. The CLI's lines go to
// stderr as "s3fcp: <line>"; the library routes them to its caller's log callback (or nowhere) instead.
#pragma once

#include <functional>
#include <string_view>

namespace s3fcp {

void log_line(std::string_view line);

// Where log_line's lines go from now on; an empty function: stderr (the default). Process-wide.
void set_log_sink(std::function<void(std::string_view line)> sink);

}  // namespace s3fcp
