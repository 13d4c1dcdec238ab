// SigV4 signing; the algorithm is described at the top of sigv4.h. The canonical header block and the
// signed-header list come out of one loop over one sorted list, so they cannot disagree.
#include "sign/sigv4.h"

#include <algorithm>
#include <charconv>

#include "util/crypto.h"
#include "util/strings.h"

namespace s3fcp {

namespace {

constexpr std::string_view kAlgorithm = "AWS4-HMAC-SHA256";

bool is_unreserved(unsigned char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.' ||
         c == '_' || c == '~';
}

// Appends `value` in decimal, left-padded with zeros to `width` digits.
void append_padded(std::string& out, long value, std::size_t width) {
  char buf[24];
  const auto res = std::to_chars(buf, buf + sizeof buf, value);
  const auto len = static_cast<std::size_t>(res.ptr - buf);
  if (len < width) out.append(width - len, '0');
  out.append(buf, len);
}

// Trims leading and trailing blanks and turns every inner run of blanks into one space.
std::string normalize_header_value(std::string_view v) {
  std::string out;
  out.reserve(v.size());
  bool blank_pending = false;
  for (char c : v) {
    if (c == ' ' || c == '\t') {
      blank_pending = !out.empty();  // leading blanks are dropped
      continue;
    }
    if (blank_pending) out.push_back(' ');
    blank_pending = false;
    out.push_back(c);
  }
  return out;  // a trailing run never gets flushed
}

struct CanonicalHeaders {
  std::string block;        // "host:example.com\nx-amz-date:...\n"
  std::string signed_list;  // "host;x-amz-date"
  std::string amz_date;     // the x-amz-date value, empty when the request has none
};

CanonicalHeaders canonicalize_headers(const std::vector<std::pair<std::string, std::string>>& headers) {
  std::vector<std::pair<std::string, std::string>> entries;
  entries.reserve(headers.size());
  for (const auto& [name, value] : headers) {
    std::string lower(name.size(), '\0');
    std::transform(name.begin(), name.end(), lower.begin(), ascii_lower);
    entries.emplace_back(std::move(lower), normalize_header_value(value));
  }
  // Stable: repeated headers keep the order they were given in when joined.
  std::stable_sort(entries.begin(), entries.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });

  CanonicalHeaders out;
  for (std::size_t i = 0; i < entries.size();) {
    const std::string& name = entries[i].first;
    std::string value = entries[i].second;
    for (++i; i < entries.size() && entries[i].first == name; ++i) {
      value += ',';
      value += entries[i].second;
    }
    out.block += name;
    out.block += ':';
    out.block += value;
    out.block += '\n';
    if (!out.signed_list.empty()) out.signed_list += ';';
    out.signed_list += name;
    if (name == "x-amz-date") out.amz_date = value;
  }
  return out;
}

std::string canonical_query(const std::vector<std::pair<std::string, std::string>>& query) {
  std::vector<std::pair<std::string, std::string>> encoded;
  encoded.reserve(query.size());
  for (const auto& [name, value] : query)
    encoded.emplace_back(uri_encode(name, false), uri_encode(value, false));
  std::sort(encoded.begin(), encoded.end());  // by encoded name, then encoded value
  std::string out;
  for (const auto& [name, value] : encoded) {
    if (!out.empty()) out += '&';
    out += name;
    out += '=';
    out += value;
  }
  return out;
}

std::string_view as_view(const std::array<unsigned char, 32>& bytes) {
  return {reinterpret_cast<const char*>(bytes.data()), bytes.size()};
}

}  // namespace

std::string uri_encode(std::string_view s, bool keep_slash) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(s.size() * 3);
  for (char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    if (is_unreserved(c) || (c == '/' && keep_slash)) {
      out.push_back(ch);
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 0x0f]);
    }
  }
  return out;
}

std::string amz_date(std::chrono::system_clock::time_point t) {
  using namespace std::chrono;
  const auto secs = floor<seconds>(t);
  const auto day = floor<days>(secs);
  const year_month_day ymd{day};
  const hh_mm_ss hms{secs - day};
  std::string out;
  out.reserve(16);
  append_padded(out, static_cast<int>(ymd.year()), 4);
  append_padded(out, static_cast<unsigned>(ymd.month()), 2);
  append_padded(out, static_cast<unsigned>(ymd.day()), 2);
  out += 'T';
  append_padded(out, static_cast<long>(hms.hours().count()), 2);
  append_padded(out, static_cast<long>(hms.minutes().count()), 2);
  append_padded(out, static_cast<long>(hms.seconds().count()), 2);
  out += 'Z';
  return out;
}

const std::array<unsigned char, 32>& SigV4Signer::signing_key(const std::string& secret,
                                                              const std::string& date,
                                                              const SigningScope& scope) {
  CachedKey& c = m_cache;
  if (c.valid && c.date == date && c.region == scope.region && c.service == scope.service &&
      c.secret == secret) {
    return c.key;
  }
  auto k = hmac_sha256("AWS4" + secret, date);
  k = hmac_sha256(as_view(k), scope.region);
  k = hmac_sha256(as_view(k), scope.service);
  c.key = hmac_sha256(as_view(k), "aws4_request");
  c.secret = secret;
  c.date = date;
  c.region = scope.region;
  c.service = scope.service;
  c.valid = true;
  return c.key;
}

Signature SigV4Signer::sign(const RequestToSign& req, const Credentials& creds, const SigningScope& scope,
                            std::chrono::system_clock::time_point now) {
  const std::string now_stamp = amz_date(now);
  const std::string date = now_stamp.substr(0, 8);
  const CanonicalHeaders headers = canonicalize_headers(req.headers);

  Signature sig;
  sig.signed_headers = headers.signed_list;

  sig.canonical_request.reserve(256 + headers.block.size());
  sig.canonical_request += req.method;
  sig.canonical_request += '\n';
  sig.canonical_request += req.canonical_uri;
  sig.canonical_request += '\n';
  sig.canonical_request += canonical_query(req.query);
  sig.canonical_request += '\n';
  sig.canonical_request += headers.block;
  sig.canonical_request += '\n';
  sig.canonical_request += headers.signed_list;
  sig.canonical_request += '\n';
  sig.canonical_request += req.payload_hash;

  const std::string credential_scope = date + '/' + scope.region + '/' + scope.service + "/aws4_request";
  sig.string_to_sign = std::string(kAlgorithm) + '\n' +
                       (headers.amz_date.empty() ? now_stamp : headers.amz_date) + '\n' + credential_scope +
                       '\n' + sha256_hex(sig.canonical_request);

  sig.signature =
      hex_lower(hmac_sha256(as_view(signing_key(creds.secret_access_key, date, scope)), sig.string_to_sign));
  sig.authorization = std::string(kAlgorithm) + " Credential=" + creds.access_key_id + '/' +
                      credential_scope + ", SignedHeaders=" + sig.signed_headers +
                      ", Signature=" + sig.signature;
  return sig;
}

}  // namespace s3fcp
