// http_fetch on a libcurl easy handle: one handle per call (credential requests are rare), the response body
// buffered up to a cap, nothing thrown through the callbacks (they only append to a std::string).
#include "resolve/http_fetch.h"

#include <arpa/inet.h>
#include <curl/curl.h>
#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <cstdlib>
#include <memory>
#include <thread>

#include "util/header_line.h"
#include "util/strings.h"

namespace s3fcp {

namespace {

struct Sink {
  SyncHttpResponse* response;
  size_t max_body;
  bool too_long = false;
};

size_t on_body(char* data, size_t size, size_t count, void* user) noexcept {
  auto* sink = static_cast<Sink*>(user);
  const size_t n = size * count;
  if (sink->response->body.size() + n > sink->max_body) {
    sink->too_long = true;
    return 0;  // aborts the transfer with CURLE_WRITE_ERROR
  }
  try {
    sink->response->body.append(data, n);
  } catch (...) {
    return 0;
  }
  return n;
}

size_t on_header(char* data, size_t size, size_t count, void* user) noexcept {
  auto* sink = static_cast<Sink*>(user);
  const size_t n = size * count;
  try {
    const std::string_view line(data, n);
    if (parse_status_line(line)) {
      sink->response->headers.clear();  // a 100 Continue before the real answer
      return n;
    }
    if (const auto header = parse_header_line(line)) {
      sink->response->headers.emplace_back(to_lower(header->name), std::string(header->value));
    }
  } catch (...) {
    return 0;
  }
  return n;
}

struct EasyDeleter {
  void operator()(CURL* e) const { curl_easy_cleanup(e); }
};
struct SlistDeleter {
  void operator()(curl_slist* l) const { curl_slist_free_all(l); }
};

}  // namespace

std::string SyncHttpResponse::header(std::string_view lowercase_name) const {
  for (const auto& [name, value] : headers) {
    if (name == lowercase_name) return value;
  }
  return {};
}

bool is_loopback_host(std::string_view host) {
  if (host == "localhost") return true;
  std::string h(host);
  in_addr v4{};
  if (inet_pton(AF_INET, h.c_str(), &v4) == 1) return (ntohl(v4.s_addr) >> 24) == 127;
  in6_addr v6{};
  if (inet_pton(AF_INET6, h.c_str(), &v6) == 1) return IN6_IS_ADDR_LOOPBACK(&v6);
  return false;
}

bool is_link_local_host(std::string_view host) {
  std::string h(host);
  in_addr v4{};
  if (inet_pton(AF_INET, h.c_str(), &v4) == 1) return (ntohl(v4.s_addr) >> 16) == 0xA9FE;  // 169.254/16
  in6_addr v6{};
  if (inet_pton(AF_INET6, h.c_str(), &v6) == 1) {
    if (IN6_IS_ADDR_LINKLOCAL(&v6)) return true;
    in6_addr imds{}, ecs{};
    inet_pton(AF_INET6, "fd00:ec2::254", &imds);
    inet_pton(AF_INET6, "fd00:ec2::23", &ecs);
    return std::equal(std::begin(v6.s6_addr), std::end(v6.s6_addr), std::begin(imds.s6_addr)) ||
           std::equal(std::begin(v6.s6_addr), std::end(v6.s6_addr), std::begin(ecs.s6_addr));
  }
  return false;
}

std::string describe_request(std::string_view method, std::string_view url) {
  auto parts = parse_url(url);
  if (!parts) return fmt::format("{} (bad URL)", method);
  return fmt::format("{} {}://{}{}", method, parts->scheme, parts->host_header(), parts->path);
}

Result<SyncHttpResponse> http_fetch(const SyncHttpRequest& request) {
  auto url = parse_url(request.url);
  if (!url) return fail(url.error());
  const std::string what = describe_request(request.method, request.url);

  std::unique_ptr<CURL, EasyDeleter> easy(curl_easy_init());
  if (!easy) return fail(ErrorKind::Other, what + ": cannot create a curl handle");
  CURL* e = easy.get();
  SyncHttpResponse response;
  Sink sink{&response, request.max_body};
  char error_buffer[CURL_ERROR_SIZE] = {};

  std::unique_ptr<curl_slist, SlistDeleter> headers;
  for (const auto& [name, value] : request.headers) {
    const std::string line =
        value.empty() ? name + ";" : name + ": " + value;  // "name;" sends an empty value
    curl_slist* next = curl_slist_append(headers.get(), line.c_str());
    if (next == nullptr) return fail(ErrorKind::Other, what + ": out of memory");
    static_cast<void>(headers.release());
    headers.reset(next);
  }
  // No "Expect: 100-continue" round trip before a POST body.
  if (curl_slist* next = curl_slist_append(headers.get(), "Expect:"); next != nullptr) {
    static_cast<void>(headers.release());
    headers.reset(next);
  }

  curl_easy_setopt(e, CURLOPT_URL, request.url.c_str());
  curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 0L);
  curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(request.connect_timeout.count()));
  curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, static_cast<long>(request.timeout.count()));
  curl_easy_setopt(e, CURLOPT_ERRORBUFFER, error_buffer);
  curl_easy_setopt(e, CURLOPT_HTTPHEADER, headers.get());
  curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_body);
  curl_easy_setopt(e, CURLOPT_WRITEDATA, &sink);
  curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, on_header);
  curl_easy_setopt(e, CURLOPT_HEADERDATA, &sink);
  curl_easy_setopt(e, CURLOPT_USERAGENT, "s3fcp/" S3FCP_VERSION);
  if (request.method == "GET") {
    curl_easy_setopt(e, CURLOPT_HTTPGET, 1L);
  } else if (request.method == "HEAD") {
    curl_easy_setopt(e, CURLOPT_NOBODY, 1L);
  } else {
    curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, request.method.c_str());
  }
  if (!request.body.empty() || request.method == "POST" || request.method == "PUT") {
    curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(request.body.size()));
    curl_easy_setopt(e, CURLOPT_POSTFIELDS, request.body.c_str());
  }
  // IMDS and the ECS agent are on the machine or the link: a proxy can only get them wrong (and would see
  // tokens).
  if (is_loopback_host(url->host) || is_link_local_host(url->host)) curl_easy_setopt(e, CURLOPT_NOPROXY, "*");
  if (!request.ca_bundle.empty()) curl_easy_setopt(e, CURLOPT_CAINFO, request.ca_bundle.c_str());

  const CURLcode rc = curl_easy_perform(e);
  if (sink.too_long) {
    return fail(ErrorKind::Network, fmt::format("{}: response longer than {} bytes", what, request.max_body));
  }
  if (rc != CURLE_OK) {
    Error err(ErrorKind::Network,
              fmt::format("{}: {}", what, error_buffer[0] != '\0' ? error_buffer : curl_easy_strerror(rc)));
    err.retryable = true;
    return fail(std::move(err));
  }
  curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &response.status);
  return response;
}

Result<SyncHttpResponse> http_fetch_retrying(const SyncHttpRequest& request, int attempts) {
  for (int attempt = 1;; ++attempt) {
    auto response = http_fetch(request);
    const bool transient =
        !response ? response.error().retryable : response->status >= 500 || response->status == 429;
    if (!transient || attempt >= attempts) return response;
    std::this_thread::sleep_for(std::chrono::milliseconds(100 * attempt));
  }
}

}  // namespace s3fcp
