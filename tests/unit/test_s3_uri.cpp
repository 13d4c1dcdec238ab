// parse_s3_uri: the key is taken literally (no decoding, no normalisation), the bucket is everything up to
// the first '/', and malformed sources are usage errors. is_dns_compatible_bucket decides virtual-hosted
// addressing.
#include <gtest/gtest.h>

#include <string>

#include "s3/s3_uri.h"

namespace s3fcp {
namespace {

// Parses `text` and expects success with exactly this bucket and key.
void expect_parsed(const std::string& text, const std::string& bucket, const std::string& key) {
  SCOPED_TRACE(text);
  const auto uri = parse_s3_uri(text);
  ASSERT_TRUE(uri.has_value()) << uri.error().message;
  EXPECT_EQ(uri->bucket, bucket);
  EXPECT_EQ(uri->key, key);
  EXPECT_EQ(uri->str(), text);  // round-trips byte for byte
}

void expect_usage_error(const std::string& text) {
  SCOPED_TRACE(text);
  const auto uri = parse_s3_uri(text);
  ASSERT_FALSE(uri.has_value()) << "parsed as bucket '" << uri->bucket << "' key '" << uri->key << "'";
  EXPECT_EQ(uri.error().kind, ErrorKind::Usage);
  EXPECT_FALSE(uri.error().message.empty());
}

TEST(S3UriTest, SimpleBucketAndKey) {
  expect_parsed("s3://my-bucket/path/to/file.bin", "my-bucket", "path/to/file.bin");
}

TEST(S3UriTest, KeyWithSpacesIsLiteral) { expect_parsed("s3://b1/a b  c.txt", "b1", "a b  c.txt"); }

TEST(S3UriTest, KeyWithUnicodeIsLiteral) {
  expect_parsed("s3://b1/d\xC3\xA9j\xC3\xA0/\xE6\x97\xA5\xE6\x9C\xAC.txt", "b1",
                "d\xC3\xA9j\xC3\xA0/\xE6\x97\xA5\xE6\x9C\xAC.txt");
}

TEST(S3UriTest, KeyWithPlusAndEqualsIsLiteral) { expect_parsed("s3://b1/a+b=c", "b1", "a+b=c"); }

TEST(S3UriTest, PercentIsNotDecoded) {
  expect_parsed("s3://b1/a%20b%2Fc", "b1", "a%20b%2Fc");
  expect_parsed("s3://b1/100%", "b1", "100%");
}

TEST(S3UriTest, QuestionMarkAndHashArePartOfTheKey) {
  expect_parsed("s3://b1/what?versionId=x", "b1", "what?versionId=x");
  expect_parsed("s3://b1/a#frag", "b1", "a#frag");
}

TEST(S3UriTest, DoubleSlashIsNotCollapsed) {
  expect_parsed("s3://b1/a//b", "b1", "a//b");
  expect_parsed("s3://b1//leading", "b1", "/leading");
}

TEST(S3UriTest, DotSegmentsAreNotNormalised) {
  expect_parsed("s3://b1/./a", "b1", "./a");
  expect_parsed("s3://b1/a/../b", "b1", "a/../b");
}

TEST(S3UriTest, TrailingSlashIsKept) { expect_parsed("s3://b1/dir/", "b1", "dir/"); }

TEST(S3UriTest, BucketEndsAtFirstSlash) {
  expect_parsed("s3://my.dotted.bucket/k", "my.dotted.bucket", "k");
  expect_parsed("s3://b1/x/y/z", "b1", "x/y/z");
}

TEST(S3UriTest, KeyOfExactly1024BytesIsAccepted) {
  const std::string key(1024, 'k');
  expect_parsed("s3://b1/" + key, "b1", key);
}

TEST(S3UriTest, RejectsOtherSchemes) {
  expect_usage_error("https://bucket/key");
  expect_usage_error("S3://bucket/key");
  expect_usage_error("s3:/bucket/key");
  expect_usage_error("bucket/key");
  expect_usage_error("");
}

TEST(S3UriTest, RejectsMissingBucketOrKey) {
  expect_usage_error("s3://");
  expect_usage_error("s3:///key");
  expect_usage_error("s3://bucket");
  expect_usage_error("s3://bucket/");
}

TEST(S3UriTest, RejectsBadBucketCharacters) {
  expect_usage_error("s3://my bucket/key");
  expect_usage_error("s3://bu@cket/key");
  expect_usage_error("s3://bucket?x/key");
  expect_usage_error("s3://b\xC3\xA9/key");
}

TEST(S3UriTest, RejectsKeyLongerThan1024Bytes) {
  expect_usage_error("s3://b1/" + std::string(1025, 'k'));
  // 513 two-byte characters: 1026 bytes, although only 513 characters.
  std::string key;
  for (int i = 0; i < 513; ++i) key += "\xC3\xA9";
  expect_usage_error("s3://b1/" + key);
}

TEST(S3UriTest, DnsCompatibleBuckets) {
  EXPECT_TRUE(is_dns_compatible_bucket("my-bucket"));
  EXPECT_TRUE(is_dns_compatible_bucket("abc"));
  EXPECT_TRUE(is_dns_compatible_bucket("bucket123"));
  EXPECT_TRUE(is_dns_compatible_bucket(std::string(63, 'a')));
}

TEST(S3UriTest, DnsIncompatibleBuckets) {
  EXPECT_FALSE(is_dns_compatible_bucket("my.bucket"));  // dots break TLS wildcard certificates
  EXPECT_FALSE(is_dns_compatible_bucket("MyBucket"));
  EXPECT_FALSE(is_dns_compatible_bucket("my_bucket"));
  EXPECT_FALSE(is_dns_compatible_bucket("ab"));
  EXPECT_FALSE(is_dns_compatible_bucket(std::string(64, 'a')));
  EXPECT_FALSE(is_dns_compatible_bucket("-bucket"));
  EXPECT_FALSE(is_dns_compatible_bucket("bucket-"));
  EXPECT_FALSE(is_dns_compatible_bucket(""));
}

TEST(S3UriTest, RejectsKeysThatAreNotUtf8) {
  for (const std::string key : {"bad\xffname", "x\xc0\xaf", "\xed\xa0\x80", "cut\xe2\x82"}) {
    SCOPED_TRACE(key);
    auto uri = parse_s3_uri("s3://b/" + key);
    ASSERT_FALSE(uri.has_value());
    EXPECT_EQ(uri.error().kind, ErrorKind::Usage);
    EXPECT_EQ(uri.error().message, "object key not UTF-8 (as S3 keys must be) in 's3://b/" + key + "'");
    EXPECT_FALSE(parse_s3_prefix("s3://b/" + key).has_value());
  }
  EXPECT_EQ(parse_s3_uri("s3://b/caf\xc3\xa9/\xf0\x9f\x93\xa6").value().key, "caf\xc3\xa9/\xf0\x9f\x93\xa6");
  EXPECT_EQ(invalid_key_reason(""), std::nullopt);
  EXPECT_EQ(invalid_key_reason(std::string(1025, 'k')), "object key longer than 1024 bytes");
}

// An access point's ARN stands where the bucket does, '/' and all.
TEST(S3UriTest, AccessPointArnInPlaceOfTheBucket) {
  expect_parsed("s3://arn:aws:s3:us-west-2:123456789012:accesspoint/my-ap/dir/k.bin",
                "arn:aws:s3:us-west-2:123456789012:accesspoint/my-ap", "dir/k.bin");
  expect_parsed("s3://arn:aws-cn:s3:cn-north-1:123456789012:accesspoint:my-ap/k",
                "arn:aws-cn:s3:cn-north-1:123456789012:accesspoint:my-ap", "k");
  const auto prefix = parse_s3_prefix("s3://arn:aws:s3:us-west-2:123456789012:accesspoint/my-ap");
  ASSERT_TRUE(prefix.has_value()) << prefix.error().message;
  EXPECT_EQ(prefix->bucket, "arn:aws:s3:us-west-2:123456789012:accesspoint/my-ap");
  EXPECT_EQ(prefix->key, "");
  expect_usage_error("s3://arn:aws:s3:us-west-2:123456789012:accesspoint/my-ap/");  // no key
}

TEST(S3UriTest, ArnsThatNameNoReachableAccessPointAreUsageErrors) {
  expect_usage_error("s3://arn:aws:s3::123456789012:accesspoint/mrap.alias/k");        // multi-region: SigV4A
  expect_usage_error("s3://arn:aws:s3-outposts:us-west-2:123456789012:outpost/o/k");    // Outposts
  expect_usage_error("s3://arn:aws:s3-object-lambda:us-west-2:123456789012:accesspoint/ol/k");
  expect_usage_error("s3://arn:aws:s3:us-west-2:12345:accesspoint/my-ap/k");            // account not 12 digits
  expect_usage_error("s3://arn:other:s3:us-west-2:123456789012:accesspoint/my-ap/k");   // partition
  expect_usage_error("s3://arn:aws:s3:us-west-2:123456789012:bucket/b/k");              // not an access point
  expect_usage_error("s3://arn:aws:s3:us-west-2:123456789012:accesspoint/My_AP/k");     // name
  expect_usage_error("s3://arn:aws:s3:us-west-2/k");                                    // too few fields
}

TEST(S3UriTest, AccessPointArnFields) {
  const auto arn = parse_access_point_arn("arn:aws-us-gov:s3:us-gov-west-1:123456789012:accesspoint/ap-1");
  ASSERT_TRUE(arn.has_value() && arn->has_value());
  EXPECT_EQ((*arn)->partition, "aws-us-gov");
  EXPECT_EQ((*arn)->region, "us-gov-west-1");
  EXPECT_EQ((*arn)->account, "123456789012");
  EXPECT_EQ((*arn)->name, "ap-1");
  const auto plain = parse_access_point_arn("my-bucket");
  ASSERT_TRUE(plain.has_value());
  EXPECT_FALSE(plain->has_value());
}

}  // namespace
}  // namespace s3fcp
