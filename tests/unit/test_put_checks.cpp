// What an upload holds an object's HEAD to: the multipart ETag S3 computes from the parts' ETags (the MD5 of their
// MD5s, "-N"), and whether an object's ETag is made of MD5s at all (not under SSE-KMS or SSE-C).
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "client/attempt.h"
#include "ops/put/put_checks.h"

namespace s3fcp {
namespace {

// Python: ms = [md5(b"aaaaa").hexdigest(), md5(b"bbb").hexdigest()];
//         md5(b"".join(bytes.fromhex(m) for m in ms)).hexdigest()
const std::string kPartA = "\"594f803b380a41396ed63dca39503542\"";
const std::string kPartB = "\"08f8e0260c64418510cefb2b06eee5cd\"";

TEST(MultipartEtagTest, IsTheMd5OfThePartsMd5sWithTheirCount) {
  EXPECT_EQ(multipart_etag({kPartA, kPartB}), "\"72d27afac8e2fbd3662861b9d607a02c-2\"");
}

TEST(MultipartEtagTest, DependsOnThePartsOrder) {
  EXPECT_NE(multipart_etag({kPartB, kPartA}), multipart_etag({kPartA, kPartB}));
}

TEST(MultipartEtagTest, TakesUpperCaseAndUnquotedPartEtags) {
  EXPECT_EQ(multipart_etag({"594F803B380A41396ED63DCA39503542", kPartB}), "\"72d27afac8e2fbd3662861b9d607a02c-2\"");
}

TEST(MultipartEtagTest, IsUnknownWhenAPartEtagIsNotAnMd5) {
  EXPECT_EQ(multipart_etag({kPartA, "\"0123\""}), std::nullopt);
  EXPECT_EQ(multipart_etag({kPartA, "\"72d27afac8e2fbd3662861b9d607a02c-2\""}), std::nullopt);
  EXPECT_EQ(multipart_etag({kPartA, "\"zz4f803b380a41396ed63dca39503542\""}), std::nullopt);
}

TEST(EtagFromMd5sTest, NotUnderSseKmsOrSseC) {
  ResponseHead plain;
  EXPECT_TRUE(etag_from_md5s(plain));
  ResponseHead s3;
  s3.headers = {{"x-amz-server-side-encryption", "AES256"}};
  EXPECT_TRUE(etag_from_md5s(s3));
  ResponseHead kms;
  kms.headers = {{"X-Amz-Server-Side-Encryption", "aws:kms"}};
  EXPECT_FALSE(etag_from_md5s(kms));
  ResponseHead dsse;
  dsse.headers = {{"x-amz-server-side-encryption", "aws:kms:dsse"}};
  EXPECT_FALSE(etag_from_md5s(dsse));
  ResponseHead sse_c;
  sse_c.headers = {{"x-amz-server-side-encryption-customer-algorithm", "AES256"}};
  EXPECT_FALSE(etag_from_md5s(sse_c));
}

}  // namespace
}  // namespace s3fcp
