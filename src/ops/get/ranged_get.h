// RangedGet: one object (or a --range of it) downloaded with many concurrent ranged GETs on the shared client, its
// bytes put into a ChunkStore (the reorder window drained to stdout, or a file written in place).
//
// A request's life: the Scheduler hands out a task (a byte range); we ask for it (with If-Match once the ETag is
// known). When its headers end, they are checked against the plan: 206, a Content-Range that starts, ends and
// totals exactly as asked, the pinned ETag. Body bytes are copied straight into the chunk's buffer and published to
// the consumer. A short or failed request goes back to the scheduler with only its missing tail, so bytes already
// delivered (and perhaps already written to stdout) are never fetched or written again.
//
// The first request (the probe) asks for the first chunk with no HEAD before it: its Content-Range gives the size and
// its ETag pins the object. A 200 answer (the server ignored Range) turns the probe into a single stream of the
// whole object through the same store: when it runs ahead of the window its surplus bytes wait in a small overflow
// buffer and the attempt is paused until the consumer frees a slot.
//
// Beside the probe goes a HEAD with x-amz-checksum-mode, which reads the object's full-object checksum for the
// consumer to verify (ranged_get_aux.cpp). When the head chunk (the one the consumer waits for) crawls, a hedge
// re-requests its missing tail on another connection; both write into the same buffer, only beyond the bytes already
// there, so the chunk completes with whichever is faster and the other is cancelled (ranged_get_aux.cpp). All of
// this runs on the client's network thread.
#pragma once

#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <vector>

#include "checksum/checksum.h"
#include "client/operation.h"
#include "ops/get/chunk_store.h"
#include "ops/get/get_state.h"
#include "ops/get/range_spec.h"
#include "ops/get/scheduler.h"

namespace s3fcp {

// A download resumed from a journal: the object as it was, and the chunks already stored.
struct ResumeState {
  uint64_t object_size = 0;
  ByteRange selected;      // the bytes being downloaded: all of the object, or what --range selected
  std::string etag;
  std::vector<bool> done;  // per chunk of RangePlan(selected.size(), chunk_size)
};

struct GetOptions {
  uint64_t chunk_size = 4ull << 20;  // bytes per ranged GET; see ClientSettings::concurrency for why 4 MiB
  uint32_t concurrency = 32;         // this download's requests in flight at most (the client's budget is shared)
  ChecksumMode checksum = ChecksumMode::automatic();  // how to get the object's checksum (a HEAD beside the probe)
  bool hedge = true;                 // race a second request against a crawling head chunk
  std::string version_id;
  HeaderList object_headers;         // on every request for the object: the SSE-C key headers
  std::optional<ResumeState> resume; // plan and ETag known up front; done chunks are skipped
  std::optional<RangeSpec> range;    // --range: only these bytes (offsets in the plan start at 0)
  std::optional<uint64_t> max_size;  // the library's caller's limit: a larger selection is not read (TooLarge)
};

class RangedGet final : public Operation {
 public:
  // `store` and `state` must outlive the operation; `state.stop` carries its outcome.
  RangedGet(Target target, GetOptions options, ChunkStore& store, GetState& state);

  void start(OpContext& ctx) override;
  std::optional<Request> next_request(OpContext& ctx) override;
  void on_head(OpContext& ctx, Attempt& a) override;
  size_t on_body(OpContext& ctx, Attempt& a, std::span<const std::byte> data) override;
  void on_done(OpContext& ctx, Attempt& a, const Outcome& outcome) override;
  void tick(OpContext& ctx) override;
  std::optional<Clock::time_point> wake_at() const override { return m_scheduler.next_retry_at(); }
  bool finished() const override;
  void stop(const Error& why) override { m_state.stop.fail(why); }

