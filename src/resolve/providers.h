// The AWS default credential chain, in the order of the AWS CLI and SDKs:
//
//   env -> profile -> web identity (env) -> ECS container -> EC2 instance metadata (IMDSv2)
//
// The profile provider covers every form a profile can take, checked in botocore's order: `role_arn` with
// `source_profile` or `credential_source` (STS AssumeRole, chained through source profiles with cycle
// detection), `role_arn` with `web_identity_token_file` (AssumeRoleWithWebIdentity), SSO (`sso_session` or
// the legacy `sso_start_url`), static keys from ~/.aws/credentials, `credential_process`, static keys from
// ~/.aws/config.
//
// Each source answers NotFound ("nothing configured here": the chain moves on, and the final message lists
// every source and why) or any other kind ("configured but failed": the chain stops with that reason).
// Messages name the source first ("profile 'dev': STS AssumeRole ... AccessDenied") and never carry a secret
// key, session token, bearer token or Authorization header.
//
// Endpoints, so tests and users can point every call elsewhere: STS: AWS_ENDPOINT_URL_STS > AWS_ENDPOINT_URL
// > profile config (see configured_endpoint_url) > https://sts.REGION.amazonaws.com; SSO: the same with _SSO
// and https://portal.sso.REGION.amazonaws.com; IMDS: AWS_EC2_METADATA_SERVICE_ENDPOINT (or _MODE=IPv6) >
// profile ec2_metadata_service_endpoint > http://169.254.169.254; ECS: the full URI, or the relative one on
// ProviderContext::ecs_base (http://169.254.170.2).
//
// The parsers of each source's answer are pure and declared here for the unit tests.
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "resolve/aws_config.h"
#include "resolve/credentials.h"
#include "util/error.h"
#include "util/timestamp.h"  // parse_iso8601

