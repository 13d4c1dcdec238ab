// S3's upload and listing XML: the examples of the S3 API reference (InitiateMultipartUpload,
// CompleteMultipartUpload with its success and its 200-with-Error answers, ListParts, ListMultipartUploads,
// ListObjectsV2), the whitespace S3 sends ahead of a slow Complete answer, encoding-type=url, pagination
// fields, and answers that are empty, cut short or of another kind.
#include <gtest/gtest.h>

#include <string>

#include <pugixml.hpp>

#include "s3/messages.h"

namespace s3fcp {
namespace {

// ---- CreateMultipartUpload ----

constexpr std::string_view kInitiateExample = R"(<?xml version="1.0" encoding="UTF-8"?>
<InitiateMultipartUploadResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">
  <Bucket>example-bucket</Bucket>
  <Key>example-object</Key>
  <UploadId>VXBsb2FkIElEIGZvciA2aWWpbmcncyBteS1tb3ZpZS5tMnRzIHVwbG9hZA</UploadId>
</InitiateMultipartUploadResult>)";

TEST(CreateMultipartUploadTest, ApiReferenceExample) {
  const auto id = parse_create_multipart_upload(kInitiateExample);
  ASSERT_TRUE(id.has_value()) << id.error().message;
  EXPECT_EQ(*id, "VXBsb2FkIElEIGZvciA2aWWpbmcncyBteS1tb3ZpZS5tMnRzIHVwbG9hZA");
}

TEST(CreateMultipartUploadTest, MissingUploadIdIsMalformed) {
  const auto id = parse_create_multipart_upload(
      "<InitiateMultipartUploadResult><Bucket>b</Bucket><UploadId></UploadId></"
      "InitiateMultipartUploadResult>",
      "REQ1");
  ASSERT_FALSE(id.has_value());
  EXPECT_TRUE(id.error().retryable);
  EXPECT_EQ(id.error().request_id, "REQ1");
  EXPECT_NE(id.error().message.find("UploadId"), std::string::npos) << id.error().message;
}

TEST(CreateMultipartUploadTest, ErrorDocumentIsTheS3Error) {
  const auto id = parse_create_multipart_upload(
      "<Error><Code>AccessDenied</Code><Message>Access Denied</Message><RequestId>R9</RequestId></Error>");
  ASSERT_FALSE(id.has_value());
  EXPECT_EQ(id.error().s3_code, "AccessDenied");
  EXPECT_EQ(id.error().request_id, "R9");
  EXPECT_FALSE(id.error().retryable);
}

// ---- CompleteMultipartUpload request ----

TEST(CompleteMultipartUploadBodyTest, PartsWithETagsInOrder) {
  const auto body = build_complete_multipart_upload(
      {{1, "\"a54357aff0632cce46d942af68356b38\"", {}}, {2, "\"0c78aef83f66abc1fa1e8477f296d394\"", {}}});
  ASSERT_TRUE(body.has_value()) << body.error().message;
  EXPECT_EQ(*body,
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>"
            "<CompleteMultipartUpload xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">"
            "<Part><ETag>\"a54357aff0632cce46d942af68356b38\"</ETag><PartNumber>1</PartNumber></Part>"
            "<Part><ETag>\"0c78aef83f66abc1fa1e8477f296d394\"</ETag><PartNumber>2</PartNumber></Part>"
            "</CompleteMultipartUpload>");
}

TEST(CompleteMultipartUploadBodyTest, ChecksumElementsByAlgorithm) {
  const auto body = build_complete_multipart_upload({
      {1, "\"e1\"", ExpectedChecksum{ChecksumAlgorithm::Crc64Nvme, "rosUhgp5mIg="}},
      {2, "\"e2\"", ExpectedChecksum{ChecksumAlgorithm::Crc32c, "4waSgw=="}},
      {3, "\"e3\"", ExpectedChecksum{ChecksumAlgorithm::Crc32, "y/Q5Jg=="}},
      {4, "\"e4\"", ExpectedChecksum{ChecksumAlgorithm::Sha1, "97Xl5zqaqHzJ8xr2ZbZ8Zb0ZrCA="}},
      {10000, "\"e5\"",
       ExpectedChecksum{ChecksumAlgorithm::Sha256, "FeKw08M4keuw8e9gnsQZQgwg4yDOlMZfvIwzEkSOsiU="}},
  });
  ASSERT_TRUE(body.has_value()) << body.error().message;
  EXPECT_NE(body->find("<Part><ChecksumCRC64NVME>rosUhgp5mIg=</ChecksumCRC64NVME><ETag>\"e1\"</ETag>"
                       "<PartNumber>1</PartNumber></Part>"),
            std::string::npos)
      << *body;
  EXPECT_NE(body->find("<ChecksumCRC32C>4waSgw==</ChecksumCRC32C>"), std::string::npos);
  EXPECT_NE(body->find("<ChecksumCRC32>y/Q5Jg==</ChecksumCRC32>"), std::string::npos);
  EXPECT_NE(body->find("<ChecksumSHA1>97Xl5zqaqHzJ8xr2ZbZ8Zb0ZrCA=</ChecksumSHA1>"), std::string::npos);
  EXPECT_NE(body->find("<ChecksumSHA256>FeKw08M4keuw8e9gnsQZQgwg4yDOlMZfvIwzEkSOsiU=</ChecksumSHA256>"),
            std::string::npos);
  EXPECT_NE(body->find("<PartNumber>10000</PartNumber>"), std::string::npos);
}

TEST(CompleteMultipartUploadBodyTest, ETagsAreEscaped) {
  const auto body = build_complete_multipart_upload({{1, "W/\"<a&b>\"", {}}});
  ASSERT_TRUE(body.has_value());
  EXPECT_NE(body->find("<ETag>W/\"&lt;a&amp;b&gt;\"</ETag>"), std::string::npos) << *body;
}

TEST(CompleteMultipartUploadBodyTest, RejectsWhatS3WouldRefuse) {
  EXPECT_FALSE(build_complete_multipart_upload({}).has_value());
  EXPECT_FALSE(build_complete_multipart_upload({{0, "\"e\"", {}}}).has_value());
  EXPECT_FALSE(build_complete_multipart_upload({{10001, "\"e\"", {}}}).has_value());
  EXPECT_FALSE(build_complete_multipart_upload({{2, "\"e\"", {}}, {1, "\"e\"", {}}}).has_value());
  EXPECT_FALSE(build_complete_multipart_upload({{1, "\"e\"", {}}, {1, "\"e\"", {}}}).has_value());
  EXPECT_FALSE(build_complete_multipart_upload({{1, "", {}}}).has_value());
  EXPECT_FALSE(build_complete_multipart_upload({{1, "\"a\nb\"", {}}}).has_value());
  EXPECT_FALSE(
      build_complete_multipart_upload({{1, "\"e\"", ExpectedChecksum{ChecksumAlgorithm::Md5, "abc"}}})
          .has_value());
  // Gaps are fine: S3 wants ascending numbers, not consecutive ones.
  EXPECT_TRUE(build_complete_multipart_upload({{1, "\"e\"", {}}, {7, "\"e\"", {}}}).has_value());
}

// The request body reads back as what was built, through an XML parser.
TEST(CompleteMultipartUploadBodyTest, ReadsBackThroughAnXmlParser) {
  const auto body = build_complete_multipart_upload(
      {{3, "\"x&y<z>\"", ExpectedChecksum{ChecksumAlgorithm::Crc32c, "4waSgw=="}}, {9, "\"e9\"", {}}});
  ASSERT_TRUE(body.has_value());
  pugi::xml_document doc;
  ASSERT_TRUE(doc.load_string(body->c_str()));
  const pugi::xml_node root = doc.child("CompleteMultipartUpload");
  EXPECT_STREQ(root.attribute("xmlns").value(), "http://s3.amazonaws.com/doc/2006-03-01/");
  const pugi::xml_node first = root.child("Part");
  EXPECT_STREQ(first.child_value("ETag"), "\"x&y<z>\"");
  EXPECT_STREQ(first.child_value("PartNumber"), "3");
  EXPECT_STREQ(first.child_value("ChecksumCRC32C"), "4waSgw==");
  EXPECT_STREQ(first.next_sibling("Part").child_value("PartNumber"), "9");
}

// ---- CompleteMultipartUpload answer ----

constexpr std::string_view kCompleteExample = R"(<?xml version="1.0" encoding="UTF-8"?>
<CompleteMultipartUploadResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">
  <Location>http://Example-Bucket.s3.amazonaws.com/Example-Object</Location>
  <Bucket>Example-Bucket</Bucket>
  <Key>Example-Object</Key>
  <ETag>"3858f62230ac3c915f300c664312c11f-9"</ETag>
</CompleteMultipartUploadResult>)";

