// Reading S3's answers: Content-Range, error XML as S3 really sends it, HTTP dates, Retry-After, and the
// classification of HTTP errors into kinds and retryable / not retryable.
#include <gtest/gtest.h>

#include <chrono>
#include <optional>
#include <string>

#include "s3/response.h"

namespace s3fcp {
namespace {

using namespace std::chrono_literals;

// --- Content-Range ---

TEST(ContentRangeTest, FullForm) {
  const auto cr = parse_content_range("bytes 0-9/100");
  ASSERT_TRUE(cr.has_value());
  EXPECT_EQ(cr->first, 0u);
  EXPECT_EQ(cr->last, 9u);
  EXPECT_EQ(cr->total, 100u);
}

TEST(ContentRangeTest, LargeValuesAndLastByte) {
  const auto cr = parse_content_range("bytes 10737418232-10737418239/10737418240");
  ASSERT_TRUE(cr.has_value());
  EXPECT_EQ(cr->first, 10737418232u);
  EXPECT_EQ(cr->last, 10737418239u);
  EXPECT_EQ(cr->total, 10737418240u);
}

TEST(ContentRangeTest, SurroundingWhitespaceIsIgnored) {
  const auto cr = parse_content_range("  bytes 5-5/6\r\n");
  ASSERT_TRUE(cr.has_value());
  EXPECT_EQ(cr->first, 5u);
  EXPECT_EQ(cr->last, 5u);
  EXPECT_EQ(cr->total, 6u);
}

TEST(ContentRangeTest, UnsatisfiedRangeGivesOnlyTheTotal) {
  const auto empty = parse_content_range("bytes */0");
  ASSERT_TRUE(empty.has_value());
  EXPECT_FALSE(empty->first.has_value());
  EXPECT_FALSE(empty->last.has_value());
  EXPECT_EQ(empty->total, 0u);
  const auto some = parse_content_range("bytes */12345");
  ASSERT_TRUE(some.has_value());
  EXPECT_EQ(some->total, 12345u);
}

TEST(ContentRangeTest, UnknownTotal) {
  const auto cr = parse_content_range("bytes 0-9/*");
  ASSERT_TRUE(cr.has_value());
  EXPECT_EQ(cr->first, 0u);
  EXPECT_EQ(cr->last, 9u);
  EXPECT_FALSE(cr->total.has_value());
}

TEST(ContentRangeTest, RejectsMalformed) {
  for (const char* bad : {"", "bytes", "bytes ", "bytes 0-9", "bytes=0-9/100", "items 0-9/100", "0-9/100",
                          "bytes */*", "bytes 0-/100", "bytes -9/100", "bytes 9-0/100", "bytes a-9/100",
                          "bytes 0-9/abc", "bytes 0-9/", "bytes 09/100", "bytes 0-9/100x", "bytes 0 - 9/100",
                          "bytes +0-9/100", "bytes 0-99999999999999999999/*"}) {
    EXPECT_FALSE(parse_content_range(bad).has_value()) << "'" << bad << "'";
  }
}

TEST(ContentRangeTest, LastAtOrBeyondTotalParsesButIsInconsistent) {
  for (const char* text : {"bytes 0-100/100", "bytes 0-0/0", "bytes 50-200/100", "bytes 5-9/3"}) {
    const auto cr = parse_content_range(text);
    ASSERT_TRUE(cr.has_value()) << text;
    EXPECT_FALSE(cr->consistent()) << text;
  }
  for (const char* text : {"bytes 0-99/100", "bytes */0", "bytes 0-9/*"}) {
    const auto cr = parse_content_range(text);
    ASSERT_TRUE(cr.has_value()) << text;
    EXPECT_TRUE(cr->consistent()) << text;
  }
}

// --- error XML ---

constexpr const char* kNoSuchKey = R"(<?xml version="1.0" encoding="UTF-8"?>
<Error><Code>NoSuchKey</Code><Message>The specified key does not exist.</Message><Key>missing.bin</Key><RequestId>4442587FB7D0A2F9</RequestId><HostId>vHXcaWeJ5mT+Bq/E8qYDRZM5LxI=</HostId></Error>)";

constexpr const char* kInvalidRange = R"(<?xml version="1.0" encoding="UTF-8"?>
<Error>
  <Code>InvalidRange</Code>
  <Message>The requested range is not satisfiable</Message>
  <RangeRequested>bytes=0-8388607</RangeRequested>
  <ActualObjectSize>0</ActualObjectSize>
  <RequestId>TX8BNHQ2M8KZ1ZYJ</RequestId>
  <HostId>7Eq8i4ER7cMc0cT4lLw=</HostId>
</Error>
)";

