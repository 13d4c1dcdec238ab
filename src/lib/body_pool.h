// Buffers of the library's whole-object gets (an object collected in memory, verified, then handed to the caller),
// kept for the next get instead of freed. A freed buffer of a MiB goes back to the kernel (glibc unmaps large blocks
// and trims its heaps), and filling fresh pages again costs a page fault per 4 KiB: on the 2-core VM measured here
// those faults cost more than the copy into the buffer (1000 gets of 1 MiB from 64 threads: README).
//
// What is kept is bounded three ways: at most `limit` bytes of capacity; no more buffers than gets have been in
// flight at once (begin() to end()), the oldest going first; and none smaller than kMinPooled. A get takes its
// buffer once the answer tells the object's size, and only one that fits: at least that size and at most twice it.
// (Handing out whatever came back last, with only the byte limit, let capacities ratchet up and the pool fill with
// buffers no get needed: a mixed workload of 4 threads held 64 MiB, and its RSS crept up for minutes.)
#pragma once

#include <cstddef>
#include <mutex>
#include <vector>

namespace s3fcp {

class BodyPool {
 public:
  static constexpr size_t kMinPooled = 64 << 10;

  explicit BodyPool(size_t limit) : m_limit(limit) {}

  // A get starts.
  void begin();
  // An empty buffer for an object of `size` bytes: the kept one of the least capacity from `size` to twice it, or
  // none (capacity 0: the caller allocates).
  std::vector<std::byte> take(size_t size);
  // The get that began ends, done with `buffer` (its own or an empty one): kept within the bounds, else freed.
  void end(std::vector<std::byte> buffer);
  size_t kept_bytes() const;
  size_t kept_buffers() const;

 private:
  mutable std::mutex m_mutex;
  std::vector<std::vector<std::byte>> m_free;  // the oldest first
  size_t m_kept = 0;                           // capacity of m_free
  size_t m_active = 0, m_peak = 0;             // gets begun and not ended; the most at once
  const size_t m_limit;
};

}  // namespace s3fcp