// The API reference's "Sample Response with error specified in header": 200 OK, then this body.
constexpr std::string_view kCompleteErrorExample = R"(<?xml version="1.0" encoding="UTF-8"?>

<Error>
  <Code>InternalError</Code>
  <Message>We encountered an internal error. Please try again.</Message>
  <RequestId>656c76696e6727732072657175657374</RequestId>
  <HostId>Uuag1LuByRx9e6j5Onimru9pO4ZVKnJ2Qz7/C1NPcfTWAtRPfTaOFg==</HostId>
</Error>)";

TEST(CompleteMultipartUploadAnswerTest, ApiReferenceExample) {
  const auto done = parse_complete_multipart_upload(kCompleteExample);
  ASSERT_TRUE(done.has_value()) << done.error().message;
  EXPECT_EQ(done->location, "http://Example-Bucket.s3.amazonaws.com/Example-Object");
  EXPECT_EQ(done->bucket, "Example-Bucket");
  EXPECT_EQ(done->key, "Example-Object");
  EXPECT_EQ(done->etag, "\"3858f62230ac3c915f300c664312c11f-9\"");
  EXPECT_EQ(done->checksum, std::nullopt);
  EXPECT_EQ(done->checksum_type, "");
}

TEST(CompleteMultipartUploadAnswerTest, AfterKeepAliveWhitespace) {
  const std::string body = std::string(" \n \n\t\r\n          ") + std::string(kCompleteExample);
  const auto done = parse_complete_multipart_upload(body);
  ASSERT_TRUE(done.has_value()) << done.error().message;
  EXPECT_EQ(done->etag, "\"3858f62230ac3c915f300c664312c11f-9\"");
}

TEST(CompleteMultipartUploadAnswerTest, FullObjectChecksum) {
  const auto done = parse_complete_multipart_upload(
      R"(<CompleteMultipartUploadResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">)"
      "<Location>https://b.s3.us-east-1.amazonaws.com/k</Location><Bucket>b</Bucket><Key>k</Key>"
      "<ETag>&quot;d41d8cd98f00b204e9800998ecf8427e-2&quot;</ETag>"
      "<ChecksumCRC64NVME>rosUhgp5mIg=</ChecksumCRC64NVME><ChecksumType>FULL_OBJECT</ChecksumType>"
      "</CompleteMultipartUploadResult>");
  ASSERT_TRUE(done.has_value()) << done.error().message;
  EXPECT_EQ(done->etag, "\"d41d8cd98f00b204e9800998ecf8427e-2\"");
  EXPECT_EQ(done->checksum, (ExpectedChecksum{ChecksumAlgorithm::Crc64Nvme, "rosUhgp5mIg="}));
  EXPECT_EQ(done->checksum_type, "FULL_OBJECT");
}

