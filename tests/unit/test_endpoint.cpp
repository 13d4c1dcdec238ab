// resolve_object_location: Host header, encoded path and URL for AWS's regional endpoints (virtual-hosted
// when the bucket is DNS-safe) and for custom endpoints (path-style unless forced), plus endpoint URL
// validation.
#include <gtest/gtest.h>

#include <string>

#include "s3/endpoint.h"

namespace s3fcp {
namespace {

ObjectLocation resolve_ok(const std::string& bucket, const std::string& key, const EndpointSettings& settings,
                          const std::string& version_id = "") {
  const auto loc = resolve_object_location(S3Uri{bucket, key}, settings, version_id);
  EXPECT_TRUE(loc.has_value()) << loc.error().message;
  return loc.value_or(ObjectLocation{});
}

EndpointSettings custom(const std::string& url, AddressingStyle style = AddressingStyle::Auto) {
  return {url, "us-east-1", style};
}

EndpointSettings aws(const std::string& region, AddressingStyle style = AddressingStyle::Auto) {
  return {"", region, style};
}

void expect_bad_endpoint(const std::string& url) {
  SCOPED_TRACE(url);
  const auto loc = resolve_object_location(S3Uri{"bucket", "key"}, custom(url), "");
  ASSERT_FALSE(loc.has_value()) << "accepted as host '" << loc->host << "' path '" << loc->canonical_uri
                                << "'";
  EXPECT_EQ(loc.error().kind, ErrorKind::Usage);
  EXPECT_NE(loc.error().message.find(url), std::string::npos) << loc.error().message;
}

// --- custom endpoints ---

TEST(EndpointTest, CustomEndpointIsPathStyle) {
  const auto loc = resolve_ok("bucket", "a b+c", custom("http://127.0.0.1:9000"));
  EXPECT_EQ(loc.scheme, "http");
  EXPECT_EQ(loc.host, "127.0.0.1:9000");
  EXPECT_EQ(loc.canonical_uri, "/bucket/a%20b%2Bc");
  EXPECT_TRUE(loc.query.empty());
  EXPECT_EQ(loc.url(), "http://127.0.0.1:9000/bucket/a%20b%2Bc");
}

TEST(EndpointTest, VersionIdGoesIntoTheQueryEncoded) {
  const auto loc = resolve_ok("bucket", "a b+c", custom("http://127.0.0.1:9000"), "3/L4kqtJl+0=x");
  ASSERT_EQ(loc.query.size(), 1u);
  EXPECT_EQ(loc.query[0].first, "versionId");
  EXPECT_EQ(loc.query[0].second, "3/L4kqtJl+0=x");  // raw: the signer encodes it
  EXPECT_EQ(loc.url(), "http://127.0.0.1:9000/bucket/a%20b%2Bc?versionId=3%2FL4kqtJl%2B0%3Dx");
}

TEST(EndpointTest, KeyIsEncodedOnceAndNotNormalised) {
  const auto loc = resolve_ok("bucket", "a//b/./c/../d/", custom("http://minio:9000"));
  EXPECT_EQ(loc.canonical_uri, "/bucket/a//b/./c/../d/");
  const auto pct = resolve_ok("bucket", "100%/a%20b?c#d=e&f", custom("http://minio:9000"));
  EXPECT_EQ(pct.canonical_uri, "/bucket/100%25/a%2520b%3Fc%23d%3De%26f");
  const auto utf8 = resolve_ok("bucket", "d\xC3\xA9j\xC3\xA0~_-.", custom("http://minio:9000"));
  EXPECT_EQ(utf8.canonical_uri, "/bucket/d%C3%A9j%C3%A0~_-.");
}

TEST(EndpointTest, DefaultPortIsDropped) {
  EXPECT_EQ(resolve_ok("bucket", "k", custom("http://h:80")).host, "h");
  EXPECT_EQ(resolve_ok("bucket", "k", custom("https://h:443")).host, "h");
  // Only the scheme's own default port.
  EXPECT_EQ(resolve_ok("bucket", "k", custom("http://h:443")).host, "h:443");
  EXPECT_EQ(resolve_ok("bucket", "k", custom("https://h:80")).host, "h:80");
  EXPECT_EQ(resolve_ok("bucket", "k", custom("http://h:80")).url(), "http://h/bucket/k");
}

TEST(EndpointTest, SchemeAndHostAreCaseInsensitive) {
  const auto loc = resolve_ok("bucket", "Key", custom("HTTPS://MinIO.Example.COM:9000"));
  EXPECT_EQ(loc.scheme, "https");
  EXPECT_EQ(loc.host, "minio.example.com:9000");
  EXPECT_EQ(loc.canonical_uri, "/bucket/Key");  // the key keeps its case
}

TEST(EndpointTest, PathPrefixIsKept) {
  const auto loc = resolve_ok("bucket", "k", custom("http://gw.local:8080/s3/"));
  EXPECT_EQ(loc.host, "gw.local:8080");
  EXPECT_EQ(loc.canonical_uri, "/s3/bucket/k");
  EXPECT_EQ(loc.url(), "http://gw.local:8080/s3/bucket/k");
  EXPECT_EQ(resolve_ok("bucket", "k", custom("http://gw.local/a/b")).canonical_uri, "/a/b/bucket/k");
}

TEST(EndpointTest, IPv6Endpoint) {
  EXPECT_EQ(resolve_ok("bucket", "k", custom("http://[::1]:9000")).host, "[::1]:9000");
  EXPECT_EQ(resolve_ok("bucket", "k", custom("http://[::1]")).host, "[::1]");
  EXPECT_EQ(resolve_ok("bucket", "k", custom("http://[::1]:80")).host, "[::1]");
}

TEST(EndpointTest, CustomEndpointForcedVirtual) {
  const auto loc = resolve_ok("bucket", "k", custom("https://s3.example.com", AddressingStyle::Virtual));
  EXPECT_EQ(loc.host, "bucket.s3.example.com");
  EXPECT_EQ(loc.canonical_uri, "/k");
  EXPECT_EQ(loc.url(), "https://bucket.s3.example.com/k");
}

// --- AWS's regional endpoints ---

TEST(EndpointTest, AwsDefaultIsVirtualHosted) {
  const auto loc = resolve_ok("bucket", "key", aws("us-west-2"));
  EXPECT_EQ(loc.scheme, "https");
  EXPECT_EQ(loc.host, "bucket.s3.us-west-2.amazonaws.com");
  EXPECT_EQ(loc.canonical_uri, "/key");
  EXPECT_EQ(loc.url(), "https://bucket.s3.us-west-2.amazonaws.com/key");
}

TEST(EndpointTest, AwsVirtualHostedWithVersionId) {
  const auto loc = resolve_ok("bucket", "dir/a b", aws("eu-central-1"), "v1");
  EXPECT_EQ(loc.url(), "https://bucket.s3.eu-central-1.amazonaws.com/dir/a%20b?versionId=v1");
}

TEST(EndpointTest, AwsDottedBucketFallsBackToPathStyle) {
  const auto loc = resolve_ok("my.bucket", "key", aws("us-west-2"));
  EXPECT_EQ(loc.host, "s3.us-west-2.amazonaws.com");
  EXPECT_EQ(loc.canonical_uri, "/my.bucket/key");
}

TEST(EndpointTest, AwsUppercaseOrUnderscoreBucketFallsBackToPathStyle) {
  const auto upper = resolve_ok("MyBucket", "key", aws("us-west-2"));
  EXPECT_EQ(upper.host, "s3.us-west-2.amazonaws.com");
  EXPECT_EQ(upper.canonical_uri, "/MyBucket/key");
  const auto underscore = resolve_ok("my_bucket", "key", aws("us-west-2"));
  EXPECT_EQ(underscore.host, "s3.us-west-2.amazonaws.com");
  EXPECT_EQ(underscore.canonical_uri, "/my_bucket/key");
}

TEST(EndpointTest, AwsForcedPath) {
  const auto loc = resolve_ok("bucket", "key", aws("us-west-2", AddressingStyle::Path));
  EXPECT_EQ(loc.host, "s3.us-west-2.amazonaws.com");
  EXPECT_EQ(loc.canonical_uri, "/bucket/key");
  EXPECT_EQ(loc.url(), "https://s3.us-west-2.amazonaws.com/bucket/key");
}

TEST(EndpointTest, AwsForcedVirtualEvenWithDots) {
  const auto loc = resolve_ok("my.bucket", "key", aws("us-west-2", AddressingStyle::Virtual));
  EXPECT_EQ(loc.host, "my.bucket.s3.us-west-2.amazonaws.com");
  EXPECT_EQ(loc.canonical_uri, "/key");
}

TEST(EndpointTest, ForcedVirtualRejectsUnderscoreBucket) {
  const auto loc =
      resolve_object_location(S3Uri{"my_bucket", "k"}, aws("us-west-2", AddressingStyle::Virtual), "");
  ASSERT_FALSE(loc.has_value());
  EXPECT_EQ(loc.error().kind, ErrorKind::Usage);
}

TEST(EndpointTest, ChinaRegionsUseTheirOwnDomain) {
  EXPECT_EQ(resolve_ok("bucket", "k", aws("cn-north-1")).host, "bucket.s3.cn-north-1.amazonaws.com.cn");
  EXPECT_EQ(resolve_ok("bucket", "k", aws("cn-northwest-1", AddressingStyle::Path)).host,
            "s3.cn-northwest-1.amazonaws.com.cn");
}

// --- bad endpoint URLs ---

TEST(EndpointTest, RejectsOtherSchemes) {
  expect_bad_endpoint("ftp://h:21");
  expect_bad_endpoint("s3://h");
  expect_bad_endpoint("h:9000");
  expect_bad_endpoint("127.0.0.1");
}

TEST(EndpointTest, RejectsMissingHost) {
  expect_bad_endpoint("http://");
  expect_bad_endpoint("http:///path");
}

TEST(EndpointTest, RejectsUserInfo) { expect_bad_endpoint("http://user:secret@h:9000"); }

TEST(EndpointTest, RejectsBadPort) {
  expect_bad_endpoint("http://h:");
  expect_bad_endpoint("http://h:abc");
  expect_bad_endpoint("http://h:0");
  expect_bad_endpoint("http://h:65536");
  expect_bad_endpoint("http://h:-1");
  expect_bad_endpoint("http://h:9000x");
}

TEST(EndpointTest, RejectsQueryWithoutPath) { expect_bad_endpoint("http://h:9000?x=1"); }

// Known to fail at the time of writing: the port is checked but the host before it is not, so the Host header
// becomes ":9000" (or "" once a default port is dropped).
TEST(EndpointTest, RejectsPortWithoutHost) {
  expect_bad_endpoint("http://:9000");
  expect_bad_endpoint("http://:80");
}

// Known to fail at the time of writing: a query or fragment after a path is not rejected but becomes part of
// the path prefix, so the canonical URI reads "/p?x=1/bucket/key".
TEST(EndpointTest, RejectsQueryOrFragmentAfterPath) {
  expect_bad_endpoint("http://h:9000/p?x=1");
  expect_bad_endpoint("http://h:9000/p#frag");
}

TEST(AddressingStyleTest, Parses) {
  EXPECT_EQ(parse_addressing_style("auto").value(), AddressingStyle::Auto);
  EXPECT_EQ(parse_addressing_style("path").value(), AddressingStyle::Path);
  EXPECT_EQ(parse_addressing_style("virtual").value(), AddressingStyle::Virtual);
  const auto bad = parse_addressing_style("vhost");
  ASSERT_FALSE(bad.has_value());
  EXPECT_EQ(bad.error().kind, ErrorKind::Usage);
}

}  // namespace
}  // namespace s3fcp

