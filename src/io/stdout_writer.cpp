#include "io/stdout_writer.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <optional>

#include <fmt/format.h>

#include "checksum/checksum.h"

namespace s3fcp {

namespace {
constexpr int kPipeSize = 1 << 20;
}  // namespace

void widen_pipe(int fd) {
  // A pipe holds 64 KiB by default: every 16 pages the writer blocks and the reader wakes. 1 MiB (the unprivileged
  // maximum, /proc/sys/fs/pipe-max-size) cuts those switches 16-fold. Not a pipe, or not allowed: nothing changes.
  const int current = ::fcntl(fd, F_GETPIPE_SZ);
  if (current > 0 && current < kPipeSize) (void)::fcntl(fd, F_SETPIPE_SZ, kPipeSize);
}

ByteSink fd_sink(int fd) {
  widen_pipe(fd);
  return [fd](std::span<const std::byte> bytes) { return write_all(fd, bytes); };
}

Result<void> write_all(int fd, std::span<const std::byte> bytes) {
  while (!bytes.empty()) {
    const ssize_t n = ::write(fd, bytes.data(), bytes.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      if (errno == EPIPE) return fail(ErrorKind::BrokenPipe, "broken pipe");
      return fail(ErrorKind::Io, std::string("writing output failed: ") + std::strerror(errno));
    }
    bytes = bytes.subspan(static_cast<size_t>(n));
  }
  return {};
}

void run_writer(const ByteSink& sink, ReorderWindow& window, GetState& state,
                const std::function<void()>& wake_producer) {
  // The algorithm must be known before byte 0; the HEAD that tells it was sent beside the first GET.
  const auto decision = state.checksum.wait(state.stop);
  if (!decision) return;
  std::optional<Checksummer> checksum;
  if (decision->expected) checksum.emplace(decision->expected->algorithm);

  uint64_t written_in_chunk = 0;
  uint64_t written_total = 0;
  while (!state.stop.stopping()) {
    const auto readable = window.wait_readable(written_in_chunk);
    if (!readable) break;
    if (auto ok = sink(readable->bytes); !ok) {
      state.stop.fail(ok.error());
      return;
    }
    if (checksum) checksum->update(readable->bytes);
    written_in_chunk += readable->bytes.size();
    written_total += readable->bytes.size();
    state.progress.written.store(written_total, std::memory_order_relaxed);
    if (written_in_chunk == window.chunk_length(readable->chunk)) {
      window.advance();
      written_in_chunk = 0;
      wake_producer();  // a slot is free: the network thread may start the next chunk
    }
  }
  if (!checksum || state.stop.stopping() || !window.all_consumed()) return;

  finish_checksum(state, *decision, *checksum);
}

void finish_checksum(GetState& state, const ChecksumDecision& decision, Checksummer& checksum) {
  const ExpectedChecksum& expected = *decision.expected;
  const std::string computed = checksum.finish_encoded();
  auto verified = verify(expected, computed);
  state.checksum.set_result({std::string(checksum_algorithm_name(expected.algorithm)), expected.value, computed,
                             verified ? ChecksumResult::Verdict::Ok
                                      : ChecksumResult::Verdict::Mismatch});
  if (!decision.etag.empty() && !state.etag().empty() && decision.etag != state.etag()) {
    state.stop.fail(Error{ErrorKind::Changed, fmt::format("object changed during download (its checksum was read for ETag "
                                                     "{}, the bytes came from ETag {})", decision.etag, state.etag())});
  } else if (!verified) {
    state.stop.fail(verified.error());
  }
}

}  // namespace s3fcp
