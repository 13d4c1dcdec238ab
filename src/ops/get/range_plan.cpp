#include "ops/get/range_plan.h"

#include <algorithm>

namespace s3fcp {

ByteRange RangePlan::chunk(uint64_t index) const {
  const uint64_t begin = index * m_chunk_size;
  return {begin, std::min(begin + m_chunk_size, m_total)};
}

}  // namespace s3fcp
