// What the threads of one download share besides the reorder window: the first error (which stops everyone),
// and progress counters. Counters are relaxed atomics, each written by one thread and read by the progress
// display, so they need no ordering with anything else.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>

#include "checksum/checksum.h"
#include "util/error.h"

namespace s3fcp {

// What the object says its checksum is, learnt by the network thread (from a HEAD sent beside the first GET)
// before the writer writes its first byte.
struct ChecksumDecision {
  std::optional<ExpectedChecksum> expected;  // nothing to verify when empty
  std::string etag;                          // the ETag the checksum belongs to
};

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
    m_cv.notify_all();
    if (wake_network) wake_network();
    if (wake_writer) wake_writer();
  }

  // Network thread: the checksum to verify is known (set once).
  void decide_checksum(ChecksumDecision decision) {
    {
      std::lock_guard lock(m_mutex);
      m_checksum = std::move(decision);
    }
    m_cv.notify_all();
  }
  // Writer: waits for the decision; nullopt when the download stops first.
  std::optional<ChecksumDecision> wait_checksum() {
    std::unique_lock lock(m_mutex);
    m_cv.wait(lock, [&] { return m_checksum.has_value() || m_error.has_value(); });
    return m_error ? std::nullopt : m_checksum;
  }

  // The ETag every part was checked against (network thread, once, before any byte is published).
  void set_etag(std::string etag) {
    std::lock_guard lock(m_mutex);
    m_etag = std::move(etag);
  }
  std::string etag() const {
    std::lock_guard lock(m_mutex);
    return m_etag;
  }

  // The outcome of the end-to-end check, for --stats and -v (writer thread, once).
  struct ChecksumResult {
    enum class Verdict { Ok, Mismatch, Malformed };  // Malformed: the stated value could not be checked at all
    std::string algorithm, expected, computed;
    Verdict verdict = Verdict::Mismatch;
    bool ok() const { return verdict == Verdict::Ok; }
  };
  void set_checksum_result(ChecksumResult r) {
    std::lock_guard lock(m_mutex);
    m_checksum_result = std::move(r);
  }
  std::optional<ChecksumResult> checksum_result() const {
    std::lock_guard lock(m_mutex);
    return m_checksum_result;
  }
  bool stopping() const { return m_stopping.load(std::memory_order_acquire); }
  std::optional<Error> error() const {
    std::lock_guard lock(m_mutex);
    return m_error;
  }

  std::atomic<uint64_t> total{kUnknown};    // bytes to download once known: the object's, or its --range's
  std::atomic<uint64_t> object_size{kUnknown};  // the whole object's size (network thread, before `total`)
  std::atomic<uint64_t> range_begin{0};     // object offset of the first byte downloaded (before `total`)
  std::atomic<uint64_t> received{0};        // body bytes landed in buffers (network thread)
  std::atomic<uint64_t> written{0};         // bytes written to the destination (writer thread)
  std::atomic<uint64_t> requests{0};        // GETs sent (network thread)
  std::atomic<uint64_t> retries{0};         // of which retries (network thread)
  std::atomic<uint64_t> hedges{0};          // of which hedges (network thread)

 private:
  mutable std::mutex m_mutex;
  std::condition_variable m_cv;
  std::optional<Error> m_error;
  std::optional<ChecksumDecision> m_checksum;
  std::optional<ChecksumResult> m_checksum_result;
  std::string m_etag;
  std::atomic<bool> m_stopping{false};
};

}  // namespace s3fcp
