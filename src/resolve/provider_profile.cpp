// The profile source: every way a ~/.aws profile can yield credentials, in botocore's order.
//
//   1. role_arn + source_profile | credential_source  -> STS AssumeRole with the source's credentials
//   2. role_arn + web_identity_token_file             -> STS AssumeRoleWithWebIdentity
//   3. sso_session | sso_start_url (+ account, role)   -> SSO GetRoleCredentials
//   4. aws_access_key_id in ~/.aws/credentials
//   5. credential_process                              -> /bin/sh -c COMMAND, JSON Version 1 on stdout
//   6. aws_access_key_id in ~/.aws/config
//
// A source profile is resolved the same way, except that one with static keys uses them even if it also has a
// role_arn (the CLI's rule), and a profile may name itself as source_profile to assume a role with its own
// keys. Revisiting any other profile on the way is a cycle and an error.
#include <fcntl.h>
#include <fmt/format.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <chrono>
#include <cstring>

#include "resolve/providers.h"

extern char** environ;

namespace s3fcp {

namespace {

constexpr auto kProcessTimeout = std::chrono::seconds(60);
constexpr size_t kProcessMaxOutput = 1 << 20;

bool is_assume_role(const Profile& p) { return p.has("role_arn") && !p.has("web_identity_token_file"); }
bool has_static_keys(const ConfigSection& s) {
  return s.has("aws_access_key_id") || s.has("aws_secret_access_key");
}
bool has_static_keys(const Profile& p) { return has_static_keys(p.credentials) || has_static_keys(p.config); }

Result<Credentials> static_keys(const ConfigSection& s, std::string_view file) {
  Credentials c;
  c.access_key_id = s.get("aws_access_key_id");
  c.secret_access_key = s.get("aws_secret_access_key");
  c.session_token = s.has("aws_session_token") ? s.get("aws_session_token") : s.get("aws_security_token");
  if (c.access_key_id.empty() || c.secret_access_key.empty()) {
    return fail(ErrorKind::Auth,
                fmt::format("{} without {} in {}",
                            c.access_key_id.empty() ? "aws_secret_access_key" : "aws_access_key_id",
                            c.access_key_id.empty() ? "aws_access_key_id" : "aws_secret_access_key", file));
  }
  return c;
}

class ProfileResolver {
 public:
  explicit ProfileResolver(const ProviderContext& context) : m_context(context), m_config(*context.config) {}

  // Everything but assume-role: web identity, SSO, static keys, credential_process. NotFound if none applies.
  Result<Credentials> direct(const Profile& p) {
    if (p.has("web_identity_token_file")) {
      const std::string role_arn = p.get("role_arn");
      if (role_arn.empty()) return fail(ErrorKind::Auth, "web_identity_token_file without role_arn");
      return web_identity_credentials(m_context, role_arn, p.get("web_identity_token_file"),
                                      p.get("role_session_name"));
    }
    auto sso = sso_config_of(m_config, p);
    if (!sso) return fail(sso.error());
    if (*sso) return sso_role_credentials(m_context, **sso);
    if (has_static_keys(p.credentials)) return static_keys(p.credentials, m_config.credentials_path);
    if (const std::string command = p.get("credential_process"); !command.empty()) {
      auto creds = run_credential_process(command);
      if (creds) creds->source = fmt::format("profile {} (credential_process)", p.name);
      return creds;
    }
    if (has_static_keys(p.config)) return static_keys(p.config, m_config.config_path);
    return fail(ErrorKind::NotFound, "no keys, role, SSO or credential_process in it");
  }

