// Small ASCII string helpers: the one trim, the one case-insensitive compare, the one lowercasing. ASCII only, on
// purpose: header names, config keys and algorithm names are ASCII, and locale-aware functions would make the
// answer depend on the user's LC_CTYPE.
#pragma once

#include <string>
#include <string_view>

namespace s3fcp {

constexpr char ascii_lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

inline std::string to_lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = ascii_lower(c);
  return out;
}

constexpr bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::string_view::size_type i = 0; i < a.size(); ++i) {
    if (ascii_lower(a[i]) != ascii_lower(b[i])) return false;
  }
  return true;
}

// Without the surrounding ASCII whitespace (spaces, tabs, CR, LF, FF, VT).
constexpr std::string_view trim(std::string_view s) {
  constexpr std::string_view space = " \t\r\n\f\v";
  const auto first = s.find_first_not_of(space);
  if (first == std::string_view::npos) return {};
  return s.substr(first, s.find_last_not_of(space) - first + 1);
}

}  // namespace s3fcp
