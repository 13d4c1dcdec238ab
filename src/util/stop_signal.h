// The first error of a transfer stops it. Every thread that takes part (the network thread, a writer, a reader)
// checks stopping() and reports through fail(); the first error wins, later ones (usually consequences of the first)
// are dropped, and the wakers registered before the threads start are called once so that nobody sleeps through it.
#pragma once

#include <atomic>
#include <functional>
#include <mutex>
#include <optional>
#include <vector>

#include "util/error.h"

namespace s3fcp {

class StopSignal {
 public:
  // `wake` is called once when the signal stops, or at once if it already has. Thread-safe.
  void add_waker(std::function<void()> wake) {
    {
      std::lock_guard lock(m_mutex);
      if (!m_error) {
        m_wakers.push_back(std::move(wake));
        return;
      }
    }
    wake();
  }

  // Records `error` unless another came first; wakes everyone. Thread-safe.
  void fail(Error error) {
    std::vector<std::function<void()>> wakers;
    {
      std::lock_guard lock(m_mutex);
      if (m_error) return;
      m_error = std::move(error);
      m_stopping.store(true, std::memory_order_release);
      wakers = m_wakers;
    }
    for (const auto& wake : wakers) wake();
  }
  bool stopping() const { return m_stopping.load(std::memory_order_acquire); }
  std::optional<Error> error() const {
    std::lock_guard lock(m_mutex);
    return m_error;
  }

 private:
  mutable std::mutex m_mutex;
  std::optional<Error> m_error;
  std::atomic<bool> m_stopping{false};
  std::vector<std::function<void()>> m_wakers;
};

}  // namespace s3fcp