constexpr const char* kPermanentRedirect = R"(<?xml version="1.0" encoding="UTF-8"?>
<Error><Code>PermanentRedirect</Code><Message>The bucket you are attempting to access must be addressed using the specified endpoint. Please send all future requests to this endpoint.</Message><Endpoint>bucket.s3.eu-west-1.amazonaws.com</Endpoint><Bucket>bucket</Bucket><Region>eu-west-1</Region><RequestId>ABC123</RequestId><HostId>xyz=</HostId></Error>)";

TEST(S3ErrorTest, NoSuchKey) {
  const auto e = parse_s3_error(kNoSuchKey);
  ASSERT_TRUE(e.has_value());
  EXPECT_EQ(e->code, "NoSuchKey");
  EXPECT_EQ(e->message, "The specified key does not exist.");
  EXPECT_EQ(e->request_id, "4442587FB7D0A2F9");
  EXPECT_TRUE(e->region.empty());
  EXPECT_FALSE(e->actual_object_size.has_value());
}

TEST(S3ErrorTest, InvalidRangeCarriesActualObjectSize) {
  const auto e = parse_s3_error(kInvalidRange);
  ASSERT_TRUE(e.has_value());
  EXPECT_EQ(e->code, "InvalidRange");
  EXPECT_EQ(e->request_id, "TX8BNHQ2M8KZ1ZYJ");
  ASSERT_TRUE(e->actual_object_size.has_value());
  EXPECT_EQ(*e->actual_object_size, 0u);
}

TEST(S3ErrorTest, PermanentRedirectCarriesRegion) {
  const auto e = parse_s3_error(kPermanentRedirect);
  ASSERT_TRUE(e.has_value());
  EXPECT_EQ(e->code, "PermanentRedirect");
  EXPECT_EQ(e->region, "eu-west-1");
  EXPECT_EQ(e->request_id, "ABC123");
}

TEST(S3ErrorTest, NotS3ErrorXml) {
  EXPECT_FALSE(parse_s3_error("").has_value());
  EXPECT_FALSE(parse_s3_error("Service Unavailable").has_value());
  EXPECT_FALSE(parse_s3_error("<html><body><h1>502 Bad Gateway</h1></body></html>").has_value());
  EXPECT_FALSE(parse_s3_error("<Error><Code>Truncated").has_value());
  EXPECT_FALSE(parse_s3_error("<Error><Message>no code</Message></Error>").has_value());
  EXPECT_FALSE(parse_s3_error("<ListBucketResult><Name>b</Name></ListBucketResult>").has_value());
}

// --- HTTP dates and Retry-After ---

TEST(HttpDateTest, ImfFixdate) {
  const auto t = parse_http_date("Sun, 06 Nov 1994 08:49:37 GMT");
  ASSERT_TRUE(t.has_value());
  EXPECT_EQ(std::chrono::system_clock::to_time_t(*t), 784111777);
}

TEST(HttpDateTest, AnotherDate) {
  const auto t = parse_http_date("Fri, 24 May 2013 00:00:00 GMT");
  ASSERT_TRUE(t.has_value());
  EXPECT_EQ(std::chrono::system_clock::to_time_t(*t), 1369353600);
}

