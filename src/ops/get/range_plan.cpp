#include "ops/get/range_plan.h"

#include <algorithm>

#include <fmt/format.h>

namespace s3fcp {

std::string ByteRange::header_value() const { return fmt::format("bytes={}-{}", begin, end - 1); }

std::string ByteRange::describe() const {
  return empty() ? fmt::format("bytes {}-", begin) : fmt::format("bytes {}-{}", begin, end - 1);
}

ByteRange RangePlan::chunk(uint64_t index) const {
  const uint64_t begin = index * m_chunk_size;
  return {begin, std::min(begin + m_chunk_size, m_total)};
}

}  // namespace s3fcp
