// The journals' escaping of stored names: '%' and control bytes (and, where the format must stay ASCII, every byte
// from 0x7f up) written as %XX, so that a key or path of any bytes fits on one line or in one JSON string, and is
// read back exactly. And the URL decoding of keys that S3 sends or writes encoded.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace s3fcp {

enum class EscapeBytes { Controls, NonAscii };  // NonAscii: also every byte >= 0x7f

std::string percent_escape(std::string_view value, EscapeBytes which);
// The bytes percent_escape(…) was given; nullopt for a '%' not followed by two hex digits.
std::optional<std::string> percent_unescape(std::string_view text);

// '+' read as a space and %XX as its byte, as S3 writes keys with encoding-type=url and in S3 Inventory and Batch
// Operations manifests (what Python's unquote_plus reads); nullopt for a '%' not followed by two hex digits.
std::optional<std::string> unquote_plus(std::string_view text);

}  // namespace s3fcp
