#include "util/percent.h"

#include <fmt/format.h>

namespace s3fcp {

namespace {

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

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

namespace {

// %XX as its byte, and '+' as a space when `plus_is_space`; nullopt for a '%' not followed by two hex digits.
std::optional<std::string> decode(std::string_view text, bool plus_is_space) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '+' && plus_is_space) {
      out += ' ';
    } else if (c != '%') {
      out += c;
    } else {
      if (i + 2 >= text.size()) return std::nullopt;
      const int high = hex_value(text[i + 1]);
      const int low = hex_value(text[i + 2]);
      if (high < 0 || low < 0) return std::nullopt;
      out += static_cast<char>(high * 16 + low);
      i += 2;
    }
  }
  return out;
}

}  // namespace

std::optional<std::string> percent_unescape(std::string_view text) { return decode(text, false); }

std::optional<std::string> unquote_plus(std::string_view text) { return decode(text, true); }

}  // namespace s3fcp
