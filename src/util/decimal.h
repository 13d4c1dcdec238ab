// A whole unsigned decimal number, nothing else around it: no sign, no spaces, no suffix. Used for header values,
// --range offsets and the resume journal's numbers.
#pragma once

#include <charconv>
#include <cstdint>
#include <optional>
#include <string_view>

namespace s3fcp {

inline std::optional<uint64_t> parse_decimal(std::string_view s) {
  uint64_t v = 0;
  if (s.empty()) return std::nullopt;
  const auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc{} || p != s.data() + s.size()) return std::nullopt;
  return v;
}

}  // namespace s3fcp
