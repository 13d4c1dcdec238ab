#include "util/huge_buffer.h"

#include <sys/mman.h>

#include <new>

namespace s3fcp {

HugeBuffer allocate_huge(size_t bytes) {
  constexpr size_t huge = 2u << 20;
  const size_t rounded = (bytes + huge - 1) / huge * huge;
  void* p = std::aligned_alloc(huge, rounded == 0 ? huge : rounded);
  if (p == nullptr) throw std::bad_alloc();
  madvise(p, rounded, MADV_HUGEPAGE);
  return HugeBuffer(static_cast<std::byte*>(p));
}

}  // namespace s3fcp