TEST(HttpDateTest, RejectsOtherForms) {
  EXPECT_FALSE(parse_http_date("").has_value());
  EXPECT_FALSE(parse_http_date("yesterday").has_value());
  EXPECT_FALSE(parse_http_date("1994-11-06T08:49:37Z").has_value());
  EXPECT_FALSE(parse_http_date("Sun, 06 Nov 1994 08:49:37 GMT trailing").has_value());
}

TEST(RetryAfterTest, Seconds) {
  const auto now = std::chrono::system_clock::from_time_t(784111777);
  EXPECT_EQ(parse_retry_after("120", now), 120000ms);
  EXPECT_EQ(parse_retry_after("0", now), 0ms);
  EXPECT_EQ(parse_retry_after(" 3 ", now), 3000ms);
}

TEST(RetryAfterTest, HttpDateRelativeToNow) {
  const auto now = std::chrono::system_clock::from_time_t(784111777);  // Sun, 06 Nov 1994 08:49:37 GMT
  EXPECT_EQ(parse_retry_after("Sun, 06 Nov 1994 08:50:07 GMT", now), 30000ms);
  EXPECT_EQ(parse_retry_after("Sun, 06 Nov 1994 08:49:37 GMT", now), 0ms);
  EXPECT_EQ(parse_retry_after("Sun, 06 Nov 1994 08:00:00 GMT", now), 0ms);  // in the past: no wait
}

TEST(RetryAfterTest, Garbage) {
  const auto now = std::chrono::system_clock::from_time_t(784111777);
  EXPECT_FALSE(parse_retry_after("", now).has_value());
  EXPECT_FALSE(parse_retry_after("soon", now).has_value());
  EXPECT_FALSE(parse_retry_after("-5", now).has_value());
  EXPECT_FALSE(parse_retry_after("1.5", now).has_value());
}

// --- classification ---

std::optional<S3ErrorBody> body(const std::string& code, const std::string& message = "") {
  S3ErrorBody b;
  b.code = code;
  b.message = message;
  b.request_id = "BODYREQ";
  return b;
}

TEST(ClassifyTest, NoSuchKeyIsNotFound) {
  const Error e = classify_http_error(404, parse_s3_error(kNoSuchKey), "HDRREQ");
  EXPECT_EQ(e.kind, ErrorKind::NotFound);
  EXPECT_FALSE(e.retryable);
  EXPECT_EQ(e.http_status, 404);
  EXPECT_EQ(e.s3_code, "NoSuchKey");
  EXPECT_EQ(e.request_id, "HDRREQ");  // the header wins over the body
  EXPECT_EQ(e.message, "The specified key does not exist.");
}

TEST(ClassifyTest, RequestIdFallsBackToTheBody) {
  const Error e = classify_http_error(404, parse_s3_error(kNoSuchKey), "");
  EXPECT_EQ(e.request_id, "4442587FB7D0A2F9");
}

TEST(ClassifyTest, NotFoundWithoutBody) {
  const Error e = classify_http_error(404, std::nullopt, "");  // HEAD-like answers have no body
  EXPECT_EQ(e.kind, ErrorKind::NotFound);
  EXPECT_FALSE(e.retryable);
  EXPECT_FALSE(e.message.empty());
}

TEST(ClassifyTest, NoSuchBucketAndNoSuchVersionAreNotFound) {
  EXPECT_EQ(classify_http_error(404, body("NoSuchBucket"), "").kind, ErrorKind::NotFound);
  EXPECT_EQ(classify_http_error(404, body("NoSuchVersion"), "").kind, ErrorKind::NotFound);
  EXPECT_EQ(classify_http_error(400, body("NoSuchVersion"), "").kind, ErrorKind::NotFound);
}