namespace s3fcp {
TEST(EndpointTest, DualStackAndFipsEndpointsFollowTheAwsCliNames) {
  EndpointSettings settings;
  settings.region = "us-gov-west-1";
  settings.fips = true;
  auto loc = resolve_object_location(S3Uri{"bucket", "k"}, settings, "");
  ASSERT_TRUE(loc.has_value());
  EXPECT_EQ(loc->host, "bucket.s3-fips.us-gov-west-1.amazonaws.com");
  settings.dualstack = true;
  loc = resolve_object_location(S3Uri{"bucket", "k"}, settings, "");
  ASSERT_TRUE(loc.has_value());
  EXPECT_EQ(loc->host, "bucket.s3-fips.dualstack.us-gov-west-1.amazonaws.com");
  settings.fips = false;
  settings.region = "eu-west-1";
  loc = resolve_object_location(S3Uri{"my.dotted.bucket", "k"}, settings, "");
  ASSERT_TRUE(loc.has_value());
  EXPECT_EQ(loc->host, "s3.dualstack.eu-west-1.amazonaws.com");
  EXPECT_EQ(loc->canonical_uri, "/my.dotted.bucket/k");
}
TEST(EndpointTest, AnAccessPointIsAddressedByItsOwnHostInItsArnsRegion) {
  const std::string ap = "arn:aws:s3:us-west-2:123456789012:accesspoint/my-ap";
  EndpointSettings settings;
  settings.region = "eu-west-1";  // the configured region: the ARN's wins
  auto loc = resolve_object_location(S3Uri{ap, "dir/a b.bin"}, settings, "v1");
  ASSERT_TRUE(loc.has_value()) << loc.error().message;
  EXPECT_EQ(loc->host, "my-ap-123456789012.s3-accesspoint.us-west-2.amazonaws.com");
  EXPECT_EQ(loc->canonical_uri, "/dir/a%20b.bin");
  EXPECT_EQ(loc->url(), "https://my-ap-123456789012.s3-accesspoint.us-west-2.amazonaws.com/dir/a%20b.bin?versionId=v1");
  settings.fips = settings.dualstack = true;
  loc = resolve_object_location(S3Uri{ap, ""}, settings, "");
  ASSERT_TRUE(loc.has_value());
  EXPECT_EQ(loc->host, "my-ap-123456789012.s3-accesspoint-fips.dualstack.us-west-2.amazonaws.com");
  EXPECT_EQ(loc->canonical_uri, "/");
  loc = resolve_object_location(S3Uri{"arn:aws-cn:s3:cn-north-1:123456789012:accesspoint/my-ap", "k"}, {}, "");
  ASSERT_TRUE(loc.has_value());
  EXPECT_EQ(loc->host, "my-ap-123456789012.s3-accesspoint.cn-north-1.amazonaws.com.cn");
}

TEST(EndpointTest, AnAccessPointBelowACustomEndpointAndNeverPathStyle) {
  const std::string ap = "arn:aws:s3:us-west-2:123456789012:accesspoint/my-ap";
  const ObjectLocation loc = resolve_ok(ap, "k", custom("http://vpce-1.example:8080/base/"));
  EXPECT_EQ(loc.scheme, "http");
  EXPECT_EQ(loc.host, "my-ap-123456789012.vpce-1.example:8080");
  EXPECT_EQ(loc.canonical_uri, "/base/k");
  const auto path = resolve_object_location(S3Uri{ap, "k"}, aws("us-west-2", AddressingStyle::Path), "");
  ASSERT_FALSE(path.has_value());
  EXPECT_EQ(path.error().kind, ErrorKind::Usage);
}

}  // namespace s3fcp
