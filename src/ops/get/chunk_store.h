// Where the network thread puts body bytes: the seam between fetching and sinking. Two implementations:
// ReorderWindow (W buffers drained in order to stdout by the writer thread) and a file store (pwrite at the
// chunk's offset, no reorder wait). Chunk j may be written only while j < window_end(); chunks below head()
// are complete and gone. All calls come from the network thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#include "ops/get/range_plan.h"
#include "util/error.h"

namespace s3fcp {

class ChunkStore {
 public:
  virtual ~ChunkStore() = default;

  virtual uint32_t slots() const = 0;
  virtual void set_plan(const RangePlan& plan) = 0;
  virtual uint64_t head() const = 0;
  virtual uint64_t window_end() const = 0;
  // Puts `bytes` at `offset` within `chunk`. The first `offset` bytes of the chunk are already stored.
  virtual Result<void> store(uint64_t chunk, uint64_t offset, std::span<const std::byte> bytes) = 0;
  // The first `filled` bytes of `chunk` are stored and final.
  virtual void publish(uint64_t chunk, uint64_t filled) = 0;
  // End of a batch of publishes: let the consumer look.
  virtual void wake_consumer() = 0;
};

}  // namespace s3fcp
