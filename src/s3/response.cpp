#include "s3/response.h"

#include <array>
#include <ctime>

#include <fmt/format.h>
#include <pugixml.hpp>

#include "util/strings.h"

namespace s3fcp {

std::optional<ContentRange> parse_content_range(std::string_view value) {
  value = trim(value);
  if (!value.starts_with("bytes ")) return std::nullopt;
  value.remove_prefix(6);
  const auto slash = value.find('/');
  if (slash == std::string_view::npos) return std::nullopt;
  const std::string_view span = value.substr(0, slash);
  const std::string_view total = value.substr(slash + 1);
  ContentRange cr;
  if (total != "*") {
    cr.total = parse_decimal(total);
    if (!cr.total) return std::nullopt;
  }
  if (span == "*") return cr.total ? std::optional(cr) : std::nullopt;
  const auto dash = span.find('-');
  if (dash == std::string_view::npos) return std::nullopt;
  cr.first = parse_decimal(span.substr(0, dash));
  cr.last = parse_decimal(span.substr(dash + 1));
  if (!cr.first || !cr.last || *cr.last < *cr.first) return std::nullopt;
  return cr;
}

std::optional<S3ErrorBody> parse_s3_error(std::string_view body) {
  pugi::xml_document doc;
  if (!doc.load_buffer(body.data(), body.size())) return std::nullopt;
  const pugi::xml_node error = doc.child("Error");
  if (!error) return std::nullopt;
  S3ErrorBody out;
  out.code = error.child_value("Code");
  out.message = error.child_value("Message");
  out.request_id = error.child_value("RequestId");
  out.region = error.child_value("Region");
  if (const auto size = parse_decimal(error.child_value("ActualObjectSize"))) out.actual_object_size = size;
  if (out.code.empty()) return std::nullopt;
  return out;
}

std::optional<std::chrono::system_clock::time_point> parse_http_date(std::string_view value) {
  const std::string s(trim(value));
  std::tm tm{};
  const char* end = strptime(s.c_str(), "%a, %d %b %Y %H:%M:%S GMT", &tm);
  if (end == nullptr || *end != '\0') return std::nullopt;
  const time_t t = timegm(&tm);
  if (t == static_cast<time_t>(-1)) return std::nullopt;
  return std::chrono::system_clock::from_time_t(t);
}

std::optional<std::chrono::milliseconds> parse_retry_after(std::string_view value,
                                                           std::chrono::system_clock::time_point now) {
  value = trim(value);
  if (const auto secs = parse_decimal(value)) return std::chrono::milliseconds(std::min<uint64_t>(*secs, 3600) * 1000);
  if (const auto when = parse_http_date(value)) {
    const auto delta = std::chrono::duration_cast<std::chrono::milliseconds>(*when - now);
    return delta.count() > 0 ? delta : std::chrono::milliseconds(0);
  }
  return std::nullopt;
}

bool is_throttling_code(std::string_view code) {
  static constexpr std::array<std::string_view, 11> codes = {
      "SlowDown", "Throttling", "ThrottlingException", "ThrottledException", "RequestThrottledException",
      "TooManyRequestsException", "ProvisionedThroughputExceededException", "RequestLimitExceeded",
      "BandwidthLimitExceeded", "RequestThrottled", "EC2ThrottledException"};
  for (const auto c : codes) {
    if (code == c) return true;
  }
  return false;
}

bool is_expired_token_code(std::string_view code) {
  return code == "ExpiredToken" || code == "ExpiredTokenException" || code == "TokenRefreshRequired";
}

Error classify_http_error(long status, const std::optional<S3ErrorBody>& body, std::string_view request_id) {
  Error e;
  e.http_status = status;
  e.s3_code = body ? body->code : "";
  e.request_id = !request_id.empty() ? std::string(request_id) : body ? body->request_id : "";
  const std::string& code = e.s3_code;

  if (is_throttling_code(code) || code == "RequestTimeout" || code == "InternalError" ||
      code == "ServiceUnavailable" || code == "RequestTimeTooSkewed" || status == 429 || status >= 500) {
    e.kind = ErrorKind::Network;
    e.retryable = true;
  } else if (is_expired_token_code(code)) {
    e.kind = ErrorKind::Auth;  // retried once the credentials are refreshed (the engine reloads them)
    e.retryable = true;
  } else if (status == 412) {
    e.kind = ErrorKind::Changed;
  } else if (status == 404 || code == "NoSuchKey" || code == "NoSuchBucket" || code == "NoSuchVersion") {
    e.kind = ErrorKind::NotFound;
  } else if (code == "InvalidObjectState") {
    e.kind = ErrorKind::Other;  // a 403, but not about who asks: the object is archived (Glacier, Deep Archive)
  } else if (status == 401 || status == 403 || code == "AuthorizationHeaderMalformed" ||
             code == "InvalidAccessKeyId" || code == "SignatureDoesNotMatch" || code == "InvalidToken") {
    e.kind = ErrorKind::Auth;
  } else {
    e.kind = ErrorKind::Other;
  }

  if (status == 412 && code.empty()) e.s3_code = "PreconditionFailed";
  if (body && !body->message.empty()) {
    e.message = body->message;
    if (code == "InvalidObjectState") {
      e.message += " (an archived object is read after a restore: aws s3api restore-object)";
    }
  } else if (status == 412) {
    e.message = "At least one of the pre-conditions you specified did not hold";
  } else if (status == 404) {
    e.message = "not found";
  } else if (status == 403) {
    e.message = "access denied";
  } else if (status == 301 || status == 307) {
    e.message = "the bucket is in another region or needs another endpoint";
  } else {
    e.message = fmt::format("HTTP {}", status);
  }
  return e;
}

}  // namespace s3fcp
