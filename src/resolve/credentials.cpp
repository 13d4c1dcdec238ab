#include "resolve/credentials.h"

#include <cstdlib>
#include <mutex>

#include <fmt/format.h>

namespace s3fcp {

namespace {

std::string env(const char* name) {
  const char* v = std::getenv(name);
  return v ? std::string(v) : std::string();
}

class EnvProvider final : public CredentialProvider {
 public:
  std::string name() const override { return "env"; }
  Result<Credentials> load() override {
    Credentials c;
    c.access_key_id = env("AWS_ACCESS_KEY_ID");
    c.secret_access_key = env("AWS_SECRET_ACCESS_KEY");
    c.session_token = env("AWS_SESSION_TOKEN");
    if (c.session_token.empty()) c.session_token = env("AWS_SECURITY_TOKEN");
    c.source = "env";
    if (c.access_key_id.empty() && c.secret_access_key.empty()) {
      return fail(ErrorKind::NotFound, "env (AWS_ACCESS_KEY_ID not set)");
    }
    if (c.access_key_id.empty() || c.secret_access_key.empty()) {
      return fail(ErrorKind::Auth, c.access_key_id.empty() ? "env (AWS_SECRET_ACCESS_KEY set but AWS_ACCESS_KEY_ID is not)"
                                                           : "env (AWS_ACCESS_KEY_ID set but AWS_SECRET_ACCESS_KEY is not)");
    }
    return c;
  }
};

}  // namespace

std::unique_ptr<CredentialProvider> make_env_provider() { return std::make_unique<EnvProvider>(); }

struct CredentialChain::Impl {
  std::vector<std::unique_ptr<CredentialProvider>> providers;
  std::mutex mutex;
  std::optional<Credentials> cached;
  static constexpr auto refresh_margin = std::chrono::minutes(5);
};

CredentialChain::CredentialChain(std::vector<std::unique_ptr<CredentialProvider>> providers)
    : m_impl(std::make_shared<Impl>()) {
  m_impl->providers = std::move(providers);
}

Result<Credentials> CredentialChain::get() {
  std::lock_guard lock(m_impl->mutex);
  auto& cached = m_impl->cached;
  if (cached && (!cached->expiration || *cached->expiration - std::chrono::system_clock::now() > Impl::refresh_margin)) {
    return *cached;
  }
  std::string tried;
  for (const auto& provider : m_impl->providers) {
    auto creds = provider->load();
    if (creds) {
      cached = *creds;
      return *creds;
    }
    if (creds.error().kind != ErrorKind::NotFound) {
      return fail(ErrorKind::Auth, "credentials from " + creds.error().message);
    }
    tried += (tried.empty() ? "" : ", ") + creds.error().message;
  }
  return fail(ErrorKind::Auth, fmt::format("no credentials found: tried {} (or pass --no-sign-request for public "
                                           "objects)", tried.empty() ? "nothing" : tried));
}

}  // namespace s3fcp
