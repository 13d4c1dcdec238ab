#include "resolve/endpoint.h"

#include <algorithm>
#include <charconv>

#include "sign/sigv4.h"

namespace s3fcp {

namespace {

struct ParsedUrl {
  std::string scheme, host, path_prefix;  // host includes ":port" when one was given (and not the default)
};

Result<ParsedUrl> parse_endpoint_url(std::string_view url) {
  const std::string shown(url);
  ParsedUrl out;
  const auto sep = url.find("://");
  if (sep == std::string_view::npos) {
    return fail(Error::usage("endpoint URL must start with http:// or https://, got '" + shown + "'"));
  }
  out.scheme = std::string(url.substr(0, sep));
  std::ranges::transform(out.scheme, out.scheme.begin(), [](char c) { return static_cast<char>(std::tolower(c)); });
  if (out.scheme != "http" && out.scheme != "https") {
    return fail(Error::usage("endpoint URL must use http or https, got '" + shown + "'"));
  }
  std::string_view rest = url.substr(sep + 3);
  const auto slash = rest.find_first_of("/?#");
  std::string_view authority = rest.substr(0, slash);
  std::string_view path = slash == std::string_view::npos ? std::string_view{} : rest.substr(slash);
  if (path.find_first_of("?#") != std::string_view::npos) {
    return fail(Error::usage("endpoint URL may not have a query or fragment: '" + shown + "'"));
  }
  if (authority.empty() || authority.find('@') != std::string_view::npos) {
    return fail(Error::usage("endpoint URL has no usable host: '" + shown + "'"));
  }
  // Drop a default port so the Host header matches what a server reconstructs for the signature.
  const auto colon = authority.rfind(':');
  if (colon != std::string_view::npos && authority.find(']', colon) == std::string_view::npos) {
    const std::string_view port = authority.substr(colon + 1);
    unsigned value = 0;
    const auto [p, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
    if (port.empty() || ec != std::errc{} || p != port.data() + port.size() || value == 0 || value > 65535) {
      return fail(Error::usage("endpoint URL has a bad port: '" + shown + "'"));
    }
    if ((out.scheme == "http" && value == 80) || (out.scheme == "https" && value == 443)) {
      authority = authority.substr(0, colon);
    }
  }
  if (authority.empty() || authority.front() == ':') {
    return fail(Error::usage("endpoint URL has no usable host: '" + shown + "'"));
  }
  out.host = std::string(authority);
  std::ranges::transform(out.host, out.host.begin(), [](char c) { return static_cast<char>(std::tolower(c)); });
  while (!path.empty() && path.back() == '/') path.remove_suffix(1);
  out.path_prefix = std::string(path);
  return out;
}

std::string aws_domain(std::string_view region) {
  return region.starts_with("cn-") ? "amazonaws.com.cn" : "amazonaws.com";
}

}  // namespace

Result<AddressingStyle> parse_addressing_style(std::string_view text) {
  if (text == "auto") return AddressingStyle::Auto;
  if (text == "path") return AddressingStyle::Path;
  if (text == "virtual") return AddressingStyle::Virtual;
  return fail(Error::usage("addressing style must be auto, path or virtual, got '" + std::string(text) + "'"));
}

bool is_http_source(std::string_view text) {
  return text.starts_with("http://") || text.starts_with("https://");
}

Result<ObjectLocation> parse_http_source(std::string_view url) {
  url = url.substr(0, url.find('#'));
  const auto question = url.find('?');
  auto base = parse_endpoint_url(url.substr(0, question));
  if (!base) return fail(Error::usage("invalid source URL '" + std::string(url) + "'"));
  ObjectLocation loc;
  loc.scheme = base->scheme;
  loc.host = base->host;
  const std::string_view rest = url.substr(url.find("://") + 3);
  const auto slash = rest.find('/');
  loc.canonical_uri = slash == std::string_view::npos ? "/" : std::string(rest.substr(slash, rest.find('?') - slash));
  if (question != std::string_view::npos) loc.raw_query = std::string(url.substr(question + 1));
  return loc;
}

std::string ObjectLocation::display() const {
  return raw_query.empty() ? url() : scheme + "://" + host + canonical_uri + "?…";
}

std::string ObjectLocation::url() const {
  std::string out = scheme + "://" + host + canonical_uri;
  if (!raw_query.empty()) return out + "?" + raw_query;
  char sep = '?';
  for (const auto& [name, value] : query) {
    out += sep;
    out += uri_encode(name, false);
    out += '=';
    out += uri_encode(value, false);
    sep = '&';
  }
  return out;
}

Result<ObjectLocation> resolve_object_location(const S3Uri& uri, const EndpointSettings& settings,
                                               std::string_view version_id) {
  ParsedUrl base;
  bool custom = !settings.endpoint_url.empty();
  if (custom) {
    auto parsed = parse_endpoint_url(settings.endpoint_url);
    if (!parsed) return fail(parsed.error());
    base = std::move(*parsed);
  } else {
    // The AWS CLI's names: s3[-fips][.dualstack].REGION.amazonaws.com.
    base = {"https",
            std::string(settings.fips ? "s3-fips" : "s3") + (settings.dualstack ? ".dualstack." : ".") +
                settings.region + "." + aws_domain(settings.region),
            ""};
  }

  bool virtual_host = false;
  switch (settings.style) {
    case AddressingStyle::Path: virtual_host = false; break;
    case AddressingStyle::Virtual: virtual_host = true; break;
    case AddressingStyle::Auto: virtual_host = !custom && is_dns_compatible_bucket(uri.bucket); break;
  }
  if (virtual_host && uri.bucket.find_first_of("_") != std::string::npos) {
    return fail(Error::usage("bucket '" + uri.bucket + "' cannot be addressed virtual-hosted style"));
  }

  ObjectLocation loc;
  loc.scheme = base.scheme;
  const std::string key = uri_encode(uri.key, true);
  if (virtual_host) {
    loc.host = uri.bucket + "." + base.host;
    loc.canonical_uri = base.path_prefix + "/" + key;
  } else {
    loc.host = base.host;
    loc.canonical_uri = base.path_prefix + "/" + uri_encode(uri.bucket, false) + "/" + key;
  }
  if (!version_id.empty()) loc.query.emplace_back("versionId", std::string(version_id));
  return loc;
}

}  // namespace s3fcp
