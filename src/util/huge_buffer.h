// Large buffers for transfer data (download chunks, upload parts): uninitialised (pages are touched only when
// filled), 2 MiB-aligned and marked for transparent huge pages, so filling one costs one page fault per 2 MiB
// instead of one per 4 KiB.
#pragma once

#include <cstddef>
#include <cstdlib>
#include <memory>

namespace s3fcp {

struct FreeDeleter {
  void operator()(std::byte* p) const { std::free(p); }
};
using HugeBuffer = std::unique_ptr<std::byte[], FreeDeleter>;

// At least `bytes` bytes; throws std::bad_alloc when the memory is not there.
HugeBuffer allocate_huge(size_t bytes);

}  // namespace s3fcp
