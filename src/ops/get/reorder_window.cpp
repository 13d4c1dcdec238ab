#include "ops/get/reorder_window.h"

#include <cstring>
#include <optional>

namespace s3fcp {

ReorderWindow::ReorderWindow(uint32_t slots, uint64_t chunk_size)
    : m_chunk_size(chunk_size), m_slots(std::max<uint32_t>(slots, 1)) {}

void ReorderWindow::set_plan(const RangePlan& plan) {
  {
    std::lock_guard lock(m_mutex);
    m_plan = plan;
    m_has_plan = true;
  }
  m_cv.notify_one();
}

std::span<std::byte> ReorderWindow::buffer(uint64_t chunk) {
  Slot& slot = m_slots[chunk % m_slots.size()];
  if (!slot.data) {
    slot.data = allocate_huge(m_chunk_size);
    m_allocated.fetch_add(1, std::memory_order_relaxed);
  }
  return {slot.data.get(), m_chunk_size};
}

Result<void> ReorderWindow::store(uint64_t chunk, uint64_t offset, std::span<const std::byte> bytes) {
  std::memcpy(buffer(chunk).data() + offset, bytes.data(), bytes.size());
  return {};
}

void ReorderWindow::wake_consumer() {
  { std::lock_guard lock(m_mutex); }  // pairs with the predicate check in wait_readable: no lost wake-up
  m_cv.notify_one();
}

void ReorderWindow::close() {
  {
    std::lock_guard lock(m_mutex);
    m_closed = true;
  }
  m_cv.notify_all();
}

std::optional<ReorderWindow::Readable> ReorderWindow::wait_readable(uint64_t written) {
  const uint64_t chunk = m_head.load(std::memory_order_relaxed);  // only this thread writes it
  Slot& slot = m_slots[chunk % m_slots.size()];
  uint64_t filled = slot.filled.load(std::memory_order_acquire);
  if (filled <= written) {
    std::unique_lock lock(m_mutex);
    m_cv.wait(lock, [&] {
      if (m_closed) return true;
      if (!m_has_plan) return false;
      if (chunk >= m_plan.chunk_count()) return true;
      filled = slot.filled.load(std::memory_order_acquire);
      return filled > written;
    });
    if (m_closed || chunk >= m_plan.chunk_count()) return std::nullopt;
  }
  // The plan is set before any byte is published, and publish() happens-before our acquire load above.
  const auto* data = slot.data.get();
  return Readable{chunk, {data + written, static_cast<size_t>(filled - written)}, written};
}

void ReorderWindow::advance() {
  const uint64_t chunk = m_head.load(std::memory_order_relaxed);
  m_slots[chunk % m_slots.size()].filled.store(0, std::memory_order_relaxed);
  m_head.store(chunk + 1, std::memory_order_release);  // publishes the reset slot to the network thread
}

}  // namespace s3fcp
