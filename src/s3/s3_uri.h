// Parsing of `s3://bucket/key` sources. The key is taken literally, byte for byte, exactly as the AWS CLI
// does: no percent-decoding, no normalisation of "//", "./" or a trailing "/".
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "util/error.h"

namespace s3fcp {

struct S3Uri {
  std::string bucket;
  std::string key;
  std::string str() const { return "s3://" + bucket + "/" + key; }
};

// Why S3 would refuse `key` as an object key (not UTF-8, more than 1024 bytes), or nullopt. An empty key passes.
std::optional<std::string> invalid_key_reason(std::string_view key);

Result<S3Uri> parse_s3_uri(std::string_view text);
// "s3://bucket", "s3://bucket/" or "s3://bucket/prefix...": a place rather than an object; the key may be empty.
Result<S3Uri> parse_s3_prefix(std::string_view text);

// True for bucket names usable as a DNS label in virtual-hosted addressing (lowercase, digits, '-', no dots,
// since dots break TLS wildcard certificates).
bool is_dns_compatible_bucket(std::string_view bucket);

}  // namespace s3fcp
