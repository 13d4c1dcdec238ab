// A tiny synchronous HTTP client for the credential sources (IMDS, ECS, STS, SSO): one request, one buffered
// response, short timeouts. It is not the download path (that is fetch/curl_engine): these calls are rare,
// small and happen before the download or at a credential refresh.
//
// Never logs anything, and its error messages name only the method, scheme, host and path: never a header
// (Authorization, tokens), a body or a query string.
#pragma once

#include <chrono>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "util/error.h"
#include "util/url.h"

namespace s3fcp {

struct SyncHttpRequest {
  std::string method = "GET";
  std::string url;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  std::chrono::milliseconds connect_timeout{2000};
  std::chrono::milliseconds timeout{5000};  // the whole exchange
  size_t max_body = 1 << 20;                // a longer response is an error
  std::string ca_bundle;                    // the CAs trusted for https (resolve_ca_bundle's); empty: the system's
};

struct SyncHttpResponse {
  long status = 0;
  std::vector<std::pair<std::string, std::string>> headers;  // names lowercased
  std::string body;
  std::string header(std::string_view lowercase_name) const;  // "" if absent
};

// Any HTTP status is a success here; the caller judges it. A transport failure (refused, timed out, TLS) is
// kind Network with the curl reason. Proxies from the environment are honoured except for loopback and
// link-local hosts (IMDS, ECS), which are always reached directly; request.ca_bundle is honoured for https;
// redirects are not followed.
Result<SyncHttpResponse> http_fetch(const SyncHttpRequest& request);

// http_fetch, repeated up to `attempts` times (with a short pause) while it fails in transport or answers
// 5xx/429.
Result<SyncHttpResponse> http_fetch_retrying(const SyncHttpRequest& request, int attempts);

// 127.0.0.0/8, ::1, "localhost".
bool is_loopback_host(std::string_view host);
// 169.254.0.0/16, fe80::/10, and IMDS's IPv6 fd00:ec2::254 / ECS's fd00:ec2::23.
bool is_link_local_host(std::string_view host);

// "GET http://169.254.169.254/latest/api/token": what error messages say about a request.
std::string describe_request(std::string_view method, std::string_view url);

}  // namespace s3fcp
