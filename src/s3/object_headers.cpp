// x-amz-tagging and x-amz-meta-* from the user's options, checked against S3's limits (object_headers.h).
// Percent-encoding is SigV4's (sign/sigv4.h uri_encode), so the tag string is encoded exactly as a signed
// query string would be.
#include "s3/object_headers.h"

#include <algorithm>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "sign/sigv4.h"
#include "util/strings.h"
#include "util/utf8.h"

namespace s3fcp {

namespace {

constexpr std::string_view kMetaPrefix = "x-amz-meta-";

bool is_token_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
         std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

bool is_header_value_char(char c) { return c == '\t' || (c >= 0x20 && c <= 0x7e); }

}  // namespace

Result<std::string> tagging_header_value(const KeyValueList& tags) {
  if (tags.size() > kMaxTags) {
    return fail(
        Error::usage(fmt::format("{} tags given; S3 allows at most {} per object", tags.size(), kMaxTags)));
  }
  std::string out;
  for (std::size_t i = 0; i < tags.size(); ++i) {
    const auto& [key, value] = tags[i];
    if (key.empty() || utf8_chars(key) > kMaxTagKeyChars) {
      return fail(Error::usage(
          fmt::format("tag key {:?}: S3 takes keys of 1 to {} characters", key, kMaxTagKeyChars)));
    }
    if (utf8_chars(value) > kMaxTagValueChars) {
      return fail(Error::usage(fmt::format("the value of tag {:?} is over {} characters, more than S3 takes",
                                           key, kMaxTagValueChars)));
    }
    if (to_lower(key.substr(0, 4)) == "aws:") {
      return fail(Error::usage(fmt::format("tag key {:?}: the prefix aws: is reserved by AWS", key)));
    }
    for (std::size_t j = 0; j < i; ++j) {
      if (tags[j].first == key) return fail(Error::usage(fmt::format("tag key {:?} is given twice", key)));
    }
    if (!out.empty()) out += '&';
    out += uri_encode(key, false);
    out += '=';
    out += uri_encode(value, false);
  }
  return out;
}

Result<HeaderList> user_metadata_headers(const KeyValueList& metadata) {
  HeaderList headers;
  std::size_t total = 0;
  for (const auto& [given_name, value] : metadata) {
    std::string_view name = given_name;
    if (to_lower(name.substr(0, kMetaPrefix.size())) == kMetaPrefix) name.remove_prefix(kMetaPrefix.size());
    if (name.empty() || !std::all_of(name.begin(), name.end(), is_token_char)) {
      return fail(Error::usage(
          fmt::format("metadata name {:?} is not a valid header name (letters, digits and !#$%&'*+-.^_`|~)",
                      given_name)));
    }
    if (!std::all_of(value.begin(), value.end(), is_header_value_char)) {
      return fail(Error::usage(fmt::format(
          "the value of metadata {:?} has characters S3 does not take in a header: use printable ASCII",
          name)));
    }
    std::string header = std::string(kMetaPrefix) + to_lower(name);
    for (const auto& [existing, unused] : headers) {
      if (existing == header) return fail(Error::usage(fmt::format("metadata {:?} is given twice", name)));
    }
    total += header.size() + value.size();
    headers.emplace_back(std::move(header), value);
  }
  if (total > kMaxUserMetadataBytes) {
    return fail(Error::usage(fmt::format(
        "user metadata is {} bytes (names with their x-amz-meta- prefix, and values); S3 allows {}", total,
        kMaxUserMetadataBytes)));
  }
  return headers;
}

Result<void> parse_metadata_argument(std::string_view text, KeyValueList& out) {
  if (trim(text).starts_with('{')) {
    const auto j = nlohmann::json::parse(text, nullptr, false);
    if (j.is_discarded() || !j.is_object()) {
      return fail(Error::usage(fmt::format("--metadata: {:?} is not a JSON object", text)));
    }
    for (const auto& [name, value] : j.items()) {
      if (!value.is_string()) {
        return fail(Error::usage(fmt::format("--metadata: the value of {:?} is not a JSON string", name)));
      }
      out.emplace_back(name, value.get<std::string>());
    }
    return {};
  }
  const auto eq = text.find('=');
  if (eq == std::string_view::npos || eq == 0) {
    return fail(Error::usage(fmt::format("--metadata takes KEY=VALUE, got '{}'", text)));
  }
  const std::string_view name = text.substr(0, eq), value = text.substr(eq + 1);
  for (size_t comma = value.find(','); comma != std::string_view::npos; comma = value.find(',', comma + 1)) {
    size_t start = comma + 1;
    while (start < value.size() && value[start] == ' ') ++start;  // the AWS CLI's shorthand allows "a=1, b=2"
    size_t end = start;
    while (end < value.size() && is_token_char(value[end]) && value[end] != '=') ++end;
    if (end > start && end < value.size() && value[end] == '=') {
      return fail(Error::usage(fmt::format(
          "--metadata '{}' reads as the AWS CLI's shorthand for several keys: give --metadata once per key "
          "(--metadata {}={} --metadata {}), or JSON ('{{\"{}\": \"...\"}}') for a value that holds ',' and '='",
          text, name, value.substr(0, comma), value.substr(comma + 1), name)));
    }
  }
  out.emplace_back(std::string(name), std::string(value));
  return {};
}

}  // namespace s3fcp
