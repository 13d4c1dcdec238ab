// The default chain's assembly, the region chain, and the pure parsers of what each credential source answers
// (dates, credential_process JSON, STS XML, ECS/IMDS JSON, SSO JSON). The sources themselves live in
// provider_profile.cpp (profiles, credential_process), provider_sts.cpp (STS, web identity), provider_sso.cpp
// and provider_metadata.cpp (ECS, IMDS).
#include "resolve/providers.h"

#include <fmt/format.h>

#include <cstring>
#include <nlohmann/json.hpp>
#include <pugixml.hpp>

#include "resolve/http_fetch.h"

namespace s3fcp {

namespace {

using nlohmann::json;
using SystemClock = std::chrono::system_clock;

// A string member, "" when absent or not a string (never throws).
std::string str_field(const json& j, const char* key) {
  if (!j.is_object()) return {};
  const auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

Result<std::optional<SystemClock::time_point>> optional_expiration(std::string_view text, std::string_view what) {
  if (text.empty()) return std::optional<SystemClock::time_point>();
  auto t = parse_iso8601(text);
  if (!t) return fail(ErrorKind::Auth, fmt::format("{}: bad Expiration '{}'", what, text));
  return std::optional<SystemClock::time_point>(*t);
}

// The text of the first element named `name` anywhere below `root`.
std::string xml_text(const pugi::xml_node& root, const char* name) {
  const pugi::xml_node n =
      root.find_node([name](const pugi::xml_node& x) { return std::strcmp(x.name(), name) == 0; });
  return n ? std::string(n.child_value()) : std::string();
}

}  // namespace

// --- the chain
// ---------------------------------------------------------------------------------------------------

Result<std::unique_ptr<CredentialChain>> make_default_chain(const DefaultChainOptions& options) {
  ProviderContext context;
  context.config = options.config;
  if (!context.config) {
    auto loaded = load_shared_config(config_paths());
    if (!loaded) return fail(loaded.error());
    context.config = std::make_shared<const SharedConfig>(std::move(*loaded));
  }
  context.profile_name = select_profile_name(options.profile);
  context.profile_required = profile_explicitly_selected(options.profile);
  context.region = options.region;
  if (!options.ecs_base.empty()) context.ecs_base = options.ecs_base;
  context.ca_bundle = resolve_ca_bundle(options.ca_bundle, context.config->profile(context.profile_name));

  std::vector<std::unique_ptr<CredentialProvider>> providers;
  if (options.profile.empty()) providers.push_back(make_env_provider());
  providers.push_back(make_profile_provider(context));
  providers.push_back(make_web_identity_env_provider(context));
  providers.push_back(make_container_provider(context));
  providers.push_back(make_imds_provider(context));
  return std::make_unique<CredentialChain>(std::move(providers), options.chain);
}

Result<std::unique_ptr<CredentialChain>> make_default_chain(std::string_view profile,
                                                            std::string_view region) {
  DefaultChainOptions options;
  options.profile = std::string(profile);
  options.region = std::string(region);
  return make_default_chain(options);
}

std::string resolve_region(std::string_view cli_region, const Profile& profile, bool ask_imds) {
  if (!cli_region.empty()) return std::string(cli_region);
  for (const char* var : {"AWS_REGION", "AWS_DEFAULT_REGION"}) {
    std::string v = process_env(var);
    if (!v.empty()) return v;
  }
  if (std::string v = profile_region(profile); !v.empty()) return v;
  if (!ask_imds) return "us-east-1";
  if (auto v = imds_region(profile); v && !v->empty()) return *v;
  return "us-east-1";
}

// --- parsers
// -----------------------------------------------------------------------------------------------------

Result<Credentials> parse_credential_process_output(std::string_view text) {
  const json j = json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_object())
    return fail(ErrorKind::Auth, "credential_process output is not JSON");
  const auto version = j.find("Version");
  if (version == j.end()) return fail(ErrorKind::Auth, "credential_process output has no Version");
  if (!version->is_number_integer() || version->get<long long>() != 1) {
    return fail(ErrorKind::Auth, fmt::format("credential_process output has Version {}; only 1 is supported",
                                             version->dump()));
  }
  Credentials c;
  c.access_key_id = str_field(j, "AccessKeyId");
  c.secret_access_key = str_field(j, "SecretAccessKey");
  c.session_token = str_field(j, "SessionToken");
  if (c.access_key_id.empty()) return fail(ErrorKind::Auth, "credential_process output has no AccessKeyId");
  if (c.secret_access_key.empty())
    return fail(ErrorKind::Auth, "credential_process output has no SecretAccessKey");
  auto exp = optional_expiration(str_field(j, "Expiration"), "credential_process output");
  if (!exp) return fail(exp.error());
  c.expiration = *exp;
  return c;
}

Result<Credentials> parse_sts_response(long status, std::string_view xml, std::string_view action) {
  pugi::xml_document doc;
  const bool parsed = static_cast<bool>(doc.load_buffer(xml.data(), xml.size()));
  if (status != 200 || !parsed || doc.document_element().name() == std::string_view("ErrorResponse")) {
    const std::string code = parsed ? xml_text(doc, "Code") : "";
    const std::string message = parsed ? xml_text(doc, "Message") : "";
    Error e(ErrorKind::Auth,
            fmt::format("STS {} failed: {}{}{} (HTTP {})", action, code.empty() ? "" : code,
                        code.empty() || message.empty() ? "" : ": ",
                        message.empty() && code.empty() ? "no error details" : message, status),
            status);
    e.s3_code = code;
    e.request_id = parsed ? xml_text(doc, "RequestId") : "";
    if (status == 429 || status >= 500 || code == "Throttling" || code == "IDPCommunicationError") {
      e.kind = ErrorKind::Network;
      e.retryable = true;
    }
    return fail(std::move(e));
  }
  const pugi::xml_node creds =
      doc.find_node([](const pugi::xml_node& x) { return std::strcmp(x.name(), "Credentials") == 0; });
  if (!creds) return fail(ErrorKind::Auth, fmt::format("STS {}: answer has no Credentials", action));
  Credentials c;
  c.access_key_id = creds.child_value("AccessKeyId");
  c.secret_access_key = creds.child_value("SecretAccessKey");
  c.session_token = creds.child_value("SessionToken");
  if (c.access_key_id.empty() || c.secret_access_key.empty()) {
    return fail(ErrorKind::Auth, fmt::format("STS {}: answer lacks AccessKeyId or SecretAccessKey", action));
  }
  auto exp = optional_expiration(creds.child_value("Expiration"), fmt::format("STS {}", action));
  if (!exp) return fail(exp.error());
  c.expiration = *exp;
  return c;
}

Result<Credentials> parse_container_credentials(std::string_view text) {
  const json j = json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return fail(ErrorKind::Auth, "credentials answer is not JSON");
  if (const std::string code = str_field(j, "Code"); !code.empty() && code != "Success") {
    return fail(ErrorKind::Auth,
                fmt::format("credentials answer has Code {}: {}", code, str_field(j, "Message")));
  }
  Credentials c;
  c.access_key_id = str_field(j, "AccessKeyId");
  c.secret_access_key = str_field(j, "SecretAccessKey");
  c.session_token = str_field(j, "Token");
  if (c.access_key_id.empty() || c.secret_access_key.empty()) {
    return fail(ErrorKind::Auth, "credentials answer lacks AccessKeyId or SecretAccessKey");
  }
  auto exp = optional_expiration(str_field(j, "Expiration"), "credentials answer");
  if (!exp) return fail(exp.error());
  c.expiration = *exp;
  return c;
}

Result<Credentials> parse_sso_role_credentials(std::string_view text) {
  const json j = json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_object() || !j.contains("roleCredentials") ||
      !j["roleCredentials"].is_object()) {
    return fail(ErrorKind::Auth, "SSO GetRoleCredentials answer has no roleCredentials");
  }
  const json& r = j["roleCredentials"];
  Credentials c;
  c.access_key_id = str_field(r, "accessKeyId");
  c.secret_access_key = str_field(r, "secretAccessKey");
  c.session_token = str_field(r, "sessionToken");
  if (c.access_key_id.empty() || c.secret_access_key.empty()) {
    return fail(ErrorKind::Auth, "SSO GetRoleCredentials answer lacks accessKeyId or secretAccessKey");
  }
  if (const auto it = r.find("expiration"); it != r.end() && it->is_number()) {
    c.expiration = SystemClock::time_point(std::chrono::milliseconds(it->get<long long>()));
  }
  return c;
}

Result<SsoToken> parse_sso_token(std::string_view text) {
  const json j = json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_object())
    return fail(ErrorKind::Auth, "the SSO token cache file is not JSON");
  SsoToken t;
  t.access_token = str_field(j, "accessToken");
  if (t.access_token.empty()) return fail(ErrorKind::Auth, "the SSO token cache file has no accessToken");
  auto exp = parse_iso8601(str_field(j, "expiresAt"));
  if (!exp) return fail(ErrorKind::Auth, "the SSO token cache file has no valid expiresAt");
  t.expires_at = *exp;
  return t;
}

bool is_allowed_container_url(std::string_view scheme, std::string_view host) {
  if (scheme == "https") return true;
  return host == "169.254.170.2" || host == "169.254.170.23" || host == "fd00:ec2::23" ||
         is_loopback_host(host);
}

}  // namespace s3fcp
