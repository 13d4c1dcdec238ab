// Private to the network thread's implementation (curl_engine*.cpp): one transfer's state and the engine's.
// The transfer lifecycle is described in curl_engine.cpp, hedging and stall detection in curl_engine_hedge.cpp,
// the checksum HEAD and region redirects in curl_engine_head.cpp.
#pragma once

#include <curl/curl.h>

#include <algorithm>
#include <chrono>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "checksum/checksum.h"
#include "fetch/curl_engine.h"
#include "s3/response.h"
#include "ops/get/scheduler.h"

namespace s3fcp {

using Clock = std::chrono::steady_clock;

inline Error retryable(std::string message) {
  Error e{ErrorKind::Network, std::move(message)};
  e.retryable = true;
  return e;
}

struct Transfer {
  CURL* easy = nullptr;
  curl_slist* headers = nullptr;
  char error_buffer[CURL_ERROR_SIZE] = {};

  bool busy = false;
  bool hedge = false;   // a second transfer racing the owner of the same chunk; owns no scheduler task
  bool head = false;    // the HEAD that reads the object's checksum; owns no scheduler task
  HeaderList head_headers;  // every header of that HEAD's answer
  bool paused = false;
  bool finished_pending = false;  // curl is done but overflow bytes still wait for window space
  FetchTask task;
  uint64_t cursor = 0;        // absolute offset of the next body byte we need
  uint64_t start_cursor = 0;  // cursor when this attempt began
  uint64_t skip = 0;          // leading body bytes to discard (a 200 answer: the object before what we need)
  bool cut_excess = false;    // the answer runs past the task's range (a suffix probe, a 200 to --range): once
                              // the range is in, drop the connection rather than fail
  bool cut = false;           // ... which happened: curl's write error is the success it looks like
  std::string range_header;   // what this attempt asked for, for messages
  Clock::time_point started;
  Clock::time_point last_activity;  // last byte of headers or body, for stall detection

  // The response being received.
  bool validated = false;
  bool body_ok = false;  // a 2xx whose headers passed the checks: the body is object data
  long status = 0;
  std::string content_range, etag, request_id, retry_after, date, content_length, bucket_region;
  std::string error_body;
  std::optional<Error> failure;
  std::vector<std::byte> overflow;

  void reset_response() {
    validated = body_ok = false;
    status = 0;
    content_range.clear();
    etag.clear();
    request_id.clear();
    retry_after.clear();
    date.clear();
    content_length.clear();
    bucket_region.clear();
    error_body.clear();
    failure.reset();
    head_headers.clear();
  }
};

struct CurlEngine::Impl {
  Impl(const EngineOptions& o, S3RequestFactory& f, ChunkStore& w, DownloadState& s)
      : options(o),
        requests(f),
        window(w),
        state(s),
        range_spec(o.range.value_or(RangeSpec{})),
        scheduler(o.chunk_size, o.concurrency, RetryPolicy(o.retry)),
        rng(o.seed != 0 ? o.seed : static_cast<uint64_t>(Clock::now().time_since_epoch().count())) {}

  const EngineOptions options;
  S3RequestFactory& requests;
  ChunkStore& window;
  DownloadState& state;
  // What to download: --range, or without it "bytes=0-", the whole object (an empty one included).
  const RangeSpec range_spec;
  Scheduler scheduler;
  std::mt19937_64 rng;
  CURLM* multi = nullptr;
  std::vector<std::unique_ptr<Transfer>> transfers;  // concurrency + 1: the spare one is for a hedge
  // Per window slot: the chunk it holds and how many of its bytes are in the buffer (what was published).
  std::vector<uint64_t> slot_chunk;
  std::vector<uint64_t> slot_filled;
  // Running averages over completed chunk transfers, for the hedging decision.
  double avg_first_byte_s = 0;
  double avg_rate = 0;  // bytes/s of one transfer once its body flows
  uint64_t last_hedged_chunk = UINT64_MAX;  // a chunk is hedged once at most
  bool head_redirected = false;

  std::string etag;             // pinned by the probe
  uint64_t object_size = 0;     // learnt by the probe
  uint64_t base = 0;            // object offset of the plan's byte 0 (--range); requests add it, answers subtract it
  bool whole_object = false;    // the server ignored Range: one stream carries everything
  bool published = false;       // bytes published since the writer was last woken
  uint64_t received = 0;

  void setup();
  void run();
  void start_ready();
  bool start(Transfer& t, FetchTask task);
  void process_messages();
  void finish(Transfer& t, CURLcode result);
  void complete(Transfer& t);
  void drain_overflows();
  void maybe_hedge();
  bool head_in_flight() const {
    return std::ranges::any_of(transfers, [](const auto& t) { return t->busy && t->head; });
  }
  bool follow_region_redirect(const Transfer& t, const std::optional<S3ErrorBody>& body);
  void start_head();
  void finish_head(Transfer& t, CURLcode result);
  void abort_stalled();
  Transfer* other_transfer_of(const Transfer& t);
  void cancel(Transfer& t);
  void learn_speed(const Transfer& t);

  // Callbacks (network thread, inside curl_multi_perform).
  size_t on_header(Transfer& t, std::string_view line);
  size_t on_write(Transfer& t, const std::byte* data, size_t n);
  size_t copy_in(Transfer& t, const std::byte* data, size_t n);
  void validate(Transfer& t);
  void validate_partial(Transfer& t);
  void validate_whole(Transfer& t);
  bool check_etag(Transfer& t);
  void plan_known(uint64_t object_total, ByteRange selected, bool whole);
  Error past_end(uint64_t object_total) const;
  ByteRange in_object(ByteRange r) const { return {r.begin + base, r.end + base}; }
  Error curl_failure(const Transfer& t, CURLcode result) const;

  static size_t header_cb(char* buf, size_t size, size_t n, void* user) {
    auto* t = static_cast<Transfer*>(user);
    Impl* self = nullptr;
    curl_easy_getinfo(t->easy, CURLINFO_PRIVATE, &self);
    return self->on_header(*t, std::string_view(buf, size * n));
  }
  static size_t write_cb(char* buf, size_t size, size_t n, void* user) {
    auto* t = static_cast<Transfer*>(user);
    Impl* self = nullptr;
    curl_easy_getinfo(t->easy, CURLINFO_PRIVATE, &self);
    return self->on_write(*t, reinterpret_cast<const std::byte*>(buf), size * n);
  }
};

}  // namespace s3fcp
