// Buffers of the library's whole-object gets (an object collected in memory, verified, then handed to the caller),
// kept for the next get instead of freed. A freed buffer of a MiB goes back to the kernel (glibc unmaps large blocks
// and trims its heaps), and filling fresh pages again costs a page fault per 4 KiB: on the 2-core VM measured here
// those faults cost more than the copy into the buffer (1000 gets of 1 MiB from 64 threads: README). At most
// `limit` bytes of capacity are kept; smaller buffers than kMinPooled are not worth keeping.
#pragma once

#include <cstddef>
#include <mutex>
#include <vector>

namespace s3fcp {

class BodyPool {
 public:
  static constexpr size_t kMinPooled = 64 << 10;

  explicit BodyPool(size_t limit) : m_limit(limit) {}

  // A buffer to fill (empty; its capacity from an earlier get, or none).
  std::vector<std::byte> take();
  // Done with `buffer`: kept while the pool has room, else freed.
  void give(std::vector<std::byte> buffer);
  size_t kept_bytes() const;

 private:
  mutable std::mutex m_mutex;
  std::vector<std::vector<std::byte>> m_free;  // the most recently used last: its pages are the likeliest in cache
  size_t m_kept = 0;                           // capacity of m_free
  const size_t m_limit;
};

}  // namespace s3fcp
