// parse_size: binary units (K = KiB = 1024), optional "B", optional space, fractions of a unit; whole bytes
// only. Range checks (e.g. chunk size >= 5 MiB) belong to the options layer, so "0" parses.
#include <gtest/gtest.h>

#include <cstdint>
#include <string>

#include "cli/parse_size.h"
#include "test_support.h"

namespace s3fcp {
namespace {

void expect_size(const std::string& text, uint64_t expected) {
  SCOPED_TRACE("'" + text + "'");
  const auto size = parse_size(text);
  ASSERT_TRUE(size.has_value()) << size.error().message;
  EXPECT_EQ(*size, expected);
}

void expect_rejected(const std::string& text) {
  SCOPED_TRACE("'" + text + "'");
  const auto size = parse_size(text);
  ASSERT_FALSE(size.has_value()) << "parsed as " << *size;
  EXPECT_EQ(size.error().kind, ErrorKind::Usage);
  EXPECT_NE(size.error().message.find(text), std::string::npos) << size.error().message;
}

TEST(ParseSizeTest, PlainBytes) {
  expect_size("1048576", 1048576);
  expect_size("1", 1);
  expect_size("123B", 123);
}

TEST(ParseSizeTest, Zero) { expect_size("0", 0); }

TEST(ParseSizeTest, BinaryUnits) {
  expect_size("8MiB", 8 * MiB);
  expect_size("16M", 16 * MiB);
  expect_size("64k", 64 * KiB);
  expect_size("64K", 64 * KiB);
  expect_size("64KB", 64 * KiB);
  expect_size("1G", GiB);
  expect_size("1gib", GiB);
  expect_size("2T", 2 * TiB);
}

TEST(ParseSizeTest, SpaceBeforeUnit) {
  expect_size("8 MiB", 8 * MiB);
  expect_size(" 8MiB ", 8 * MiB);
}

TEST(ParseSizeTest, FractionOfAUnit) {
  expect_size("1.5GiB", GiB + GiB / 2);
  expect_size("0.5k", 512);
  expect_size("2.25M", 2 * MiB + MiB / 4);
}

TEST(ParseSizeTest, LargestValues) {
  expect_size("16777215T", 16777215 * TiB);         // (2^64 - 1) >> 40
  expect_size("18446744073709551615", UINT64_MAX);  // the largest plain byte count
}

TEST(ParseSizeTest, RejectsEmptyAndBlank) {
  const auto empty = parse_size("");
  ASSERT_FALSE(empty.has_value());
  EXPECT_EQ(empty.error().kind, ErrorKind::Usage);
  expect_rejected("   ");
}

TEST(ParseSizeTest, RejectsWords) {
  expect_rejected("banana");
  expect_rejected("MiB");
}

TEST(ParseSizeTest, RejectsUnknownUnit) {
  expect_rejected("8XB");
  expect_rejected("8 bananas");
  expect_rejected("8MiBs");
}

TEST(ParseSizeTest, RejectsNegative) {
  expect_rejected("-1");
  expect_rejected("-8MiB");
}

TEST(ParseSizeTest, RejectsFractionalBytes) {
  expect_rejected("1.5");
  expect_rejected("1.5B");
}

TEST(ParseSizeTest, RejectsMalformedFraction) {
  expect_rejected("1.M");
  expect_rejected(".5M");
}

TEST(ParseSizeTest, RejectsOverflow) {
  expect_rejected("99999999999T");
  expect_rejected("16777216T");                 // 2^64: one too many
  expect_rejected("18446744073709551616");      // UINT64_MAX + 1
  expect_rejected("99999999999999999999999M");  // does not even fit before the unit is applied
}

}  // namespace
}  // namespace s3fcp
