// The writer thread: drains the reorder window in order into a file descriptor (stdout), writing each head
// chunk's bytes as soon as they arrive, so the first byte leaves about one request latency after start.
// Blocking writes; the descriptor's flags are never changed (it is inherited and shared with others).
#pragma once

#include <functional>
#include <span>

#include "ops/get/get_state.h"
#include "ops/get/reorder_window.h"
#include "util/error.h"

namespace s3fcp {

// Writes all of `bytes`, retrying on EINTR and short writes. EPIPE → BrokenPipe, other errors → Io.
Result<void> write_all(int fd, std::span<const std::byte> bytes);

// The end of an in-order checksum (the stdout writer's, the file verifier's): compare with what the object
// claims, record the result for --stats, and fail the download on a mismatch or when the checksum belonged to
// another ETag than the bytes.
void finish_checksum(GetState& state, const ChecksumDecision& decision, Checksummer& checksum);

// Where the writer puts the bytes, in order: an error stops the download with it.
using ByteSink = std::function<Result<void>(std::span<const std::byte>)>;

// A pipe's buffer widened to 1 MiB (when `fd` is a pipe and the system allows it): fewer writer/reader switches.
void widen_pipe(int fd);

// The sink of a file descriptor written in order with blocking writes (stdout, the library's fd): a pipe widened.
ByteSink fd_sink(int fd);

// Runs until every chunk is written, the window is closed, or the sink fails (reported through `state`).
// `wake_producer` is called whenever a window slot frees: the network side may start the next chunk.
void run_writer(const ByteSink& sink, ReorderWindow& window, GetState& state,
                const std::function<void()>& wake_producer);

}  // namespace s3fcp
