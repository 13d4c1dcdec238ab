#include "cli/report.h"

#include <unistd.h>

#include <vector>

#include <fmt/format.h>

#include "util/log.h"

namespace s3fcp {

std::string describe(const Error& e, const std::string& context) {
  std::string line = e.s3_code.empty() ? e.message : e.s3_code + ": " + e.message;
  std::vector<std::string> parts;
  if (!context.empty()) parts.push_back(context);
  if (e.http_status != 0 && e.kind != ErrorKind::NotFound) parts.push_back(fmt::format("HTTP {}", e.http_status));
  if (!e.request_id.empty()) parts.push_back("request id " + e.request_id);
  if (!parts.empty()) line += " (" + fmt::format("{}", fmt::join(parts, ", ")) + ")";
  return line;
}

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
  return o.quiet || o.verbose ? ProgressBar::Mode::Off
         : tty                ? ProgressBar::Mode::Bar
         : o.progress         ? ProgressBar::Mode::Lines
                              : ProgressBar::Mode::Off;
}

}  // namespace s3fcp