TEST(CompleteMultipartUploadAnswerTest, CompositeChecksum) {
  const auto done = parse_complete_multipart_upload(
      "<CompleteMultipartUploadResult><ETag>\"e-3\"</ETag><ChecksumSHA256>abc=-3</ChecksumSHA256>"
      "<ChecksumType>COMPOSITE</ChecksumType></CompleteMultipartUploadResult>");
  ASSERT_TRUE(done.has_value());
  EXPECT_EQ(done->checksum, (ExpectedChecksum{ChecksumAlgorithm::Sha256, "abc=-3"}));
  EXPECT_EQ(done->checksum_type, "COMPOSITE");
}

TEST(CompleteMultipartUploadAnswerTest, ErrorIn200IsAFailure) {
  const auto done =
      parse_complete_multipart_upload(kCompleteErrorExample, "656c76696e6727732072657175657374");
  ASSERT_FALSE(done.has_value());
  const Error& e = done.error();
  EXPECT_EQ(e.s3_code, "InternalError");
  EXPECT_EQ(e.message, "We encountered an internal error. Please try again.");
  EXPECT_EQ(e.request_id, "656c76696e6727732072657175657374");
  EXPECT_EQ(e.http_status, 200);
  EXPECT_TRUE(e.retryable);
  EXPECT_EQ(e.kind, ErrorKind::Network);
}

TEST(CompleteMultipartUploadAnswerTest, ErrorAfterWhitespaceIsAFailure) {
  const std::string body = std::string(4096, ' ') + "\n" + std::string(kCompleteErrorExample);
  const auto done = parse_complete_multipart_upload(body);
  ASSERT_FALSE(done.has_value());
  EXPECT_EQ(done.error().s3_code, "InternalError");
  EXPECT_EQ(done.error().request_id, "656c76696e6727732072657175657374") << "from the body when no header";
  EXPECT_TRUE(done.error().retryable);
}

TEST(CompleteMultipartUploadAnswerTest, ErrorCodesKeepTheirUsualRetryRules) {
  const auto slow = parse_complete_multipart_upload(
      "  <Error><Code>SlowDown</Code><Message>Please reduce your request rate.</Message></Error>");
  ASSERT_FALSE(slow.has_value());
  EXPECT_TRUE(slow.error().retryable);
  const auto bad_digest = parse_complete_multipart_upload(
      "<Error><Code>BadDigest</Code><Message>The CRC64NVME you specified did not match the calculated "
      "checksum.</Message><RequestId>R</RequestId></Error>");
  ASSERT_FALSE(bad_digest.has_value());
  EXPECT_EQ(bad_digest.error().s3_code, "BadDigest");
  EXPECT_FALSE(bad_digest.error().retryable);
  const auto no_upload = parse_complete_multipart_upload(
      "<Error><Code>NoSuchUpload</Code><Message>The specified upload does not exist.</Message></Error>");
  ASSERT_FALSE(no_upload.has_value());
  EXPECT_EQ(no_upload.error().s3_code, "NoSuchUpload");
  EXPECT_FALSE(no_upload.error().retryable);
}

void expect_malformed(std::string_view body) {
  SCOPED_TRACE(testing::Message() << "body: [" << body << "]");
  const auto done = parse_complete_multipart_upload(body, "REQ");
  ASSERT_FALSE(done.has_value());
  EXPECT_TRUE(done.error().retryable);
  EXPECT_EQ(done.error().kind, ErrorKind::Network);
  EXPECT_EQ(done.error().request_id, "REQ");
  EXPECT_NE(done.error().message.find("malformed"), std::string::npos) << done.error().message;
  EXPECT_EQ(done.error().message.find('\n'), std::string::npos) << done.error().message;
}

TEST(CompleteMultipartUploadAnswerTest, AnythingElseIsMalformedAndRetryable) {
  expect_malformed("");
  expect_malformed("   \n\n   ");
  expect_malformed(kCompleteExample.substr(0, kCompleteExample.size() - 10));  // cut short
  expect_malformed(kCompleteExample.substr(0, 60));
  expect_malformed(kCompleteErrorExample.substr(0, 80));  // an Error cut short is still no success
  expect_malformed("<Error><Message>no code</Message></Error>");
  expect_malformed("<ListPartsResult></ListPartsResult>");
  expect_malformed("<CompleteMultipartUploadResult/><CompleteMultipartUploadResult/>");
  expect_malformed("not xml at all");
  expect_malformed("<html><body>502 Bad Gateway</body></html>");
}

