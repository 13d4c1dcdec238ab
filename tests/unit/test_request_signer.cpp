// RequestSigner's regions: a bucket's is the configured one until S3 says otherwise (followed once); an access
// point's is its ARN's, whatever is configured or said. Without credentials nothing is signed, and the URL is the
// access point's own.
#include <gtest/gtest.h>

#include "client/request_signer.h"

namespace s3fcp {
namespace {

const std::string kAccessPoint = "arn:aws:s3:us-west-2:123456789012:accesspoint/my-ap";

TEST(RequestSignerTest, ABucketFollowsWhatS3SaysOnce) {
  RequestSigner signer(EndpointSettings{"", "eu-west-1"}, nullptr, {});
  EXPECT_EQ(signer.region_of("b"), "eu-west-1");
  EXPECT_TRUE(signer.follow_region("b", "eu-central-1"));
  EXPECT_EQ(signer.region_of("b"), "eu-central-1");
  EXPECT_FALSE(signer.follow_region("b", "ap-south-1"));
}

TEST(RequestSignerTest, AnAccessPointsRegionIsItsArns) {
  RequestSigner signer(EndpointSettings{"", "eu-west-1"}, nullptr, {});
  EXPECT_EQ(signer.region_of(kAccessPoint), "us-west-2");
  EXPECT_FALSE(signer.follow_region(kAccessPoint, "eu-central-1"));
  EXPECT_EQ(signer.region_of(kAccessPoint), "us-west-2");
  Request r;
  r.target = Target{kAccessPoint, "k", std::nullopt};
  auto prepared = signer.prepare(r);
  ASSERT_TRUE(prepared.has_value()) << prepared.error().message;
  EXPECT_EQ(prepared->url, "https://my-ap-123456789012.s3-accesspoint.us-west-2.amazonaws.com/k");
}

}  // namespace
}  // namespace s3fcp
