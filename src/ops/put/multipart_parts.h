// What a multipart upload (ops/put) and a multipart copy (ops/copy) share about their parts and their abort: the
// next part to retry, the parts in flight dropped when they must stop, whether AbortMultipartUpload can go now or
// must wait for a step still out, and which answers to it mean the upload is gone. Internal to src/ops.
#pragma once

#include <cstdint>
#include <optional>

#include "client/operation.h"
#include "client/retry_queue.h"

namespace s3fcp {

// The lowest-numbered part of `parts` (a map from part number to a part with a `task`) whose retry backoff has
// elapsed, its task restored from `retries`; null when none is ready.
template <class Parts, class Task>
typename Parts::mapped_type* ready_retry(Parts& parts, RetryQueue<Task>& retries, Clock::time_point now) {
  auto task = retries.pop_ready(now, [](const Task& x, const Task& y) { return x.number < y.number; });
  if (!task) return nullptr;
  auto& part = parts[task->number];
  part.task = *task;
  return &part;
}

// Cancels every part of `parts` (keyed by part number, the attempt's tag) that is out.
template <class Parts>
void cancel_parts_in_flight(OpContext& ctx, Operation& op, Parts& parts, uint32_t& parts_in_flight) {
  for (auto& [number, part] : parts) {
    if (part.in_flight) {
      ctx.cancel(op, number);
      part.in_flight = false;
    }
  }
  parts_in_flight = 0;
}

// A CreateMultipartUpload still out is waited for (it may create an upload that must then be aborted); so is a
// CompleteMultipartUpload (it may have completed). Any other step out is cancelled. True when the abort must wait.
inline bool abort_waits_for_step(OpContext& ctx, Operation& op, uint64_t step_tag, bool& step_in_flight,
                                 bool creating_or_completing) {
  if (step_in_flight && creating_or_completing) return true;
  if (step_in_flight) ctx.cancel(op, step_tag);
  step_in_flight = false;
  return false;
}

// AbortMultipartUpload's answer: the upload is gone (aborted now, or already: NoSuchUpload, 404).
inline bool upload_gone(const std::optional<Error>& error) {
  return !error || error->s3_code == "NoSuchUpload" || error->http_status == 404;
}

}  // namespace s3fcp
