// A half-open byte range [begin, end): a chunk of a download, a part of an upload, what --range selected.
#pragma once

#include <cstdint>
#include <string>

namespace s3fcp {

// A half-open byte range [begin, end).
struct ByteRange {
  uint64_t begin = 0;
  uint64_t end = 0;
  uint64_t size() const { return end - begin; }
  bool empty() const { return end <= begin; }
  // The HTTP Range header value, "bytes=begin-(end-1)". Only for non-empty ranges.
  std::string header_value() const;
  // "bytes 0-99" style, for messages.
  std::string describe() const;
  bool operator==(const ByteRange&) const = default;
};

}  // namespace s3fcp