  Result<Credentials> assume_role(const Profile& p, std::vector<std::string> visited) {
    const std::string role_arn = p.get("role_arn");
    if (p.has("mfa_serial")) {
      return fail(ErrorKind::Auth,
                  fmt::format("role {} needs an MFA code (mfa_serial), which s3fcp cannot prompt "
                              "for; export temporary keys instead",
                              role_arn));
    }
    const std::string source_profile = p.get("source_profile");
    const std::string credential_source = p.get("credential_source");
    if (!source_profile.empty() && !credential_source.empty()) {
      return fail(ErrorKind::Auth, "role_arn with both source_profile and credential_source");
    }
    if (source_profile.empty() && credential_source.empty()) {
      return fail(ErrorKind::Auth, "role_arn needs source_profile or credential_source");
    }
    auto source = !source_profile.empty() ? from_source_profile(p, source_profile, visited)
                                          : from_credential_source(credential_source);
    if (!source) return fail(source.error());

    AssumeRoleParams params;
    params.role_arn = role_arn;
    params.session_name = p.get("role_session_name");
    if (params.session_name.empty()) params.session_name = default_session_name();
    params.external_id = p.get("external_id");
    if (const std::string d = p.get("duration_seconds"); !d.empty()) {
      const auto [end, ec] = std::from_chars(d.data(), d.data() + d.size(), params.duration_seconds);
      if (ec != std::errc() || end != d.data() + d.size() || params.duration_seconds < 900) {
        return fail(ErrorKind::Auth,
                    fmt::format("duration_seconds '{}' is not a number of seconds >= 900", d));
      }
    }
    const std::string region = m_context.region.empty() ? "us-east-1" : m_context.region;
    auto creds = sts_assume_role(sts_endpoint(m_context, region), region, params, *source);
    if (!creds) return fail(prefixed(creds.error(), "assume role " + role_arn));
    creds->source = fmt::format("profile {} (role {} via {})", p.name, role_arn, source->source);
    return creds;
  }

 private:
  Result<Credentials> from_source_profile(const Profile& p, const std::string& name,
                                          std::vector<std::string>& visited) {
    const std::string where = fmt::format("source profile '{}'", name);
    if (name == p.name && has_static_keys(p)) {  // a role assumed with the profile's own keys
      auto creds = has_static_keys(p.credentials) ? static_keys(p.credentials, m_config.credentials_path)
                                                  : static_keys(p.config, m_config.config_path);
      if (creds) creds->source = "profile " + p.name;
      return creds;
    }
    if (std::ranges::find(visited, name) != visited.end()) {
      visited.push_back(name);
      return fail(ErrorKind::Auth, fmt::format("source_profile loop: {}", fmt::join(visited, " -> ")));
    }
    const Profile source = m_config.profile(name);
    if (!source.exists()) return fail(ErrorKind::Auth, fmt::format("{} does not exist", where));
    visited.push_back(name);
    Result<Credentials> creds =
        has_static_keys(source) || !is_assume_role(source) ? direct(source) : assume_role(source, visited);
    if (!creds && creds.error().kind == ErrorKind::NotFound) {
      return fail(ErrorKind::Auth, fmt::format("{} has no credentials", where));
    }
    if (!creds) return fail(prefixed(creds.error(), where));
    if (creds->source.empty()) creds->source = "profile " + name;
    return creds;
  }

  Result<Credentials> from_credential_source(const std::string& source) {
    std::unique_ptr<CredentialProvider> provider;
    if (source == "Environment") {
      provider = make_env_provider();
    } else if (source == "Ec2InstanceMetadata") {
      provider = make_imds_provider(m_context);
    } else if (source == "EcsContainer") {
      provider = make_container_provider(m_context);
    } else {
      return fail(ErrorKind::Auth,
                  fmt::format("credential_source '{}' is not Environment, Ec2InstanceMetadata or "
                              "EcsContainer",
                              source));
    }
    auto creds = provider->load();
    if (!creds) {
      return fail(ErrorKind::Auth, fmt::format("credential_source {} found no credentials: {}", source,
                                               creds.error().message));
    }
    return creds;
  }

  const ProviderContext& m_context;
  const SharedConfig& m_config;
};

class ProfileProvider final : public CredentialProvider {
 public:
  explicit ProfileProvider(ProviderContext context) : m_context(std::move(context)) {}
  std::string name() const override { return fmt::format("profile '{}'", m_context.profile_name); }

