// Credentials and the provider seam. A CredentialProvider yields keys (possibly temporary, with an expiry);
// the chain tries providers in the AWS SDKs' order and explains every source it tried when none works.
// This file holds the env provider and the chain; profile files, STS, SSO, ECS and IMDS plug in behind the same
// interface (resolve/providers.h, which also assembles the default chain).
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "aws/credentials.h"
#include "util/error.h"

namespace s3fcp {

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

// Tries each provider in order; the first that yields keys wins. Caches the keys and reloads them from that same
// provider when they are within `refresh_margin` of expiring (as the SDKs do: a refresh does not walk the chain
// again). If a refresh fails while the cached keys are still valid, they keep being used and the refresh is
// retried at most every 10 s; keys that expire sooner than the margin are not reloaded again before
// `min(expiry, now + 10 s)`, so a short-lived source cannot turn every request into a credential call.
// Thread-safe; a refresh holds the lock, so concurrent callers wait for it rather than all refreshing.
class CredentialChain {
 public:
  struct Options {
    std::chrono::seconds refresh_margin = std::chrono::minutes(5);
    std::function<std::chrono::system_clock::time_point()> now;  // the clock; empty: system_clock::now
  };

  explicit CredentialChain(std::vector<std::unique_ptr<CredentialProvider>> providers);
  CredentialChain(std::vector<std::unique_ptr<CredentialProvider>> providers, Options options);
  Result<Credentials> get();

  // After S3 rejects a signature made with `access_key_id` as expired (ExpiredToken, TokenRefreshRequired): the
  // next get() reloads from the source that supplied it, and returns its error rather than the rejected keys.
  // Only acts while the cached keys still are `access_key_id`, so many requests failing at once cause one reload;
  // an empty id always acts.
  void invalidate(std::string_view access_key_id);

 private:
  struct Impl;
  std::shared_ptr<Impl> m_impl;
};

}  // namespace s3fcp
