#include "util/byte_range.h"

#include <fmt/format.h>

namespace s3fcp {

std::string ByteRange::header_value() const { return fmt::format("bytes={}-{}", begin, end - 1); }

std::string ByteRange::describe() const {
  return empty() ? fmt::format("bytes {}-", begin) : fmt::format("bytes {}-{}", begin, end - 1);
}

}  // namespace s3fcp
