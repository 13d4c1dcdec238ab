// CopyObject: one object copied by S3 itself, from a bucket and key (a version of it) to another, its bytes never
// passing through here (`s3fcp s3://a/k s3://b/k2`).
//
// A HEAD of the source comes first: its size, its metadata and its ETag, which every copying request then carries as
// x-amz-copy-source-if-match, so that an object replaced meanwhile is a 412 (exit 5) and never a copy of something
// else. Then either
//   - one CopyObject (up to 5 GiB, and up to the part size when one was given): S3 keeps the metadata and tags
//     itself (the COPY directives) unless the spec changes them; or
//   - a multipart copy: CreateMultipartUpload with the source's metadata (what the spec names changed) and its tags
//     (GetObjectTagging, when the HEAD counts any), UploadPartCopy × N in parallel (x-amz-copy-source-range),
//     CompleteMultipartUpload; aborted whenever it cannot finish, as an upload is (ops/put/put_ops.h).
// CopyObject, UploadPartCopy and CompleteMultipartUpload answer 200 before they are done and report a late failure
// as an <Error> body: classified like an HTTP error and retried by its code.
//
// --no-clobber: If-None-Match: * on the request that makes the object. S3 answers 412 for that condition and for
// x-amz-copy-source-if-match alike: a CopyObject's 412 sends the source's HEAD again to tell them apart (the source
// still the one pinned: the destination exists, exit 10; else it changed, exit 5).
//
// Integrity: where the HEAD showed a full-object checksum (checksum mode), the copy is made with the same algorithm.
// CopyObject's answer names the copy's, which must be the source's (exit 7). A multipart copy of a CRC declares it
// FULL_OBJECT, sends each part's CRC back with Complete and the source's value as the object's: S3 itself refuses
// a copy whose parts do not add up to the source.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>

#include "checksum/checksum.h"
#include "client/operation.h"
#include "client/retry_queue.h"
#include "util/stop_signal.h"

namespace s3fcp {

inline constexpr uint64_t kMaxCopyObjectSize = 5ull << 30;  // S3's limit for one CopyObject (and one part)
inline constexpr uint64_t kCopyPartSize = 128ull << 20;     // a multipart copy's parts, unless given

struct CopySpec {
  Target source;
  std::string version_id;  // of the source; empty: its latest
  Target destination;
  // On the CopyObject: storage class, ACL, encryption, and with replace_metadata the new Content-Type and the rest,
  // with replace_tags the new x-amz-tagging.
  HeaderList headers;
  // x-amz-metadata-directive: REPLACE. What `headers` names is changed and the rest kept: the source's Content-Type,
  // Cache-Control, Content-Encoding, Content-Disposition, Content-Language, Expires and website redirect that
  // `headers` does not name are sent again, and so is its user metadata unless `headers` carries x-amz-meta-*.
  bool replace_metadata = false;
  bool replace_tags = false;  // x-amz-tagging-directive: REPLACE
  bool verify = true;         // compare the copy's checksum with the source's (--checksum off: not)
  // If-None-Match: * on CopyObject / CompleteMultipartUpload: an existing destination is exit 10, left as it was.
  bool no_clobber = false;
  // Objects larger than this are copied in parts of (at least) this size; none: one CopyObject up to 5 GiB, and
  // parts of kCopyPartSize beyond. A part is at least 5 MiB, and the parts at most 10,000.
  std::optional<uint64_t> part_size;
  uint32_t concurrency = 0;  // parts in flight at most; 0: the client's budget
};

// The headers a copy that replaces metadata sends: `given`, then what `source` (the source's HEAD) has of the rest.
HeaderList merged_metadata(const HeaderList& given, const HeaderList& source);

// The part size of a multipart copy of `size` bytes (see CopySpec::part_size), or none when one CopyObject does.
std::optional<uint64_t> copy_part_size(uint64_t size, std::optional<uint64_t> given);

// What the copy ended with, for -v and --stats json.
struct CopyResult {
  uint64_t size = 0;  // the source's, from its HEAD
  std::string source_etag, source_version_id;
  std::string etag, version_id;  // the copy's
  std::string checksum_algorithm, source_checksum, checksum;  // "" where none was named
  uint32_t requests = 0, retries = 0;
  uint32_t parts = 0;     // of a multipart copy (0: one CopyObject)
  std::string upload_id;  // a multipart copy's
  bool completed = false;  // the copy is there and checked (a stop that came later came too late)
  bool aborted = false, abort_failed = false;
  std::string abort_error;
};

// The x-amz-copy-source value: "BUCKET/KEY" with the key percent-encoded ('/' kept), and "?versionId=V"; through an
// access point, "ARN/object/KEY".
std::string copy_source_header(const Target& source, const std::string& version_id);

class CopyObject final : public Operation {
 public:
  CopyObject(CopySpec spec, StopSignal& stop) : m_spec(std::move(spec)), m_stop(stop) {}