namespace s3fcp {

// --- the chain
// -----------------------------------------------------------------------------------------------

struct ProviderContext {
  std::shared_ptr<const SharedConfig> config;  // never null (an empty SharedConfig when there are no files)
  std::string profile_name;                    // the selected profile (select_profile_name)
  bool profile_required = false;               // --profile / AWS_PROFILE named it: it must exist
  std::string region;                          // region for STS calls; empty: us-east-1
  std::string ecs_base = "http://169.254.170.2";  // host of AWS_CONTAINER_CREDENTIALS_RELATIVE_URI
  std::string ca_bundle;                       // the CAs trusted for https (STS, SSO, ECS); empty: the system's
};

struct DefaultChainOptions {
  std::string profile;  // --profile; empty: AWS_PROFILE, else AWS_DEFAULT_PROFILE, else "default"
  std::string region;   // the resolved region (resolve_region); STS calls use it
  std::shared_ptr<const SharedConfig> config;  // null: load_shared_config(config_paths())
  CredentialChain::Options chain;              // refresh margin and clock (tests)
  std::string ecs_base;                        // empty: http://169.254.170.2 (tests)
  std::string ca_bundle;                       // --ca-bundle; empty: resolve_ca_bundle's other sources
};

// env -> profile -> web identity -> ECS -> IMDS. An explicit --profile drops env from the chain, as the AWS
// CLI does (`aws --profile dev` ignores AWS_ACCESS_KEY_ID); AWS_PROFILE does not. Fails only if the config
// files cannot be read or parsed.
Result<std::unique_ptr<CredentialChain>> make_default_chain(const DefaultChainOptions& options);
Result<std::unique_ptr<CredentialChain>> make_default_chain(std::string_view profile,
                                                            std::string_view region);

// The sources one by one (the chain's members; also what `credential_source` names).
std::unique_ptr<CredentialProvider> make_profile_provider(const ProviderContext& context);
std::unique_ptr<CredentialProvider> make_web_identity_env_provider(const ProviderContext& context);
std::unique_ptr<CredentialProvider> make_container_provider(const ProviderContext& context);
std::unique_ptr<CredentialProvider> make_imds_provider(const ProviderContext& context);

// --- region
// ----------------------------------------------------------------------------------------------------

// `cli_region` > AWS_REGION > AWS_DEFAULT_REGION > the profile's `region` > IMDS placement/region (unless
// AWS_EC2_METADATA_DISABLED) > "us-east-1".
std::string resolve_region(std::string_view cli_region, const Profile& profile, bool ask_imds = true);
// The instance's region from IMDSv2 (/latest/meta-data/placement/region); NotFound when IMDS is disabled or
// unreachable. `profile` may supply ec2_metadata_service_endpoint(_mode).
Result<std::string> imds_region(const Profile& profile);

// --- STS, SSO and credential_process (used by the profile and web-identity providers) ---------------------

struct AssumeRoleParams {
  std::string role_arn;
  std::string session_name;
  std::string external_id;   // optional
  int duration_seconds = 0;  // 0: STS default (1 h)
};
// Where STS is reached, and the CAs trusted there.
struct StsEndpoint {
  std::string url;
  std::string ca_bundle;  // empty: the system's CAs
};
// SigV4-signed POST Action=AssumeRole to `endpoint` (service "sts", `region`) with `source` credentials.
Result<Credentials> sts_assume_role(const StsEndpoint& endpoint, const std::string& region,
                                    const AssumeRoleParams& params, const Credentials& source);
// Unsigned POST Action=AssumeRoleWithWebIdentity.
Result<Credentials> sts_assume_role_with_web_identity(const StsEndpoint& endpoint,
                                                      const AssumeRoleParams& params,
                                                      const std::string& token);
// Reads the token file (again at every call: it is rotated) and calls AssumeRoleWithWebIdentity at
// sts_endpoint(context). Errors start with "web identity".
Result<Credentials> web_identity_credentials(const ProviderContext& context, const std::string& role_arn,
                                             const std::string& token_file, const std::string& session_name);
// configured_endpoint_url(..., "sts") or https://sts.REGION.amazonaws.com (.com.cn in China).
StsEndpoint sts_endpoint(const ProviderContext& context, std::string_view region);
std::string default_session_name();  // "s3fcp-<unix seconds>"

struct SsoConfig {
  std::string session_name;  // sso_session, empty for the legacy form
  std::string start_url;
  std::string sso_region;
  std::string account_id;
  std::string role_name;
};
// The profile's SSO settings; nullopt if it has none; an error if they are partial or contradict the
// [sso-session] section.
Result<std::optional<SsoConfig>> sso_config_of(const SharedConfig& config, const Profile& profile);
// Reads the token from the cache and calls GetRoleCredentials.
Result<Credentials> sso_role_credentials(const ProviderContext& context, const SsoConfig& sso);

// credential_process: runs `command` with /bin/sh -c (stdin and stderr inherited, stdout captured, 60 s
// limit) and parses its output. The command is never quoted in a message (it may carry a secret).
Result<Credentials> run_credential_process(const std::string& command);

// --- pure parsers
// ------------------------------------------------------------------------------------------------

// credential_process stdout: {"Version": 1, "AccessKeyId", "SecretAccessKey", "SessionToken"?,
// "Expiration"?}.
Result<Credentials> parse_credential_process_output(std::string_view json);
// An STS AssumeRole / AssumeRoleWithWebIdentity answer. For an <ErrorResponse> (or any non-200 status) an
// error with the STS code and message, kind Auth (Network + retryable for throttling and 5xx).
Result<Credentials> parse_sts_response(long status, std::string_view xml, std::string_view action);
// ECS and IMDS answer alike: {"AccessKeyId", "SecretAccessKey", "Token", "Expiration", "Code"?}.
Result<Credentials> parse_container_credentials(std::string_view json);
// SSO GetRoleCredentials: {"roleCredentials": {"accessKeyId", "secretAccessKey", "sessionToken",
// "expiration" (epoch milliseconds)}}.
Result<Credentials> parse_sso_role_credentials(std::string_view json);

struct SsoToken {
  std::string access_token;
  std::chrono::system_clock::time_point expires_at;
};
// A ~/.aws/sso/cache/*.json file: {"accessToken", "expiresAt", ...}.
Result<SsoToken> parse_sso_token(std::string_view json);
// The cache file's name: hex SHA-1 of the session name (sso_session form) or of the start URL (legacy), +
// ".json".
std::string sso_cache_file_name(std::string_view session_name_or_start_url);
std::string sha1_hex(std::string_view data);

// AWS_CONTAINER_CREDENTIALS_FULL_URI hosts the SDKs accept over http: loopback, 169.254.170.2,
// 169.254.170.23, fd00:ec2::23. Any host is accepted over https.
bool is_allowed_container_url(std::string_view scheme, std::string_view host);

}  // namespace s3fcp
