// The one URL parser: absolute http(s) URLs, split into the parts the endpoint resolver, the http(s) source and the
// credential sources need. The path and query are kept as given (no percent-decoding): an S3 path or a presigned
// query is signed or sent byte for byte.
#pragma once

#include <string>
#include <string_view>

#include "util/error.h"

namespace s3fcp {

struct UrlParts {
  std::string scheme;  // "http" / "https", lowercased
  std::string host;    // without brackets, lowercased: "127.0.0.1", "fd00:ec2::23", "sts.us-east-1.amazonaws.com"
  int port = 0;        // explicit port, 0 if none
  std::string path;    // "/" if none; without the query
  std::string query;   // after '?', without '#fragment'
  bool has_query = false;
  std::string fragment;
  bool has_fragment = false;
  // The Host header value: host, bracketed if IPv6, with ":port" unless it is the scheme's default.
  std::string host_header() const;
};

// Splits an absolute http(s) URL. Rejects other schemes, userinfo, an empty host and a bad or empty port (kind Usage).
Result<UrlParts> parse_url(std::string_view url);

}  // namespace s3fcp
