// Turns an operation's Request into what goes on the wire: the URL (endpoint, addressing style, the bucket's region),
// the header lines, and the SigV4 Authorization with fresh credentials and a clock that can be corrected when S3 says
// RequestTimeTooSkewed. It also remembers which region each bucket lives in once S3 said so (a redirect is
// followed once per bucket). Used by the network thread only.
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "client/request.h"
#include "resolve/credentials.h"
#include "s3/endpoint.h"
#include "sign/sigv4.h"
#include "util/error.h"

namespace s3fcp {

struct PreparedRequest {
  std::string url;
  std::vector<std::string> header_lines;  // "Name: value"
  std::string display;                    // the URL for messages: never a presigned query
};

class RequestSigner {
 public:
  // `credentials` null: anonymous. `common_headers` go on every request, signed (x-amz-request-payer).
  RequestSigner(EndpointSettings endpoint, std::shared_ptr<CredentialChain> credentials, HeaderList common_headers);

  Result<PreparedRequest> prepare(const Request& request);

  // Where `target` is, for messages (the URL without query) and for curl's error texts (the host).
  std::string display(const Target& target) const;
  std::string host(const Target& target) const;

  // S3 said `bucket` lives in `region`: sign for it (and, on AWS endpoints, send there) from now on. Once per bucket;
  // true when requests now go there (also when another request already moved it there).
  bool follow_region(const std::string& bucket, const std::string& region);
  std::string region_of(const std::string& bucket) const;

  // The server's clock (its Date header) disagrees with ours: sign with its time from now on.
  void correct_clock(std::chrono::system_clock::time_point server_now);
  // S3 said the keys expired (ExpiredToken): reload them before the next request.
  void credentials_expired();

 private:
  Result<ObjectLocation> locate(const Target& target, const HeaderList& query) const;

  EndpointSettings m_endpoint;
  std::shared_ptr<CredentialChain> m_credentials;
  HeaderList m_common_headers;
  SigV4Signer m_signer;
  std::string m_access_key_id;  // of the last signed request
  std::map<std::string, std::string> m_bucket_region;  // buckets S3 moved us for
  std::chrono::system_clock::duration m_clock_offset{0};
};

}  // namespace s3fcp
