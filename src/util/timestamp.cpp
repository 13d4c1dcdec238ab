#include "util/timestamp.h"

#include <sys/stat.h>

#include <charconv>
#include <ctime>

#include <fmt/format.h>

namespace s3fcp {

namespace {

bool parse_int(std::string_view s, int& out) {
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && end == s.data() + s.size();
}

}  // namespace

Result<std::chrono::system_clock::time_point> parse_iso8601(std::string_view text) {
  auto bad = [&] { return fail(ErrorKind::Other, fmt::format("'{}' is not an ISO 8601 date-time", text)); };
  // YYYY-MM-DDThh:mm:ss: 19 characters at fixed places.
  if (text.size() < 19 || text[4] != '-' || text[7] != '-' ||
      (text[10] != 'T' && text[10] != 't' && text[10] != ' ') || text[13] != ':' || text[16] != ':') {
    return bad();
  }
  int y = 0, mo = 0, d = 0, h = 0, mi = 0, s = 0;
  if (!parse_int(text.substr(0, 4), y) || !parse_int(text.substr(5, 2), mo) ||
      !parse_int(text.substr(8, 2), d) || !parse_int(text.substr(11, 2), h) ||
      !parse_int(text.substr(14, 2), mi) || !parse_int(text.substr(17, 2), s)) {
    return bad();
  }
  const std::chrono::year_month_day ymd{std::chrono::year(y), std::chrono::month(static_cast<unsigned>(mo)),
                                        std::chrono::day(static_cast<unsigned>(d))};
  if (!ymd.ok() || h > 23 || mi > 59 || s > 60) return bad();
  std::chrono::system_clock::time_point t =
      std::chrono::sys_days(ymd) + std::chrono::hours(h) + std::chrono::minutes(mi) + std::chrono::seconds(s);

  std::string_view rest = text.substr(19);
  if (!rest.empty() && (rest.front() == '.' || rest.front() == ',')) {
    size_t n = 1;
    std::chrono::nanoseconds frac{0};
    long long scale = 100'000'000;
    while (n < rest.size() && rest[n] >= '0' && rest[n] <= '9') {
      frac += std::chrono::nanoseconds((rest[n] - '0') * scale);
      scale /= 10;
      ++n;
    }
    if (n == 1) return bad();
    t += std::chrono::duration_cast<std::chrono::system_clock::duration>(frac);
    rest.remove_prefix(n);
  }
  if (rest.empty() || rest == "Z" || rest == "z" || rest == "UTC") return t;
  if (rest.front() != '+' && rest.front() != '-') return bad();
  const int sign = rest.front() == '-' ? -1 : 1;
  std::string_view off = rest.substr(1);
  int oh = 0, om = 0;
  if (off.size() == 5 && off[2] == ':') {
    if (!parse_int(off.substr(0, 2), oh) || !parse_int(off.substr(3, 2), om)) return bad();
  } else if (off.size() == 4) {
    if (!parse_int(off.substr(0, 2), oh) || !parse_int(off.substr(2, 2), om)) return bad();
  } else if (off.size() == 2) {
    if (!parse_int(off, oh)) return bad();
  } else {
    return bad();
  }
  if (oh > 23 || om > 59) return bad();
  // 10:00+02:00 is 08:00 UTC.
  return t - sign * (std::chrono::hours(oh) + std::chrono::minutes(om));
}

bool set_file_times(int fd, std::chrono::system_clock::time_point t) {
  const auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(t.time_since_epoch()).count();
  timespec times[2];
  times[0].tv_sec = static_cast<time_t>(ns / 1'000'000'000);
  times[0].tv_nsec = static_cast<long>(ns % 1'000'000'000);
  times[1] = times[0];
  return ::futimens(fd, times) == 0;
}

std::string format_http_date(std::chrono::system_clock::time_point t) {
  static constexpr const char* kDays[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
  static constexpr const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                            "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  const auto days = std::chrono::floor<std::chrono::days>(t);
  const std::chrono::year_month_day ymd(days);
  const std::chrono::hh_mm_ss hms(std::chrono::floor<std::chrono::seconds>(t - days));
  const std::chrono::weekday wd(days);
  return fmt::format("{}, {:02} {} {:04} {:02}:{:02}:{:02} GMT", kDays[wd.c_encoding()],
                     static_cast<unsigned>(ymd.day()), kMonths[static_cast<unsigned>(ymd.month()) - 1],
                     static_cast<int>(ymd.year()), hms.hours().count(), hms.minutes().count(), hms.seconds().count());
}

}  // namespace s3fcp
