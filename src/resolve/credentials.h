// Credentials and the provider seam. A CredentialProvider yields keys (possibly temporary, with an expiry);
// the chain tries providers in the AWS SDKs' order and explains every source it tried when none works.
// This file holds env and anonymous providers; profile files, STS, SSO, ECS and IMDS plug in behind the same
// interface.
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "util/error.h"

namespace s3fcp {

struct Credentials {
  std::string access_key_id;
  std::string secret_access_key;
  std::string session_token;  // empty when the keys are long-term
  std::optional<std::chrono::system_clock::time_point> expiration;
  std::string source;  // where they came from ("env", "profile dev", ...), for -v; never a secret
};

class CredentialProvider {
 public:
  virtual ~CredentialProvider() = default;
  virtual std::string name() const = 0;
  // Credentials, or an error saying why this source has none. kind Auth means "tried and failed loudly"
  // (stop the chain); kind NotFound means "nothing configured here" (try the next source).
  virtual Result<Credentials> load() = 0;
};

// Reads AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY / AWS_SESSION_TOKEN through `getenv`.
std::unique_ptr<CredentialProvider> make_env_provider();

// Tries each provider in order; the first that yields keys wins. Caches the keys and reloads them
// when they are within `refresh_margin` of expiring. Thread-safe.
class CredentialChain {
 public:
  explicit CredentialChain(std::vector<std::unique_ptr<CredentialProvider>> providers);
  Result<Credentials> get();

 private:
  struct Impl;
  std::shared_ptr<Impl> m_impl;
};

}  // namespace s3fcp
