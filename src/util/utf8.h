// UTF-8 as S3 needs it: keys must be well-formed UTF-8, and tag limits count code points.
#pragma once

#include <cstddef>
#include <string_view>

namespace s3fcp {

// Well-formed UTF-8 (RFC 3629): no overlong form, no surrogate (U+D800..U+DFFF), nothing past U+10FFFF, no
// truncated sequence.
bool valid_utf8(std::string_view s);

// Code points of UTF-8 text: every byte but continuation bytes (10xxxxxx) starts one.
std::size_t utf8_chars(std::string_view s);

}  // namespace s3fcp
