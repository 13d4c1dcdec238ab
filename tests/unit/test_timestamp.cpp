#include "util/timestamp.h"

#include <gtest/gtest.h>

#include "s3/response.h"

namespace s3fcp {
namespace {

using namespace std::chrono;

TEST(TimestampTest, HttpDateIsImfFixdateInGmt) {
  EXPECT_EQ(format_http_date(sys_days(year(2027) / 1 / 31) + hours(11)), "Sun, 31 Jan 2027 11:00:00 GMT");
  EXPECT_EQ(format_http_date(sys_days(year(1970) / 1 / 1)), "Thu, 01 Jan 1970 00:00:00 GMT");
  EXPECT_EQ(format_http_date(sys_days(year(2024) / 2 / 29) + hours(23) + minutes(59) + seconds(59) + milliseconds(999)),
            "Thu, 29 Feb 2024 23:59:59 GMT");  // whole seconds, not rounded up into March
}

TEST(TimestampTest, Iso8601OffsetsBecomeGmt) {
  EXPECT_EQ(format_http_date(parse_iso8601("2027-01-31T12:00:00+01:00").value()), "Sun, 31 Jan 2027 11:00:00 GMT");
  EXPECT_EQ(format_http_date(parse_iso8601("2026-12-31T23:30:00-01:00").value()), "Fri, 01 Jan 2027 00:30:00 GMT");
  EXPECT_FALSE(parse_iso8601("next tuesday"));
}

TEST(TimestampTest, HttpDateRoundTrips) {
  const auto t = sys_days(year(2031) / 7 / 4) + hours(5) + minutes(6) + seconds(7);
  EXPECT_EQ(parse_http_date(format_http_date(t)), t);
}

}  // namespace
}  // namespace s3fcp
