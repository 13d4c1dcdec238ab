// Header lists, and one HTTP/1.1 response header line, as libcurl hands it to a header callback
// ("Name: value\r\n"), and the status line that starts each header block ("HTTP/1.1 206 Partial Content\r\n").
// Pure.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "util/decimal.h"
#include "util/strings.h"

namespace s3fcp {

// Headers to send, or as received: (name, value) in order.
using HeaderList = std::vector<std::pair<std::string, std::string>>;

struct HeaderLine {
  std::string_view name;   // as sent
  std::string_view value;  // trimmed
};

// nullopt for a line without a colon (the status line, the blank line that ends the block, a folded line).
constexpr std::optional<HeaderLine> parse_header_line(std::string_view line) {
  const auto colon = line.find(':');
  if (colon == std::string_view::npos || colon == 0) return std::nullopt;
  return HeaderLine{line.substr(0, colon), trim(line.substr(colon + 1))};
}

// The status of "HTTP/1.1 206 Partial Content" (also "HTTP/2 200"); nullopt for any other line.
inline std::optional<long> parse_status_line(std::string_view line) {
  if (!line.starts_with("HTTP/")) return std::nullopt;
  const auto space = line.find(' ');
  if (space == std::string_view::npos) return std::nullopt;
  const auto code = parse_decimal(line.substr(space + 1, 3));
  if (!code || *code < 100 || *code > 999) return std::nullopt;
  return static_cast<long>(*code);
}

// The blank line that ends a header block.
constexpr bool is_end_of_headers(std::string_view line) { return trim(line).empty(); }

}  // namespace s3fcp
