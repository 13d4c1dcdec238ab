// Dates as S3 and the AWS tools write them: ISO 8601 / RFC 3339 in (credential expiries, --expires), HTTP dates out
// (the Expires header).
#pragma once

#include <chrono>
#include <string>
#include <string_view>

#include "util/error.h"

namespace s3fcp {

// ISO 8601 / RFC 3339 date-time: "2024-05-06T07:08:09Z", fractional seconds, "+02:00"/"+0200"/"-05:00"
// offsets, and the "2024-05-06T07:08:09UTC" form of old AWS CLI SSO caches. A bare date-time is UTC.
Result<std::chrono::system_clock::time_point> parse_iso8601(std::string_view text);

// Sets a file's access and modification times to `t` (futimens), as aws s3 cp gives a download its object's
// Last-Modified. False (errno set) when it could not.
bool set_file_times(int fd, std::chrono::system_clock::time_point t);

// RFC 7231's IMF-fixdate, "Wed, 06 May 2024 07:08:09 GMT" (whole seconds; the locale plays no part).
std::string format_http_date(std::chrono::system_clock::time_point t);

}  // namespace s3fcp
