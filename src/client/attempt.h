// One HTTP exchange of an operation's request: its role, the response head as it arrives, its timing, and how the
// operation ends it early (fail, or "everything is here"). Owned by the client, lent to the operation in callbacks;
// an operation must not keep a reference past on_done() or its cancel(). Network thread only.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "client/request.h"
#include "util/error.h"

namespace s3fcp {

using Clock = std::chrono::steady_clock;

struct ResponseHead {
  long status = 0;
  HeaderList headers;  // every header of the final answer: name as sent, value trimmed
  // The ones every caller needs, picked out as they arrive.
  std::string etag, request_id, content_range, content_length, date, retry_after, bucket_region;
  // The first header called `name`, case-insensitively; nullopt when absent.
  std::optional<std::string_view> find(std::string_view name) const;
};

class Attempt {
 public:
  explicit Attempt(uint32_t id) : m_id(id) {}
  Attempt(const Attempt&) = delete;
  Attempt& operator=(const Attempt&) = delete;

  uint32_t id() const { return m_id; }
  const Request& request() const { return m_request; }
  Role role() const { return m_request.role; }
  uint64_t tag() const { return m_request.tag; }
  const ResponseHead& head() const { return m_head; }

  // Ending it early, from on_head() or on_body(): the transfer is aborted and on_done() hears `error`...
  void fail(Error error) { m_failure = std::move(error); }
  // ... or success: everything this request was for has arrived (the rest of the answer is not wanted).
  void finish_early() { m_finished_early = true; }
  bool ending() const { return m_failure.has_value() || m_finished_early; }

  Clock::time_point started() const { return m_started; }
  Clock::time_point head_at() const { return m_head_at; }  // when the header block ended
  uint64_t body_bytes() const { return m_body_bytes; }     // response body bytes handed to the operation
  uint64_t sent_bytes() const { return m_sent; }           // request body bytes read so far

 private:
  friend class ClientCore;
  const uint32_t m_id;
  Request m_request;
  ResponseHead m_head;
  std::optional<Error> m_failure;
  bool m_finished_early = false;
  Clock::time_point m_started{}, m_head_at{}, m_last_activity{};
  uint64_t m_body_bytes = 0;
  uint64_t m_sent = 0;
};

}  // namespace s3fcp
