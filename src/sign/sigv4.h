// AWS Signature Version 4, as S3 wants it. Pure: no I/O, no clock of its own (the caller passes `now`).
//
// The algorithm, in four steps:
//  1. Canonical request: METHOD \n URI \n QUERY \n HEADERS \n SIGNED-HEADERS \n PAYLOAD-HASH, where URI is
//     the path exactly as sent (S3 does not normalise `a//b`, `./`, `../`), QUERY the names and values
//     percent-encoded and sorted, HEADERS one `name:value\n` line per lowercased header name (values trimmed,
//     inner runs of spaces collapsed, repeats joined with ','), SIGNED-HEADERS those names joined with ';'.
//  2. String to sign: "AWS4-HMAC-SHA256" \n TIMESTAMP \n SCOPE \n hex(sha256(canonical request)), with
//     SCOPE = yyyymmdd/region/service/aws4_request.
//  3. Signing key: HMAC chain "AWS4"+secret -> yyyymmdd -> region -> service -> "aws4_request". It changes
//     once a day, so the signer keeps the last one.
//  4. Signature: hex(HMAC(signing key, string to sign)), sent as the Authorization header.
#pragma once

#include <array>
#include <chrono>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "aws/credentials.h"

namespace s3fcp {

// RFC 3986 percent-encoding as SigV4 wants it: A-Za-z0-9-._~ kept, '/' kept iff keep_slash, every other byte
// (UTF-8 included) as %XX with uppercase hex. Path: keep_slash = true; query names and values: false.
std::string uri_encode(std::string_view s, bool keep_slash);

// The x-amz-date form of a UTC time, e.g. "20130524T000000Z" (sub-second part dropped).
std::string amz_date(std::chrono::system_clock::time_point t);

struct RequestToSign {
  std::string method;         // "GET"
  std::string canonical_uri;  // path exactly as sent, already encoded: "/bucket/a%20b"; "a//b" stays
  // Raw (decoded) names and values; the signer encodes them and sorts by encoded name, then encoded value.
  std::vector<std::pair<std::string, std::string>> query;
  // Every header to sign, names in any case. Include host, x-amz-date (= amz_date(now)),
  // x-amz-content-sha256, and x-amz-security-token whenever the credentials carry a session token: the signer
  // adds none itself.
  std::vector<std::pair<std::string, std::string>> headers;
  std::string payload_hash;  // hex sha256 of the body, or "UNSIGNED-PAYLOAD"
};

struct SigningScope {
  std::string region;   // "us-east-1"
  std::string service;  // "s3"
};

struct Signature {
  std::string canonical_request;
  std::string string_to_sign;
  std::string signed_headers;  // "host;range;x-amz-content-sha256;x-amz-date"
  std::string signature;       // 64 lowercase hex digits
  std::string authorization;   // the Authorization header value; a secret-equivalent, never log it
};

// Not thread-safe: it caches the derived signing key. Give each thread (the network loop) its own signer.
class SigV4Signer {
 public:
  // The string to sign carries the request's x-amz-date header; without one (a presigned URL, where
  // X-Amz-Date travels in the query) it carries amz_date(now). `now` gives the scope date.
  Signature sign(const RequestToSign& req, const Credentials& creds, const SigningScope& scope,
                 std::chrono::system_clock::time_point now);

 private:
  const std::array<unsigned char, 32>& signing_key(const std::string& secret, const std::string& date,
                                                   const SigningScope& scope);

  // The last key derived, and what it was derived from.
  struct CachedKey {
    bool valid = false;
    std::string secret;
    std::string date;  // yyyymmdd
    std::string region;
    std::string service;
    std::array<unsigned char, 32> key{};
  };
  CachedKey m_cache;
};

}  // namespace s3fcp
