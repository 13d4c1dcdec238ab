// What the threads of one download share besides the chunk store, in three parts that change for different
// reasons: the stop signal (the first error stops everyone), the progress counters, and the checksum hand-off from
// the network thread (which learns what the object's checksum is) to the thread that computes it in order (the
// stdout writer or the file verifier).
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>

#include "checksum/checksum.h"
#include "util/stop_signal.h"

namespace s3fcp {

// Counters are relaxed atomics, each written by one thread and read by the progress display and the summary, so
// they need no ordering with anything else.
struct GetProgress {
  static constexpr uint64_t kUnknown = UINT64_MAX;
  std::atomic<uint64_t> total{kUnknown};        // bytes to download once known: the object's, or its --range's
  std::atomic<uint64_t> object_size{kUnknown};  // the whole object's size (network thread, before `total`)
  std::atomic<uint64_t> range_begin{0};         // object offset of the first byte downloaded (before `total`)
  std::atomic<uint64_t> received{0};            // body bytes landed in the store (network thread)
  std::atomic<uint64_t> written{0};             // bytes written to the destination (writer thread)
  std::atomic<uint64_t> requests{0};            // requests sent (network thread)
  std::atomic<uint64_t> retries{0};             // of which retries (network thread)
  std::atomic<uint64_t> hedges{0};              // of which hedges (network thread)
};

// What the object says its checksum is, learnt by the network thread (from a HEAD sent beside the first GET)
// before the writer writes its first byte.
struct ChecksumDecision {
  std::optional<ExpectedChecksum> expected;  // nothing to verify when empty
  std::string etag;                          // the ETag the checksum belongs to
};

// The outcome of the end-to-end check, for --stats and -v.
struct ChecksumResult {
  enum class Verdict { Ok, Mismatch, Malformed };  // Malformed: the stated value could not be checked at all
  std::string algorithm, expected, computed;
  Verdict verdict = Verdict::Mismatch;
  bool ok() const { return verdict == Verdict::Ok; }
};

class ChecksumHandoff {
 public:
  // Network thread, once: the checksum to verify is known.
  void decide(ChecksumDecision decision) {
    {
      std::lock_guard lock(m_mutex);
      m_decision = std::move(decision);
    }
    m_cv.notify_all();
  }
  // The computing thread: waits for the decision; nullopt when the download stops first (`stop` must wake this
  // hand-off: install wake() as one of its wakers).
  std::optional<ChecksumDecision> wait(const StopSignal& stop) {
    std::unique_lock lock(m_mutex);
    m_cv.wait(lock, [&] { return m_decision.has_value() || stop.stopping(); });
    return stop.stopping() ? std::nullopt : m_decision;
  }
  void wake() {
    { std::lock_guard lock(m_mutex); }  // a waiter between its check and its sleep is not missed
    m_cv.notify_all();
  }

  void set_result(ChecksumResult r) {
    std::lock_guard lock(m_mutex);
    m_result = std::move(r);
  }
  std::optional<ChecksumResult> result() const {
    std::lock_guard lock(m_mutex);
    return m_result;
  }

 private:
  mutable std::mutex m_mutex;
  std::condition_variable m_cv;
  std::optional<ChecksumDecision> m_decision;
  std::optional<ChecksumResult> m_result;
};

struct GetState {
  GetState() { stop.add_waker([this] { checksum.wake(); }); }
  GetState(const GetState&) = delete;
  GetState& operator=(const GetState&) = delete;

  // The ETag every part was checked against (network thread, once, before any byte is published).
  void set_etag(std::string etag) {
    std::lock_guard lock(m_etag_mutex);
    m_etag = std::move(etag);
  }
  std::string etag() const {
    std::lock_guard lock(m_etag_mutex);
    return m_etag;
  }
  // The object's Last-Modified as the first answer sent it (an HTTP date), "" when none: a file gets it as its mtime.
  void set_last_modified(std::string value) {
    std::lock_guard lock(m_etag_mutex);
    m_last_modified = std::move(value);
  }
  std::string last_modified() const {
    std::lock_guard lock(m_etag_mutex);
    return m_last_modified;
  }

  StopSignal stop;
  GetProgress progress;
  ChecksumHandoff checksum;

 private:
  mutable std::mutex m_etag_mutex;
  std::string m_etag;
  std::string m_last_modified;
};

}  // namespace s3fcp
