// The pure parts of a copy between buckets: the x-amz-copy-source value (the key percent-encoded as a URI path, a
// version as a query) and the headers a copy that changes some metadata sends (what is named, then the rest of the
// source's).
#include <gtest/gtest.h>

#include "ops/copy/copy_object.h"

namespace s3fcp {
namespace {

TEST(CopySourceHeaderTest, KeyEncodedSlashesKept) {
  EXPECT_EQ(copy_source_header(Target{"b", "dir/a b+c%.bin", std::nullopt}, ""), "b/dir/a%20b%2Bc%25.bin");
  EXPECT_EQ(copy_source_header(Target{"b", "\xc3\xbc/~x", std::nullopt}, ""), "b/%C3%BC/~x");
}

TEST(CopySourceHeaderTest, ThroughAnAccessPoint) {
  const Target through{"arn:aws:s3:us-west-2:123456789012:accesspoint/my-ap", "d/k 1", std::nullopt};
  EXPECT_EQ(copy_source_header(through, ""),
            "arn%3Aaws%3As3%3Aus-west-2%3A123456789012%3Aaccesspoint/my-ap/object/d/k%201");
}

TEST(CopySourceHeaderTest, VersionAsQuery) {
  EXPECT_EQ(copy_source_header(Target{"b", "k", std::nullopt}, "3/L4kqtJl+.x_Y"), "b/k?versionId=3%2FL4kqtJl%2B.x_Y");
}

TEST(MergedMetadataTest, NamedReplacesTheRestIsKept) {
  const HeaderList source = {{"content-type", "text/a"},  {"Cache-Control", "max-age=7"}, {"ETag", "\"e\""},
                             {"x-amz-meta-k", "v"},        {"x-amz-meta-k2", "v2"},        {"Content-Length", "3"},
                             {"Content-Language", "de"}};
  const HeaderList merged = merged_metadata({{"Content-Type", "text/b"}}, source);
  const HeaderList want = {{"Content-Type", "text/b"},      {"Cache-Control", "max-age=7"}, {"Content-Language", "de"},
                           {"x-amz-meta-k", "v"},           {"x-amz-meta-k2", "v2"}};
  EXPECT_EQ(merged, want);
}

TEST(MergedMetadataTest, GivenUserMetadataReplacesAllOfIt) {
  const HeaderList source = {{"Content-Type", "text/a"}, {"x-amz-meta-k", "v"}, {"x-amz-meta-k2", "v2"}};
  const HeaderList merged = merged_metadata({{"x-amz-meta-new", "1"}}, source);
  const HeaderList want = {{"x-amz-meta-new", "1"}, {"Content-Type", "text/a"}};
  EXPECT_EQ(merged, want);
}

TEST(CopyPartSizeTest, OneCopyObjectUpTo5GiBUnlessAPartSizeIsGiven) {
  EXPECT_EQ(copy_part_size(0, std::nullopt), std::nullopt);
  EXPECT_EQ(copy_part_size(5ull << 30, std::nullopt), std::nullopt);
  EXPECT_EQ(copy_part_size((5ull << 30) + 1, std::nullopt), kCopyPartSize);
  EXPECT_EQ(copy_part_size(20 << 20, 8 << 20), 8u << 20);
  EXPECT_EQ(copy_part_size(8 << 20, 8 << 20), std::nullopt);  // fits in one part: one request
}

TEST(CopyPartSizeTest, AtLeast5MiBAndAtMost10000Parts) {
  EXPECT_EQ(copy_part_size(6 << 20, 1024), 5u << 20);
  EXPECT_EQ(copy_part_size(5 << 20, 1024), std::nullopt);
  const uint64_t five_tib = 5ull << 40;
  const auto part = copy_part_size(five_tib, std::nullopt);
  ASSERT_TRUE(part.has_value());
  EXPECT_LE((five_tib + *part - 1) / *part, 10000u);
  EXPECT_LE(*part, kMaxCopyObjectSize);
}

TEST(MergedMetadataTest, NothingKeptThatTheSourceLacks) {
  EXPECT_EQ(merged_metadata({{"Expires", "x"}}, {}), (HeaderList{{"Expires", "x"}}));
}

}  // namespace
}  // namespace s3fcp