// moto 5.2 answers a successful Complete with <CompleteMultipartUploadResponse>: the same fields, another root.
TEST(CompleteMultipartUploadAnswerTest, MotosRootNameIsASuccessToo) {
  const auto done = parse_complete_multipart_upload(
      R"(<?xml version="1.0" encoding="utf-8"?>
<CompleteMultipartUploadResponse xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Location>http://bkt.s3.amazonaws.com/mp2</Location><Bucket>bkt</Bucket><Key>mp2</Key><ETag>"9614c77a1ddc63214d611041c6f86ca9-1"</ETag></CompleteMultipartUploadResponse>)");
  ASSERT_TRUE(done.has_value()) << done.error().message;
  EXPECT_EQ(done->etag, "\"9614c77a1ddc63214d611041c6f86ca9-1\"");
  EXPECT_EQ(done->key, "mp2");
}

// ---- CopyObject ----

TEST(CopyObjectAnswerTest, ApiReferenceExample) {
  const auto copied = parse_copy_object_result(
      "<CopyObjectResult>\n   <LastModified>2009-10-28T22:32:00</LastModified>\n"
      "   <ETag>\"9b2cf535f27731c974343645a3985328\"</ETag>\n</CopyObjectResult>");
  ASSERT_TRUE(copied.has_value()) << copied.error().message;
  EXPECT_EQ(copied->etag, "\"9b2cf535f27731c974343645a3985328\"");
  EXPECT_EQ(copied->last_modified, "2009-10-28T22:32:00");
  EXPECT_EQ(copied->checksum, std::nullopt);
}

TEST(CopyObjectAnswerTest, ChecksumAfterWhitespace) {
  const auto copied = parse_copy_object_result(
      std::string(300, ' ') + R"(<CopyObjectResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">)"
      "<ETag>\"e\"</ETag><ChecksumCRC32C>yZRlqg==</ChecksumCRC32C></CopyObjectResult>");
  ASSERT_TRUE(copied.has_value()) << copied.error().message;
  EXPECT_EQ(copied->checksum, (ExpectedChecksum{ChecksumAlgorithm::Crc32c, "yZRlqg=="}));
}

TEST(CopyObjectAnswerTest, LateErrorIn200IsClassifiedByItsCode) {
  const auto retryable = parse_copy_object_result(kCompleteErrorExample, "rid");
  ASSERT_FALSE(retryable.has_value());
  EXPECT_EQ(retryable.error().s3_code, "InternalError");
  EXPECT_TRUE(retryable.error().retryable);
  EXPECT_EQ(retryable.error().request_id, "rid");
  const auto denied =
      parse_copy_object_result("<Error><Code>AccessDenied</Code><Message>Access Denied</Message></Error>");
  ASSERT_FALSE(denied.has_value());
  EXPECT_EQ(denied.error().s3_code, "AccessDenied");
  EXPECT_FALSE(denied.error().retryable);
}

TEST(CopyObjectAnswerTest, WithoutETagOrOfAnotherKindIsMalformed) {
  for (const std::string_view body : {"<CopyObjectResult><LastModified>x</LastModified></CopyObjectResult>",
                                      "<CopyPartResult><ETag>\"e\"</ETag></CopyPartResult>", "", "<CopyObjectRe"}) {
    const auto copied = parse_copy_object_result(body);
    ASSERT_FALSE(copied.has_value()) << body;
    EXPECT_TRUE(copied.error().retryable) << body;
    EXPECT_EQ(copied.error().kind, ErrorKind::Network) << body;
  }
}

TEST(CopyObjectAnswerTest, CopyPartResult) {
  const auto part = parse_copy_part_result(
      "<CopyPartResult><LastModified>2011-04-11T20:34:56.000Z</LastModified><ETag>\"p1\"</ETag>"
      "<ChecksumCRC64NVME>rosUhgp5mIg=</ChecksumCRC64NVME></CopyPartResult>");
  ASSERT_TRUE(part.has_value()) << part.error().message;
  EXPECT_EQ(part->etag, "\"p1\"");
  EXPECT_EQ(part->checksum, (ExpectedChecksum{ChecksumAlgorithm::Crc64Nvme, "rosUhgp5mIg="}));
  EXPECT_FALSE(parse_copy_part_result("<CopyObjectResult><ETag>\"e\"</ETag></CopyObjectResult>").has_value());
  EXPECT_FALSE(parse_copy_part_result(kCompleteErrorExample).has_value());
}

// ---- GetObjectTagging ----

TEST(TaggingAnswerTest, TagsInOrder) {
  const auto tags = parse_tagging(
      R"(<Tagging xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><TagSet>)"
      "<Tag><Key>b</Key><Value>2 &amp; 3</Value></Tag><Tag><Key>a</Key><Value></Value></Tag></TagSet></Tagging>");
  ASSERT_TRUE(tags.has_value()) << tags.error().message;
  const std::vector<std::pair<std::string, std::string>> want = {{"b", "2 & 3"}, {"a", ""}};
  EXPECT_EQ(*tags, want);
  const auto none = parse_tagging("<Tagging><TagSet/></Tagging>");
  ASSERT_TRUE(none.has_value());
  EXPECT_TRUE(none->empty());
  EXPECT_FALSE(parse_tagging("<Tagging><TagSet><Tag><Value>v</Value></Tag></TagSet></Tagging>").has_value());
  EXPECT_FALSE(parse_tagging("<ListBucketResult/>").has_value());
}

// ---- ListParts ----

