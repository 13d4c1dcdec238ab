// The buffers the C API hands to its caller (s3fcp_get_to_buffer's data): anonymous mappings, grown with mremap as
// the bytes arrive (no copy of what is there), and unmapped by s3fcp_free. Not malloc: glibc keeps large freed blocks
// in its heaps once its mmap threshold has risen, and a program that downloads objects for days would grow.
#pragma once

#include <cstddef>
#include <span>

namespace s3fcp {

class MappedBuffer {
 public:
  MappedBuffer() = default;
  MappedBuffer(const MappedBuffer&) = delete;
  MappedBuffer& operator=(const MappedBuffer&) = delete;
  ~MappedBuffer();

  bool append(std::span<const std::byte> bytes);  // false when the memory is not there
  size_t size() const { return m_used; }
  // Hands the mapping to the caller (registered for release_mapped); a mapping even when empty; null on failure.
  void* release();

 private:
  bool reserve(size_t bytes);
  std::byte* m_data = nullptr;
  size_t m_used = 0, m_capacity = 0;
};

// s3fcp_free: unmaps a buffer release() handed out. Null and unknown pointers are ignored.
void release_mapped(void* p);

}  // namespace s3fcp
