// Large buffers for transfer data (download chunks, upload parts): mapped straight from the kernel, 2 MiB-aligned
// and marked for transparent huge pages (filling one costs one page fault per 2 MiB instead of one per 4 KiB), and
// unmapped when freed. Not malloc: glibc raises its mmap threshold after the first large free, so later buffers
// would come from its heaps, stay there after use and fragment them — a long-running process (the library) would
// grow. Pages are touched only when filled.
#pragma once

#include <cstddef>
#include <memory>
#include <span>

namespace s3fcp {

struct UnmapDeleter {
  size_t mapped = 0;  // bytes of the mapping, from its (aligned) start
  void operator()(std::byte* p) const;
};
using HugeBuffer = std::unique_ptr<std::byte[], UnmapDeleter>;

// At least `bytes` bytes; throws std::bad_alloc when the memory is not there.
HugeBuffer allocate_huge(size_t bytes);

// Advises the kernel to back the whole 2 MiB pages inside `memory` (a caller's buffer) with transparent huge pages,
// before it is filled: advice only, nothing is touched, and a kernel that cannot is fine.
void advise_huge(std::span<std::byte> memory);

}  // namespace s3fcp
