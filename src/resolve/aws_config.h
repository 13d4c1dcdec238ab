// The AWS shared config files, ~/.aws/config and ~/.aws/credentials, read the way the AWS CLI reads them.
//
// Both files are INI. The quirks that matter, all handled by parse_ini() and build_shared_config():
//  - In the config file a profile is `[profile NAME]` (quotes allowed: `[profile "my name"]`), except the
//    default profile, which is `[default]` (`[profile default]` is also accepted and wins); other sections
//    are
//    `[sso-session NAME]` and `[services NAME]`. In the credentials file a section name is the profile name,
//    verbatim: `[dev]`, `[default]`.
//  - Keys are trimmed and lowercased (the CLI's configparser lowercases them); values are trimmed and may
//  contain
//    '=' (only the first '=' or ':' separates key and value).
//  - Comments: a line whose first non-blank character is '#' or ';'. On a `key = value` line, '#' or ';'
//  starts a
//    comment only after whitespace (`url = http://h/#x` keeps its '#'); after a section's ']' anything is a
//    comment.
//  - Nested settings: a key with an empty value followed by indented `sub = value` lines, e.g.
//        s3 =
//          addressing_style = path
//    An indented line after a key with a value continues that value (joined with '\n').
//  - A repeated section merges into the first; a repeated key takes the last value.
// Keys from ~/.aws/credentials override the same keys from ~/.aws/config for a profile (Profile::get()).
//
// Parsing is pure; load_shared_config() is the only function here that touches the file system.
#pragma once

#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "util/error.h"

namespace s3fcp {

// An environment lookup: the value of a variable, "" when it is unset. Injected so the pure helpers below can
// be tested without setenv; process_env() reads the real environment.
using EnvLookup = std::function<std::string(std::string_view name)>;
std::string process_env(std::string_view name);

using ConfigValues = std::map<std::string, std::string, std::less<>>;

struct ConfigSection {
  std::string header;   // the trimmed text between '[' and ']': "profile dev", "default", "sso-session corp"
  ConfigValues values;  // top-level keys; a nested key is present here with an empty value
  std::map<std::string, ConfigValues, std::less<>> nested;  // "s3" -> {"addressing_style": "path"}

  bool has(std::string_view key) const { return values.find(key) != values.end(); }
  std::string get(std::string_view key) const;                               // "" if absent
  std::string get_nested(std::string_view key, std::string_view sub) const;  // "" if absent
};

struct IniDocument {
  std::vector<ConfigSection> sections;  // in file order, repeated headers merged
};

// `file_name` only labels error messages ("~/.aws/config line 7: ...").
Result<IniDocument> parse_ini(std::string_view text, std::string_view file_name);

// A section header of the config file, classified: {"profile", "dev"}, {"sso-session", "corp"},
// {"services", "local"}; `[default]` is {"profile", "default"}. Anything else: kind "".
struct ConfigHeader {
  std::string kind;
  std::string name;
};
ConfigHeader classify_config_header(std::string_view header);

// One profile as both files define it.
struct Profile {
  std::string name;
  bool in_config = false;       // a [profile NAME] / [default] section exists in the config file
  bool in_credentials = false;  // a [NAME] section exists in the credentials file
  ConfigSection config;         // its keys in the config file
  ConfigSection credentials;    // its keys in the credentials file

  bool exists() const { return in_config || in_credentials; }
  bool has(std::string_view key) const { return credentials.has(key) || config.has(key); }
  std::string get(
      std::string_view key) const;  // the credentials file's value over the config file's; "" if none
  std::string get_nested(std::string_view key, std::string_view sub) const;
};

struct SharedConfig {
  std::string config_path;                                                 // for messages
  std::string credentials_path;                                            // for messages
  std::map<std::string, ConfigSection, std::less<>> config_profiles;       // by profile name
  std::map<std::string, ConfigSection, std::less<>> credentials_profiles;  // by profile name
  std::map<std::string, ConfigSection, std::less<>> sso_sessions;          // by session name
  std::map<std::string, ConfigSection, std::less<>> services;              // by services-section name

  Profile profile(std::string_view name) const;  // exists() false when neither file has it
  const ConfigSection* sso_session(std::string_view name) const;
  const ConfigSection* services_section(std::string_view name) const;
};

SharedConfig build_shared_config(const IniDocument& config, const IniDocument& credentials);

struct ConfigPaths {
  std::string config;       // AWS_CONFIG_FILE, else ~/.aws/config
  std::string credentials;  // AWS_SHARED_CREDENTIALS_FILE, else ~/.aws/credentials
};
// A leading '~' is expanded from HOME, as the CLI does.
ConfigPaths config_paths(const EnvLookup& env = process_env);

// Reads and parses both files. A missing file counts as empty; an unreadable or malformed one is an error
// (kind Usage, naming the file and line).
Result<SharedConfig> load_shared_config(const ConfigPaths& paths);

// load_shared_config + profile(name), for callers that want one profile only.
Result<Profile> load_profile(std::string_view name, const std::string& config_path,
                             const std::string& credentials_path);

// The profile to use: `explicit_name` (--profile) if given, else AWS_PROFILE, else AWS_DEFAULT_PROFILE (the
// CLI's legacy variable), else "default".
std::string select_profile_name(std::string_view explicit_name, const EnvLookup& env = process_env);
// True when the name came from --profile or the environment rather than the "default" fallback: such a
// profile must exist.
bool profile_explicitly_selected(std::string_view explicit_name, const EnvLookup& env = process_env);

// AWS_IGNORE_CONFIGURED_ENDPOINT_URLS when set (true/false), else the profile's
// ignore_configured_endpoint_urls.
bool ignore_configured_endpoint_urls(const Profile& profile, const EnvLookup& env = process_env);

// The endpoint configured for one service, in the SDKs' order: AWS_ENDPOINT_URL_<SERVICE> (service id
// upper-cased, e.g. AWS_ENDPOINT_URL_S3, _STS, _SSO) > AWS_ENDPOINT_URL > the `[services NAME]` section that
// the profile's `services` key names, nested `<service_id> = \n endpoint_url = ...` > the profile's top-level
// `endpoint_url`.
// "" when none is set or when ignore_configured_endpoint_urls() is true. `service_id` is lowercase: "s3",
// "sts".
std::string configured_endpoint_url(const SharedConfig& config, const Profile& profile,
                                    std::string_view service_id, const EnvLookup& env = process_env);

// The profile's `region` key ("" if none) and its nested `s3 = \n addressing_style = ...` ("" if none).
std::string profile_region(const Profile& profile);
std::string profile_addressing_style(const Profile& profile);
// use_dualstack_endpoint / use_fips_endpoint: AWS_USE_*_ENDPOINT, else the profile's top-level key, else its
// s3 sub-section (s3.use_dualstack_endpoint), as the AWS CLI reads them.
bool profile_use_dualstack(const Profile& profile);
bool profile_use_fips(const Profile& profile);

// The CA bundle for https, as the AWS CLI picks it: `given` (--ca-bundle, the library's config) > AWS_CA_BUNDLE >
// the profile's `ca_bundle`; "" when none (the system's CAs).
std::string resolve_ca_bundle(std::string_view given, const Profile& profile, const EnvLookup& env = process_env);

// "true"/"1"/"yes" in any case.
bool config_true(std::string_view value);

}  // namespace s3fcp
