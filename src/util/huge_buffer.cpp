#include "util/huge_buffer.h"

#include <sys/mman.h>

#include <cstdint>
#include <new>

namespace s3fcp {

namespace {
constexpr size_t kHuge = 2u << 20;
}

void UnmapDeleter::operator()(std::byte* p) const {
  if (p != nullptr) ::munmap(p, mapped);
}

HugeBuffer allocate_huge(size_t bytes) {
  const size_t size = (bytes + kHuge - 1) / kHuge * kHuge + (bytes == 0 ? kHuge : 0);
  // Map one huge page more than needed, then give back the unaligned head and the tail.
  void* raw = ::mmap(nullptr, size + kHuge, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (raw == MAP_FAILED) throw std::bad_alloc();
  const auto start = reinterpret_cast<uintptr_t>(raw);
  const uintptr_t aligned = (start + kHuge - 1) / kHuge * kHuge;
  if (aligned > start) ::munmap(raw, aligned - start);
  const uintptr_t end = start + size + kHuge;
  if (end > aligned + size) ::munmap(reinterpret_cast<void*>(aligned + size), end - (aligned + size));
  ::madvise(reinterpret_cast<void*>(aligned), size, MADV_HUGEPAGE);
  return HugeBuffer(reinterpret_cast<std::byte*>(aligned), UnmapDeleter{size});
}

void advise_huge(std::span<std::byte> memory) {
  const auto begin = (reinterpret_cast<uintptr_t>(memory.data()) + kHuge - 1) / kHuge * kHuge;
  const auto end = (reinterpret_cast<uintptr_t>(memory.data()) + memory.size()) / kHuge * kHuge;
  if (end > begin) ::madvise(reinterpret_cast<void*>(begin), end - begin, MADV_HUGEPAGE);
}

}  // namespace s3fcp
