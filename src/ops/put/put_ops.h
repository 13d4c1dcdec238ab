// The upload operations on the shared client: PutObject (one request, up to the multipart threshold) and
// MultipartUpload (CreateMultipartUpload, UploadPart × N in parallel, CompleteMultipartUpload; AbortMultipartUpload
// whenever it cannot finish). Both send the bytes of an UploadSource, whose producer thread prepared each part and
// its checksum ahead of them.
//
// Integrity. Every request body carries its checksum in a header (x-amz-checksum-<alg>, or Content-MD5), so S3
// checks each part as it arrives; for the CRCs the full-object value is combined from the parts' (no second pass)
// and sent with CompleteMultipartUpload as FULL_OBJECT, so S3 itself refuses an object whose parts do not add up.
// Where the server answers with the object's checksum, it is compared with ours: a difference is exit 7.
//
// Failure never leaves parts behind: a permanent error, retries exhausted or a stop (SIGINT, SIGTERM, a source that
// cannot be read) cancels the parts in flight and sends AbortMultipartUpload, retried; the operation is finished
// only once that is done. CompleteMultipartUpload's 200 with an <Error> body is a failure, retried by its code.
// A request may reach S3 twice without our knowing (curl sends it again on a reused connection that turned out
// closed), so NoSuchUpload on Complete, and 412 on a PUT whose body went out more than once, are checked with a
// HEAD: the object may be ours, from the first send.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "client/operation.h"
#include "client/retry_queue.h"
#include "ops/put/upload_source.h"
#include "s3/messages.h"
#include "util/stop_signal.h"

namespace s3fcp {

struct UploadSpec {
  Target target;
  HeaderList object_headers;  // on PutObject and CreateMultipartUpload: Content-Type, metadata, tagging, SSE, ...
  HeaderList sse_c;           // on every request that carries or completes the object's bytes
  std::optional<ChecksumAlgorithm> checksum = ChecksumAlgorithm::Crc64Nvme;  // none: --checksum off
  bool no_clobber = false;    // If-None-Match: * (PutObject, CompleteMultipartUpload)
  uint32_t concurrency = 0;   // parts in flight at most; 0: the client's budget
};

struct UploadProgress {
  static constexpr uint64_t kUnknown = UINT64_MAX;
  std::atomic<uint64_t> total{kUnknown};  // the object's size, once known
  std::atomic<uint64_t> uploaded{0};      // bytes of parts S3 acknowledged
  std::atomic<uint64_t> requests{0};
  std::atomic<uint64_t> retries{0};
};

// What the upload ended with, for --stats and -v.
struct UploadResult {
  std::string etag, version_id;
  std::string upload_id;  // multipart only
  uint32_t parts = 0;
  std::string checksum_algorithm;  // what the parts and the object carry ("" when off)
  std::string checksum;            // ours, of the whole object (composite "...-N" for SHA multipart uploads)
  std::string server_checksum;     // what the server said the object's is, if it did
  bool aborted = false;            // a multipart upload that was aborted (or found gone)
  // The object is there, whole and checked: set when a CompleteMultipartUpload succeeded, even one that was already
  // out when a stop came (it cannot be taken back; the upload then succeeded).
  bool completed = false;
  bool abort_failed = false;       // ... that could not be: its parts remain
  std::string abort_error;         // why not
};

struct PutState {
  PutState() = default;
  PutState(const PutState&) = delete;
  PutState& operator=(const PutState&) = delete;
  void set_result(UploadResult r) {
    std::lock_guard lock(m_mutex);
    m_result = std::move(r);
  }
  UploadResult result() const {
    std::lock_guard lock(m_mutex);
    return m_result;
  }
  StopSignal stop;
  UploadProgress progress;

 private:
  mutable std::mutex m_mutex;
  UploadResult m_result;
};

// The headers that carry one body's checksum: x-amz-checksum-<alg> (base64), or Content-MD5.
HeaderList body_checksum_headers(ChecksumAlgorithm algorithm, const std::vector<unsigned char>& digest);

// One PutObject of the source's single part (it must hand out exactly one, `last`).
class PutObject final : public Operation {
 public:
  PutObject(UploadSpec spec, UploadSource& source, PutState& state);

  std::optional<Request> next_request(OpContext& ctx) override;
  Result<size_t> read_body(Attempt& a, uint64_t offset, std::span<std::byte> out) override;
  void on_done(OpContext& ctx, Attempt& a, const Outcome& outcome) override;
  std::optional<Clock::time_point> wake_at() const override { return m_retries.next_at(); }
  bool finished() const override { return m_done || m_state.stop.stopping(); }
  void stop(const Error& why) override { m_state.stop.fail(why); }

 private:
  struct Task {
    int attempts = 0;
  };
  std::string our_checksum() const;  // as S3 states it ("" without one)
  bool is_ours(const ResponseHead& head) const;  // the HEAD after a 412: the object our own earlier send stored

