// What the threads of one download share besides the reorder window: the first error (which stops everyone),
// and progress counters. Counters are relaxed atomics, each written by one thread and read by the progress
// display, so they need no ordering with anything else.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>

#include "util/error.h"

namespace s3fcp {

class DownloadState {
 public:
  static constexpr uint64_t kUnknown = UINT64_MAX;

  // Wake-ups of the two worker threads, installed before they start.
  std::function<void()> wake_network;
  std::function<void()> wake_writer;

  // First error wins; later ones (usually consequences of the first) are dropped. Wakes both threads.
  void fail(Error error) {
    {
      std::lock_guard lock(m_mutex);
      if (m_error) return;
      m_error = std::move(error);
      m_stopping.store(true, std::memory_order_release);
    }
    if (wake_network) wake_network();
    if (wake_writer) wake_writer();
  }
  bool stopping() const { return m_stopping.load(std::memory_order_acquire); }
  std::optional<Error> error() const {
    std::lock_guard lock(m_mutex);
    return m_error;
  }

  std::atomic<uint64_t> total{kUnknown};    // object size once known (network thread)
  std::atomic<uint64_t> received{0};        // body bytes landed in buffers (network thread)
  std::atomic<uint64_t> written{0};         // bytes written to the destination (writer thread)
  std::atomic<uint64_t> requests{0};        // GETs sent (network thread)
  std::atomic<uint64_t> retries{0};         // of which retries (network thread)
  std::atomic<uint64_t> hedges{0};          // of which hedges (network thread)

 private:
  mutable std::mutex m_mutex;
  std::optional<Error> m_error;
  std::atomic<bool> m_stopping{false};
};

}  // namespace s3fcp
