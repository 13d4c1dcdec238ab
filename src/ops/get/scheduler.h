// What to fetch next. The scheduler owns the list of ranges still to fetch and their retry state; it knows
// nothing of HTTP or threads. The network loop asks it for the next task whenever a transfer slot is free,
// tells it how each task ended, and sleeps until next_retry_at() when nothing can start.
//
// Order of preference: a retry whose backoff has elapsed (lowest chunk first, since the writer waits for it),
// then the next new chunk, but only below `window_end`, the first chunk the reorder window cannot hold yet.
// The very first task is the probe: bytes [0, chunk) fetched before the object size is known.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <vector>

#include "client/retry_policy.h"
#include "client/retry_queue.h"
#include "ops/get/range_plan.h"
#include "util/error.h"

namespace s3fcp {

struct FetchTask {
  uint64_t chunk = 0;    // index of the chunk the range starts in
  ByteRange range;       // the bytes still to fetch
  int attempts = 0;      // requests made for this range since it last made progress
  bool probe = false;    // the first request: the object's size is not known yet
};

class Scheduler {
 public:
  using Clock = std::chrono::steady_clock;

  Scheduler(uint64_t chunk_size, uint32_t concurrency, RetryPolicy policy);

  // The object's size is known. With `whole_object` the probe's transfer carries the whole object (the server
  // ignored Range), so no other chunk is ever scheduled.
  // `base`: the object offset of the plan's byte 0 (--range), for messages.
  void set_plan(const RangePlan& plan, bool whole_object = false, uint64_t base = 0);
  // Resuming: the plan is known before any request, and chunks marked in `done` are never fetched. No probe.
  void resume(const RangePlan& plan, std::vector<bool> done, uint64_t base = 0);
  bool has_plan() const { return m_has_plan; }
  const RangePlan& plan() const { return m_plan; }

  std::optional<FetchTask> next(Clock::time_point now, uint64_t window_end);
  void on_complete();
  // `task.range` holds what is still missing. Returns the error to stop with when it is not retried.
  std::optional<Error> on_failure(FetchTask task, Error error, bool progressed, Clock::time_point now,
                                  double uniform01, std::optional<std::chrono::milliseconds> retry_after);

  std::optional<Clock::time_point> next_retry_at() const;
  bool finished() const;
  uint32_t active() const { return m_active; }
  uint64_t retries() const { return m_pending.retries(); }

 private:
  uint64_t m_chunk_size;
  uint32_t m_concurrency;
  RetryPolicy m_policy;
  RangePlan m_plan;
  uint64_t m_base = 0;
  bool m_has_plan = false;
  bool m_probe_issued = false;
  uint64_t m_next_new = 0;  // next chunk never requested
  std::vector<bool> m_done;  // resumed: chunks already stored
  uint32_t m_active = 0;
  RetryQueue<FetchTask> m_pending;  // tasks waiting for their backoff to elapse
};

}  // namespace s3fcp
