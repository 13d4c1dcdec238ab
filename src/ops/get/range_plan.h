// The plan: an object of `total` bytes cut into chunks of `chunk_size` bytes, the last one possibly short.
// Chunk i covers [i*chunk_size, min((i+1)*chunk_size, total)). Pure arithmetic, no I/O.
#pragma once

#include <cstdint>

#include "util/byte_range.h"

namespace s3fcp {

class RangePlan {
 public:
  RangePlan() = default;
  RangePlan(uint64_t total, uint64_t chunk_size) : m_total(total), m_chunk_size(chunk_size) {}

  uint64_t total() const { return m_total; }
  uint64_t chunk_size() const { return m_chunk_size; }
  uint64_t chunk_count() const { return m_chunk_size == 0 ? 0 : (m_total + m_chunk_size - 1) / m_chunk_size; }
  ByteRange chunk(uint64_t index) const;
  uint64_t chunk_of(uint64_t offset) const { return offset / m_chunk_size; }

 private:
  uint64_t m_total = 0;
  uint64_t m_chunk_size = 0;
};

}  // namespace s3fcp