constexpr std::string_view kListPartsExample = R"(<?xml version="1.0" encoding="UTF-8"?>
<ListPartsResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">
  <Bucket>example-bucket</Bucket>
  <Key>example-object</Key>
  <UploadId>XXBsb2FkIElEIGZvciBlbHZpbmcncyVcdS1tb3ZpZS5tMnRzEEEwbG9hZA</UploadId>
  <Initiator>
      <ID>arn:aws:iam::111122223333:user/some-user-11116a31-17b5-4fb7-9df5-b288870f11xx</ID>
      <DisplayName>umat-user-11116a31-17b5-4fb7-9df5-b288870f11xx</DisplayName>
  </Initiator>
  <Owner>
    <ID>75aa57f09aa0c8caeab4f8c24e99d10f8e7faeebf76c078efc7c6caea54ba06a</ID>
    <DisplayName>someName</DisplayName>
  </Owner>
  <StorageClass>STANDARD</StorageClass>
  <PartNumberMarker>1</PartNumberMarker>
  <NextPartNumberMarker>3</NextPartNumberMarker>
  <MaxParts>2</MaxParts>
  <IsTruncated>true</IsTruncated>
  <Part>
    <PartNumber>2</PartNumber>
    <LastModified>2010-11-10T20:48:34.000Z</LastModified>
    <ETag>"7778aef83f66abc1fa1e8477f296d394"</ETag>
    <Size>10485760</Size>
  </Part>
  <Part>
    <PartNumber>3</PartNumber>
    <LastModified>2010-11-10T20:48:33.000Z</LastModified>
    <ETag>"aaaa18db4cc2f85cedef654fccc4a4x8"</ETag>
    <Size>10485760</Size>
  </Part>
</ListPartsResult>)";

TEST(ListPartsTest, ApiReferenceExample) {
  const auto page = parse_list_parts(kListPartsExample);
  ASSERT_TRUE(page.has_value()) << page.error().message;
  ASSERT_EQ(page->parts.size(), 2u);
  EXPECT_EQ(page->parts[0].number, 2u);
  EXPECT_EQ(page->parts[0].etag, "\"7778aef83f66abc1fa1e8477f296d394\"");
  EXPECT_EQ(page->parts[0].size, 10485760u);
  EXPECT_EQ(page->parts[0].last_modified, "2010-11-10T20:48:34.000Z");
  EXPECT_EQ(page->parts[0].checksum, std::nullopt);
  EXPECT_EQ(page->parts[1].number, 3u);
  EXPECT_TRUE(page->truncated);
  EXPECT_EQ(page->next_part_number_marker, 3u);
}

TEST(ListPartsTest, LastPageWithChecksums) {
  const auto page = parse_list_parts(
      "<ListPartsResult><ChecksumAlgorithm>CRC64NVME</ChecksumAlgorithm><ChecksumType>FULL_OBJECT</"
      "ChecksumType>"
      "<IsTruncated>false</IsTruncated>"
      "<Part><PartNumber>1</PartNumber><ETag>\"e1\"</ETag><Size>5242880</Size>"
      "<ChecksumCRC64NVME>rosUhgp5mIg=</ChecksumCRC64NVME></Part></ListPartsResult>");
  ASSERT_TRUE(page.has_value()) << page.error().message;
  EXPECT_FALSE(page->truncated);
  EXPECT_EQ(page->next_part_number_marker, 0u);
  EXPECT_EQ(page->checksum_algorithm, "CRC64NVME");
  EXPECT_EQ(page->checksum_type, "FULL_OBJECT");
  ASSERT_EQ(page->parts.size(), 1u);
  EXPECT_EQ(page->parts[0].checksum, (ExpectedChecksum{ChecksumAlgorithm::Crc64Nvme, "rosUhgp5mIg="}));
}

TEST(ListPartsTest, NoPartsYet) {
  const auto page = parse_list_parts("<ListPartsResult><IsTruncated>false</IsTruncated></ListPartsResult>");
  ASSERT_TRUE(page.has_value());
  EXPECT_TRUE(page->parts.empty());
}

TEST(ListPartsTest, BadFieldsAreMalformed) {
  for (const std::string_view body : {
           "<ListPartsResult><Part><PartNumber>x</PartNumber><Size>1</Size></Part></ListPartsResult>",
           "<ListPartsResult><Part><PartNumber>0</PartNumber><Size>1</Size></Part></ListPartsResult>",
           "<ListPartsResult><Part><PartNumber>10001</PartNumber><Size>1</Size></Part></ListPartsResult>",
           "<ListPartsResult><Part><PartNumber>1</PartNumber></Part></ListPartsResult>",
           "<ListPartsResult><Part><PartNumber>1</PartNumber><Size>-1</Size></Part></ListPartsResult>",
           "<ListPartsResult><IsTruncated>yes</IsTruncated></ListPartsResult>",
           "<ListPartsResult><IsTruncated>true</IsTruncated></ListPartsResult>",  // nowhere to continue
       }) {
    const auto page = parse_list_parts(body);
    ASSERT_FALSE(page.has_value()) << body;
    EXPECT_TRUE(page.error().retryable);
    EXPECT_NE(page.error().message.find("ListPartsResult"), std::string::npos) << page.error().message;
  }
}

TEST(ListPartsTest, NoSuchUploadErrorDocument) {
  const auto page = parse_list_parts(
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>NoSuchUpload</Code>"
      "<Message>The specified upload does not exist.</Message><UploadId>abc</UploadId>"
      "<RequestId>R1</RequestId></Error>");
  ASSERT_FALSE(page.has_value());
  EXPECT_EQ(page.error().s3_code, "NoSuchUpload");
  EXPECT_EQ(page.error().request_id, "R1");
}

// ---- ListMultipartUploads ----

