// Standard base64 with padding (RFC 4648 section 4), as S3 uses in checksum headers, Content-MD5 and the SSE-C key.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace s3fcp {

std::string base64_encode(std::span<const unsigned char> bytes);
// Strict: nullopt on a character outside the alphabet, a length that is not a multiple of 4, or misplaced padding.
std::optional<std::vector<unsigned char>> base64_decode(std::string_view text);

}  // namespace s3fcp
