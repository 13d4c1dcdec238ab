#include "s3/endpoint.h"

#include "sign/sigv4.h"
#include "util/url.h"

namespace s3fcp {

namespace {

struct ParsedUrl {
  std::string scheme, host, path_prefix;  // host includes ":port" when one was given (and not the default)
};

Result<ParsedUrl> parse_endpoint_url(std::string_view url) {
  const std::string shown(url);
  auto u = parse_url(url);
  if (!u) return fail(Error::usage("bad endpoint URL '" + shown + "': " + u.error().message));
  if (u->has_query || u->has_fragment) {
    return fail(Error::usage("endpoint URL may not have a query or fragment: '" + shown + "'"));
  }
  std::string_view path = u->path;
  while (!path.empty() && path.back() == '/') path.remove_suffix(1);
  // host_header() drops a default port, so the Host header matches what a server reconstructs for the signature.
  return ParsedUrl{u->scheme, u->host_header(), std::string(path)};
}

std::string aws_domain(std::string_view region) {
  return region.starts_with("cn-") ? "amazonaws.com.cn" : "amazonaws.com";
}

// An access point is addressed by its own host name: NAME-ACCOUNT.s3-accesspoint[-fips][.dualstack].REGION.DOMAIN on
// AWS, NAME-ACCOUNT.HOST of a custom endpoint (a VPC endpoint, say), as the AWS SDKs do; the key is the whole path.
Result<ObjectLocation> access_point_location(const AccessPointArn& arn, std::string_view key,
                                             const EndpointSettings& settings) {
  if (settings.style == AddressingStyle::Path) {
    return fail(Error::usage("an access point is addressed by its host name: not with --addressing-style path"));
  }
  ObjectLocation loc;
  const std::string label = arn.name + "-" + arn.account;
  std::string path_prefix;
  if (!settings.endpoint_url.empty()) {
    auto base = parse_endpoint_url(settings.endpoint_url);
    if (!base) return fail(base.error());
    loc.scheme = base->scheme;
    loc.host = label + "." + base->host;
    path_prefix = base->path_prefix;
  } else {
    loc.scheme = "https";
    loc.host = label + (settings.fips ? ".s3-accesspoint-fips" : ".s3-accesspoint") +
               (settings.dualstack ? ".dualstack." : ".") + arn.region + "." + aws_domain(arn.region);
  }
  loc.canonical_uri = path_prefix + "/" + uri_encode(key, true);
  return loc;
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
  auto u = parse_url(url);
  if (!u) return fail(Error::usage("invalid source URL '" + std::string(url.substr(0, url.find_first_of("?#"))) + "'"));
  ObjectLocation loc;
  loc.scheme = u->scheme;
  loc.host = u->host_header();
  loc.canonical_uri = u->path;  // sent byte for byte, as the presigned signature covers it
  loc.raw_query = u->query;     // the fragment is dropped
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
  auto arn = parse_access_point_arn(uri.bucket);
  if (!arn) return fail(arn.error());
  if (*arn) {
    auto loc = access_point_location(**arn, uri.key, settings);
    if (loc && !version_id.empty()) loc->query.emplace_back("versionId", std::string(version_id));
    return loc;
  }
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
  // An empty key addresses the bucket itself (an object key is never empty): "/bucket", as the AWS SDKs send it.
  if (virtual_host) {
    loc.host = uri.bucket + "." + base.host;
    loc.canonical_uri = base.path_prefix + "/" + key;
  } else {
    loc.host = base.host;
    loc.canonical_uri = base.path_prefix + "/" + uri_encode(uri.bucket, false) + (key.empty() ? "" : "/" + key);
  }
  if (!version_id.empty()) loc.query.emplace_back("versionId", std::string(version_id));
  return loc;
}

}  // namespace s3fcp
