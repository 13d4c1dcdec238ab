// One small object in one GET: written to a file descriptor as its bytes arrive (the many-object path: an object of
// a few MiB costs one request and no buffer), or collected in memory for the caller to take once it is done and
// verified (the library's gets, whose sinks are the caller's and must not run on the network thread). The GET asks for the object's checksum
// (x-amz-checksum-mode: ENABLED; S3 sends it on whole-object GETs), which is computed over the body on the way and
// compared at the end (checksum/checksum.h's rules: a stated checksum that cannot be checked fails closed).
//
// An object larger than `max_size` is not read whole: the answer's headers tell its size, the attempt ends there and
// the operation reports TooLarge with that size, for the caller to fetch it in parallel ranges instead.
// A failed attempt is retried from the start (the file is truncated, the memory emptied): a small object is cheaper
// to ask again than to resume.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "checksum/checksum.h"
#include "client/operation.h"
#include "client/retry_queue.h"

namespace s3fcp {

class WholeGet final : public Operation {
 public:
  struct Options {
    std::string version_id;
    HeaderList object_headers;  // SSE-C
    ChecksumMode checksum = ChecksumMode::automatic();
    uint64_t max_size = UINT64_MAX;
    // Into memory: a buffer for an answer of this many bytes (empty, its capacity reused), asked for at the headers
    // when the buffer held has less room. None, or one with no capacity: the buffer grows to the size.
    std::function<std::vector<std::byte>(uint64_t size)> body_for;
  };
  enum class Status { Running, Done, TooLarge, Failed };
  struct Outcome {
    Status status = Status::Running;
    uint64_t size = 0;  // bytes written (Done), the object's size (TooLarge)
    std::string etag;
    std::string last_modified;  // as sent (an HTTP date), "" when none
    std::optional<Error> error;
    std::string checksum_algorithm, checksum;  // verified, when there was one
    uint64_t requests = 0, retries = 0;
  };

  // Into `fd` (a regular file: written with pwrite, truncated on a retry).
  WholeGet(Target target, Options options, int fd);
  // Into memory: body() once Done; `body` is a buffer to reuse (emptied, its capacity kept when large enough).
  WholeGet(Target target, Options options, std::vector<std::byte> body = {});

  std::optional<Request> next_request(OpContext& ctx) override;
  void on_head(OpContext& ctx, Attempt& a) override;
  size_t on_body(OpContext& ctx, Attempt& a, std::span<const std::byte> data) override;
  void on_done(OpContext& ctx, Attempt& a, const s3fcp::Outcome& outcome) override;
  std::optional<Clock::time_point> wake_at() const override { return m_retries.next_at(); }
  bool finished() const override { return m_result.status != Status::Running; }
  void stop(const Error& why) override;

  // After the client retired it.
  const Outcome& result() const { return m_result; }
  // The object's bytes, when made without an fd.
  std::vector<std::byte>& body() { return m_body; }

 private:
  struct Task {
    int attempts = 0;
  };
  void finish(Status status, std::optional<Error> error = std::nullopt);

  const Target m_target;
  const Options m_options;
  const int m_fd;                 // -1: into m_body
  std::vector<std::byte> m_body;
  RetryQueue<Task> m_retries;
  Task m_task;
  bool m_in_flight = false;
  uint64_t m_written = 0;
  std::optional<uint64_t> m_length;  // Content-Length of the current answer
  std::optional<ExpectedChecksum> m_expected;
  std::optional<Checksummer> m_checksum;
  Outcome m_result;
};

// Objects up to this size are one WholeGet, larger ones ranged GETs in parallel: twice the chunk, at least 8 MiB
// (below that, a ranged download's probe and checksum HEAD cost more than the parallel chunks save).
inline uint64_t whole_get_limit(uint64_t chunk_size) {
  return chunk_size * 2 > (uint64_t{8} << 20) ? chunk_size * 2 : uint64_t{8} << 20;
}

}  // namespace s3fcp
