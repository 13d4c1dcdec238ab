// One download, start to finish: the network thread (CurlEngine), the writer thread (run_writer) and, on the
// calling thread, signals and the progress bar. Returns only when both threads have stopped.
#pragma once

#include <cstdint>

#include "fetch/curl_engine.h"
#include "fetch/s3_request.h"
#include "util/error.h"

namespace s3fcp {

struct DownloadOptions {
  EngineOptions engine;
  uint32_t window_slots = 16;  // the reorder window: at most this many chunk buffers exist
  bool progress = false;       // draw the progress bar on stderr
};

struct DownloadSummary {
  uint64_t bytes = 0;
  uint64_t requests = 0;
  uint64_t retries = 0;
  uint64_t hedges = 0;
  double seconds = 0;
};

Result<DownloadSummary> download_to_fd(S3RequestFactory& requests, const DownloadOptions& options, int fd);

}  // namespace s3fcp
