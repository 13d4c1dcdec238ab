// x-amz-tagging and x-amz-meta-*: the encoding of tags, and S3's limits on tags and user metadata at their
// edges.
#include <gtest/gtest.h>

#include <string>

#include "s3/object_headers.h"

namespace s3fcp {
namespace {

std::string tagging(const KeyValueList& tags) {
  const auto value = tagging_header_value(tags);
  EXPECT_TRUE(value.has_value()) << value.error().message;
  return value.value_or("");
}

void expect_usage_error(const Result<std::string>& r, std::string_view needle) {
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().kind, ErrorKind::Usage);
  EXPECT_NE(r.error().message.find(needle), std::string::npos) << r.error().message;
}

TEST(TaggingTest, QueryStringInOrder) {
  EXPECT_EQ(tagging({}), "");
  EXPECT_EQ(tagging({{"Project", "Blue"}}), "Project=Blue");
  EXPECT_EQ(tagging({{"Key1", "Value1"}, {"Key2", "Value2"}}), "Key1=Value1&Key2=Value2");
  EXPECT_EQ(tagging({{"empty", ""}}), "empty=");
}

TEST(TaggingTest, EverythingButUnreservedIsPercentEncoded) {
  // Spaces and '+' (both allowed in tags) must not be confused: %20 and %2B.
  EXPECT_EQ(tagging({{"team name", "a+b c"}}), "team%20name=a%2Bb%20c");
  EXPECT_EQ(tagging({{"k=1&x", "v/w:@.-_~"}}), "k%3D1%26x=v%2Fw%3A%40.-_~");
  EXPECT_EQ(tagging({{"café", "日本"}}), "caf%C3%A9=%E6%97%A5%E6%9C%AC");
}

TEST(TaggingTest, TenTagsAtMost) {
  KeyValueList tags;
  for (int i = 0; i < 10; ++i) tags.emplace_back("k" + std::to_string(i), "v");
  EXPECT_TRUE(tagging_header_value(tags).has_value());
  tags.emplace_back("k10", "v");
  expect_usage_error(tagging_header_value(tags), "at most 10");
}

TEST(TaggingTest, KeyAndValueLengthsInCharacters) {
  EXPECT_TRUE(tagging_header_value({{std::string(128, 'k'), std::string(256, 'v')}}).has_value());
  expect_usage_error(tagging_header_value({{std::string(129, 'k'), "v"}}), "1 to 128");
  expect_usage_error(tagging_header_value({{"k", std::string(257, 'v')}}), "256");
  expect_usage_error(tagging_header_value({{"", "v"}}), "1 to 128");
  // 128 characters of two bytes each are 256 bytes, still within the limit.
  std::string wide;
  for (int i = 0; i < 128; ++i) wide += "é";
  EXPECT_TRUE(tagging_header_value({{wide, wide + wide}}).has_value());
  expect_usage_error(tagging_header_value({{wide + "é", "v"}}), "1 to 128");
}

TEST(TaggingTest, DuplicateAndReservedKeys) {
  expect_usage_error(tagging_header_value({{"a", "1"}, {"b", "2"}, {"a", "3"}}), "twice");
  EXPECT_TRUE(tagging_header_value({{"a", "1"}, {"A", "2"}}).has_value()) << "tag keys are case-sensitive";
  expect_usage_error(tagging_header_value({{"aws:createdBy", "me"}}), "aws:");
  expect_usage_error(tagging_header_value({{"AWS:x", "me"}}), "aws:");
  EXPECT_TRUE(tagging_header_value({{"awsome", "me"}}).has_value());
}

// ---- user metadata ----

HeaderList metadata(const KeyValueList& given) {
  const auto headers = user_metadata_headers(given);
  EXPECT_TRUE(headers.has_value()) << headers.error().message;
  return headers.value_or(HeaderList{});
}

void expect_metadata_error(const KeyValueList& given, std::string_view needle) {
  const auto headers = user_metadata_headers(given);
  ASSERT_FALSE(headers.has_value());
  EXPECT_EQ(headers.error().kind, ErrorKind::Usage);
  EXPECT_NE(headers.error().message.find(needle), std::string::npos) << headers.error().message;
  EXPECT_EQ(headers.error().message.find('\n'), std::string::npos);
}

TEST(UserMetadataTest, HeadersAreLowercasedAndPrefixed) {
  EXPECT_EQ(metadata({{"Author", "Jane Doe"}, {"x-amz-meta-Build", "42"}, {"X-AMZ-META-mode", "fast"}}),
            (HeaderList{
                {"x-amz-meta-author", "Jane Doe"}, {"x-amz-meta-build", "42"}, {"x-amz-meta-mode", "fast"}}));
  EXPECT_EQ(metadata({}), HeaderList{});
  EXPECT_EQ(metadata({{"odd!#$%&'*+-.^_`|~name9", ""}}).front().first, "x-amz-meta-odd!#$%&'*+-.^_`|~name9");
}

TEST(UserMetadataTest, NamesMustBeHeaderTokens) {
  expect_metadata_error({{"", "v"}}, "not a valid header name");
  expect_metadata_error({{"x-amz-meta-", "v"}}, "not a valid header name");
  expect_metadata_error({{"two words", "v"}}, "not a valid header name");
  expect_metadata_error({{"colon:", "v"}}, "not a valid header name");
  expect_metadata_error({{"new\nline", "v"}}, "not a valid header name");
  expect_metadata_error({{"(paren)", "v"}}, "not a valid header name");
  expect_metadata_error({{"ünï", "v"}}, "not a valid header name");
}

TEST(UserMetadataTest, ValuesCannotBreakTheHeader) {
  EXPECT_TRUE(user_metadata_headers({{"a", "tab\tand ~ printable !"}}).has_value());
  expect_metadata_error({{"a", "line\r\nx-amz-acl: public-read"}}, "printable ASCII");
  expect_metadata_error({{"a", std::string("nul\0", 4)}}, "printable ASCII");
  expect_metadata_error({{"a", "caf\xC3\xA9"}}, "printable ASCII");
}

TEST(UserMetadataTest, NamesAreCaseInsensitivelyUnique) {
  expect_metadata_error({{"Author", "a"}, {"x-amz-meta-author", "b"}}, "twice");
}

TEST(UserMetadataTest, TwoKilobytesInAll) {
  // One entry: "x-amz-meta-" (11) + "k" (1) + value = 2048 exactly.
  EXPECT_TRUE(user_metadata_headers({{"k", std::string(2048 - 12, 'v')}}).has_value());
  expect_metadata_error({{"k", std::string(2048 - 11, 'v')}}, "2048");
  // Spread over several entries, the prefixes count too.
  KeyValueList many;
  for (int i = 0; i < 16; ++i)
    many.emplace_back(std::string{'a', static_cast<char>('a' + i)}, std::string(128 - 13, 'v'));
  EXPECT_TRUE(user_metadata_headers(many).has_value());  // 16 x (11 + 2 + 115) = 2048
  many.emplace_back("z", "");
  expect_metadata_error(many, "2060 bytes");
}

TEST(MetadataArgumentTest, KeyValueAsS5cmdTakesIt) {
  KeyValueList out;
  ASSERT_TRUE(parse_metadata_argument("Mixed-Case=a value", out));
  ASSERT_TRUE(parse_metadata_argument("eq=a=b", out));
  ASSERT_TRUE(parse_metadata_argument("list=x,y, z", out));  // commas without a NAME= after them: one value
  ASSERT_TRUE(parse_metadata_argument("empty=", out));
  EXPECT_EQ(out, (KeyValueList{{"Mixed-Case", "a value"}, {"eq", "a=b"}, {"list", "x,y, z"}, {"empty", ""}}));
  EXPECT_FALSE(parse_metadata_argument("novalue", out));
  EXPECT_FALSE(parse_metadata_argument("=v", out));
}

TEST(MetadataArgumentTest, JsonAsTheAwsCliTakesIt) {
  KeyValueList out;
  ASSERT_TRUE(parse_metadata_argument(R"( {"a": "1", "b": "x,c=d"})", out));
  EXPECT_EQ(out, (KeyValueList{{"a", "1"}, {"b", "x,c=d"}}));
  EXPECT_FALSE(parse_metadata_argument(R"({"a": 1})", out));
  EXPECT_FALSE(parse_metadata_argument("{not json", out));
  EXPECT_FALSE(parse_metadata_argument(R"(["a"])", out));
}

TEST(MetadataArgumentTest, TheAwsCliShorthandForSeveralKeysIsRefused) {
  KeyValueList out;
  auto r = parse_metadata_argument("a=1,b=2", out);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, ErrorKind::Usage);
  EXPECT_NE(r.error().message.find("--metadata a=1 --metadata b=2"), std::string::npos) << r.error().message;
  EXPECT_FALSE(parse_metadata_argument("owner=me, team-x=y", out));  // the shorthand allows a space there
  EXPECT_TRUE(out.empty());
}

}  // namespace
}  // namespace s3fcp