  Result<Credentials> load() override {
    const std::string where = name();
    const Profile p = m_context.config->profile(m_context.profile_name);
    if (!p.exists()) {
      const std::string files =
          fmt::format("{} or {}", m_context.config->config_path, m_context.config->credentials_path);
      if (m_context.profile_required)
        return fail(ErrorKind::Auth, fmt::format("{}: not found in {}", where, files));
      return fail(ErrorKind::NotFound, fmt::format("{} (not in {})", where, files));
    }
    ProfileResolver resolver(m_context);
    auto creds = is_assume_role(p) ? resolver.assume_role(p, {p.name}) : resolver.direct(p);
    if (!creds && creds.error().kind == ErrorKind::NotFound) {
      return fail(ErrorKind::NotFound, fmt::format("{} ({})", where, creds.error().message));
    }
    if (!creds) return fail(prefixed(creds.error(), where));
    if (creds->source.empty()) creds->source = "profile " + p.name;
    return creds;
  }

 private:
  ProviderContext m_context;
};

}  // namespace

std::unique_ptr<CredentialProvider> make_profile_provider(const ProviderContext& context) {
  return std::make_unique<ProfileProvider>(context);
}

Result<Credentials> run_credential_process(const std::string& command) {
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) return fail(ErrorKind::Other, "credential_process: pipe failed");
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, fds[1], STDOUT_FILENO);  // dup2 clears close-on-exec on fd 1
  const char* argv[] = {"/bin/sh", "-c", command.c_str(), nullptr};
  pid_t pid = 0;
  // main ignores SIGPIPE and blocks SIGINT/SIGTERM for its signalfd; the helper gets the ordinary defaults.
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  sigset_t none, defaults;
  sigemptyset(&none);
  sigemptyset(&defaults);
  for (int sig : {SIGPIPE, SIGINT, SIGTERM}) sigaddset(&defaults, sig);
  posix_spawnattr_setsigmask(&attr, &none);
  posix_spawnattr_setsigdefault(&attr, &defaults);
  posix_spawnattr_setflags(&attr, static_cast<short>(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF));
  const int rc = posix_spawn(&pid, "/bin/sh", &actions, &attr, const_cast<char* const*>(argv), environ);
  posix_spawnattr_destroy(&attr);
  posix_spawn_file_actions_destroy(&actions);
  close(fds[1]);
  if (rc != 0) {
    close(fds[0]);
    return fail(ErrorKind::Auth,
                fmt::format("credential_process: cannot start /bin/sh: {}", std::strerror(rc)));
  }

  std::string out;
  bool timed_out = false, too_long = false;
  const auto deadline = std::chrono::steady_clock::now() + kProcessTimeout;
  for (;;) {
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) {
      timed_out = true;
      break;
    }
    pollfd pfd{fds[0], POLLIN, 0};
    const int ready = poll(&pfd, 1, static_cast<int>(left.count()));
    if (ready < 0 && errno == EINTR) continue;
    if (ready <= 0) continue;  // re-checks the deadline
    char buf[4096];
    const ssize_t n = read(fds[0], buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    out.append(buf, static_cast<size_t>(n));
    if (out.size() > kProcessMaxOutput) {
      too_long = true;
      break;
    }
  }
  close(fds[0]);
  if (timed_out || too_long) kill(pid, SIGKILL);
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (timed_out) {
    return fail(ErrorKind::Auth,
                fmt::format("credential_process did not finish within {} s", kProcessTimeout.count()));
  }
  if (too_long) return fail(ErrorKind::Auth, "credential_process wrote more than 1 MiB");
  if (WIFSIGNALED(status)) {
    return fail(ErrorKind::Auth, fmt::format("credential_process was killed by signal {}", WTERMSIG(status)));
  }
  if (WEXITSTATUS(status) != 0) {
    return fail(ErrorKind::Auth,
                fmt::format("credential_process exited with status {}", WEXITSTATUS(status)));
  }
  return parse_credential_process_output(out);
}

}  // namespace s3fcp
