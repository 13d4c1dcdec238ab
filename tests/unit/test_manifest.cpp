// CSV manifests: AWS's documented Batch Operations examples (with and without version ids), RFC 4180 quoting
// ("" escapes, commas and newlines inside quotes), CRLF, BOM and blank lines, URL-decoding of hostile keys
// ('+' is a space, %2B a plus, %2F a slash, unicode, a decoded '..' left for beneath.h to refuse), Inventory
// layouts from a fileSchema, and errors that name the line.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "batch/manifest.h"

namespace s3fcp {
namespace {

std::vector<ManifestEntry> parse_manifest_ok(std::string_view csv, std::span<const ManifestColumn> columns = {}) {
  auto r = parse_manifest(csv, columns);
  EXPECT_TRUE(r.has_value()) << r.error().message;
  return r ? *r : std::vector<ManifestEntry>{};
}

std::string parse_error(std::string_view csv, std::span<const ManifestColumn> columns = {}) {
  auto r = parse_manifest(csv, columns);
  EXPECT_FALSE(r.has_value());
  if (r) return "";
  EXPECT_EQ(r.error().kind, ErrorKind::Usage);
  return r.error().message;
}

TEST(ManifestTest, AwsExampleWithoutVersionIds) {
  const auto e = parse_manifest_ok(
      "Examplebucket,objectkey1\n"
      "Examplebucket,objectkey2\n"
      "Examplebucket,photos/jpgs/objectkey4\n"
      "Examplebucket,object%20key%20with%20spaces\n");
  ASSERT_EQ(e.size(), 4u);
  EXPECT_EQ(e[0], (ManifestEntry{1, "Examplebucket", "objectkey1", std::nullopt}));
  EXPECT_EQ(e[2].key, "photos/jpgs/objectkey4");
  EXPECT_EQ(e[3], (ManifestEntry{4, "Examplebucket", "object key with spaces", std::nullopt}));
}

TEST(ManifestTest, AwsExampleWithVersionIds) {
  const auto e = parse_manifest_ok(
      "Examplebucket,objectkey1,PZ9ibn9D5lP6p298B7S9_ceqx1n5EJ0p\n"
      "Examplebucket,photos/jpgs/newjersey/objectkey5,imHf3FAiRsvBW_EHB8GOu.NHunHO1gVs\n"
      "Examplebucket,object%20key%20with%20spaces,9HkPvDaZY5MVbMhn6TMn1YTb5ArQAo3w\n");
  ASSERT_EQ(e.size(), 3u);
  EXPECT_EQ(e[0].version_id, "PZ9ibn9D5lP6p298B7S9_ceqx1n5EJ0p");
  EXPECT_EQ(e[1].version_id, "imHf3FAiRsvBW_EHB8GOu.NHunHO1gVs");
  EXPECT_EQ(e[2], (ManifestEntry{3, "Examplebucket", "object key with spaces",
                                 "9HkPvDaZY5MVbMhn6TMn1YTb5ArQAo3w"}));
}

TEST(ManifestTest, EmptyVersionIdMeansNone) {
  const auto e = parse_manifest_ok("b,k1,\nb,k2,null\n");
  ASSERT_EQ(e.size(), 2u);
  EXPECT_EQ(e[0].version_id, std::nullopt);
  EXPECT_EQ(e[1].version_id, "null");  // S3's name for the null version: passed on as written
}

TEST(ManifestTest, CrlfBomBlankLinesAndNoFinalNewline) {
  const auto e = parse_manifest_ok(
      "\xEF\xBB\xBF"
      "b,one\r\n\r\nb,two\r\n\n\nb,three");
  ASSERT_EQ(e.size(), 3u);
  EXPECT_EQ(e[0], (ManifestEntry{1, "b", "one", std::nullopt}));
  EXPECT_EQ(e[1], (ManifestEntry{3, "b", "two", std::nullopt}));
  EXPECT_EQ(e[2], (ManifestEntry{6, "b", "three", std::nullopt}));
  EXPECT_TRUE(parse_manifest_ok("").empty());
  EXPECT_TRUE(parse_manifest_ok("\n\r\n").empty());
}

TEST(ManifestTest, QuotedFields) {
  const auto e = parse_manifest_ok(
      "\"b\",\"key,with,commas\"\n"
      "b,\"say \"\"hi\"\"\",\"v1\"\n"
      "\"b\",\"\"\"\"\n"
      "b,\"two\nlines\"\n"
      "b,after\n"
      "b,\"crlf\r\ninside\"\r\n");
  ASSERT_EQ(e.size(), 6u);
  EXPECT_EQ(e[0], (ManifestEntry{1, "b", "key,with,commas", std::nullopt}));
  EXPECT_EQ(e[1], (ManifestEntry{2, "b", "say \"hi\"", "v1"}));
  EXPECT_EQ(e[2].key, "\"");
  EXPECT_EQ(e[3], (ManifestEntry{4, "b", "two\nlines", std::nullopt}));
  EXPECT_EQ(e[4].line, 6u);  // the quoted newline counted
  EXPECT_EQ(e[5], (ManifestEntry{7, "b", "crlf\r\ninside", std::nullopt}));
}

TEST(ManifestTest, HostileAndUnicodeKeysAreDecoded) {
  const auto e = parse_manifest_ok(
      "b,my+file.txt\n"                       // S3 Inventory writes a space as '+'
      "b,C%2B%2B+notes.txt\n"                 // ... and a plus as %2B
      "b,a%2Fb%2Fc\n"                         // %2F is a slash: the key has segments
      "b,..%2F..%2F.bashrc\n"                 // decoded as is; beneath.h refuses it
      "b,%E6%96%87%E4%BB%B6/%c3%a9t%C3%A9\n"  // UTF-8, either hex case
      "b,données/raw ütf-8 key\n"             // not encoded at all: taken as is
      "b,100%25 done\n"
      "b,\"comma%2C and, quote%22\"\n"
      "b,tab%09nul%00end\n");
  ASSERT_EQ(e.size(), 9u);
  EXPECT_EQ(e[0].key, "my file.txt");
  EXPECT_EQ(e[1].key, "C++ notes.txt");
  EXPECT_EQ(e[2].key, "a/b/c");
  EXPECT_EQ(e[3].key, "../../.bashrc");
  EXPECT_EQ(e[4].key, "文件/été");
  EXPECT_EQ(e[5].key, "données/raw ütf-8 key");
  EXPECT_EQ(e[6].key, "100% done");
  EXPECT_EQ(e[7].key, "comma, and, quote\"");
  EXPECT_EQ(e[8].key, std::string("tab\tnul\0end", 11));
}

TEST(ManifestTest, DecodeKey) {
  EXPECT_EQ(decode_manifest_key("a+b%20c%2bd"), "a b c+d");
  EXPECT_EQ(decode_manifest_key(""), "");
  EXPECT_EQ(decode_manifest_key("%41%5a%5A"), "AZZ");
  EXPECT_EQ(decode_manifest_key("%"), std::nullopt);
  EXPECT_EQ(decode_manifest_key("%4"), std::nullopt);
  EXPECT_EQ(decode_manifest_key("a%zz"), std::nullopt);
  EXPECT_EQ(decode_manifest_key("%%41"), std::nullopt);
  EXPECT_EQ(decode_manifest_key("%G0"), std::nullopt);
}

TEST(ManifestTest, ErrorsNameTheLine) {
  EXPECT_EQ(parse_error("b,ok\nb,bad%zz\n"), "line 2: bad %-escape in the key 'bad%zz'");
  EXPECT_EQ(parse_error("b,ok\nb,trail%4"), "line 2: bad %-escape in the key 'trail%4'");
  EXPECT_EQ(parse_error("b,ok\n\njustonefield\n"), "line 3: expected bucket,key[,version_id], found 1 field");
  EXPECT_EQ(parse_error("b,k,v,extra\n"), "line 1: expected bucket,key[,version_id], found 4 fields");
  EXPECT_EQ(parse_error("b,k\n,k\n"), "line 2: the bucket is empty");
  EXPECT_EQ(parse_error("b,\n"), "line 1: the key is empty");
  EXPECT_EQ(parse_error("b,\"\"\n"), "line 1: the key is empty");
  EXPECT_EQ(parse_error("b,k\nb,k\nb,\"never\nclosed\n"), "line 3: a quoted field is not closed");
  EXPECT_EQ(parse_error("b,k\nb,\"quoted\"tail\n"),
            "line 2: text after a closing '\"' (a '\"' in a field is written \"\")");
  EXPECT_EQ(parse_error("b,k\nb,k\nb,in\"side\n"),
            "line 3: a '\"' inside an unquoted field (quote the field)");
  EXPECT_EQ(parse_error("b,\"x\ny\"\nb,%\n"), "line 3: bad %-escape in the key '%'");
}

TEST(ManifestTest, InventoryLayoutFromItsSchema) {
  auto columns = manifest_columns_from_schema(
      "Bucket, Key, VersionId, IsLatest, IsDeleteMarker, Size, LastModifiedDate, ETag, StorageClass");
  ASSERT_TRUE(columns.has_value()) << columns.error().message;
  ASSERT_EQ(columns->size(), 9u);
  EXPECT_EQ((*columns)[2], ManifestColumn::VersionId);
  EXPECT_EQ((*columns)[3], ManifestColumn::Ignore);
  const auto e = parse_manifest_ok(
      "\"inv-bucket\",\"my+file%281%29.txt\",\"3HL4kqtJvjVBH40Nrjfkd\",\"true\",\"false\",\"12\","
      "\"2024-01-01T00:00:00.000Z\",\"d41d8cd98f00b204e9800998ecf8427e\",\"STANDARD\"\n"
      "\"inv-bucket\",\"plain\",\"\",\"true\",\"false\",\"0\",\"2024-01-01T00:00:00.000Z\",\"e\","
      "\"STANDARD\"\n",
      *columns);
  ASSERT_EQ(e.size(), 2u);
  EXPECT_EQ(e[0], (ManifestEntry{1, "inv-bucket", "my file(1).txt", "3HL4kqtJvjVBH40Nrjfkd"}));
  EXPECT_EQ(e[1].version_id, std::nullopt);
  EXPECT_EQ(parse_error("\"b\",\"k\"\n", *columns), "line 1: expected 9 fields, found 2");

  // Current versions only: the third column is Size, not a version id.
  auto current = manifest_columns_from_schema("Bucket, Key, Size, LastModifiedDate");
  ASSERT_TRUE(current.has_value());
  const auto c = parse_manifest_ok("b,k,1234,2024-01-01T00:00:00.000Z\n", *current);
  ASSERT_EQ(c.size(), 1u);
  EXPECT_EQ(c[0], (ManifestEntry{1, "b", "k", std::nullopt}));

  // Batch Operations' JobManifestSpec Fields, e.g. ["Ignore","Bucket","Key"].
  auto fields = manifest_columns_from_schema("Ignore,Bucket,Key");
  ASSERT_TRUE(fields.has_value());
  EXPECT_EQ(parse_manifest_ok("x,b,k\n", *fields)[0], (ManifestEntry{1, "b", "k", std::nullopt}));
}

TEST(ManifestTest, SchemaNeedsBucketAndKeyOnce) {
  for (const char* bad : {"Key, Size", "Bucket, Size", "Bucket, Key, Key", "Bucket, Bucket, Key",
                          "Bucket, Key, VersionId, VersionId", "", "bucket, key"}) {
    auto c = manifest_columns_from_schema(bad);
    ASSERT_FALSE(c.has_value()) << bad;
    EXPECT_EQ(c.error().kind, ErrorKind::Usage);
  }
}

}  // namespace
}  // namespace s3fcp
