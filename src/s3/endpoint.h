// Where an object lives on the wire: scheme, Host header, the encoded path and the query, for AWS's default
// endpoints (virtual-hosted unless the bucket name is not DNS-safe) and custom ones (path-style by default), and for
// access points named by their ARN (their own host name, on AWS or below a custom endpoint).
// Pure string work; the key is encoded once here and signed exactly as sent.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "s3/s3_uri.h"
#include "util/error.h"

namespace s3fcp {

enum class AddressingStyle { Auto, Path, Virtual };
Result<AddressingStyle> parse_addressing_style(std::string_view text);

struct ObjectLocation {
  std::string scheme;                                      // "http" or "https"
  std::string host;                                        // the Host header: host[:port]
  std::string canonical_uri;                               // encoded path, e.g. "/bucket/a%20b"
  std::vector<std::pair<std::string, std::string>> query;  // raw names/values, e.g. {"versionId", "…"}
  std::string raw_query;  // an http(s) source's query, sent byte for byte (a presigned URL's signature)
  std::string url() const;                                 // scheme://host/canonical_uri?encoded-query
  std::string display() const;  // url() for messages: a raw (presigned) query is shown as "?…", never its signature
};

struct EndpointSettings {
  std::string endpoint_url;  // empty: AWS's regional endpoint
  std::string region;
  AddressingStyle style = AddressingStyle::Auto;
  bool dualstack = false;  // s3.dualstack.REGION (IPv6 and IPv4); AWS endpoints only
  bool fips = false;       // s3-fips.REGION (FIPS 140 validated); AWS endpoints only
};

// An http:// or https:// source (a presigned S3 URL or any server that honours Range): sent as given,
// unsigned; the fragment is dropped.
bool is_http_source(std::string_view text);
Result<ObjectLocation> parse_http_source(std::string_view url);

Result<ObjectLocation> resolve_object_location(const S3Uri& uri, const EndpointSettings& settings,
                                               std::string_view version_id);

}  // namespace s3fcp
