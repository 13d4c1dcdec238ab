// CopyObject: one object copied by S3 itself, from a bucket and key (a version of it) to another, its bytes never
// passing through here (`s3fcp s3://a/k s3://b/k2`).
//
// A HEAD of the source comes first: its size (one CopyObject takes at most 5 GiB; a larger object is refused with
// the way round it) and its ETag, which the copy then carries as x-amz-copy-source-if-match, so that an object
// replaced between the two is a 412 (exit 5) and never a copy of something else. CopyObject answers 200 before it
// has copied and reports a late failure as an <Error> body: classified like an HTTP error and retried by its code.
// Where the HEAD showed a full-object checksum (checksum mode) and the answer names the copy's under the same
// algorithm, the two must be equal (exit 7).
//
// The copy keeps the source's metadata and tags (S3's COPY directives) unless the spec changes them.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "checksum/checksum.h"
#include "client/operation.h"
#include "client/retry_queue.h"
#include "util/stop_signal.h"

namespace s3fcp {

inline constexpr uint64_t kMaxCopyObjectSize = 5ull << 30;  // S3's limit for one CopyObject

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
};

// The headers a copy that replaces metadata sends: `given`, then what `source` (the source's HEAD) has of the rest.
HeaderList merged_metadata(const HeaderList& given, const HeaderList& source);

// What the copy ended with, for -v and --stats json.
struct CopyResult {
  uint64_t size = 0;  // the source's, from its HEAD
  std::string source_etag, source_version_id;
  std::string etag, version_id;  // the copy's
  std::string checksum_algorithm, source_checksum, checksum;  // "" where none was named
  uint32_t requests = 0, retries = 0;
};

// The x-amz-copy-source value: "BUCKET/KEY" with the key percent-encoded ('/' kept), and "?versionId=V".
std::string copy_source_header(const Target& source, const std::string& version_id);

class CopyObject final : public Operation {
 public:
  CopyObject(CopySpec spec, StopSignal& stop) : m_spec(std::move(spec)), m_stop(stop) {}

  std::optional<Request> next_request(OpContext& ctx) override;
  size_t on_body(OpContext& ctx, Attempt& a, std::span<const std::byte> data) override;
  void on_done(OpContext& ctx, Attempt& a, const Outcome& outcome) override;
  std::optional<Clock::time_point> wake_at() const override { return m_retries.next_at(); }
  bool finished() const override { return m_phase == Phase::Done || m_stop.stopping(); }
  void stop(const Error& why) override { m_stop.fail(why); }

  // After the client retired it (the error, if any, is the stop signal's).
  const CopyResult& result() const { return m_result; }

 private:
  enum class Phase { Head, Copy, Done };
  struct Task {
    int attempts = 0;
  };
  void on_head_done(const Attempt& a);
  void retry_or_fail(OpContext& ctx, const Attempt& a, Error error);
  void fail(Error error);

  const CopySpec m_spec;
  StopSignal& m_stop;
  Phase m_phase = Phase::Head;
  RetryQueue<Task> m_retries;
  Task m_task;
  bool m_in_flight = false;
  std::string m_body;  // CopyObject's answer (XML)
  std::optional<ExpectedChecksum> m_source_checksum;
  HeaderList m_headers;  // the CopyObject's own: the spec's, merged with the source's metadata when replacing it
  CopyResult m_result;
};

}  // namespace s3fcp
