#include "sink/stdout_writer.h"

#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace s3fcp {

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

void run_writer(int fd, ReorderWindow& window, DownloadState& state) {
  uint64_t written_in_chunk = 0;
  uint64_t written_total = 0;
  while (!state.stopping()) {
    const auto readable = window.wait_readable(written_in_chunk);
    if (!readable) break;
    if (auto ok = write_all(fd, readable->bytes); !ok) {
      state.fail(ok.error());
      break;
    }
    written_in_chunk += readable->bytes.size();
    written_total += readable->bytes.size();
    state.written.store(written_total, std::memory_order_relaxed);
    if (written_in_chunk == window.chunk_length(readable->chunk)) {
      window.advance();
      written_in_chunk = 0;
      state.wake_network();  // a slot is free: the network thread may start the next chunk
    }
  }
}

}  // namespace s3fcp
