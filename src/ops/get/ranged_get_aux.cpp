// RangedGet's auxiliary requests: the checksum HEAD sent beside the probe, and hedging a head chunk that crawls while
// the others fly. Part of RangedGet (ranged_get.h).
#include <algorithm>

#include <fmt/format.h>

#include "ops/get/ranged_get.h"
#include "util/log.h"

namespace s3fcp {

// The checksum lives in the object's metadata, which S3 omits from ranged GETs: a HEAD with checksum mode, sent
// beside the probe so it costs no latency, reads it. The consumer waits for the outcome before its first byte (the
// algorithm must be known from byte 0); the HEAD's ETag is compared with the download's at the end.
void RangedGet::start_head(OpContext& ctx) {
  uint64_t tag = 0;
  Transfer& t = allocate(tag);
  t.head = t.in_flight = true;
  Request r = get_request(tag, Role::Head, "(checksum)");
  r.headers.emplace_back("x-amz-checksum-mode", "ENABLED");
  if (!ctx.start(*this, std::move(r))) {
    t.in_flight = false;  // no slot free: tick() tries again
    return;
  }
  m_head_wanted = false;
  m_state.progress.requests.fetch_add(1, std::memory_order_relaxed);
}

bool RangedGet::head_in_flight() const {
  return std::ranges::any_of(m_transfers, [](const Transfer& t) { return t.head && t.in_flight; });
}

void RangedGet::finish_head(OpContext& ctx, Transfer& t, const Attempt& a, const Outcome& outcome) {
  t.head = false;
  const bool required = m_options.checksum.kind == ChecksumMode::Kind::Require;
  if (outcome.redirected && !m_head_redirected) {
    m_head_redirected = true;  // the client moved the bucket to its region: ask there, once
    m_head_wanted = true;
    return start_head(ctx);
  }
  if (!outcome.ok()) {
    const std::string why = outcome.error->http_status != 0 ? fmt::format("HTTP {}", outcome.error->http_status)
                                                            : outcome.error->message;
    if (m_verbose) log_line(fmt::format("< HEAD failed ({}): no checksum to verify", why));
    if (required) {
      return m_state.stop.fail(Error{ErrorKind::Checksum, "cannot read the object's checksum: HEAD " + why});
    }
    return m_state.checksum.decide({});
  }
  auto chosen = choose_checksum(a.head().headers, m_options.checksum);
  if (!chosen) {
    if (const auto malformed = find_malformed_checksum(a.head().headers)) {
      const std::string algorithm = malformed->algorithm ? std::string(checksum_algorithm_name(*malformed->algorithm))
                                                         : malformed->header;
      m_state.checksum.set_result({algorithm, malformed->value, "", ChecksumResult::Verdict::Malformed});
    }
    return m_state.stop.fail(chosen.error());
  }
  if (m_verbose) {
    log_line(*chosen ? fmt::format("< HEAD 200: will verify {} {}", checksum_algorithm_name((*chosen)->algorithm),
                                   (*chosen)->value)
                     : std::string("< HEAD 200: the object has no full-object checksum to verify"));
  }
  m_state.checksum.decide({*chosen, a.head().etag});
}

RangedGet::Transfer* RangedGet::other_transfer_of(const Transfer& t) {
  if (m_whole_object) return nullptr;
  for (auto& u : m_transfers) {
    if (&u != &t && u.busy && !u.head && u.task.chunk == t.task.chunk) return &u;
  }
  return nullptr;
}

void RangedGet::cancel(OpContext& ctx, Transfer& t) {
  if (t.in_flight) ctx.cancel(*this, t.tag);
  t.busy = t.in_flight = t.paused = t.finished_pending = false;
  t.overflow.clear();
}

void RangedGet::learn_speed(const Transfer& t) {
  if (t.hedge || t.cursor - t.start_cursor < m_options.chunk_size / 2 || t.head_at <= t.started) return;
  const double first_byte = std::chrono::duration<double>(t.head_at - t.started).count();
  const double body = std::chrono::duration<double>(t.done_at - t.head_at).count();
  if (body <= 0) return;
  const double rate = static_cast<double>(t.cursor - t.start_cursor) / body;
  constexpr double alpha = 0.2;
  m_avg_first_byte_s = m_avg_rate == 0 ? first_byte : (1 - alpha) * m_avg_first_byte_s + alpha * first_byte;
  m_avg_rate = m_avg_rate == 0 ? rate : (1 - alpha) * m_avg_rate + alpha * rate;
}

// Hedge the head chunk when its transfer would take far longer to finish than a fresh request for its missing
// tail would, judged by the averages of the chunks completed so far. One hedge at a time.
void RangedGet::maybe_hedge(OpContext& ctx) {
  if (!m_scheduler.has_plan() || m_whole_object || m_avg_rate <= 0) return;
  const uint64_t head = m_store.head();
  if (head == m_last_hedged_chunk) return;
  Transfer* owner = nullptr;
  for (auto& t : m_transfers) {
    if (t.busy && t.hedge) return;
    if (t.busy && t.in_flight && !t.head && t.task.chunk == head) owner = &t;
  }
  if (owner == nullptr || owner->paused) return;
  const ByteRange chunk = m_scheduler.plan().chunk(head);
  const size_t slot = static_cast<size_t>(head % m_slot_chunk.size());
  const uint64_t have = m_slot_chunk[slot] == head ? m_slot_filled[slot] : 0;
  if (have >= chunk.size()) return;
  const double remaining = static_cast<double>(chunk.size() - have);
  const double fresh = m_avg_first_byte_s + remaining / m_avg_rate;
  const double elapsed = std::chrono::duration<double>(Clock::now() - owner->started).count();
  if (elapsed < std::max(0.2, 2 * fresh)) return;  // give the original a fair chance first
  const double got = static_cast<double>(owner->cursor - owner->start_cursor);
  if (got > 0 && remaining / (got / elapsed) < 3 * fresh) return;  // slowish, but not worth a second request

  uint64_t tag = 0;
  Transfer& h = allocate(tag);
  h.busy = h.in_flight = h.hedge = true;
  h.task = FetchTask{head, {chunk.begin + have, chunk.end}, 0, false};
  h.cursor = h.start_cursor = h.task.range.begin;
  h.range_header = in_object(h.task.range).header_value();
  Request r = get_request(tag, Role::Hedge, h.range_header + " (hedge)");
  r.headers.emplace_back("Range", h.range_header);
  if (!m_etag.empty()) r.headers.emplace_back("If-Match", m_etag);
  if (!ctx.start(*this, std::move(r))) {
    h.busy = h.in_flight = h.hedge = false;  // no slot free now; try again next tick
    return;
  }
  m_last_hedged_chunk = head;
  m_state.progress.requests.fetch_add(1, std::memory_order_relaxed);
  m_state.progress.hedges.fetch_add(1, std::memory_order_relaxed);
  if (m_verbose) {
    log_line(fmt::format("hedging {}: the original has {:.0f} of {} bytes after {:.2f} s",
                         in_object(h.task.range).describe(), got, chunk.size(), elapsed));
  }
}

}  // namespace s3fcp