TEST(ClassifyTest, AccessDeniedIsAuth) {
  const Error e = classify_http_error(403, body("AccessDenied", "Access Denied"), "");
  EXPECT_EQ(e.kind, ErrorKind::Auth);
  EXPECT_FALSE(e.retryable);
  EXPECT_EQ(e.s3_code, "AccessDenied");
  EXPECT_EQ(e.message, "Access Denied");
  EXPECT_EQ(classify_http_error(403, body("SignatureDoesNotMatch"), "").kind, ErrorKind::Auth);
  EXPECT_EQ(classify_http_error(403, std::nullopt, "").kind, ErrorKind::Auth);
}

TEST(ClassifyTest, AnArchivedObjectIsNotAnAccessProblem) {
  const Error e = classify_http_error(
      403, body("InvalidObjectState", "The operation is not valid for the object's storage class"), "");
  EXPECT_EQ(e.kind, ErrorKind::Other);  // exit 1, not 4: the credentials are fine
  EXPECT_FALSE(e.retryable);
  EXPECT_NE(e.message.find("restore-object"), std::string::npos) << e.message;
}

TEST(ClassifyTest, PreconditionFailedIsChanged) {
  const Error e = classify_http_error(412, std::nullopt, "");
  EXPECT_EQ(e.kind, ErrorKind::Changed);
  EXPECT_FALSE(e.retryable);
  EXPECT_EQ(e.s3_code, "PreconditionFailed");
  EXPECT_EQ(classify_http_error(412, body("PreconditionFailed"), "").kind, ErrorKind::Changed);
}

void expect_retryable_network(long status, const std::optional<S3ErrorBody>& b) {
  SCOPED_TRACE(testing::Message() << status << " " << (b ? b->code : "(no body)"));
  const Error e = classify_http_error(status, b, "");
  EXPECT_EQ(e.kind, ErrorKind::Network);
  EXPECT_TRUE(e.retryable);
  EXPECT_EQ(e.http_status, status);
}

TEST(ClassifyTest, ThrottlingAndServerErrorsAreRetryable) {
  expect_retryable_network(503, body("SlowDown", "Please reduce your request rate."));
  expect_retryable_network(500, body("InternalError", "We encountered an internal error. Please try again."));
  expect_retryable_network(503, body("ServiceUnavailable"));
  expect_retryable_network(502, std::nullopt);
  expect_retryable_network(504, std::nullopt);
  expect_retryable_network(429, std::nullopt);
  expect_retryable_network(400, body("RequestTimeout"));
  expect_retryable_network(403, body("RequestTimeTooSkewed"));
  expect_retryable_network(400, body("ThrottlingException"));
}

TEST(ClassifyTest, ClientErrorsAreNotRetryable) {
  const Error e = classify_http_error(400, body("InvalidArgument", "Invalid Argument"), "");
  EXPECT_EQ(e.kind, ErrorKind::Other);
  EXPECT_FALSE(e.retryable);
  EXPECT_EQ(e.s3_code, "InvalidArgument");
  const Error redirect = classify_http_error(301, parse_s3_error(kPermanentRedirect), "");
  EXPECT_FALSE(redirect.retryable);
  EXPECT_EQ(redirect.s3_code, "PermanentRedirect");
}

TEST(ClassifyTest, MessageWithoutBody) {
  EXPECT_EQ(classify_http_error(418, std::nullopt, "").message, "HTTP 418");
  EXPECT_FALSE(classify_http_error(301, std::nullopt, "").message.empty());
}

TEST(ClassifyTest, ThrottlingCodes) {
  EXPECT_TRUE(is_throttling_code("SlowDown"));
  EXPECT_TRUE(is_throttling_code("Throttling"));
  EXPECT_TRUE(is_throttling_code("RequestLimitExceeded"));
  EXPECT_FALSE(is_throttling_code("AccessDenied"));
  EXPECT_FALSE(is_throttling_code(""));
}

}  // namespace
}  // namespace s3fcp
