// AWS access keys as a plain value: what a credential source yields (resolve/) and what the signer needs (sign/).
// Below both, so that neither depends on the other's folder.
#pragma once

#include <chrono>
#include <optional>
#include <string>

namespace s3fcp {

struct Credentials {
  std::string access_key_id;
  std::string secret_access_key;
  std::string session_token;  // empty when the keys are long-term
  std::optional<std::chrono::system_clock::time_point> expiration;
  std::string source;  // where they came from ("env", "profile dev", ...), for -v; never a secret
};

}  // namespace s3fcp
