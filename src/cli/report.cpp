#include "cli/report.h"

#include <unistd.h>

#include <vector>

#include <fmt/format.h>

#include "util/log.h"

namespace s3fcp {

int report(const Error& e, const std::string& context) {
  if (e.kind != ErrorKind::BrokenPipe) log_line(describe(e, context));
  return exit_code(e.kind);
}

void print_json_line(nlohmann::json j, int code, const Error* error) {
  j["exit_code"] = code;
  j["exit_reason"] = error != nullptr ? error->message : "ok";
  if (error != nullptr && !error->s3_code.empty()) j["s3_code"] = error->s3_code;
  const std::string line = j.dump() + "\n";
  [[maybe_unused]] const auto n = ::write(STDERR_FILENO, line.data(), line.size());
}

ProgressBar::Mode progress_mode(const Options& o) {
  const bool tty = isatty(STDERR_FILENO) != 0;
  if (o.quiet || o.no_progress || o.verbose) return ProgressBar::Mode::Off;
  return tty ? ProgressBar::Mode::Bar : o.progress ? ProgressBar::Mode::Lines : ProgressBar::Mode::Off;
}

}  // namespace s3fcp
