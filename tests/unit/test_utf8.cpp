// valid_utf8 against RFC 3629's table (and Markus Kuhn's UTF-8 decoder stress test's classic cases): well-formed
// sequences of every length and their boundaries pass; overlong forms, surrogates, code points past U+10FFFF,
// stray continuation bytes and cut sequences fail. utf8_chars counts code points.
#include "util/utf8.h"

#include <gtest/gtest.h>

#include <string>

namespace s3fcp {
namespace {

TEST(Utf8Test, WellFormedSequencesPass) {
  for (const std::string s : {"", "plain ascii/key.txt", "\x7f", "\xc2\x80", "caf\xc3\xa9", "\xdf\xbf",
                              "\xe0\xa0\x80", "\xe2\x82\xac", "\xed\x9f\xbf", "\xee\x80\x80", "\xef\xbf\xbd",
                              "\xf0\x90\x80\x80", "\xf0\x9f\x93\xa6", "\xf4\x8f\xbf\xbf"}) {
    EXPECT_TRUE(valid_utf8(s)) << testing::PrintToString(s);
  }
  EXPECT_TRUE(valid_utf8(std::string("a\0b", 3)));  // NUL is a code point
}

TEST(Utf8Test, MalformedSequencesFail) {
  for (const std::string s : {
           "\x80",                  // a continuation byte first
           "\xbf",                  //
           "\xc0\xaf",              // overlong '/'
           "\xc1\xbf",              // overlong
           "\xe0\x80\xaf",          // overlong '/', 3 bytes
           "\xe0\x9f\xbf",          // overlong U+07FF
           "\xf0\x80\x80\xaf",      // overlong '/', 4 bytes
           "\xf0\x8f\xbf\xbf",      // overlong U+FFFF
           "\xed\xa0\x80",          // U+D800, a surrogate
           "\xed\xbf\xbf",          // U+DFFF
           "\xf4\x90\x80\x80",      // U+110000
           "\xf5\x80\x80\x80",      // no such lead byte
           "\xff", "\xfe",          //
           "\xe2\x82",              // cut short
           "ok\xe2\x82",            // cut short at the end
           "\xc3",                  //
           "\xc3\x28",              // a second byte that is no continuation
           "\xe2\x28\xa1",          //
           "\xf0\x9f\x93\x28",      // a fourth byte that is no continuation
           "bad\xffname",
       }) {
    EXPECT_FALSE(valid_utf8(s)) << testing::PrintToString(s);
  }
}

TEST(Utf8Test, CharsCountCodePoints) {
  EXPECT_EQ(utf8_chars(""), 0u);
  EXPECT_EQ(utf8_chars("abc"), 3u);
  EXPECT_EQ(utf8_chars("caf\xc3\xa9"), 4u);
  EXPECT_EQ(utf8_chars("\xf0\x9f\x93\xa6\xe2\x82\xac"), 2u);
}

}  // namespace
}  // namespace s3fcp
