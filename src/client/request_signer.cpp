#include "client/request_signer.h"

#include "util/crypto.h"

namespace s3fcp {

namespace {
// sha256(""): the payload hash of a request without a body.
constexpr const char* kEmptyPayloadHash = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
constexpr const char* kUnsignedPayload = "UNSIGNED-PAYLOAD";
}  // namespace

std::string_view method_name(Method method) {
  switch (method) {
    case Method::Get: return "GET";
    case Method::Head: return "HEAD";
    case Method::Put: return "PUT";
    case Method::Post: return "POST";
    case Method::Delete: return "DELETE";
  }
  return "GET";
}

RequestSigner::RequestSigner(EndpointSettings endpoint, std::shared_ptr<CredentialChain> credentials,
                             HeaderList common_headers)
    : m_endpoint(std::move(endpoint)),
      m_credentials(std::move(credentials)),
      m_common_headers(std::move(common_headers)) {}

std::string RequestSigner::region_of(const std::string& bucket) const {
  if (auto arn = parse_access_point_arn(bucket); arn && *arn) return (*arn)->region;  // an access point's own
  const auto it = m_bucket_region.find(bucket);
  return it != m_bucket_region.end() ? it->second : m_endpoint.region;
}

Result<ObjectLocation> RequestSigner::locate(const Target& target, const HeaderList& query) const {
  if (target.fixed) return *target.fixed;
  EndpointSettings settings = m_endpoint;
  settings.region = region_of(target.bucket);
  auto loc = resolve_object_location(S3Uri{target.bucket, target.key}, settings, "");
  if (!loc) return loc;
  loc->query = query;
  return loc;
}

std::string RequestSigner::display(const Target& target) const {
  auto loc = locate(target, {});
  return loc ? loc->display() : S3Uri{target.bucket, target.key}.str();
}

std::string RequestSigner::host(const Target& target) const {
  auto loc = locate(target, {});
  return loc ? loc->host : target.bucket;
}

bool RequestSigner::follow_region(const std::string& bucket, const std::string& region) {
  if (bucket.starts_with("arn:")) return false;  // an access point's region is its ARN's
  if (const auto it = m_bucket_region.find(bucket); it != m_bucket_region.end()) return it->second == region;
  if (region.empty() || region == m_endpoint.region) return false;
  m_bucket_region[bucket] = region;
  return true;
}

void RequestSigner::correct_clock(std::chrono::system_clock::time_point server_now) {
  m_clock_offset = server_now - std::chrono::system_clock::now();
}

void RequestSigner::credentials_expired() {
  if (m_credentials) m_credentials->invalidate(m_access_key_id);
}

Result<PreparedRequest> RequestSigner::prepare(const Request& request) {
  auto loc = locate(request.target, request.query);
  if (!loc) return fail(loc.error());
  PreparedRequest out;
  out.url = loc->url();
  out.display = loc->display();
  HeaderList headers;
  headers.emplace_back("Host", loc->host);
  headers.insert(headers.end(), request.headers.begin(), request.headers.end());
  const bool sign = m_credentials && !request.target.fixed;  // an http(s) source is fetched as given
  if (!request.target.fixed) headers.insert(headers.end(), m_common_headers.begin(), m_common_headers.end());
  if (sign) {
    auto creds = m_credentials->get();
    if (!creds) return fail(creds.error());
    m_access_key_id = creds->access_key_id;
    const auto now = std::chrono::system_clock::now() + m_clock_offset;
    const std::string payload_hash = request.streamed_size ? kUnsignedPayload
                                     : request.body.empty() ? kEmptyPayloadHash
                                                            : sha256_hex(request.body);
    headers.emplace_back("x-amz-content-sha256", payload_hash);
    headers.emplace_back("x-amz-date", amz_date(now));
    if (!creds->session_token.empty()) headers.emplace_back("x-amz-security-token", creds->session_token);
    RequestToSign to_sign{std::string(method_name(request.method)), loc->canonical_uri, loc->query, headers,
                          payload_hash};
    const Signature sig = m_signer.sign(to_sign, *creds, {region_of(request.target.bucket), "s3"}, now);
    headers.emplace_back("Authorization", sig.authorization);
  }
  out.header_lines.reserve(headers.size());
  for (const auto& [name, value] : headers) out.header_lines.push_back(name + ": " + value);
  return out;
}

}  // namespace s3fcp