  const UploadSpec m_spec;
  UploadSource& m_source;
  PutState& m_state;
  std::optional<SourcePart> m_part;
  RetryQueue<Task> m_retries;
  Task m_task;
  bool m_in_flight = false;
  bool m_done = false;
  uint32_t m_body_starts = 0;      // times the body was read from its first byte: sent more than once when > 1
  std::optional<Error> m_conflict; // a 412 that a HEAD must confirm (an earlier send may have been stored)
};

// A multipart upload of the source's parts. `resume`: the upload id and the parts S3 already has (--continue).
class MultipartUpload final : public Operation {
 public:
  struct Resume {
    std::string upload_id;
    std::map<uint32_t, ListedPart> parts;  // filled by ListParts: the parts S3 already has
  };
  // Hears the upload id once CreateMultipartUpload answered (the journal records it), and when the upload is over
  // (completed or aborted: the journal goes).
  struct Hooks {
    std::function<void(const std::string& upload_id)> created;
    std::function<void()> ended;
    // Before CompleteMultipartUpload: an error here aborts instead (the source file changed under us).
    std::function<Result<void>()> before_complete;
  };

  MultipartUpload(UploadSpec spec, UploadSource& source, PutState& state, std::optional<Resume> resume = {},
                  Hooks hooks = {});

  void start(OpContext& ctx) override;
  std::optional<Request> next_request(OpContext& ctx) override;
  size_t on_body(OpContext& ctx, Attempt& a, std::span<const std::byte> data) override;
  Result<size_t> read_body(Attempt& a, uint64_t offset, std::span<std::byte> out) override;
  void on_done(OpContext& ctx, Attempt& a, const Outcome& outcome) override;
  void tick(OpContext& ctx) override;
  std::optional<Clock::time_point> wake_at() const override;
  bool finished() const override { return m_phase == Phase::Done; }
  void stop(const Error& why) override;

 private:
  enum class Phase { Creating, Listing, Uploading, Completing, Verifying, Aborting, Done };
  struct Step {  // a request of which one is out at a time (create, complete, the verifying HEAD, abort)
    int attempts = 0;
  };
  struct PartTask {
    uint32_t number = 0;
    int attempts = 0;
  };
  struct Part {
    SourcePart source;
    PartTask task;
    std::string etag;
    bool done = false;
    bool in_flight = false;
  };
  static constexpr uint64_t kStepTag = 0;  // parts are tagged by their number (>= 1)

  Request request(Method method, Role role, HeaderList query, std::string note) const;
  Request part_request(const Part& part) const;
  std::optional<Request> step_request(OpContext& ctx);
  void on_step_done(OpContext& ctx, Attempt& a, const Outcome& outcome);
  void on_part_done(OpContext& ctx, Attempt& a, const Outcome& outcome);
  bool retry_step(OpContext& ctx, const Error& error, const Attempt& a);
  Result<std::string> complete_body() const;
  std::string object_checksum() const;  // ours, as S3 encodes it; "" without one
  std::optional<std::string> our_multipart_etag() const;  // what S3's ETag is from our parts', if they are MD5s
  bool is_our_object(const ResponseHead& head) const;     // the HEAD after Complete shows the object is this upload's
  void finish_completed(const CompletedUpload& done, const Attempt& a);
  void fail(OpContext& ctx, Error error);  // record the first error, then abort
  void begin_abort(OpContext& ctx);
  void end(bool aborted);

  const UploadSpec m_spec;
  UploadSource& m_source;
  PutState& m_state;
  Hooks m_hooks;
  std::optional<Resume> m_resume;
  Phase m_phase = Phase::Creating;
  std::string m_upload_id;
  std::map<uint32_t, Part> m_parts;
  RetryQueue<PartTask> m_part_retries;
  RetryQueue<Step> m_step_retries;
  Step m_step;
  bool m_step_in_flight = false;
  bool m_step_waiting = false;     // the step failed and waits for its backoff in m_step_retries
  bool m_abort_requested = false;  // stopped while a create or complete was out: abort once it answers
  std::string m_body;              // the step's answer (XML)
  uint32_t m_list_marker = 0;      // ListParts' next part-number-marker
  uint32_t m_parts_in_flight = 0;
  uint32_t m_concurrency = 1;
  std::optional<Error> m_error;    // the first error: the upload ends aborted with it
  std::optional<Error> m_unverified;  // Complete's error, reported if the HEAD (Verifying) finds the object not ours
  int m_complete_attempts = 0;
  bool m_verbose = false;
};

// AbortMultipartUpload of an upload this run did not start (a killed run's, found in its journal), retried.
// `error` holds why it could not be aborted, if it could not.
class AbortUpload final : public Operation {
 public:
  AbortUpload(Target target, std::string upload_id) : m_target(std::move(target)), m_upload_id(std::move(upload_id)) {}
  std::optional<Request> next_request(OpContext& ctx) override;
  void on_done(OpContext& ctx, Attempt& a, const Outcome& outcome) override;
  std::optional<Clock::time_point> wake_at() const override { return m_retries.next_at(); }
  bool finished() const override { return m_done; }
  void stop(const Error& why) override {
    m_error = why;
    m_done = true;
  }
  const std::optional<Error>& error() const { return m_error; }

 private:
  struct Task {
    int attempts = 0;
  };
  const Target m_target;
  const std::string m_upload_id;
  RetryQueue<Task> m_retries;
  Task m_task;
  bool m_in_flight = false;
  bool m_done = false;
  std::optional<Error> m_error;
};

}  // namespace s3fcp
