// The shared-config INI dialect (see aws_config.h for the rules). parse_ini() is one pass over the lines with
// a small state: the current section and the last key, which indented lines attach to (as nested settings
// when the key's value was empty, as a continuation otherwise).
#include "resolve/aws_config.h"
#include "util/strings.h"

#include <fmt/format.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>

namespace s3fcp {

namespace {


std::string upper(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

bool is_blank(char c) { return c == ' ' || c == '\t'; }

// A '#' or ';' preceded by whitespace starts an inline comment on a `key = value` line.
std::string_view strip_inline_comment(std::string_view value) {
  for (size_t i = 1; i < value.size(); ++i) {
    if ((value[i] == '#' || value[i] == ';') && is_blank(value[i - 1])) return value.substr(0, i);
  }
  return value;
}

// Splits a section header into words the way Python's shlex.split does for the simple cases the CLI meets:
// whitespace separates, double or single quotes group. Unbalanced quotes: no words.
std::vector<std::string> split_header(std::string_view header) {
  std::vector<std::string> words;
  std::string word;
  bool in_word = false;
  char quote = 0;
  for (char c : header) {
    if (quote) {
      if (c == quote) {
        quote = 0;
      } else {
        word += c;
      }
    } else if (c == '"' || c == '\'') {
      quote = c;
      in_word = true;
    } else if (is_blank(c)) {
      if (in_word) words.push_back(std::move(word));
      word.clear();
      in_word = false;
    } else {
      word += c;
      in_word = true;
    }
  }
  if (quote) return {};
  if (in_word) words.push_back(std::move(word));
  return words;
}

Result<std::string> read_file_if_exists(const std::string& path) {
  if (path.empty()) return std::string();
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    if (errno == ENOENT || errno == ENOTDIR) return std::string();
    return fail(ErrorKind::Usage, fmt::format("cannot read {}: {}", path, std::strerror(errno)));
  }
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace

std::string process_env(std::string_view name) {
  const char* v = std::getenv(std::string(name).c_str());
  return v ? std::string(v) : std::string();
}

bool config_true(std::string_view value) {
  const std::string v = to_lower(trim(value));
  return v == "true" || v == "1" || v == "yes";
}

std::string ConfigSection::get(std::string_view key) const {
  const auto it = values.find(key);
  return it == values.end() ? std::string() : it->second;
}

std::string ConfigSection::get_nested(std::string_view key, std::string_view sub) const {
  const auto it = nested.find(key);
  if (it == nested.end()) return {};
  const auto v = it->second.find(sub);
  return v == it->second.end() ? std::string() : v->second;
}

Result<IniDocument> parse_ini(std::string_view text, std::string_view file_name) {
  IniDocument doc;
  ConfigSection* section = nullptr;
  std::string last_key;  // the key indented lines attach to; empty after a section header
  int line_no = 0;
  auto error = [&](std::string_view what) {
    return fail(ErrorKind::Usage, fmt::format("{} line {}: {}", file_name, line_no, what));
  };

  while (!text.empty()) {
    const auto nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    text = nl == std::string_view::npos ? std::string_view() : text.substr(nl + 1);
    ++line_no;
    const std::string_view t = trim(line);
    if (t.empty() || t.front() == '#' || t.front() == ';') continue;

    if (is_blank(line.front()) && section != nullptr && !last_key.empty()) {
      std::string& value = section->values[last_key];
      if (value.empty()) {
        // A nested setting: `sub = value`, no comment stripping (the SDKs do none there either).
        const auto eq = t.find('=');
        if (eq == std::string_view::npos)
          return error("expected 'name = value' in the nested settings of '" + last_key + "'");
        const std::string sub = to_lower(trim(t.substr(0, eq)));
        if (sub.empty()) return error("empty setting name");
        section->nested[last_key][sub] = std::string(trim(t.substr(eq + 1)));
      } else {
        value += '\n';
        value += t;
      }
      continue;
    }

    if (t.front() == '[') {
      const auto close = t.rfind(']');
      if (close == std::string_view::npos) return error("section header without ']'");
      const std::string_view rest = trim(t.substr(close + 1));
      if (!rest.empty() && rest.front() != '#' && rest.front() != ';') {
        return error("unexpected text after the section header");
      }
      const std::string header(trim(t.substr(1, close - 1)));
      if (header.empty()) return error("empty section name");
      section = nullptr;
      for (auto& s : doc.sections) {
        if (s.header == header) section = &s;
      }
      if (section == nullptr) {
        doc.sections.push_back(ConfigSection{header, {}, {}});
        section = &doc.sections.back();
      }
      last_key.clear();
      continue;
    }

    if (section == nullptr) return error("setting before the first [section]");
    const auto sep = t.find_first_of("=:");
    if (sep == std::string_view::npos) return error("expected 'name = value'");
    std::string key = to_lower(trim(t.substr(0, sep)));
    if (key.empty()) return error("empty setting name");
    section->values[key] = std::string(trim(strip_inline_comment(t.substr(sep + 1))));
    section->nested.erase(key);  // a repeated key replaces its earlier nested block too
    last_key = std::move(key);
  }
  return doc;
}

ConfigHeader classify_config_header(std::string_view header) {
  if (header == "default") return {"profile", "default"};
  for (std::string_view kind : {"profile", "sso-session", "services"}) {
    if (!header.starts_with(kind)) continue;
    const auto words = split_header(header);
    if (words.size() == 2 && words[0] == kind) return {std::string(kind), words[1]};
  }
  return {};
}

SharedConfig build_shared_config(const IniDocument& config, const IniDocument& credentials) {
  SharedConfig out;
  for (const auto& s : config.sections) {
    const ConfigHeader h = classify_config_header(s.header);
    if (h.kind == "profile") {
      // `[profile default]` wins over `[default]`, wherever it appears.
      if (h.name == "default" && s.header == "default" && out.config_profiles.contains("default")) continue;
      out.config_profiles[h.name] = s;
    } else if (h.kind == "sso-session") {
      out.sso_sessions[h.name] = s;
    } else if (h.kind == "services") {
      out.services[h.name] = s;
    }
  }
  for (const auto& s : credentials.sections) out.credentials_profiles[s.header] = s;
  return out;
}

std::string Profile::get(std::string_view key) const {
  return credentials.has(key) ? credentials.get(key) : config.get(key);
}

std::string Profile::get_nested(std::string_view key, std::string_view sub) const {
  std::string v = credentials.get_nested(key, sub);
  return v.empty() ? config.get_nested(key, sub) : v;
}

Profile SharedConfig::profile(std::string_view name) const {
  Profile p;
  p.name = std::string(name);
  if (const auto it = config_profiles.find(name); it != config_profiles.end()) {
    p.in_config = true;
    p.config = it->second;
  }
  if (const auto it = credentials_profiles.find(name); it != credentials_profiles.end()) {
    p.in_credentials = true;
    p.credentials = it->second;
  }
  return p;
}

const ConfigSection* SharedConfig::sso_session(std::string_view name) const {
  const auto it = sso_sessions.find(name);
  return it == sso_sessions.end() ? nullptr : &it->second;
}

const ConfigSection* SharedConfig::services_section(std::string_view name) const {
  const auto it = services.find(name);
  return it == services.end() ? nullptr : &it->second;
}

ConfigPaths config_paths(const EnvLookup& env) {
  const std::string home = env("HOME");
  auto expand = [&](std::string path, std::string_view fallback) {
    if (path.empty()) path = std::string(fallback);
    if (path == "~" || path.starts_with("~/")) path = home + path.substr(1);
    return path;
  };
  return {expand(env("AWS_CONFIG_FILE"), "~/.aws/config"),
          expand(env("AWS_SHARED_CREDENTIALS_FILE"), "~/.aws/credentials")};
}

Result<SharedConfig> load_shared_config(const ConfigPaths& paths) {
  auto config_text = read_file_if_exists(paths.config);
  if (!config_text) return fail(config_text.error());
  auto credentials_text = read_file_if_exists(paths.credentials);
  if (!credentials_text) return fail(credentials_text.error());
  auto config = parse_ini(*config_text, paths.config);
  if (!config) return fail(config.error());
  auto credentials = parse_ini(*credentials_text, paths.credentials);
  if (!credentials) return fail(credentials.error());
  SharedConfig out = build_shared_config(*config, *credentials);
  out.config_path = paths.config;
  out.credentials_path = paths.credentials;
  return out;
}

Result<Profile> load_profile(std::string_view name, const std::string& config_path,
                             const std::string& credentials_path) {
  auto shared = load_shared_config({config_path, credentials_path});
  if (!shared) return fail(shared.error());
  return shared->profile(name);
}

std::string select_profile_name(std::string_view explicit_name, const EnvLookup& env) {
  if (!explicit_name.empty()) return std::string(explicit_name);
  for (const char* var : {"AWS_PROFILE", "AWS_DEFAULT_PROFILE"}) {
    std::string v = env(var);
    if (!v.empty()) return v;
  }
  return "default";
}

bool profile_explicitly_selected(std::string_view explicit_name, const EnvLookup& env) {
  return !explicit_name.empty() || !env("AWS_PROFILE").empty() || !env("AWS_DEFAULT_PROFILE").empty();
}

bool ignore_configured_endpoint_urls(const Profile& profile, const EnvLookup& env) {
  const std::string v = env("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS");
  if (!v.empty()) return config_true(v);
  return config_true(profile.get("ignore_configured_endpoint_urls"));
}

std::string configured_endpoint_url(const SharedConfig& config, const Profile& profile,
                                    std::string_view service_id, const EnvLookup& env) {
  if (ignore_configured_endpoint_urls(profile, env)) return {};
  std::string env_suffix = upper(service_id);
  for (char& c : env_suffix) {
    if (c == ' ' || c == '-') c = '_';
  }
  for (const std::string& var : {"AWS_ENDPOINT_URL_" + env_suffix, std::string("AWS_ENDPOINT_URL")}) {
    std::string v = env(var);
    if (!v.empty()) return v;
  }
  if (const std::string services = profile.get("services"); !services.empty()) {
    if (const ConfigSection* s = config.services_section(services)) {
      std::string v = s->get_nested(to_lower(service_id), "endpoint_url");
      if (!v.empty()) return v;
    }
  }
  return profile.get("endpoint_url");
}

std::string profile_region(const Profile& profile) { return profile.get("region"); }

std::string profile_addressing_style(const Profile& profile) {
  return profile.get_nested("s3", "addressing_style");
}

std::string resolve_ca_bundle(std::string_view given, const Profile& profile, const EnvLookup& env) {
  if (!given.empty()) return std::string(given);
  if (std::string v = env("AWS_CA_BUNDLE"); !v.empty()) return v;
  return profile.get("ca_bundle");
}

namespace {
bool endpoint_switch(const Profile& profile, const char* env_name, std::string_view key) {
  auto truthy = [](std::string_view v) { return iequals(v, "true"); };
  if (const char* v = std::getenv(env_name); v != nullptr && *v != '\0') return truthy(v);
  if (std::string v = profile.get(key); !v.empty()) return truthy(v);
  return truthy(profile.get_nested("s3", key));
}
}  // namespace

bool profile_use_dualstack(const Profile& profile) {
  return endpoint_switch(profile, "AWS_USE_DUALSTACK_ENDPOINT", "use_dualstack_endpoint");
}
bool profile_use_fips(const Profile& profile) {
  return endpoint_switch(profile, "AWS_USE_FIPS_ENDPOINT", "use_fips_endpoint");
}

}  // namespace s3fcp
