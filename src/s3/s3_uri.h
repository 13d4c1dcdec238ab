// Parsing of `s3://bucket/key` sources. The key is taken literally, byte for byte, exactly as the AWS CLI
// does: no percent-decoding, no normalisation of "//", "./" or a trailing "/". In place of the bucket, the ARN of
// an S3 access point, as the AWS CLI takes it: s3://arn:aws:s3:us-west-2:123456789012:accesspoint/NAME/key.
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

// An S3 access point by its ARN: arn:PARTITION:s3:REGION:ACCOUNT:accesspoint/NAME (or accesspoint:NAME).
struct AccessPointArn {
  std::string partition, region, account, name;
};
// nullopt when `bucket` is not an ARN (it does not start with "arn:"); a usage Error for an ARN that names no access
// point s3fcp can reach: another service (Outposts, Object Lambda), a multi-region access point (no region: its
// requests need SigV4A), a malformed one.
Result<std::optional<AccessPointArn>> parse_access_point_arn(std::string_view bucket);

// Why S3 would refuse `key` as an object key (not UTF-8, more than 1024 bytes), or nullopt. An empty key passes.
std::optional<std::string> invalid_key_reason(std::string_view key);

Result<S3Uri> parse_s3_uri(std::string_view text);
// "s3://bucket", "s3://bucket/" or "s3://bucket/prefix...": a place rather than an object; the key may be empty.
Result<S3Uri> parse_s3_prefix(std::string_view text);

// True for bucket names usable as a DNS label in virtual-hosted addressing (lowercase, digits, '-', no dots,
// since dots break TLS wildcard certificates).
bool is_dns_compatible_bucket(std::string_view bucket);

}  // namespace s3fcp
