#include "util/error.h"

#include <vector>

#include <fmt/format.h>

namespace s3fcp {

int exit_code(ErrorKind kind) {
  switch (kind) {
    case ErrorKind::Other: return 1;
    case ErrorKind::Usage: return 2;
    case ErrorKind::NotFound: return 3;
    case ErrorKind::Auth: return 4;
    case ErrorKind::Changed: return 5;
    case ErrorKind::Network: return 6;
    case ErrorKind::Checksum: return 7;
    case ErrorKind::Io: return 8;
    case ErrorKind::Range: return 9;
    case ErrorKind::Exists: return 10;
    case ErrorKind::Partial: return 11;
    case ErrorKind::TooLarge: return 12;
    case ErrorKind::Interrupted: return 130;
    case ErrorKind::BrokenPipe: return 141;
    case ErrorKind::Terminated: return 143;
  }
  return 1;
}

Error prefixed(Error e, std::string_view prefix) {
  e.message = fmt::format("{}: {}", prefix, e.message);
  return e;
}

std::string describe(const Error& e, const std::string& context) {
  std::string line = e.s3_code.empty() ? e.message : e.s3_code + ": " + e.message;
  std::vector<std::string> parts;
  if (!context.empty()) parts.push_back(context);
  if (e.http_status != 0 && e.kind != ErrorKind::NotFound) parts.push_back(fmt::format("HTTP {}", e.http_status));
  if (!e.request_id.empty()) parts.push_back("request id " + e.request_id);
  if (!parts.empty()) line += " (" + fmt::format("{}", fmt::join(parts, ", ")) + ")";
  return line;
}

}  // namespace s3fcp
