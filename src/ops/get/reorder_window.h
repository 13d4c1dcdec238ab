// The reorder window: W chunk buffers shared by the network thread (which fills them, out of order) and the
// writer thread (which drains them strictly in order). Chunk j lives in slot j % W and may be started only when
// j < head + W, where head is the chunk the writer is on; so memory is W x chunk_size whichever chunk is slow.
//
// Lock discipline. Per-slot progress is an atomic byte count: the network thread copies bytes into the slot
// and then publishes the new count with a release store; the writer reads it with an acquire load and may write
// out everything below it. `head` is advanced by the writer only, after it has finished a chunk and reset its
// slot (release), and read by the network thread (acquire) to decide what may start. The only lock guards the
// writer's sleep: the network thread calls wake_consumer() once per batch of received data, not per callback.
// Buffers are allocated on first use of a slot and reused for every later chunk of that slot.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <vector>

#include "ops/get/range_plan.h"
#include "ops/get/chunk_store.h"
#include "util/huge_buffer.h"

namespace s3fcp {

class ReorderWindow final : public ChunkStore {
 public:
  ReorderWindow(uint32_t slots, uint64_t chunk_size);
  ReorderWindow(const ReorderWindow&) = delete;
  ReorderWindow& operator=(const ReorderWindow&) = delete;

  uint32_t slots() const override { return static_cast<uint32_t>(m_slots.size()); }
  uint64_t chunk_size() const { return m_chunk_size; }

  // Called once, by the network thread, when the object size is known.
  void set_plan(const RangePlan& plan) override;

  // --- network thread ---
  // One past the last chunk that may be started now.
  uint64_t window_end() const override { return m_head.load(std::memory_order_acquire) + slots(); }
  // The buffer of `chunk` (which must be below window_end()); allocated on first use.
  std::span<std::byte> buffer(uint64_t chunk);
  // The first `filled` bytes of `chunk` are now valid.
  Result<void> store(uint64_t chunk, uint64_t offset, std::span<const std::byte> bytes) override;
  void publish(uint64_t chunk, uint64_t filled) override {
    m_slots[chunk % m_slots.size()].filled.store(filled, std::memory_order_release);
  }
  void wake_consumer() override;
  // Stop: the writer's wait returns nothing from now on.
  void close();

  // --- writer thread ---
  struct Readable {
    uint64_t chunk;
    std::span<const std::byte> bytes;  // new bytes of the head chunk, from `offset`
    uint64_t offset;
  };
  // Waits until the head chunk has bytes beyond `written` (bytes of it already written out). Returns nothing when
  // closed or when every chunk has been consumed.
  std::optional<Readable> wait_readable(uint64_t written);
  // The writer finished the head chunk: free its slot and move on.
  void advance();
  uint64_t head() const override { return m_head.load(std::memory_order_acquire); }
  // Every chunk of the plan has been consumed (writer thread).
  bool all_consumed() {
    std::lock_guard lock(m_mutex);
    return m_has_plan && head() >= m_plan.chunk_count();
  }
  uint64_t chunk_length(uint64_t chunk) const { return m_plan.chunk(chunk).size(); }
  // Buffers ever allocated (for tests of the memory bound).
  uint32_t allocated_buffers() const { return m_allocated.load(std::memory_order_relaxed); }

 private:
  struct Slot {
    HugeBuffer data;
    std::atomic<uint64_t> filled{0};
  };
  uint64_t m_chunk_size;
  std::vector<Slot> m_slots;
  std::atomic<uint64_t> m_head{0};
  std::atomic<uint32_t> m_allocated{0};
  RangePlan m_plan;  // written once under m_mutex before m_has_plan is set

  std::mutex m_mutex;  // guards the writer's sleep, m_has_plan, m_closed
  std::condition_variable m_cv;
  bool m_has_plan = false;
  bool m_closed = false;
};

}  // namespace s3fcp
