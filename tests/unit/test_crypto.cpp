// SHA-256 (FIPS 180-2 examples) and HMAC-SHA-256 (RFC 4231) known answers, and hex formatting.
#include <gtest/gtest.h>

#include <array>
#include <string>
#include <vector>

#include "util/crypto.h"

namespace s3fcp {
namespace {

TEST(CryptoTest, Sha256OfEmptyString) {
  EXPECT_EQ(sha256_hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

TEST(CryptoTest, Sha256OfAbc) {
  EXPECT_EQ(sha256_hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(hex_lower(sha256("abc")), sha256_hex("abc"));
}

TEST(CryptoTest, Sha256HashesEmbeddedNulBytes) {
  const std::string with_nul("a\0b", 3);
  EXPECT_NE(sha256_hex(with_nul), sha256_hex("a"));
  EXPECT_NE(sha256_hex(with_nul), sha256_hex("ab"));
}

// RFC 4231 section 4.2, test case 1: key = 20 bytes of 0x0b.
TEST(CryptoTest, HmacSha256Rfc4231Case1) {
  const std::string key(20, '\x0b');
  EXPECT_EQ(hex_lower(hmac_sha256(key, "Hi There")),
            "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");
}

// RFC 4231 section 4.3, test case 2: a key shorter than the output.
TEST(CryptoTest, HmacSha256Rfc4231Case2) {
  EXPECT_EQ(hex_lower(hmac_sha256("Jefe", "what do ya want for nothing?")),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}

// RFC 4231 section 4.7, test case 6: a key longer than the block size gets hashed first.
TEST(CryptoTest, HmacSha256Rfc4231Case6LongKey) {
  const std::string key(131, '\xaa');
  EXPECT_EQ(hex_lower(hmac_sha256(key, "Test Using Larger Than Block-Size Key - Hash Key First")),
            "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54");
}

TEST(CryptoTest, HexLower) {
  const std::array<unsigned char, 6> bytes{0x00, 0x01, 0x0f, 0x10, 0xa5, 0xff};
  EXPECT_EQ(hex_lower(bytes), "00010f10a5ff");
  EXPECT_EQ(hex_lower(std::vector<unsigned char>{}), "");
}

}  // namespace
}  // namespace s3fcp
