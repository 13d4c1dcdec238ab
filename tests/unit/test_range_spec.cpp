#include "ops/get/range_spec.h"

#include <gtest/gtest.h>

namespace s3fcp {
namespace {

RangeSpec parse(std::string_view text) {
  auto r = parse_range_spec(text);
  EXPECT_TRUE(r) << text;
  return r ? *r : RangeSpec{};
}

TEST(RangeSpec, ParsesTheThreeForms) {
  EXPECT_EQ(parse("bytes=10-19"), (RangeSpec{RangeSpec::Kind::FromTo, 10, 19, 0}));
  EXPECT_EQ(parse("bytes=10-"), (RangeSpec{RangeSpec::Kind::From, 10, 0, 0}));
  EXPECT_EQ(parse("bytes=-5"), (RangeSpec{RangeSpec::Kind::Suffix, 0, 0, 5}));
  EXPECT_EQ(parse("0-0"), (RangeSpec{RangeSpec::Kind::FromTo, 0, 0, 0}));  // "bytes=" may be left out
  EXPECT_EQ(parse("7-"), (RangeSpec{RangeSpec::Kind::From, 7, 0, 0}));
  EXPECT_EQ(parse("-1"), (RangeSpec{RangeSpec::Kind::Suffix, 0, 0, 1}));
  EXPECT_EQ(parse("bytes=0-18446744073709551615").last, UINT64_MAX);
}

TEST(RangeSpec, RejectsWhatIsNotOneRange) {
  for (const char* text : {"", "-", "bytes=", "bytes=-", "5", "a-b", "1-x", "bytes=5-4", "bytes=-0", "0-1,5-6",
                           "bytes=1 -2", " 1-2", "bytes=+1-2", "bytes=-+3", "items=0-1",
                           "bytes=0-18446744073709551616"}) {
    const auto r = parse_range_spec(text);
    ASSERT_FALSE(r) << text;
    EXPECT_EQ(r.error().kind, ErrorKind::Usage) << text;
    EXPECT_NE(r.error().message.find("bytes=FIRST-LAST"), std::string::npos) << r.error().message;
  }
}

TEST(RangeSpec, TheDefaultIsTheWholeObject) {  // what the engine downloads without --range
  const RangeSpec whole;
  EXPECT_EQ(whole.text(), "bytes=0-");
  EXPECT_EQ(whole.probe_header(10), "bytes=0-9");
  EXPECT_EQ(whole.resolve(100), (std::optional<ByteRange>{{0, 100}}));
  EXPECT_EQ(whole.resolve(0), (std::optional<ByteRange>{{0, 0}}));
}

TEST(RangeSpec, TextIsTheNormalForm) {
  EXPECT_EQ(parse("3-9").text(), "bytes=3-9");
  EXPECT_EQ(parse("3-").text(), "bytes=3-");
  EXPECT_EQ(parse("-9").text(), "bytes=-9");
}

TEST(RangeSpec, ResolvesAgainstTheObjectSize) {
  using R = std::optional<ByteRange>;
  EXPECT_EQ(parse("0-0").resolve(100), (R{{0, 1}}));           // the first byte
  EXPECT_EQ(parse("99-99").resolve(100), (R{{99, 100}}));      // the last byte
  EXPECT_EQ(parse("10-19").resolve(100), (R{{10, 20}}));
  EXPECT_EQ(parse("90-200").resolve(100), (R{{90, 100}}));     // clamped at the end, as S3 does
  EXPECT_EQ(parse("99-").resolve(100), (R{{99, 100}}));
  EXPECT_EQ(parse("-1").resolve(100), (R{{99, 100}}));
  EXPECT_EQ(parse("-100").resolve(100), (R{{0, 100}}));
  EXPECT_EQ(parse("-500").resolve(100), (R{{0, 100}}));        // more than the object: all of it
  EXPECT_EQ(parse("100-").resolve(100), std::nullopt);         // past the end
  EXPECT_EQ(parse("100-200").resolve(100), std::nullopt);
  EXPECT_EQ(parse("0-").resolve(0), (R{{0, 0}}));               // an empty object
  EXPECT_EQ(parse("0-10").resolve(0), (R{{0, 0}}));
  EXPECT_EQ(parse("-3").resolve(0), (R{{0, 0}}));
  EXPECT_EQ(parse("1-").resolve(0), std::nullopt);
}

TEST(RangeSpec, ProbeAsksForTheFirstChunkOfTheRange) {
  EXPECT_EQ(parse("100-").probe_header(10), "bytes=100-109");
  EXPECT_EQ(parse("100-104").probe_header(10), "bytes=100-104");
  EXPECT_EQ(parse("100-500").probe_header(10), "bytes=100-109");
  EXPECT_EQ(parse("-50").probe_header(10), "bytes=-50");  // its start is unknown until the size is
  EXPECT_EQ(parse("18446744073709551610-").probe_header(1000), "bytes=18446744073709551610-18446744073709551615");
}

}  // namespace
}  // namespace s3fcp
