// The network side of a download: one libcurl multi handle driven by the calling thread (the network thread).
// See curl_engine.cpp for the transfer lifecycle. This header is curl-free; only curl_engine.cpp includes curl.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "checksum/checksum.h"
#include "download_state.h"
#include "client/retry_policy.h"
#include "fetch/s3_request.h"
#include "ops/get/range_spec.h"
#include "ops/get/chunk_store.h"

namespace s3fcp {

// A download resumed from a journal: the object as it was, and the chunks already stored.
struct ResumeState {
  uint64_t object_size = 0;
  ByteRange selected;      // the bytes being downloaded: all of the object, or what --range selected
  std::string etag;
  std::vector<bool> done;  // per chunk of RangePlan(selected.size(), chunk_size)
};

struct EngineOptions {
  uint32_t concurrency = 32;
  uint64_t chunk_size = 4ull << 20;
  RetryConfig retry;
  std::chrono::milliseconds connect_timeout{10'000};
  std::chrono::seconds stall_timeout{20};  // a transfer with no byte for this long is retried
  std::string ca_bundle;                   // AWS_CA_BUNDLE, empty for the system's
  ChecksumMode checksum = ChecksumMode::automatic();  // how to get the object's checksum (a HEAD beside the probe)
  bool hedge = true;                       // race a second request against a crawling head chunk
  bool verbose = false;
  uint64_t seed = 0;                       // jitter RNG seed; 0 = from the clock
  std::optional<ResumeState> resume;       // plan and ETag known up front; done chunks are skipped
  std::optional<RangeSpec> range;          // --range: download only these bytes (offsets in the plan start at 0)
};

class CurlEngine {
 public:
  CurlEngine(const EngineOptions& options, S3RequestFactory& requests, ChunkStore& window, DownloadState& state);
  ~CurlEngine();
  CurlEngine(const CurlEngine&) = delete;
  CurlEngine& operator=(const CurlEngine&) = delete;

  // Runs until every byte is in the window or the download stops; errors go to DownloadState::fail.
  void run();
  // Interrupts the network thread's wait. Thread-safe.
  void wakeup();

 private:
  struct Impl;
  std::unique_ptr<Impl> m_impl;
};

// curl_global_init, once per process, before any thread starts.
void init_network();

}  // namespace s3fcp
