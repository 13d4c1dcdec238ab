// Reading S3's answers: Content-Range, the XML error body, HTTP dates, Retry-After, and the classification
// of a failure into an ErrorKind plus "worth retrying or not" (the rules of docs/retries.md). Pure functions.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "util/decimal.h"
#include "util/error.h"

namespace s3fcp {

struct ContentRange {
  std::optional<uint64_t> first;  // absent for "bytes */TOTAL"
  std::optional<uint64_t> last;   // inclusive
  std::optional<uint64_t> total;  // absent for "bytes 0-9/*"
  // The span lies inside the total it states. "bytes 0-0/0" and "bytes 5-9/3" parse but are not consistent: such
  // an answer either proves the object empty (a total of 0) or is malformed; never wait for its body.
  bool consistent() const { return !first || !total || *last < *total; }
};
// The syntax only ("bytes FIRST-LAST/TOTAL", "bytes */TOTAL", "bytes FIRST-LAST/*"; LAST >= FIRST); see consistent().
std::optional<ContentRange> parse_content_range(std::string_view value);

struct S3ErrorBody {
  std::string code;
  std::string message;
  std::string request_id;
  std::string region;                        // <Region> of PermanentRedirect / AuthorizationHeaderMalformed
  std::optional<uint64_t> actual_object_size;  // <ActualObjectSize> of InvalidRange
};
// Parses `<Error><Code>…</Code>…</Error>`; nullopt when the body is not S3 error XML.
std::optional<S3ErrorBody> parse_s3_error(std::string_view body);

// RFC 7231 IMF-fixdate ("Sun, 06 Nov 1994 08:49:37 GMT").
std::optional<std::chrono::system_clock::time_point> parse_http_date(std::string_view value);

// Retry-After: delta-seconds or an HTTP date (relative to `now`).
std::optional<std::chrono::milliseconds> parse_retry_after(std::string_view value,
                                                           std::chrono::system_clock::time_point now);

bool is_throttling_code(std::string_view s3_code);
// The temporary credentials expired: refresh them and retry.
bool is_expired_token_code(std::string_view s3_code);

// Builds the Error for an HTTP error answer: kind, retryable, status, code, request id and a message.
Error classify_http_error(long status, const std::optional<S3ErrorBody>& body, std::string_view request_id);

}  // namespace s3fcp
