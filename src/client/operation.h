// An operation is one transfer on the shared client: a ranged download, a PUT, a multipart upload, a listing. It
// says which request it wants next, takes response bytes (or supplies request bytes), and learns how each attempt
// ended; the client does everything that is the same for all of them — connections, signing, the concurrency
// budget, stalls, clock skew, expired keys, region redirects — and classifies each answer before the operation sees
// it. Every virtual below is called on the client's network thread only; submit() and wait() from any thread.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <limits>
#include <mutex>
#include <optional>
#include <span>
#include <string>

#include "client/attempt.h"
#include "client/retry_policy.h"
#include "s3/response.h"
#include "util/error.h"

namespace s3fcp {

class Operation;

// How an attempt ended, as the client judged it: nothing (a 2xx the operation accepted, received whole), or the
// error — the operation's own (Attempt::fail), a transport failure (retryable, kind Network), or an HTTP error
// answer classified by classify_http_error, with its S3 error document.
struct Outcome {
  std::optional<Error> error;
  std::optional<S3ErrorBody> error_body;
  bool redirected = false;  // a wrong-region answer: the client moved the bucket to its region, ask again
  bool ok() const { return !error; }
};

// What an operation may ask of the client, from the network thread.
class OpContext {
 public:
  virtual ~OpContext() = default;
  // Sends `request` now if a slot is free (an auxiliary role may take the reserve slot); false when none is.
  virtual bool start(Operation& op, Request request) = 0;
  // Abandons `op`'s attempt with this tag (a lost hedge race): no on_done for it.
  virtual void cancel(Operation& op, uint64_t tag) = 0;
  // Lets `op`'s paused attempt with this tag (on_body returned kPauseBody) receive again. Its held bytes may arrive
  // (on_body) before this returns.
  virtual void resume(Operation& op, uint64_t tag) = 0;

  virtual uint32_t budget() const = 0;  // the client's concurrency: requests in flight at once over all operations
  virtual Clock::time_point now() const = 0;
  virtual double jitter() = 0;  // uniform in [0, 1), for backoff
  virtual const RetryPolicy& retry_policy() const = 0;
  virtual bool verbose() const = 0;
  virtual std::string display(const Target& target) const = 0;  // the URL for messages
  virtual std::string host(const Target& target) const = 0;
};

// on_body(): take none of these bytes now, pause the transfer; curl hands them again after resume().
inline constexpr size_t kPauseBody = std::numeric_limits<size_t>::max();

class Operation {
 public:
  virtual ~Operation() = default;

  // Once, when the client takes the operation up.
  virtual void start(OpContext&) {}
  // The next request this operation wants sent, if it wants one now. Called while the budget has a free slot, the
  // operations taking turns.
  virtual std::optional<Request> next_request(OpContext& ctx) = 0;
  // A 2xx answer's headers are complete (before any body byte). May end the attempt: Attempt::fail/finish_early.
  virtual void on_head(OpContext&, Attempt&) {}
  // Body bytes of an accepted 2xx answer: returns how many it took (fewer ends the attempt as failed unless it set
  // fail/finish_early), or kPauseBody.
  virtual size_t on_body(OpContext&, Attempt&, std::span<const std::byte> data) { return data.size(); }
  // A streamed request body (Request::streamed_size): bytes from `offset` into `out`; 0 only at the end.
  virtual Result<size_t> read_body(Attempt&, uint64_t /*offset*/, std::span<std::byte> /*out*/) { return size_t{0}; }
  // The attempt is over; `a` is valid during the call only.
  virtual void on_done(OpContext& ctx, Attempt& a, const Outcome& outcome) = 0;
  // Every turn of the client's loop (after the received bytes were handed out): time-driven decisions.
  virtual void tick(OpContext&) {}
  // When the operation next wants to send (a backoff); nullopt: whenever asked.
  virtual std::optional<Clock::time_point> wake_at() const { return std::nullopt; }
  // Done, failed or stopped: the client drops its attempts still in flight and retires it.
  virtual bool finished() const = 0;
  // Stopped from outside (Client::cancel): record `why`; finished() must then be true.
  virtual void stop(const Error& why) = 0;

  // Any thread: blocks until the client has retired the operation.
  void wait() {
    std::unique_lock lock(m_retire_mutex);
    m_retire_cv.wait(lock, [&] { return m_retired; });
  }
  bool retired() const {
    std::lock_guard lock(m_retire_mutex);
    return m_retired;
  }

 private:
  friend class ClientCore;
  void retire() {
    {
      std::lock_guard lock(m_retire_mutex);
      m_retired = true;
    }
    m_retire_cv.notify_all();
  }
  mutable std::mutex m_retire_mutex;
  std::condition_variable m_retire_cv;
  bool m_retired = false;
};

}  // namespace s3fcp
