// Request headers an upload sets from the user's options: x-amz-tagging (the object's tags as a URL query
// string) and x-amz-meta-* (user metadata). Both are checked here against S3's limits, so that a bad option
// is a usage error before any byte is sent rather than a 400 after a multi-gigabyte upload. Pure string work.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "checksum/checksum.h"
#include "util/error.h"

namespace s3fcp {

using KeyValueList = std::vector<std::pair<std::string, std::string>>;

inline constexpr std::size_t kMaxTags = 10;
inline constexpr std::size_t kMaxTagKeyChars = 128;
inline constexpr std::size_t kMaxTagValueChars = 256;
inline constexpr std::size_t kMaxUserMetadataBytes = 2048;

// The x-amz-tagging value for `tags`, in order: "k1=v1&k2=v2", keys and values percent-encoded as SigV4
// encodes query strings (A-Za-z0-9-._~ kept, everything else %XX, a space %20 and '+' %2B, so the value
// reads the same whether S3 decodes '+' as a space or not). Errors (kind Usage): more than 10 tags, a key
// given twice, a key empty or over 128 characters, a value over 256 characters (characters counted in
// UTF-8 code points), a key starting with "aws:" (reserved by AWS).
Result<std::string> tagging_header_value(const KeyValueList& tags);

// The x-amz-meta-NAME headers for user metadata, names lowercased (S3 stores them so). A name may be given
// with or without its "x-amz-meta-" prefix. Errors (kind Usage): a name that is empty or not an HTTP token
// (RFC 9110: letters, digits and !#$%&'*+-.^_`|~), a name given twice (in any case), a value with
// characters other than printable ASCII and tab (S3's REST interface takes US-ASCII metadata), and more than
// 2 KB in all. S3 measures the sum of the UTF-8 bytes of each key and value; the sum counted here includes
// each "x-amz-meta-" prefix, the stricter reading (AWS's own Deadline Cloud client counts it too), so what
// passes here is never refused for its size.
Result<HeaderList> user_metadata_headers(const KeyValueList& metadata);

// One --metadata argument, appended to `out`: KEY=VALUE (one pair, '=' allowed in the value, as s5cmd takes it),
// or a JSON object of strings (as the AWS CLI takes it). A value holding ",NAME=" reads as the AWS CLI's shorthand
// for several keys (a=1,b=2), which would be stored as one: a usage error that names both ways to say it.
Result<void> parse_metadata_argument(std::string_view text, KeyValueList& out);

}  // namespace s3fcp