 private:
  // One request of ours, from next_request() until its task is complete or handed back.
  struct Transfer {
    uint64_t tag = 0;        // its index in m_transfers: the tag of its requests
    bool busy = false;       // owns its task (in flight, or finished with overflow bytes still waiting)
    bool in_flight = false;  // its attempt is still with the client
    bool head = false;       // the checksum HEAD; owns no task
    bool hedge = false;      // a second request racing the owner of the same chunk; owns no scheduler task
    bool paused = false;
    bool finished_pending = false;  // the answer is complete but overflow bytes still wait for window space
    FetchTask task;
    uint64_t cursor = 0;        // plan offset of the next body byte we need
    uint64_t start_cursor = 0;  // cursor when this attempt began
    uint64_t skip = 0;          // leading body bytes to discard (a 200 answer: the object before what we need)
    bool cut_excess = false;    // the answer runs past the task's range (a suffix probe, a 200 to --range): once
                                // the range is in, end the attempt rather than fail it
    bool body_ok = false;       // a 2xx whose headers passed the checks: the body is object data
    std::optional<Error> failure;
    std::string range_header;   // what this request asked for, for messages
    std::vector<std::byte> overflow;
    Clock::time_point started, head_at, done_at;  // for the hedging averages
  };

  // ranged_get.cpp: the lifecycle.
  Transfer& allocate(uint64_t& tag);
  Request get_request(uint64_t tag, Role role, const std::string& note) const;
  void complete(OpContext& ctx, Transfer& t);
  void handle_failure(OpContext& ctx, Transfer& t, Error error, const Attempt& a);
  void pin(const ResponseHead& h);  // the probe's answer: its ETag (If-Match for the rest) and Last-Modified
  void plan_known(uint64_t object_total, ByteRange selected, bool whole);
  Error past_end(uint64_t object_total) const;
  ByteRange in_object(ByteRange r) const { return {r.begin + m_base, r.end + m_base}; }
  std::string describe_task(const Transfer& t) const;

  // ranged_get_body.cpp: checking answers and storing their bytes.
  void validate(Transfer& t, const Attempt& a);
  void validate_partial(Transfer& t, const Attempt& a);
  void validate_whole(Transfer& t, const Attempt& a);
  bool fits(Transfer& t, ByteRange selected);
  bool check_etag(Transfer& t, const Attempt& a);
  size_t copy_in(Transfer& t, const std::byte* data, size_t n);
  void drain_overflows(OpContext& ctx);

  // ranged_get_aux.cpp: the checksum HEAD, hedging.
  void start_head(OpContext& ctx);
  void finish_head(OpContext& ctx, Transfer& t, const Attempt& a, const Outcome& outcome);
  bool head_in_flight() const;
  Transfer* other_transfer_of(const Transfer& t);
  void cancel(OpContext& ctx, Transfer& t);
  void learn_speed(const Transfer& t);
  void maybe_hedge(OpContext& ctx);

  const Target m_target;
  const GetOptions m_options;
  ChunkStore& m_store;
  GetState& m_state;
  // What to download: --range, or without it "bytes=0-", the whole object (an empty one included).
  const RangeSpec m_range_spec;
  Scheduler m_scheduler;
  std::deque<Transfer> m_transfers;  // indexed by the request tag, reused; a deque, so references stay valid
  // Per store slot: the chunk it holds and how many of its bytes are in the buffer (what was published).
  std::vector<uint64_t> m_slot_chunk;
  std::vector<uint64_t> m_slot_filled;
  // Running averages over completed chunk transfers, for the hedging decision.
  double m_avg_first_byte_s = 0;
  double m_avg_rate = 0;  // bytes/s of one transfer once its body flows
  uint64_t m_last_hedged_chunk = UINT64_MAX;  // a chunk is hedged once at most
  bool m_head_wanted = false;     // the checksum HEAD is still to be sent
  bool m_head_redirected = false; // it was sent again to the bucket's region

  std::string m_etag;           // pinned by the probe
  uint64_t m_object_size = 0;   // learnt by the probe
  uint64_t m_base = 0;          // object offset of the plan's byte 0 (--range): requests add it, answers subtract it
  bool m_whole_object = false;  // the server ignored Range: one stream carries everything
  bool m_published = false;     // bytes published since the consumer was last woken
  uint64_t m_received = 0;
  bool m_verbose = false;       // the client's -v, learnt at start()
  std::string m_host;           // for messages, learnt at start()
};

}  // namespace s3fcp
