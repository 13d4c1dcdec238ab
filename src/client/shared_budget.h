// The concurrency budget of a client, shared by its network threads (client/client_core.h): requests in flight over
// all of them. Lock-free: a thread takes its share before it asks an operation for a request, and gives it back when
// the attempt ends; giving back to a full budget tells the caller that another thread may be waiting for room.
#pragma once

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <functional>

namespace s3fcp {

class SharedBudget {
 public:
  explicit SharedBudget(uint32_t limit) : m_limit(std::max<uint32_t>(1, limit)) {}
  // Takes a slot if fewer than limit + extra are in use.
  bool try_take(uint32_t extra) {
    uint32_t used = m_used.load(std::memory_order_relaxed);
    while (used < m_limit + extra) {
      if (m_used.compare_exchange_weak(used, used + 1, std::memory_order_relaxed)) return true;
    }
    return false;
  }
  // Gives one back; true when the budget was full, so that another core may be waiting for room.
  bool give_back() { return m_used.fetch_sub(1, std::memory_order_relaxed) >= m_limit; }
  uint32_t used() const { return m_used.load(std::memory_order_relaxed); }
  // Wakes every core (set by the client once they exist; called only while operations run).
  std::function<void()> wake_all;

 private:
  const uint32_t m_limit;
  std::atomic<uint32_t> m_used{0};
};

}  // namespace s3fcp
