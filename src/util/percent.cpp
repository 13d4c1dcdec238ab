#include "util/percent.h"

#include <charconv>

#include <fmt/format.h>

namespace s3fcp {

std::string percent_escape(std::string_view value, EscapeBytes which) {
  std::string out;
  out.reserve(value.size());
  for (const char c : value) {
    const auto u = static_cast<unsigned char>(c);
    const bool escaped = u < 0x20 || u == 0x7f || c == '%' || (which == EscapeBytes::NonAscii && u >= 0x7f);
    if (escaped) {
      out += fmt::format("%{:02X}", u);
    } else {
      out += c;
    }
  }
  return out;
}

std::optional<std::string> percent_unescape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '%') {
      out += text[i];
      continue;
    }
    unsigned value = 0;
    if (i + 2 >= text.size()) return std::nullopt;
    const auto [p, ec] = std::from_chars(text.data() + i + 1, text.data() + i + 3, value, 16);
    if (ec != std::errc{} || p != text.data() + i + 3) return std::nullopt;
    out += static_cast<char>(value);
    i += 2;
  }
  return out;
}

}  // namespace s3fcp
