// percent_escape / percent_unescape: the journals' escaping of stored names.
#include <gtest/gtest.h>

#include <string>

#include "util/percent.h"

namespace s3fcp {
namespace {

std::string every_byte() {
  std::string s;
  for (int b = 0; b < 256; ++b) s.push_back(static_cast<char>(b));
  return s;
}

TEST(PercentTest, EveryByteRoundTripsInBothModes) {
  for (const auto which : {EscapeBytes::Controls, EscapeBytes::NonAscii}) {
    const std::string escaped = percent_escape(every_byte(), which);
    const auto back = percent_unescape(escaped);
    ASSERT_TRUE(back.has_value());
    EXPECT_EQ(*back, every_byte());
    for (const char c : escaped) {
      const auto u = static_cast<unsigned char>(c);
      EXPECT_GE(u, 0x20);
      EXPECT_NE(u, 0x7f);
      if (which == EscapeBytes::NonAscii) {
        EXPECT_LT(u, 0x7f);
      }
    }
  }
}

TEST(PercentTest, WhatIsEscaped) {
  EXPECT_EQ(percent_escape("a b%\n\x7f", EscapeBytes::Controls), "a b%25%0A%7F");
  EXPECT_EQ(percent_escape("é", EscapeBytes::Controls), "é");  // UTF-8 stays, where the format allows it
  EXPECT_EQ(percent_escape("é", EscapeBytes::NonAscii), "%C3%A9");
}

TEST(PercentTest, BadEscapesAreRefused) {
  EXPECT_FALSE(percent_unescape("%").has_value());
  EXPECT_FALSE(percent_unescape("ab%4").has_value());
  EXPECT_FALSE(percent_unescape("%zz").has_value());
  EXPECT_EQ(percent_unescape("%41%62c"), "Abc");
}

TEST(PercentTest, UnquotePlusReadsWhatS3Encodes) {
  EXPECT_EQ(unquote_plus("a+b%2Bc"), "a b+c");  // '+' is a space, %2B the plus sign
  EXPECT_EQ(unquote_plus("%e6%97%a5/%2f%25"), "\xe6\x97\xa5//%");  // either case of hex, any byte
  EXPECT_EQ(unquote_plus(""), "");
  EXPECT_EQ(unquote_plus("%00"), std::string(1, '\0'));
  for (const char* bad : {"%", "%4", "a%4", "%4g", "%g4", "%+1", "%-1", "% 1"}) {
    EXPECT_EQ(unquote_plus(bad), std::nullopt) << bad;
  }
}

}  // namespace
}  // namespace s3fcp
