// One download to a file descriptor (stdout), start to finish: a RangedGet on the shared client fills a reorder
// window; a writer thread drains it in order; the caller's runner runs the writer (and waits for the operation) with
// whatever else it wants around them (the CLI: signals and a progress bar).
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "client/client.h"
#include "io/stdout_writer.h"
#include "ops/get/get_state.h"
#include "ops/get/ranged_get.h"
#include "util/error.h"
#include "util/workers.h"

namespace s3fcp {

struct DownloadJob {
  Target target;
  GetOptions get;
  uint32_t window_slots = 0;  // chunk buffers held at most; 0: the download's concurrency (at least 2)
};

struct DownloadSummary {
  uint64_t bytes = 0;  // written to the destination (by this run)
  uint64_t requests = 0;
  uint64_t retries = 0;
  uint64_t hedges = 0;
  double seconds = 0;
  std::string etag;
  std::optional<ChecksumResult> checksum;
  std::optional<uint64_t> object_size;  // once the first answer told it
  std::optional<ByteRange> selected;    // the object's bytes this download covers, once known
};

// What the threads left in `state`, for --stats and -v; valid after success and failure alike.
DownloadSummary summarize(const GetState& state, std::chrono::steady_clock::time_point started);

uint32_t window_slots_of(const DownloadJob& job);

// Submits `op` (made on `state`) and runs it beside `consumer`, the thread that takes its chunks (the ordered writer,
// or the verifier of bytes placed in a file or memory), through `run`; `done_bytes` is what a progress display shows.
// A run that fails stops the engine and waits for it; its error is returned. The download's own outcome is in `state`.
Result<void> run_ranged(Client& client, const std::shared_ptr<RangedGet>& op, GetState& state,
                        std::function<void()> consumer, std::function<uint64_t()> done_bytes, const RunWorkers& run);

// Fills `summary` whether or not the download succeeds. The bytes go to `sink` strictly in order.
Result<void> download_to_sink(Client& client, const DownloadJob& job, const ByteSink& sink, const RunWorkers& run,
                              DownloadSummary& summary);
// The same into a file descriptor (stdout): written with blocking writes, a pipe widened first.
Result<void> download_to_fd(Client& client, const DownloadJob& job, int fd, const RunWorkers& run,
                            DownloadSummary& summary);

}  // namespace s3fcp
