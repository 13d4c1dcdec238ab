// --range: the part of the object to download, as HTTP and aws-cli's `get-object --range` spell it:
// "bytes=A-B" (bytes A to B inclusive), "bytes=A-" (from A to the end), "bytes=-N" (the last N bytes). The
// "bytes=" prefix may be left out. Which bytes that is depends on the object's size, known after the first request.
// Pure: no I/O.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "ops/get/range_plan.h"
#include "util/error.h"

namespace s3fcp {

struct RangeSpec {  // default: "bytes=0-", the whole object
  enum class Kind { FromTo, From, Suffix };
  Kind kind = Kind::From;
  uint64_t first = 0;   // FromTo, From
  uint64_t last = 0;    // FromTo: inclusive, >= first
  uint64_t suffix = 0;  // Suffix: > 0

  // "bytes=A-B", "bytes=A-" or "bytes=-N": the normal form, also the Range header value for the whole spec.
  std::string text() const;
  // The bytes selected in an object of `size` bytes. nullopt when the range starts past the end (A >= size),
  // except that "bytes=0-…" of an empty object is the empty range, as a suffix of one is.
  std::optional<ByteRange> resolve(uint64_t size) const;
  // The Range header of the first request, sent before the size is known: the spec's first `chunk` bytes. A suffix
  // range's start is not known yet, so its first request asks for the whole suffix (the engine keeps the first
  // chunk of the answer and drops the connection, unless the suffix fits in one chunk anyway).
  std::string probe_header(uint64_t chunk) const;
  bool operator==(const RangeSpec&) const = default;
};

// Parses --range. A usage Error (with the accepted forms) for anything else, including B < A and "-0".
Result<RangeSpec> parse_range_spec(std::string_view text);

}  // namespace s3fcp
