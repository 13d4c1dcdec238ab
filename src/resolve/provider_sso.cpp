// IAM Identity Center (SSO) credentials, as the AWS CLI gets them after `aws sso login`:
//  1. the profile names an `[sso-session NAME]` (sso_start_url, sso_region) or, in the legacy form, carries
//     sso_start_url and sso_region itself; plus sso_account_id and sso_role_name;
//  2. `aws sso login` left an access token in ~/.aws/sso/cache/<sha1(NAME or start URL)>.json;
//  3. GET https://portal.sso.REGION.amazonaws.com/federation/credentials?role_name=..&account_id=.. with the
//  token
//     in x-amz-sso_bearer_token answers short-lived role credentials.
// We never refresh the SSO token itself (that needs the OIDC client registration the CLI keeps): an expired
// one means "run aws sso login". SHA-1 is used only to name the cache file, so a small local implementation
// keeps OpenSSL confined to util/crypto.cpp.
#include <fmt/format.h>

#include <array>
#include <cstdint>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "resolve/http_fetch.h"
#include "resolve/providers.h"
#include "sign/sigv4.h"
#include "util/crypto.h"

namespace s3fcp {

namespace {

std::string login_hint(const std::string& profile) {
  return profile.empty() || profile == "default" ? "run aws sso login"
                                                 : "run aws sso login --profile " + profile;
}

}  // namespace

std::string sha1_hex(std::string_view data) {
  StreamingDigest sha1(DigestAlgorithm::Sha1);
  sha1.update(std::as_bytes(std::span(data.data(), data.size())));
  return hex_lower(sha1.finish());
}

std::string sso_cache_file_name(std::string_view session_name_or_start_url) {
  return sha1_hex(session_name_or_start_url) + ".json";
}

Result<std::optional<SsoConfig>> sso_config_of(const SharedConfig& config, const Profile& profile) {
  SsoConfig sso;
  sso.session_name = profile.get("sso_session");
  sso.account_id = profile.get("sso_account_id");
  sso.role_name = profile.get("sso_role_name");
  const std::string profile_url = profile.get("sso_start_url");
  const std::string profile_region = profile.get("sso_region");
  const std::string where = fmt::format("profile '{}'", profile.name);
  if (!sso.session_name.empty()) {
    const ConfigSection* session = config.sso_session(sso.session_name);
    if (session == nullptr) {
      return fail(ErrorKind::Auth,
                  fmt::format("{}: sso_session '{}' has no [sso-session {}] section in {}", where,
                              sso.session_name, sso.session_name, config.config_path));
    }
    sso.start_url = session->get("sso_start_url");
    sso.sso_region = session->get("sso_region");
    if (!profile_url.empty() && profile_url != sso.start_url) {
      return fail(ErrorKind::Auth, fmt::format("{}: sso_start_url differs from the one of [sso-session {}]",
                                               where, sso.session_name));
    }
    if (!profile_region.empty() && profile_region != sso.sso_region) {
      return fail(ErrorKind::Auth, fmt::format("{}: sso_region differs from the one of [sso-session {}]",
                                               where, sso.session_name));
    }
  } else {
    sso.start_url = profile_url;
    sso.sso_region = profile_region;
  }
  if (sso.session_name.empty() && sso.start_url.empty() && sso.sso_region.empty() && sso.account_id.empty() &&
      sso.role_name.empty()) {
    return std::optional<SsoConfig>();
  }
  std::vector<std::string> missing;
  if (sso.start_url.empty()) missing.emplace_back("sso_start_url");
  if (sso.sso_region.empty()) missing.emplace_back("sso_region");
  if (sso.account_id.empty()) missing.emplace_back("sso_account_id");
  if (sso.role_name.empty()) missing.emplace_back("sso_role_name");
  if (!missing.empty()) {
    return fail(ErrorKind::Auth,
                fmt::format("{} is configured for SSO but lacks {}", where, fmt::join(missing, ", ")));
  }
  return std::optional<SsoConfig>(std::move(sso));
}

Result<Credentials> sso_role_credentials(const ProviderContext& context, const SsoConfig& sso) {
  const std::string& profile = context.profile_name;
  const std::string cache_dir = process_env("HOME") + "/.aws/sso/cache/";
  const std::string cache_file =
      cache_dir + sso_cache_file_name(sso.session_name.empty() ? sso.start_url : sso.session_name);
  std::ifstream in(cache_file, std::ios::binary);
  if (!in) {
    return fail(ErrorKind::Auth,
                fmt::format("no SSO token in the cache ({}): {}", cache_file, login_hint(profile)));
  }
  std::ostringstream text;
  text << in.rdbuf();
  auto token = parse_sso_token(text.str());
  if (!token)
    return fail(ErrorKind::Auth,
                fmt::format("{} ({}): {}", token.error().message, cache_file, login_hint(profile)));
  if (token->expires_at <= std::chrono::system_clock::now()) {
    return fail(ErrorKind::Auth, "SSO token expired: " + login_hint(profile));
  }

  std::string endpoint = configured_endpoint_url(*context.config, context.config->profile(profile), "sso");
  if (endpoint.empty()) {
    endpoint = fmt::format("https://portal.sso.{}.amazonaws.com{}", sso.sso_region,
                           sso.sso_region.starts_with("cn-") ? ".cn" : "");
  }
  while (endpoint.ends_with('/')) endpoint.pop_back();
  SyncHttpRequest req;
  req.url = fmt::format("{}/federation/credentials?role_name={}&account_id={}", endpoint,
                        uri_encode(sso.role_name, false), uri_encode(sso.account_id, false));
  req.headers = {{"x-amz-sso_bearer_token", token->access_token}, {"Accept", "application/json"}};
  req.ca_bundle = context.ca_bundle;
  req.connect_timeout = std::chrono::seconds(5);
  req.timeout = std::chrono::seconds(10);
  auto response = http_fetch_retrying(req, 3);
  if (!response) return fail(ErrorKind::Network, "SSO GetRoleCredentials: " + response.error().message);

  if (response->status != 200) {
    const auto body = nlohmann::json::parse(response->body, nullptr, false);
    std::string message;
    if (body.is_object() && body.contains("message") && body["message"].is_string())
      message = body["message"];
    std::string type = response->header("x-amzn-errortype");
    type = type.substr(0, type.find(':'));
    const std::string detail = message.empty() ? type : type.empty() ? message : type + ": " + message;
    Error e(ErrorKind::Auth, "", response->status);
    if (response->status == 401) {
      e.message = fmt::format("SSO token rejected ({}): {}", detail.empty() ? "HTTP 401" : detail,
                              login_hint(profile));
    } else if (response->status == 403) {
      e.message = fmt::format("SSO: no access to role {} in account {} ({})", sso.role_name, sso.account_id,
                              detail.empty() ? "HTTP 403" : detail);
    } else {
      e.message = fmt::format("SSO GetRoleCredentials failed: HTTP {}{}{}", response->status,
                              detail.empty() ? "" : ": ", detail);
    }
    return fail(std::move(e));
  }
  auto creds = parse_sso_role_credentials(response->body);
  if (!creds) return creds;
  creds->source = fmt::format("sso {} in {}", sso.role_name, sso.account_id);
  return creds;
}

}  // namespace s3fcp
