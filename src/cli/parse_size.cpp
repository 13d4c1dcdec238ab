#include "cli/parse_size.h"

#include <cctype>
#include <charconv>
#include <string>

namespace s3fcp {

Result<uint64_t> parse_size(std::string_view text) {
  const auto bad = [&](std::string_view why) {
    return fail(Error::usage("invalid size '" + std::string(text) + "': " + std::string(why)));
  };
  std::string_view s = text;
  while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
  while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
  if (s.empty()) return bad("empty");

  size_t digits = 0;
  while (digits < s.size() && std::isdigit(static_cast<unsigned char>(s[digits]))) ++digits;
  size_t number_end = digits;
  uint64_t frac_num = 0, frac_den = 1;
  if (number_end < s.size() && s[number_end] == '.') {
    size_t i = number_end + 1;
    while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) {
      if (frac_den < 1'000'000) {
        frac_num = frac_num * 10 + static_cast<uint64_t>(s[i] - '0');
        frac_den *= 10;
      }
      ++i;
    }
    if (i == number_end + 1) return bad("expected digits after '.'");
    number_end = i;
  }
  if (digits == 0) return bad("expected a number such as 8MiB, 16M or 1048576");

  uint64_t whole = 0;
  const auto [p, ec] = std::from_chars(s.data(), s.data() + digits, whole);
  if (ec != std::errc{} || p != s.data() + digits) return bad("number too large");

  std::string unit(s.substr(number_end));
  while (!unit.empty() && unit.front() == ' ') unit.erase(0, 1);
  for (char& c : unit) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  int shift = -1;
  if (unit.empty() || unit == "b") shift = 0;
  else if (unit == "k" || unit == "kb" || unit == "kib") shift = 10;
  else if (unit == "m" || unit == "mb" || unit == "mib") shift = 20;
  else if (unit == "g" || unit == "gb" || unit == "gib") shift = 30;
  else if (unit == "t" || unit == "tb" || unit == "tib") shift = 40;
  if (shift < 0) return bad("unknown unit (use B, KiB, MiB, GiB, TiB or K, M, G, T)");

  const uint64_t mult = uint64_t{1} << shift;
  if (whole > (UINT64_MAX >> shift)) return bad("number too large");
  const uint64_t frac_bytes = frac_num * mult / frac_den;  // frac_num < frac_den <= 1e6 < 2^20, mult <= 2^40: no overflow
  if (frac_num != 0 && shift == 0) return bad("a byte count must be whole");
  return whole * mult + frac_bytes;
}

}  // namespace s3fcp
