#include "resolve/credentials.h"

#include <algorithm>
#include <cstdlib>
#include <mutex>

#include <fmt/format.h>

#include "resolve/aws_config.h"

namespace s3fcp {

namespace {

class EnvProvider final : public CredentialProvider {
 public:
  std::string name() const override { return "env"; }
  Result<Credentials> load() override {
    Credentials c;
    c.access_key_id = process_env("AWS_ACCESS_KEY_ID");
    c.secret_access_key = process_env("AWS_SECRET_ACCESS_KEY");
    c.session_token = process_env("AWS_SESSION_TOKEN");
    if (c.session_token.empty()) c.session_token = process_env("AWS_SECURITY_TOKEN");
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
  Options options;
  std::mutex mutex;
  std::optional<Credentials> cached;
  size_t winner = 0;      // index of the provider that supplied `cached`
  std::chrono::system_clock::time_point next_refresh;  // meaningful when cached has an expiration
  bool rejected = false;  // invalidate() hit the cached keys: do not fall back to them
  static constexpr auto min_refresh_interval = std::chrono::seconds(10);

  std::chrono::system_clock::time_point now() const {
    return options.now ? options.now() : std::chrono::system_clock::now();
  }

  void store(Credentials creds, size_t index, std::chrono::system_clock::time_point t) {
    if (creds.expiration) {
      next_refresh = std::max(*creds.expiration - options.refresh_margin,
                              std::min(t + min_refresh_interval, *creds.expiration));
    }
    cached = std::move(creds);
    winner = index;
    rejected = false;
  }

  Result<Credentials> walk(std::chrono::system_clock::time_point t) {
    std::string tried;
    for (size_t i = 0; i < providers.size(); ++i) {
      auto creds = providers[i]->load();
      if (creds) {
        store(std::move(*creds), i, t);
        return *cached;
      }
      if (creds.error().kind != ErrorKind::NotFound) {
        return fail(ErrorKind::Auth, "credentials from " + creds.error().message);
      }
      tried += (tried.empty() ? "" : ", ") + creds.error().message;
    }
    return fail(ErrorKind::Auth, fmt::format("no credentials found: tried {} (or pass --no-sign-request for "
                                             "public objects)", tried.empty() ? "nothing" : tried));
  }
};

CredentialChain::CredentialChain(std::vector<std::unique_ptr<CredentialProvider>> providers)
    : CredentialChain(std::move(providers), Options{}) {}

CredentialChain::CredentialChain(std::vector<std::unique_ptr<CredentialProvider>> providers, Options options)
    : m_impl(std::make_shared<Impl>()) {
  m_impl->providers = std::move(providers);
  m_impl->options = std::move(options);
}

Result<Credentials> CredentialChain::get() {
  std::lock_guard lock(m_impl->mutex);
  Impl& m = *m_impl;
  const auto t = m.now();
  if (!m.cached) return m.walk(t);
  if (!m.rejected && (!m.cached->expiration || t < m.next_refresh)) return *m.cached;

  // Refresh from the source that supplied the keys.
  auto creds = m.providers[m.winner]->load();
  if (creds) {
    m.store(std::move(*creds), m.winner, t);
    return *m.cached;
  }
  if (creds.error().kind == ErrorKind::NotFound) {  // that source is gone (e.g. a token file removed): start over
    m.cached.reset();
    return m.walk(t);
  }
  if (!m.rejected && m.cached->expiration && t < *m.cached->expiration) {
    m.next_refresh = std::min(t + Impl::min_refresh_interval, *m.cached->expiration);
    return *m.cached;  // still valid: use them, retry the refresh later
  }
  return fail(ErrorKind::Auth, "refreshing credentials from " + creds.error().message);
}

void CredentialChain::invalidate(std::string_view access_key_id) {
  std::lock_guard lock(m_impl->mutex);
  Impl& m = *m_impl;
  if (m.cached && (access_key_id.empty() || m.cached->access_key_id == access_key_id)) m.rejected = true;
}

}  // namespace s3fcp
