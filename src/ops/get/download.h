// One download, start to finish: the network thread (CurlEngine), the writer thread (run_writer) and, on the
// calling thread, signals and the progress bar. Returns only when both threads have stopped.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

#include "download_state.h"
#include "fetch/curl_engine.h"
#include "fetch/s3_request.h"
#include "io/progress_bar.h"
#include "util/error.h"

namespace s3fcp {

struct DownloadOptions {
  EngineOptions engine;
  uint32_t window_slots = 16;  // the reorder window: at most this many chunk buffers exist
  ProgressBar::Mode progress = ProgressBar::Mode::Off;
};

struct DownloadSummary {
  uint64_t bytes = 0;  // written to the destination
  uint64_t requests = 0;
  uint64_t retries = 0;
  uint64_t hedges = 0;
  double seconds = 0;
  std::string etag;
  std::optional<DownloadState::ChecksumResult> checksum;
  std::optional<uint64_t> object_size;  // once the first answer told it
  std::optional<ByteRange> selected;    // the object's bytes this download covers, once known
};

// What the threads left in `state`, for --stats and -v; valid after success and failure alike.
DownloadSummary summarize(const DownloadState& state, std::chrono::steady_clock::time_point started);

// Fills `summary` whether or not the download succeeds.
Result<void> download_to_fd(S3RequestFactory& requests, const DownloadOptions& options, int fd,
                            DownloadSummary& summary);

}  // namespace s3fcp
