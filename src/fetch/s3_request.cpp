#include "fetch/s3_request.h"

namespace s3fcp {

namespace {
// sha256("") : a GET has an empty body.
constexpr const char* kEmptyPayloadHash = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
}  // namespace

S3RequestFactory::S3RequestFactory(ObjectLocation location, std::string region, CredentialChain* credentials,
                                   std::vector<std::pair<std::string, std::string>> common_headers)
    : m_location(std::move(location)),
      m_url(m_location.url()),
      m_region(std::move(region)),
      m_credentials(credentials),
      m_common_headers(std::move(common_headers)) {}

bool S3RequestFactory::switch_region(const std::string& region) {
  if (m_switched_region) return region == m_region;  // another request already followed it there
  if (!m_relocate || region.empty() || region == m_region) return false;
  auto moved = m_relocate(region);
  if (!moved) return false;
  m_switched_region = true;
  m_location = std::move(*moved);
  m_url = m_location.url();
  m_region = region;
  return true;
}

void S3RequestFactory::correct_clock(std::chrono::system_clock::time_point server_now) {
  m_clock_offset = server_now - std::chrono::system_clock::now();
}

void S3RequestFactory::credentials_expired() {
  if (m_credentials != nullptr) m_credentials->invalidate(m_access_key_id);
}

Result<HttpRequest> S3RequestFactory::make_request(const std::string& method, const std::string& range,
                                                   const std::string& if_match,
                                                   const std::vector<std::pair<std::string, std::string>>& extra_headers) {
  HttpRequest req;
  req.url = m_url;
  std::vector<std::pair<std::string, std::string>> headers;
  headers.emplace_back("Host", m_location.host);
  if (!range.empty()) headers.emplace_back("Range", range);
  if (!if_match.empty()) headers.emplace_back("If-Match", if_match);
  headers.insert(headers.end(), m_common_headers.begin(), m_common_headers.end());
  headers.insert(headers.end(), extra_headers.begin(), extra_headers.end());

  if (m_credentials != nullptr) {
    auto creds = m_credentials->get();
    if (!creds) return fail(creds.error());
    m_access_key_id = creds->access_key_id;
    const auto now = std::chrono::system_clock::now() + m_clock_offset;
    headers.emplace_back("x-amz-content-sha256", kEmptyPayloadHash);
    headers.emplace_back("x-amz-date", amz_date(now));
    if (!creds->session_token.empty()) headers.emplace_back("x-amz-security-token", creds->session_token);
    RequestToSign to_sign{method, m_location.canonical_uri, m_location.query, headers, kEmptyPayloadHash};
    const Signature sig = m_signer.sign(to_sign, *creds, {m_region, "s3"}, now);
    headers.emplace_back("Authorization", sig.authorization);
  }
  req.headers.reserve(headers.size());
  for (const auto& [name, value] : headers) req.headers.push_back(name + ": " + value);
  return req;
}

}  // namespace s3fcp
