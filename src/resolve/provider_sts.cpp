// STS: AssumeRole (SigV4-signed with the source credentials) and AssumeRoleWithWebIdentity (unsigned: the
// token is the proof), both as form-encoded POSTs of the Query API (Version 2011-06-15), and the web-identity
// source that reads AWS_WEB_IDENTITY_TOKEN_FILE / AWS_ROLE_ARN / AWS_ROLE_SESSION_NAME. The default endpoint
// is the regional one (https://sts.REGION.amazonaws.com), as the SDKs now use.
#include <fmt/format.h>

#include <chrono>
#include <fstream>
#include <sstream>
#include <thread>

#include "resolve/http_fetch.h"
#include "resolve/providers.h"
#include "sign/sigv4.h"
#include "util/crypto.h"

namespace s3fcp {

namespace {

constexpr int kStsAttempts = 3;
constexpr auto kStsConnectTimeout = std::chrono::seconds(5);
constexpr auto kStsTimeout = std::chrono::seconds(10);

std::string form(const std::vector<std::pair<std::string, std::string>>& fields) {
  std::string out;
  for (const auto& [name, value] : fields) {
    if (!out.empty()) out += '&';
    out += uri_encode(name, false) + "=" + uri_encode(value, false);
  }
  return out;
}

std::vector<std::pair<std::string, std::string>> role_fields(std::string action, const AssumeRoleParams& p) {
  std::vector<std::pair<std::string, std::string>> f = {{"Action", std::move(action)},
                                                        {"Version", "2011-06-15"},
                                                        {"RoleArn", p.role_arn},
                                                        {"RoleSessionName", p.session_name}};
  if (!p.external_id.empty()) f.emplace_back("ExternalId", p.external_id);
  if (p.duration_seconds > 0) f.emplace_back("DurationSeconds", std::to_string(p.duration_seconds));
  return f;
}

// POSTs `body` (signing it when `signer_creds` is given) and parses the answer, retrying throttling, 5xx and
// transport failures.
Result<Credentials> call_sts(const StsEndpoint& endpoint, const std::string& region, std::string_view action,
                             const std::string& body, const Credentials* signer_creds) {
  auto url = parse_url(endpoint.url);
  if (!url) return fail(ErrorKind::Usage, fmt::format("STS endpoint: {}", url.error().message));
  for (int attempt = 1;; ++attempt) {
    SyncHttpRequest req;
    req.method = "POST";
    req.url = endpoint.url;
    req.ca_bundle = endpoint.ca_bundle;
    req.body = body;
    req.connect_timeout = kStsConnectTimeout;
    req.timeout = kStsTimeout;
    req.headers = {{"Host", url->host_header()},
                   {"Content-Type", "application/x-www-form-urlencoded; charset=utf-8"},
                   {"Accept", "text/xml"}};
    if (signer_creds != nullptr) {
      const auto now = std::chrono::system_clock::now();
      req.headers.emplace_back("X-Amz-Date", amz_date(now));
      if (!signer_creds->session_token.empty()) {
        req.headers.emplace_back("X-Amz-Security-Token", signer_creds->session_token);
      }
      RequestToSign to_sign{"POST", url->path, {}, req.headers, sha256_hex(body)};
      SigV4Signer signer;
      const Signature sig = signer.sign(to_sign, *signer_creds, {region, "sts"}, now);
      req.headers.emplace_back("Authorization", sig.authorization);
    }
    auto response = http_fetch(req);
    Result<Credentials> creds =
        response ? parse_sts_response(response->status, response->body, action)
                 : fail(ErrorKind::Network, fmt::format("STS {}: {}", action, response.error().message));
    if (!response) creds.error().retryable = true;
    if (creds || !creds.error().retryable || attempt >= kStsAttempts) return creds;
    std::this_thread::sleep_for(std::chrono::milliseconds(200 * attempt));
  }
}

class WebIdentityEnvProvider final : public CredentialProvider {
 public:
  explicit WebIdentityEnvProvider(ProviderContext context) : m_context(std::move(context)) {}
  std::string name() const override { return "web identity"; }
  Result<Credentials> load() override {
    const std::string token_file = process_env("AWS_WEB_IDENTITY_TOKEN_FILE");
    const std::string role_arn = process_env("AWS_ROLE_ARN");
    if (token_file.empty())
      return fail(ErrorKind::NotFound, "web identity (AWS_WEB_IDENTITY_TOKEN_FILE not set)");
    if (role_arn.empty()) {
      return fail(ErrorKind::Auth,
                  "web identity: AWS_WEB_IDENTITY_TOKEN_FILE is set but AWS_ROLE_ARN is not");
    }
    return web_identity_credentials(m_context, role_arn, token_file, process_env("AWS_ROLE_SESSION_NAME"));
  }

 private:
  ProviderContext m_context;
};

}  // namespace

std::string default_session_name() {
  const auto now = std::chrono::system_clock::now().time_since_epoch();
  return fmt::format("s3fcp-{}", std::chrono::duration_cast<std::chrono::seconds>(now).count());
}

StsEndpoint sts_endpoint(const ProviderContext& context, std::string_view region) {
  const Profile profile = context.config->profile(context.profile_name);
  std::string url = configured_endpoint_url(*context.config, profile, "sts");
  if (url.empty()) {
    const std::string r = region.empty() ? "us-east-1" : std::string(region);
    url = fmt::format("https://sts.{}.amazonaws.com{}", r, r.starts_with("cn-") ? ".cn" : "");
  }
  return {url, context.ca_bundle};
}

Result<Credentials> sts_assume_role(const StsEndpoint& endpoint, const std::string& region,
                                    const AssumeRoleParams& params, const Credentials& source) {
  return call_sts(endpoint, region.empty() ? "us-east-1" : region, "AssumeRole",
                  form(role_fields("AssumeRole", params)), &source);
}

Result<Credentials> sts_assume_role_with_web_identity(const StsEndpoint& endpoint,
                                                      const AssumeRoleParams& params,
                                                      const std::string& token) {
  auto fields = role_fields("AssumeRoleWithWebIdentity", params);
  fields.emplace_back("WebIdentityToken", token);
  return call_sts(endpoint, "us-east-1", "AssumeRoleWithWebIdentity", form(fields), nullptr);
}

Result<Credentials> web_identity_credentials(const ProviderContext& context, const std::string& role_arn,
                                             const std::string& token_file, const std::string& session_name) {
  std::ifstream in(token_file, std::ios::binary);
  if (!in) return fail(ErrorKind::Auth, fmt::format("web identity: cannot read token file {}", token_file));
  std::ostringstream text;
  text << in.rdbuf();
  std::string token = text.str();
  while (!token.empty() && (token.back() == '\n' || token.back() == '\r' || token.back() == ' '))
    token.pop_back();
  if (token.empty())
    return fail(ErrorKind::Auth, fmt::format("web identity: token file {} is empty", token_file));

  AssumeRoleParams params;
  params.role_arn = role_arn;
  params.session_name = session_name.empty() ? default_session_name() : session_name;
  const std::string region = context.region.empty() ? "us-east-1" : context.region;
  auto creds = sts_assume_role_with_web_identity(sts_endpoint(context, region), params, token);
  if (!creds) {
    Error e = creds.error();  // keeps the STS code, status and request id
    e.message = "web identity: " + e.message;
    return fail(std::move(e));
  }
  creds->source = "web identity " + role_arn;
  return creds;
}

std::unique_ptr<CredentialProvider> make_web_identity_env_provider(const ProviderContext& context) {
  return std::make_unique<WebIdentityEnvProvider>(context);
}

}  // namespace s3fcp
