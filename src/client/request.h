// What an operation asks the client to send: one HTTP request to S3 (or to an http(s) source), described in S3's
// terms — which object or bucket, which subresource query, which headers, which body — never in curl's. The client
// resolves the endpoint, signs it and sends it; the operation learns how it went through the Attempt.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "s3/endpoint.h"
#include "util/header_line.h"

namespace s3fcp {

enum class Method { Get, Head, Put, Post, Delete };
std::string_view method_name(Method method);

// What an attempt is for. Head and Hedge are auxiliary: they may use the client's reserve slot, so a checksum HEAD or
// a hedge never waits behind the budget's own requests.
enum class Role { Get, Hedge, Head, Put, Post, Delete, List };
constexpr bool is_auxiliary(Role role) { return role == Role::Head || role == Role::Hedge; }

struct Target {
  std::string bucket;
  std::string key;                      // empty: the bucket itself (ListObjectsV2, ListMultipartUploads)
  std::optional<ObjectLocation> fixed;  // an http(s) source: sent exactly as given, unsigned
};

struct Request {
  Method method = Method::Get;
  Role role = Role::Get;
  Target target;
  HeaderList query;    // raw names and values: versionId, partNumber, uploadId, uploads, list-type, ...
  HeaderList headers;  // sent and signed: Range, If-Match, Content-Type, x-amz-checksum-*, ...
  // The body: either held here (small XML, signed with its SHA-256) or, when `streamed_size` is set, that many bytes
  // read through Operation::read_body (sent UNSIGNED-PAYLOAD: its integrity rides on an x-amz-checksum-* header).
  std::string body;
  std::optional<uint64_t> streamed_size;
  uint64_t tag = 0;  // the operation's own name for this request (a slot, a part number)
  std::string note;  // for -v: "(probe)", "(retry 2)", "part 7"
};

}  // namespace s3fcp