constexpr std::string_view kListUploadsExample = R"(<?xml version="1.0" encoding="UTF-8"?>
<ListMultipartUploadsResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">
  <Bucket>bucket</Bucket>
  <KeyMarker></KeyMarker>
  <UploadIdMarker></UploadIdMarker>
  <NextKeyMarker>my-movie.m2ts</NextKeyMarker>
  <NextUploadIdMarker>YW55IGlkZWEgd2h5IGVsdmluZydzIHVwbG9hZCBmYWlsZWQ</NextUploadIdMarker>
  <MaxUploads>3</MaxUploads>
  <IsTruncated>true</IsTruncated>
  <Upload>
    <Key>my-divisor</Key>
    <UploadId>XMgbGlrZSBlbHZpbmcncyBub3QgaGF2aW5nIG11Y2ggbHVjaw</UploadId>
    <Initiator>
      <ID>arn:aws:iam::111122223333:user/user1-11111a31-17b5-4fb7-9df5-b111111f13de</ID>
      <DisplayName>user1-11111a31-17b5-4fb7-9df5-b111111f13de</DisplayName>
    </Initiator>
    <Owner>
      <ID>75aa57f09aa0c8caeab4f8c24e99d10f8e7faeebf76c078efc7c6caea54ba06a</ID>
      <DisplayName>OwnerDisplayName</DisplayName>
    </Owner>
    <StorageClass>STANDARD</StorageClass>
    <Initiated>2010-11-10T20:48:33.000Z</Initiated>
  </Upload>
  <Upload>
    <Key>my-movie.m2ts</Key>
    <UploadId>VXBsb2FkIElEIGZvciBlbHZpbmcncyBteS1tb3ZpZS5tMnRzIHVwbG9hZA</UploadId>
    <Initiator>
      <ID>b1d16700c70b0b05597d7acd6a3f92be</ID>
      <DisplayName>InitiatorDisplayName</DisplayName>
    </Initiator>
    <Owner>
      <ID>b1d16700c70b0b05597d7acd6a3f92be</ID>
      <DisplayName>OwnerDisplayName</DisplayName>
    </Owner>
    <StorageClass>STANDARD</StorageClass>
    <Initiated>2010-11-10T20:48:33.000Z</Initiated>
  </Upload>
  <Upload>
    <Key>my-movie.m2ts</Key>
    <UploadId>YW55IGlkZWEgd2h5IGVsdmluZydzIHVwbG9hZCBmYWlsZWQ</UploadId>
    <Initiator>
      <ID>arn:aws:iam::444455556666:user/user1-22222a31-17b5-4fb7-9df5-b222222f13de</ID>
      <DisplayName>user1-22222a31-17b5-4fb7-9df5-b222222f13de</DisplayName>
    </Initiator>
    <Owner>
      <ID>b1d16700c70b0b05597d7acd6a3f92be</ID>
      <DisplayName>OwnerDisplayName</DisplayName>
    </Owner>
    <StorageClass>STANDARD</StorageClass>
    <Initiated>2010-11-10T20:49:33.000Z</Initiated>
  </Upload>
</ListMultipartUploadsResult>)";

TEST(ListMultipartUploadsTest, ApiReferenceExample) {
  const auto page = parse_list_multipart_uploads(kListUploadsExample);
  ASSERT_TRUE(page.has_value()) << page.error().message;
  ASSERT_EQ(page->uploads.size(), 3u);
  EXPECT_EQ(page->uploads[0].key, "my-divisor");
  EXPECT_EQ(page->uploads[0].upload_id, "XMgbGlrZSBlbHZpbmcncyBub3QgaGF2aW5nIG11Y2ggbHVjaw");
  EXPECT_EQ(page->uploads[0].initiated, "2010-11-10T20:48:33.000Z");
  EXPECT_EQ(page->uploads[0].storage_class, "STANDARD");
  EXPECT_EQ(page->uploads[2].upload_id, "YW55IGlkZWEgd2h5IGVsdmluZydzIHVwbG9hZCBmYWlsZWQ");
  EXPECT_EQ(page->uploads[2].initiated, "2010-11-10T20:49:33.000Z");
  EXPECT_TRUE(page->truncated);
  EXPECT_EQ(page->next_key_marker, "my-movie.m2ts");
  EXPECT_EQ(page->next_upload_id_marker, "YW55IGlkZWEgd2h5IGVsdmluZydzIHVwbG9hZCBmYWlsZWQ");
}

TEST(ListMultipartUploadsTest, CommonPrefixesAndUrlEncoding) {
  const auto page = parse_list_multipart_uploads(
      "<ListMultipartUploadsResult><EncodingType>url</EncodingType><IsTruncated>false</IsTruncated>"
      "<Upload><Key>a%20b%2Bc/d+e</Key><UploadId>U1</UploadId><Initiated>2024-01-01T00:00:00.000Z</Initiated>"
      "</Upload><CommonPrefixes><Prefix>photos%2F2024/</Prefix></CommonPrefixes>"
      "<CommonPrefixes><Prefix>videos/</Prefix></CommonPrefixes></ListMultipartUploadsResult>");
  ASSERT_TRUE(page.has_value()) << page.error().message;
  ASSERT_EQ(page->uploads.size(), 1u);
  EXPECT_EQ(page->uploads[0].key, "a b+c/d e");
  EXPECT_EQ(page->common_prefixes, (std::vector<std::string>{"photos/2024/", "videos/"}));
  EXPECT_FALSE(page->truncated);
}

TEST(ListMultipartUploadsTest, MalformedPages) {
  EXPECT_FALSE(parse_list_multipart_uploads(
                   "<ListMultipartUploadsResult><IsTruncated>true</IsTruncated></ListMultipartUploadsResult>")
                   .has_value());
  EXPECT_FALSE(parse_list_multipart_uploads(
                   "<ListMultipartUploadsResult><Upload><Key>k</Key></Upload></ListMultipartUploadsResult>")
                   .has_value());
  EXPECT_FALSE(parse_list_multipart_uploads(kListUploadsExample.substr(0, 300)).has_value());
}

// ---- ListObjectsV2 ----

