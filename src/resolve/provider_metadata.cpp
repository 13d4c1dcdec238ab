// The two metadata services a machine may offer credentials from.
//
// ECS / EKS Pod Identity: GET AWS_CONTAINER_CREDENTIALS_RELATIVE_URI on http://169.254.170.2, or
// AWS_CONTAINER_CREDENTIALS_FULL_URI (over http only on loopback or the ECS/EKS agent addresses, as the SDKs
// require), with an Authorization header from AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE (read at every load: it
// is rotated) or AWS_CONTAINER_AUTHORIZATION_TOKEN.
//
// EC2 IMDSv2: PUT /latest/api/token (a session token, 6 h), then GET
// /latest/meta-data/iam/security-credentials/ for the role name and GET .../<role> for the keys, each with
// X-aws-ec2-metadata-token. No IMDSv1 fallback. Short timeouts (1 s to connect, 2 s in all, one retry): on a
// machine that is not an EC2 instance, this is the last source of the chain and should not hold the user up.
#include <fmt/format.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "resolve/http_fetch.h"
#include "resolve/providers.h"
#include "util/strings.h"

namespace s3fcp {

namespace {

constexpr int kImdsAttempts = 2;
constexpr int kEcsAttempts = 3;

std::string error_detail(const SyncHttpResponse& r) {
  const auto body = nlohmann::json::parse(r.body, nullptr, false);
  for (const char* key : {"message", "Message"}) {
    if (body.is_object() && body.contains(key) && body[key].is_string()) {
      return fmt::format("HTTP {}: {}", r.status, body[key].get<std::string>());
    }
  }
  return fmt::format("HTTP {}", r.status);
}

class ContainerProvider final : public CredentialProvider {
 public:
  explicit ContainerProvider(ProviderContext context) : m_context(std::move(context)) {}
  std::string name() const override { return "ECS container"; }

  Result<Credentials> load() override {
    const std::string relative = process_env("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI");
    const std::string full = process_env("AWS_CONTAINER_CREDENTIALS_FULL_URI");
    if (relative.empty() && full.empty()) {
      return fail(ErrorKind::NotFound,
                  "ECS container (AWS_CONTAINER_CREDENTIALS_RELATIVE_URI/_FULL_URI not set)");
    }
    SyncHttpRequest req;
    req.url = relative.empty() ? full : m_context.ecs_base + relative;
    req.ca_bundle = m_context.ca_bundle;
    auto url = parse_url(req.url);
    if (!url) return fail(prefixed(url.error(), "ECS container"));
    if (relative.empty() && !is_allowed_container_url(url->scheme, url->host)) {
      return fail(ErrorKind::Auth,
                  fmt::format("ECS container: AWS_CONTAINER_CREDENTIALS_FULL_URI host '{}' is not "
                              "allowed over http (only loopback, 169.254.170.2, 169.254.170.23, "
                              "fd00:ec2::23; any host over https)",
                              url->host));
    }
    std::string token;
    if (const std::string file = process_env("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE"); !file.empty()) {
      std::ifstream in(file, std::ios::binary);
      if (!in)
        return fail(ErrorKind::Auth, fmt::format("ECS container: cannot read the token file {}", file));
      std::ostringstream text;
      text << in.rdbuf();
      token = text.str();
      while (!token.empty() && (token.back() == '\n' || token.back() == '\r')) token.pop_back();
    } else {
      token = process_env("AWS_CONTAINER_AUTHORIZATION_TOKEN");
    }
    if (token.find_first_of("\r\n") != std::string::npos) {
      return fail(ErrorKind::Auth, "ECS container: the authorization token is not a valid header value");
    }
    req.headers = {{"Accept", "application/json"}};
    if (!token.empty()) req.headers.emplace_back("Authorization", token);
    req.connect_timeout = std::chrono::seconds(2);
    req.timeout = std::chrono::seconds(5);

    auto response = http_fetch_retrying(req, kEcsAttempts);
    if (!response) return fail(prefixed(response.error(), "ECS container"));
    if (response->status != 200) {
      return fail(Error(
          ErrorKind::Auth,
          fmt::format("ECS container: {}: {}", describe_request("GET", req.url), error_detail(*response)),
          response->status));
    }
    auto creds = parse_container_credentials(response->body);
    if (!creds) return fail(prefixed(creds.error(), "ECS container"));
    creds->source = "ecs container";
    return creds;
  }

 private:
  ProviderContext m_context;
};

// One IMDSv2 session against one endpoint.
class Imds {
 public:
  explicit Imds(const Profile& profile) {
    m_endpoint = process_env("AWS_EC2_METADATA_SERVICE_ENDPOINT");
    if (m_endpoint.empty()) m_endpoint = profile.get("ec2_metadata_service_endpoint");
    if (m_endpoint.empty()) {
      std::string mode = process_env("AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE");
      if (mode.empty()) mode = profile.get("ec2_metadata_service_endpoint_mode");
      m_endpoint = iequals(mode, "ipv6") ? "http://[fd00:ec2::254]" : "http://169.254.169.254";
    }
    while (m_endpoint.ends_with('/')) m_endpoint.pop_back();
  }

