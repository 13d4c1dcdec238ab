#include "s3/s3_uri.h"

#include <algorithm>
#include <utility>
#include <vector>

#include "util/utf8.h"

namespace s3fcp {

namespace {
bool bucket_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '.' ||
         c == '_';
}

bool lower_digit_dash(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-'; }

// The bucket of "BUCKET/KEY..." (an access point's ARN holds one '/': "arn:...:accesspoint/NAME/KEY...") and the
// position of the '/' after it (npos: none).
std::pair<std::string_view, size_t> split_bucket(std::string_view rest) {
  size_t slash = rest.find('/');
  if (rest.starts_with("arn:") && slash != std::string_view::npos && rest.substr(0, slash).ends_with(":accesspoint")) {
    slash = rest.find('/', slash + 1);
  }
  return {rest.substr(0, slash), slash};
}

// The bucket part of an s3:// URI: a bucket name or an access point's ARN.
Result<void> check_bucket(std::string_view bucket, const std::string& shown) {
  if (bucket.empty()) return fail(Error::usage("missing bucket name in '" + shown + "'"));
  auto arn = parse_access_point_arn(bucket);
  if (!arn) return fail(Error::usage(arn.error().message + " in '" + shown + "'"));
  if (*arn) return {};
  if (bucket.size() > 255 || !std::ranges::all_of(bucket, bucket_char)) {
    return fail(Error::usage("invalid bucket name '" + std::string(bucket) + "' in '" + shown + "'"));
  }
  return {};
}
}  // namespace

Result<std::optional<AccessPointArn>> parse_access_point_arn(std::string_view bucket) {
  if (!bucket.starts_with("arn:")) return std::optional<AccessPointArn>();
  // arn:PARTITION:SERVICE:REGION:ACCOUNT:RESOURCE, the resource "accesspoint/NAME" or "accesspoint:NAME".
  std::vector<std::string_view> fields;
  size_t start = 0;
  while (fields.size() < 5) {
    const size_t colon = bucket.find(':', start);
    if (colon == std::string_view::npos) break;
    fields.push_back(bucket.substr(start, colon - start));
    start = colon + 1;
  }
  const std::string shown(bucket);
  if (fields.size() < 5) return fail(Error::usage("malformed ARN '" + shown + "'"));
  const std::string_view resource = bucket.substr(start);
  AccessPointArn arn{std::string(fields[1]), std::string(fields[3]), std::string(fields[4]), ""};
  if (fields[2] != "s3") {
    return fail(Error::usage("'" + shown + "' is not an S3 access point (" + std::string(fields[2]) +
                             " ARNs are not supported)"));
  }
  if (arn.partition != "aws" && arn.partition != "aws-cn" && arn.partition != "aws-us-gov") {
    return fail(Error::usage("unknown partition '" + arn.partition + "' in the ARN '" + shown + "'"));
  }
  for (const std::string_view prefix : {"accesspoint/", "accesspoint:"}) {
    if (resource.starts_with(prefix)) arn.name = std::string(resource.substr(prefix.size()));
  }
  if (arn.name.empty()) {
    return fail(Error::usage("'" + shown + "' names no access point (expected ...:accesspoint/NAME)"));
  }
  if (arn.region.empty()) {
    return fail(Error::usage("'" + shown + "' is a multi-region access point: its requests need SigV4A, which "
                             "s3fcp does not sign"));
  }
  if (arn.account.size() != 12 || !std::ranges::all_of(arn.account, [](char c) { return c >= '0' && c <= '9'; })) {
    return fail(Error::usage("the account in the ARN '" + shown + "' is not 12 digits"));
  }
  if (!std::ranges::all_of(arn.region, lower_digit_dash) || arn.name.size() < 3 || arn.name.size() > 50 ||
      !std::ranges::all_of(arn.name, lower_digit_dash) || arn.name.front() == '-' || arn.name.back() == '-') {
    return fail(Error::usage("malformed access point ARN '" + shown + "'"));
  }
  return std::optional(std::move(arn));
}

std::optional<std::string> invalid_key_reason(std::string_view key) {
  if (key.size() > 1024) return "object key longer than 1024 bytes";
  if (!valid_utf8(key)) return "object key not UTF-8 (as S3 keys must be)";
  return std::nullopt;
}

Result<S3Uri> parse_s3_prefix(std::string_view text) {
  constexpr std::string_view scheme = "s3://";
  const std::string shown(text);
  if (!text.starts_with(scheme)) return fail(Error::usage("expected s3://bucket/prefix, got '" + shown + "'"));
  const std::string_view rest = text.substr(scheme.size());
  const auto [bucket, slash] = split_bucket(rest);
  if (auto ok = check_bucket(bucket, shown); !ok) return fail(ok.error());
  const std::string_view key = slash == std::string_view::npos ? std::string_view() : rest.substr(slash + 1);
  if (auto why = invalid_key_reason(key)) return fail(Error::usage(*why + " in '" + shown + "'"));
  return S3Uri{std::string(bucket), std::string(key)};
}

Result<S3Uri> parse_s3_uri(std::string_view text) {
  constexpr std::string_view scheme = "s3://";
  const std::string shown(text);
  if (!text.starts_with(scheme)) {
    return fail(Error::usage("source must look like s3://bucket/key, got '" + shown + "'"));
  }
  const std::string_view rest = text.substr(scheme.size());
  const auto [bucket, slash] = split_bucket(rest);
  if (auto ok = check_bucket(bucket, shown); !ok) return fail(ok.error());
  if (slash == std::string_view::npos || slash + 1 == rest.size()) {
    return fail(Error::usage("missing object key in '" + shown + "' (expected s3://bucket/key)"));
  }
  std::string_view key = rest.substr(slash + 1);
  if (auto why = invalid_key_reason(key)) return fail(Error::usage(*why + " in '" + shown + "'"));
  return S3Uri{std::string(bucket), std::string(key)};
}

bool is_dns_compatible_bucket(std::string_view bucket) {
  if (bucket.size() < 3 || bucket.size() > 63) return false;
  if (bucket.front() == '-' || bucket.back() == '-') return false;
  return std::ranges::all_of(bucket, [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-'; });
}

}  // namespace s3fcp