constexpr std::string_view kListObjectsExample = R"(<?xml version="1.0" encoding="UTF-8"?>
<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">
  <Name>bucket</Name>
  <Prefix/>
  <KeyCount>205</KeyCount>
  <MaxKeys>1000</MaxKeys>
  <IsTruncated>false</IsTruncated>
  <Contents>
    <Key>my-image.jpg</Key>
    <LastModified>2009-10-12T17:50:30.000Z</LastModified>
    <ETag>"fba9dede5f27731c9771645a39863328"</ETag>
    <Size>434234</Size>
    <StorageClass>STANDARD</StorageClass>
  </Contents>
</ListBucketResult>)";

TEST(ListObjectsV2Test, ApiReferenceExample) {
  const auto page = parse_list_objects_v2(kListObjectsExample);
  ASSERT_TRUE(page.has_value()) << page.error().message;
  ASSERT_EQ(page->objects.size(), 1u);
  const ListedObject& o = page->objects[0];
  EXPECT_EQ(o.key, "my-image.jpg");
  EXPECT_EQ(o.last_modified, "2009-10-12T17:50:30.000Z");
  EXPECT_EQ(o.etag, "\"fba9dede5f27731c9771645a39863328\"");
  EXPECT_EQ(o.size, 434234u);
  EXPECT_EQ(o.storage_class, "STANDARD");
  EXPECT_TRUE(o.checksum_algorithms.empty());
  EXPECT_EQ(page->key_count, 205u);
  EXPECT_FALSE(page->truncated);
  EXPECT_FALSE(page->url_encoded);
  EXPECT_EQ(page->prefix, "");
}

TEST(ListObjectsV2Test, ContinuationAndDelimiter) {
  // The API reference's second and third examples, joined: a truncated page, and common prefixes.
  const auto page = parse_list_objects_v2(R"(<?xml version="1.0" encoding="UTF-8"?>
<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">
  <Name>example-bucket</Name>
  <Prefix></Prefix>
  <NextContinuationToken>1ueGcxLPRx1Tr/XYExHnhbYLgveDs2J/wm36Hy4vbOwM=</NextContinuationToken>
  <KeyCount>2</KeyCount>
  <MaxKeys>2</MaxKeys>
  <Delimiter>/</Delimiter>
  <IsTruncated>true</IsTruncated>
  <Contents>
    <Key>sample.jpg</Key>
    <LastModified>2011-02-26T01:56:20.000Z</LastModified>
    <ETag>"bf1d737a4d46a19f3bced6905cc8b902"</ETag>
    <Size>142863</Size>
    <StorageClass>STANDARD</StorageClass>
  </Contents>
  <CommonPrefixes>
    <Prefix>photos/</Prefix>
  </CommonPrefixes>
</ListBucketResult>)");
  ASSERT_TRUE(page.has_value()) << page.error().message;
  EXPECT_TRUE(page->truncated);
  EXPECT_EQ(page->next_continuation_token, "1ueGcxLPRx1Tr/XYExHnhbYLgveDs2J/wm36Hy4vbOwM=");
  EXPECT_EQ(page->delimiter, "/");
  EXPECT_EQ(page->common_prefixes, std::vector<std::string>{"photos/"});
  ASSERT_EQ(page->objects.size(), 1u);
  EXPECT_EQ(page->objects[0].size, 142863u);
}

TEST(ListObjectsV2Test, ChecksumAlgorithmsMayRepeat) {
  const auto page = parse_list_objects_v2(
      "<ListBucketResult><IsTruncated>false</IsTruncated><Contents><Key>k</Key><Size>0</Size>"
      "<ChecksumAlgorithm>CRC64NVME</ChecksumAlgorithm><ChecksumAlgorithm>SHA256</ChecksumAlgorithm>"
      "<ChecksumAlgorithm>SOMEDAY512</ChecksumAlgorithm><ChecksumType>FULL_OBJECT</ChecksumType>"
      "</Contents></ListBucketResult>");
  ASSERT_TRUE(page.has_value()) << page.error().message;
  EXPECT_EQ(page->objects[0].checksum_algorithms,
            (std::vector<ChecksumAlgorithm>{ChecksumAlgorithm::Crc64Nvme, ChecksumAlgorithm::Sha256}));
  EXPECT_EQ(page->objects[0].checksum_type, "FULL_OBJECT");
  EXPECT_EQ(page->key_count, std::nullopt);
}

// encoding-type=url. AWS encodes a space as %20 and '+' as %2B (ceph/s3-tests
// test_bucket_listv2_encoding_basic expects 'quux%20ab/' and 'asdf%2Bb' from AWS); MinIO encodes a space as
// '+'. Both decode the same way here, as botocore decodes them (unquote_plus) in decode_list_object_v2.
TEST(ListObjectsV2Test, UrlEncodedFieldsAreDecoded) {
  const auto page = parse_list_objects_v2(
      R"(<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Name>b</Name>)"
      "<Prefix>quux%20ab%2F</Prefix><StartAfter>k+m</StartAfter><Delimiter>%7C</Delimiter>"
      "<EncodingType>url</EncodingType><KeyCount>3</KeyCount><IsTruncated>true</IsTruncated>"
      "<NextContinuationToken>a%2Bb+c</NextContinuationToken>"
      "<Contents><Key>asdf%2Bb</Key><Size>1</Size></Contents>"
      "<Contents><Key>run+books/x%2By%25z</Key><Size>2</Size></Contents>"
      "<Contents><Key>%E8%85%BE%E8%AE%AF%E4%BA%91%0A</Key><Size>3</Size></Contents>"
      "<CommonPrefixes><Prefix>foo%2B1/</Prefix></CommonPrefixes>"
      "<CommonPrefixes><Prefix>quux%20ab/</Prefix></CommonPrefixes></ListBucketResult>");
  ASSERT_TRUE(page.has_value()) << page.error().message;
  EXPECT_TRUE(page->url_encoded);
  EXPECT_EQ(page->prefix, "quux ab/");
  EXPECT_EQ(page->start_after, "k m");
  EXPECT_EQ(page->delimiter, "|");
  ASSERT_EQ(page->objects.size(), 3u);
  EXPECT_EQ(page->objects[0].key, "asdf+b");
  EXPECT_EQ(page->objects[1].key, "run books/x+y%z");
  EXPECT_EQ(page->objects[2].key, "\xE8\x85\xBE\xE8\xAE\xAF\xE4\xBA\x91\n");
  EXPECT_EQ(page->common_prefixes, (std::vector<std::string>{"foo+1/", "quux ab/"}));
  EXPECT_EQ(page->next_continuation_token, "a%2Bb+c") << "tokens are opaque: never decoded";
}

