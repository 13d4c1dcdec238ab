// ListObjectsV2 of a prefix, page by page, on the shared client. Each page goes to the consumer as soon as it
// arrives, so the copies of the first keys start while the listing goes on; the next page is asked for only while
// the consumer has room (`wants_more`), so a slow consumer holds the listing back instead of piling up keys.
// Keys are asked for URL-encoded (encoding-type=url) so that any key survives S3's XML.
#pragma once

#include <functional>
#include <optional>
#include <string>

#include "client/operation.h"
#include "client/retry_queue.h"
#include "s3/messages.h"
#include "util/stop_signal.h"

namespace s3fcp {

class ListObjects final : public Operation {
 public:
  struct Callbacks {
    std::function<void(ListObjectsPage&&)> page;  // network thread; a page's objects, in key order
    std::function<bool()> wants_more;             // network thread; false: hold the next page back for now
  };
  // `stop` carries a failure (kind as classified) and is watched: a stopped run lists no further.
  ListObjects(std::string bucket, std::string prefix, Callbacks callbacks, StopSignal& stop);

  std::optional<Request> next_request(OpContext& ctx) override;
  size_t on_body(OpContext& ctx, Attempt& a, std::span<const std::byte> data) override;
  void on_done(OpContext& ctx, Attempt& a, const Outcome& outcome) override;
  std::optional<Clock::time_point> wake_at() const override { return m_retries.next_at(); }
  bool finished() const override { return m_done || m_stop.stopping(); }
  void stop(const Error& why) override { m_stop.fail(why); }
  uint64_t pages() const { return m_pages; }

 private:
  struct Task {
    int attempts = 0;
  };
  const std::string m_bucket, m_prefix;
  Callbacks m_callbacks;
  StopSignal& m_stop;
  RetryQueue<Task> m_retries;
  Task m_task;
  std::string m_token;  // the continuation token of the next page
  std::string m_body;
  bool m_in_flight = false;
  bool m_done = false;
  uint64_t m_pages = 0;
};

}  // namespace s3fcp
