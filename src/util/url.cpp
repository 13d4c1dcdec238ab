#include "util/url.h"

#include <charconv>

#include <fmt/format.h>

#include "util/strings.h"

namespace s3fcp {

Result<UrlParts> parse_url(std::string_view url) {
  UrlParts u;
  const auto scheme_end = url.find("://");
  if (scheme_end == std::string_view::npos)
    return fail(ErrorKind::Usage, fmt::format("'{}' is not a URL", url));
  u.scheme = to_lower(url.substr(0, scheme_end));
  if (u.scheme != "http" && u.scheme != "https") {
    return fail(ErrorKind::Usage, fmt::format("'{}': only http and https URLs are supported", url));
  }
  std::string_view rest = url.substr(scheme_end + 3);
  if (const auto hash = rest.find('#'); hash != std::string_view::npos) {
    u.fragment = std::string(rest.substr(hash + 1));
    u.has_fragment = true;
    rest = rest.substr(0, hash);
  }
  const auto authority_end = rest.find_first_of("/?");
  std::string_view authority = rest.substr(0, authority_end);
  rest = authority_end == std::string_view::npos ? std::string_view() : rest.substr(authority_end);
  if (authority.find('@') != std::string_view::npos) {
    return fail(ErrorKind::Usage, "a URL with user info is not supported here");
  }
  std::string_view port_text;
  if (authority.starts_with('[')) {
    const auto close = authority.find(']');
    if (close == std::string_view::npos)
      return fail(ErrorKind::Usage, fmt::format("'{}': bad IPv6 host", url));
    u.host = std::string(authority.substr(1, close - 1));
    if (close + 1 < authority.size()) {
      if (authority[close + 1] != ':') return fail(ErrorKind::Usage, fmt::format("'{}': bad host", url));
      port_text = authority.substr(close + 2);
    }
  } else {
    const auto colon = authority.rfind(':');
    u.host = std::string(authority.substr(0, colon));
    if (colon != std::string_view::npos) {
      port_text = authority.substr(colon + 1);
      if (port_text.empty()) return fail(ErrorKind::Usage, fmt::format("'{}': bad port", url));
    }
  }
  u.host = to_lower(u.host);
  if (u.host.empty()) return fail(ErrorKind::Usage, fmt::format("'{}': no host", url));
  if (!port_text.empty()) {
    const auto [end, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), u.port);
    if (ec != std::errc() || end != port_text.data() + port_text.size() || u.port < 1 || u.port > 65535) {
      return fail(ErrorKind::Usage, fmt::format("'{}': bad port", url));
    }
  }
  const auto q = rest.find('?');
  u.path = std::string(rest.substr(0, q));
  if (u.path.empty()) u.path.push_back('/');  // not = "/": g++ 12 -Wrestrict false positive
  if (q != std::string_view::npos) {
    u.query = std::string(rest.substr(q + 1));
    u.has_query = true;
  }
  return u;
}

std::string UrlParts::host_header() const {
  std::string h = host.find(':') != std::string::npos ? "[" + host + "]" : host;
  const bool default_port =
      port == 0 || (scheme == "http" && port == 80) || (scheme == "https" && port == 443);
  if (!default_port) h += fmt::format(":{}", port);
  return h;
}

}  // namespace s3fcp
