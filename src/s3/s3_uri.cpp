#include "s3/s3_uri.h"

#include <algorithm>

#include "util/utf8.h"

namespace s3fcp {

namespace {
bool bucket_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '.' ||
         c == '_';
}
}  // namespace

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
  const auto slash = rest.find('/');
  const std::string_view bucket = rest.substr(0, slash);
  if (bucket.empty()) return fail(Error::usage("missing bucket name in '" + shown + "'"));
  if (bucket.size() > 255 || !std::ranges::all_of(bucket, bucket_char)) {
    return fail(Error::usage("invalid bucket name '" + std::string(bucket) + "' in '" + shown + "'"));
  }
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
  std::string_view rest = text.substr(scheme.size());
  const auto slash = rest.find('/');
  std::string_view bucket = rest.substr(0, slash);
  if (bucket.empty()) return fail(Error::usage("missing bucket name in '" + shown + "'"));
  if (bucket.size() > 255 || !std::ranges::all_of(bucket, bucket_char)) {
    return fail(Error::usage("invalid bucket name '" + std::string(bucket) + "' in '" + shown + "'"));
  }
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
