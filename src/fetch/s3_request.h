// Builds each ranged GET: URL, Range / If-Match, and the SigV4 headers with fresh credentials and a clock that
// can be corrected when S3 says RequestTimeTooSkewed. Used by the network thread only.
#pragma once

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "ops/get/range_plan.h"
#include "resolve/credentials.h"
#include "s3/endpoint.h"
#include "sign/sigv4.h"

namespace s3fcp {

struct HttpRequest {
  std::string url;
  std::vector<std::string> headers;  // "Name: value"
};

class S3RequestFactory {
 public:
  // `credentials` null: anonymous (--no-sign-request). `common_headers` go on every request, signed
  // (x-amz-request-payer, the SSE-C key headers).
  S3RequestFactory(ObjectLocation location, std::string region, CredentialChain* credentials,
                   std::vector<std::pair<std::string, std::string>> common_headers = {});
  // How to find the object in another region (for S3 sources), used once when S3 says the bucket lives
  // elsewhere (301 PermanentRedirect, 400 AuthorizationHeaderMalformed, x-amz-bucket-region).
  using Relocator = std::function<Result<ObjectLocation>(const std::string& region)>;
  void set_relocator(Relocator relocate) { m_relocate = std::move(relocate); }
  // Switches to `region` (re-resolving the endpoint), once per download; true when requests now go there.
  bool switch_region(const std::string& region);
  const std::string& region() const { return m_region; }

  // `range`: the Range header's value ("bytes=0-99"), empty for none.
  Result<HttpRequest> make_get(const std::string& range, const std::string& if_match) {
    return make_request("GET", range, if_match, {});
  }
  // `extra_headers` are sent and signed, e.g. {"x-amz-checksum-mode", "ENABLED"}.
  Result<HttpRequest> make_request(const std::string& method, const std::string& range,
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
  std::vector<std::pair<std::string, std::string>> m_common_headers;
  Relocator m_relocate;
  bool m_switched_region = false;
  std::chrono::system_clock::duration m_clock_offset{0};
};

}  // namespace s3fcp