  void start(OpContext& ctx) override;
  std::optional<Request> next_request(OpContext& ctx) override;
  size_t on_body(OpContext& ctx, Attempt& a, std::span<const std::byte> data) override;
  void on_done(OpContext& ctx, Attempt& a, const Outcome& outcome) override;
  void tick(OpContext& ctx) override;
  std::optional<Clock::time_point> wake_at() const override;
  // Stopped, it is finished at once unless a multipart upload must be aborted first.
  bool finished() const override;
  void stop(const Error& why) override { m_stop.fail(why); }

  // After the client retired it (the error, if any, is the stop signal's). Bytes copied so far: any thread.
  const CopyResult& result() const { return m_result; }
  uint64_t copied_bytes() const { return m_copied.load(std::memory_order_relaxed); }
  uint64_t total_bytes() const { return m_total.load(std::memory_order_relaxed); }  // UINT64_MAX before the HEAD

 private:
  // Deciding and Owning follow a CopyObject's 412 under --no-clobber: the source's HEAD (changed, or the
  // destination exists), then the destination's (exists, or it is this copy's own, sent twice).
  enum class Phase { Head, Tagging, Copy, Deciding, Owning, Creating, Parts, Completing, Verifying, Aborting, Done };
  struct Task {
    int attempts = 0;
  };
  struct PartTask {
    uint32_t number = 0;
    int attempts = 0;
  };
  struct Part {
    uint64_t begin = 0, end = 0;  // in the source
    PartTask task;
    std::string etag, checksum, body;
    bool done = false, in_flight = false;
  };
  static constexpr uint64_t kStepTag = 0;  // parts are tagged by their number (>= 1)

  Request step(Method method, Role role, Target target, std::string note) const;
  std::optional<Request> step_request();
  std::optional<Request> part_request(OpContext& ctx);
  void on_head_done(const Attempt& a);
  bool is_own_copy(const ResponseHead& destination) const;
  std::optional<std::string> parts_etag() const;  // what S3's ETag is from our parts', if they are MD5s
  void on_step_done(OpContext& ctx, const Attempt& a, const Outcome& outcome);
  void on_part_done(OpContext& ctx, const Attempt& a, const Outcome& outcome);
  void begin_multipart(uint64_t part_size);
  void retry_or_fail(OpContext& ctx, const Attempt& a, Error error);
  bool retry_step(OpContext& ctx, const Attempt& a, const Error& error);
  bool is_crc_copy() const;
  void finish(const std::string& etag, const std::optional<ExpectedChecksum>& checksum, const Attempt& a);
  void finish_from_head(const Attempt& a);  // the destination's HEAD showed this copy's own (is_own_copy)
  Error exists_error() const;  // --no-clobber: the destination is there
  void fail(Error error);       // the copy is over: no upload to abort (or it is being aborted)
  void fail_parts(OpContext& ctx, Error error);  // record the first error, then abort
  void begin_abort(OpContext& ctx);

  const CopySpec m_spec;
  StopSignal& m_stop;
  Phase m_phase = Phase::Head;
  RetryQueue<Task> m_retries;  // the one request at a time of every phase but Parts
  Task m_task;
  bool m_in_flight = false;
  bool m_waiting = false;  // the step failed and waits for its backoff
  bool m_verbose = false;
  std::string m_body;  // the step's answer (XML)
  std::optional<ExpectedChecksum> m_source_checksum;
  std::optional<std::chrono::system_clock::time_point> m_began;  // the server's Date on the source's HEAD
  HeaderList m_headers;  // the CopyObject's or CreateMultipartUpload's own
  CopyResult m_result;
  std::atomic<uint64_t> m_copied{0}, m_total{UINT64_MAX};
  // A multipart copy.
  std::map<uint32_t, Part> m_parts;
  RetryQueue<PartTask> m_part_retries;
  uint64_t m_part_size = 0;
  uint32_t m_part_count = 0;
  uint32_t m_next_part = 1;  // the next part never sent
  uint32_t m_parts_in_flight = 0, m_concurrency = 1;
  int m_complete_attempts = 0;
  bool m_abort_requested = false;  // stopped while a create or complete was out: abort once it answers
  // What a second look decides on: Complete's NoSuchUpload or 412, reported if the HEAD (Verifying) finds the object
  // not ours; a CopyObject's 412, reported unless the source's HEAD (Deciding) shows the destination exists.
  std::optional<Error> m_error;
};

}  // namespace s3fcp