  static bool disabled() { return config_true(process_env("AWS_EC2_METADATA_DISABLED")); }
  const std::string& endpoint() const { return m_endpoint; }

  // NotFound when IMDS does not answer or refuses a token: then this is simply not an EC2 instance.
  Result<void> start_session() {
    SyncHttpRequest req = request("PUT", "/latest/api/token");
    req.headers.emplace_back("X-aws-ec2-metadata-token-ttl-seconds", "21600");
    auto response = http_fetch_retrying(req, kImdsAttempts);
    if (!response) {
      return fail(ErrorKind::NotFound,
                  fmt::format("IMDS (no answer from {}: {})", m_endpoint, response.error().message));
    }
    if (response->status != 200 || response->body.empty()) {
      return fail(ErrorKind::NotFound,
                  fmt::format("IMDS (token request to {} answered HTTP {})", m_endpoint, response->status));
    }
    m_token = response->body;
    return {};
  }

  Result<SyncHttpResponse> get(const std::string& path) {
    SyncHttpRequest req = request("GET", path);
    req.headers.emplace_back("X-aws-ec2-metadata-token", m_token);
    auto response = http_fetch_retrying(req, kImdsAttempts);
    if (!response) return fail(ErrorKind::NotFound, fmt::format("IMDS ({})", response.error().message));
    return response;
  }

 private:
  SyncHttpRequest request(std::string method, const std::string& path) const {
    SyncHttpRequest req;
    req.method = std::move(method);
    req.url = m_endpoint + path;
    req.connect_timeout = std::chrono::seconds(1);
    req.timeout = std::chrono::seconds(2);
    return req;
  }

  std::string m_endpoint;
  std::string m_token;  // a secret-equivalent: never in a message
};

class ImdsProvider final : public CredentialProvider {
 public:
  explicit ImdsProvider(ProviderContext context) : m_context(std::move(context)) {}
  std::string name() const override { return "IMDS"; }

  Result<Credentials> load() override {
    if (Imds::disabled()) return fail(ErrorKind::NotFound, "IMDS (disabled)");
    Imds imds(m_context.config->profile(m_context.profile_name));
    if (auto ok = imds.start_session(); !ok) return fail(ok.error());
    const std::string base = "/latest/meta-data/iam/security-credentials/";
    auto roles = imds.get(base);
    if (!roles) return fail(roles.error());
    if (roles->status == 404)
      return fail(ErrorKind::NotFound, "IMDS (no IAM role attached to this instance)");
    if (roles->status != 200) {
      return fail(
          ErrorKind::Auth,
          fmt::format("IMDS: {}: HTTP {}", describe_request("GET", imds.endpoint() + base), roles->status));
    }
    std::string role = roles->body.substr(0, roles->body.find_first_of("\r\n"));
    if (role.empty()) return fail(ErrorKind::NotFound, "IMDS (no IAM role attached to this instance)");
    auto response = imds.get(base + role);
    if (!response) return fail(response.error());
    if (response->status != 200) {
      return fail(ErrorKind::Auth,
                  fmt::format("IMDS: credentials of role {}: HTTP {}", role, response->status));
    }
    auto creds = parse_container_credentials(response->body);
    if (!creds) return fail(prefixed(creds.error(), "IMDS"));
    creds->source = "imds role " + role;
    return creds;
  }

 private:
  ProviderContext m_context;
};

}  // namespace

std::unique_ptr<CredentialProvider> make_container_provider(const ProviderContext& context) {
  return std::make_unique<ContainerProvider>(context);
}

std::unique_ptr<CredentialProvider> make_imds_provider(const ProviderContext& context) {
  return std::make_unique<ImdsProvider>(context);
}

Result<std::string> imds_region(const Profile& profile) {
  if (Imds::disabled()) return fail(ErrorKind::NotFound, "IMDS (disabled)");
  Imds imds(profile);
  if (auto ok = imds.start_session(); !ok) return fail(ok.error());
  auto response = imds.get("/latest/meta-data/placement/region");
  if (!response) return fail(response.error());
  if (response->status != 200) {
    return fail(ErrorKind::NotFound,
                fmt::format("IMDS (placement/region answered HTTP {})", response->status));
  }
  std::string region = response->body;
  while (!region.empty() && (region.back() == '\n' || region.back() == '\r' || region.back() == ' ')) {
    region.pop_back();
  }
  return region;
}

}  // namespace s3fcp
