// Private to the C API's implementation (src/lib/*.cpp): what the opaque handles of include/s3fcp/s3fcp.h are, and
// the helpers every entry point shares.
#pragma once

#include <exception>
#include <memory>
#include <mutex>
#include <new>
#include <string>
#include <string_view>
#include <vector>

#include "client/client.h"
#include "lib/body_pool.h"
#include "s3fcp/s3fcp.h"
#include "util/error.h"
#include "util/stop_signal.h"
#include "util/workers.h"

struct s3fcp_client {
  std::unique_ptr<s3fcp::Client> client;
  s3fcp::BodyPool bodies{64 << 20};  // whole-object gets' buffers, reused: 64 gets of 1 MiB at once
  uint32_t per_call = 0;      // requests in flight for one call's transfer at most (of the client's budget)
  bool concurrency_given = false;  // the caller chose per_call (else a download into memory takes more)
  uint64_t part_size = 0;     // 0: each operation's default
  uint64_t memory_limit = 0;  // 0: an upload's default
};

// A cancel token: the calls that carry it attach their stop signal for as long as they run.
struct s3fcp_cancel_token {
  void attach(s3fcp::StopSignal* stop);  // stops it at once when already cancelled
  void detach(s3fcp::StopSignal* stop);
  void cancel();
  bool cancelled() const;

 private:
  mutable std::mutex m_mutex;
  bool m_cancelled = false;
  std::vector<s3fcp::StopSignal*> m_attached;
};

namespace s3fcp {

void copy_text(char* out, size_t capacity, std::string_view text);
// Fills `err` (when not null) and returns the code.
int report_error(const Error& e, s3fcp_error* err);
int report_ok(s3fcp_error* err);
Error cancelled_error();
// Runs a transfer's workers on plain threads, stopping them when `token` is cancelled.
RunWorkers plain_runner(s3fcp_cancel_token* token);
// Submits `op` and waits for it; cancelled through `token` (then the Error says so).
Result<void> run_op(Client& client, const std::shared_ptr<Operation>& op, s3fcp_cancel_token* token);
Result<void> check_names(const char* bucket, const char* key, bool key_needed);

// Runs an entry point's body so that no C++ exception crosses the C ABI: std::bad_alloc, or anything else the
// code below might throw, comes back as S3FCP_ERR_OTHER with its message in `err`.
template <class F>
int guarded(s3fcp_error* err, F&& body) {
  try {
    return body();
  } catch (const std::bad_alloc&) {
    return report_error(Error{ErrorKind::Other, "out of memory"}, err);
  } catch (const std::exception& e) {
    return report_error(Error{ErrorKind::Other, std::string("internal error: ") + e.what()}, err);
  }
}

}  // namespace s3fcp
