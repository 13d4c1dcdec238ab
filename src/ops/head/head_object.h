// HeadObject: what S3 says about one object (size, ETag, checksums with checksum mode, metadata), retried on
// transient errors. A missing object is an Error of kind NotFound. The same one request without a body serves
// DeleteObject (Options::method), where a missing key is no error, as on S3.
#pragma once

#include <optional>
#include <string>

#include "client/operation.h"
#include "client/retry_queue.h"

namespace s3fcp {

class HeadObject final : public Operation {
 public:
  struct Options {
    std::string version_id;
    HeaderList object_headers;   // SSE-C
    bool checksum_mode = false;  // x-amz-checksum-mode: ENABLED
    Method method = Method::Head;  // or Method::Delete
  };
  HeadObject(Target target, Options options) : m_target(std::move(target)), m_options(std::move(options)) {}

  std::optional<Request> next_request(OpContext& ctx) override;
  void on_done(OpContext& ctx, Attempt& a, const Outcome& outcome) override;
  std::optional<Clock::time_point> wake_at() const override { return m_retries.next_at(); }
  bool finished() const override { return m_done; }
  void stop(const Error& why) override {
    if (!m_done) m_error = why;
    m_done = true;
  }

  // After the client retired it: the answer's head, or why there is none.
  const std::optional<Error>& error() const { return m_error; }
  const ResponseHead& head() const { return m_head; }
  std::optional<uint64_t> size() const;

 private:
  struct Task {
    int attempts = 0;
  };
  const Target m_target;
  const Options m_options;
  RetryQueue<Task> m_retries;
  Task m_task;
  bool m_in_flight = false, m_done = false;
  std::optional<Error> m_error;
  ResponseHead m_head;
};

}  // namespace s3fcp
