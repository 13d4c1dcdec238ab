// Builds each ranged GET: URL, Range / If-Match, and the SigV4 headers with fresh credentials and a clock that
// can be corrected when S3 says RequestTimeTooSkewed. Used by the network thread only.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "plan/range_plan.h"
#include "resolve/credentials.h"
#include "resolve/endpoint.h"
#include "sign/sigv4.h"

namespace s3fcp {

struct HttpRequest {
  std::string url;
  std::vector<std::string> headers;  // "Name: value"
};

class S3RequestFactory {
 public:
  // `credentials` null: anonymous (--no-sign-request).
  S3RequestFactory(ObjectLocation location, std::string region, CredentialChain* credentials);

  Result<HttpRequest> make_get(const std::optional<ByteRange>& range, const std::string& if_match) {
    return make_request("GET", range, if_match, {});
  }
  // `extra_headers` are sent and signed, e.g. {"x-amz-checksum-mode", "ENABLED"}.
  Result<HttpRequest> make_request(const std::string& method, const std::optional<ByteRange>& range,
                                   const std::string& if_match,
                                   const std::vector<std::pair<std::string, std::string>>& extra_headers);
  // The server's clock (its Date header) disagrees with ours: sign with its time from now on.
  void correct_clock(std::chrono::system_clock::time_point server_now);
  const ObjectLocation& location() const { return m_location; }
  // S3 said the keys expired (ExpiredToken): reload them before the next request.
  void credentials_expired();

 private:
  ObjectLocation m_location;
  std::string m_url;
  std::string m_region;
  CredentialChain* m_credentials;
  SigV4Signer m_signer;
  std::string m_access_key_id;  // of the last signed request
  std::chrono::system_clock::duration m_clock_offset{0};
};

}  // namespace s3fcp