// Recorded from moto_server (the project's test server) for the key "quux ab/a+b%c.txt":
// GET /bkt1?list-type=2&encoding-type=url, with and without delimiter=/.
TEST(ListObjectsV2Test, MotoUrlEncodedAnswers) {
  const auto flat = parse_list_objects_v2(
      R"(<?xml version="1.0" encoding="utf-8"?>
<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><IsTruncated>false</IsTruncated><Contents>)"
      R"(<Key>quux%20ab/a%2Bb%25c.txt</Key><LastModified>2026-12-02T02:43:20.000Z</LastModified>)"
      R"(<ETag>"401b30e3b8b5d629635a5c613cdb7919"</ETag><ChecksumAlgorithm>CRC32</ChecksumAlgorithm><Size>2</Size>)"
      R"(<StorageClass>STANDARD</StorageClass></Contents><Name>bkt1</Name><Prefix/><MaxKeys>1000</MaxKeys>)"
      R"(<EncodingType>url</EncodingType><KeyCount>1</KeyCount></ListBucketResult>)");
  ASSERT_TRUE(flat.has_value()) << flat.error().message;
  ASSERT_EQ(flat->objects.size(), 1u);
  EXPECT_EQ(flat->objects[0].key, "quux ab/a+b%c.txt");
  EXPECT_EQ(flat->objects[0].checksum_algorithms, std::vector<ChecksumAlgorithm>{ChecksumAlgorithm::Crc32});
  const auto grouped = parse_list_objects_v2(
      R"(<?xml version="1.0" encoding="utf-8"?>
<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><IsTruncated>false</IsTruncated>)"
      R"(<Name>bkt1</Name><Prefix/><Delimiter>/</Delimiter><MaxKeys>1000</MaxKeys><CommonPrefixes>)"
      R"(<Prefix>quux%20ab/</Prefix></CommonPrefixes><EncodingType>url</EncodingType><KeyCount>1</KeyCount>)"
      R"(</ListBucketResult>)");
  ASSERT_TRUE(grouped.has_value()) << grouped.error().message;
  EXPECT_EQ(grouped->common_prefixes, std::vector<std::string>{"quux ab/"});
  EXPECT_EQ(grouped->delimiter, "/");
  EXPECT_TRUE(grouped->objects.empty());
}

TEST(ListObjectsV2Test, WithoutEncodingTypeNothingIsDecoded) {
  const auto page = parse_list_objects_v2(
      "<ListBucketResult><IsTruncated>false</IsTruncated><Prefix>a+b%20</Prefix>"
      "<Contents><Key>a+b%20c</Key><Size>1</Size></Contents></ListBucketResult>");
  ASSERT_TRUE(page.has_value());
  EXPECT_EQ(page->prefix, "a+b%20");
  EXPECT_EQ(page->objects[0].key, "a+b%20c");
}

TEST(ListObjectsV2Test, MalformedPages) {
  for (const std::string_view body : {
           "<ListBucketResult><EncodingType>url</EncodingType><Contents><Key>a%2</Key><Size>1</Size>"
           "</Contents></ListBucketResult>",
           "<ListBucketResult><EncodingType>url</EncodingType><Contents><Key>a%zz</Key><Size>1</Size>"
           "</Contents></ListBucketResult>",
           "<ListBucketResult><EncodingType>base64</EncodingType></ListBucketResult>",
           "<ListBucketResult><IsTruncated>true</IsTruncated></ListBucketResult>",
           "<ListBucketResult><Contents><Key>k</Key><Size>big</Size></Contents></ListBucketResult>",
           "<ListBucketResult><KeyCount>many</KeyCount></ListBucketResult>",
           "<ListAllMyBucketsResult></ListAllMyBucketsResult>",
       }) {
    const auto page = parse_list_objects_v2(body);
    ASSERT_FALSE(page.has_value()) << body;
    EXPECT_TRUE(page.error().retryable) << body;
  }
  EXPECT_FALSE(parse_list_objects_v2(kListObjectsExample.substr(0, 200)).has_value());
}

TEST(ListObjectsV2Test, NoSuchBucket) {
  const auto page = parse_list_objects_v2(
      "<Error><Code>NoSuchBucket</Code><Message>The specified bucket does not exist</Message>"
      "<BucketName>nope</BucketName><RequestId>R2</RequestId></Error>");
  ASSERT_FALSE(page.has_value());
  EXPECT_EQ(page.error().s3_code, "NoSuchBucket");
  EXPECT_EQ(page.error().kind, ErrorKind::NotFound);
  EXPECT_FALSE(page.error().retryable);
}

}  // namespace
}  // namespace s3fcp
