// Stall detection and hedging: the network thread's answers to a transfer that stops sending, and to a head
// chunk that crawls while the others fly. Part of CurlEngine.
#include <curl/curl.h>

#include <algorithm>

#include <fmt/format.h>

#include "fetch/curl_engine_impl.h"
#include "util/log.h"

namespace s3fcp {

// A transfer that has received nothing (no header, no body byte) for stall_timeout is abandoned and retried
// from its first missing byte. Tracked here rather than with curl's low-speed limit, which averages over a
// window and so fires seconds late after a burst. Paused transfers wait for the writer, not the network.
void CurlEngine::Impl::abort_stalled() {
  const auto now = Clock::now();
  for (auto& t : transfers) {
    if (!t->busy || t->paused || t->finished_pending || now - t->last_activity < options.stall_timeout) continue;
    curl_multi_remove_handle(multi, t->easy);
    t->failure = retryable(fmt::format("stalled: no data for {} s fetching {} of {}", options.stall_timeout.count(),
                                       in_object({t->cursor, t->task.range.end}).describe(), requests.location().host));
    finish(*t, CURLE_OPERATION_TIMEDOUT);
  }
}

Transfer* CurlEngine::Impl::other_transfer_of(const Transfer& t) {
  if (whole_object) return nullptr;
  for (auto& u : transfers) {
    if (u.get() != &t && u->busy && !u->head && u->task.chunk == t.task.chunk) return u.get();
  }
  return nullptr;
}

void CurlEngine::Impl::cancel(Transfer& t) {
  curl_multi_remove_handle(multi, t.easy);
  t.busy = t.paused = t.finished_pending = false;
  t.overflow.clear();
}

void CurlEngine::Impl::learn_speed(const Transfer& t) {
  if (t.hedge || t.cursor - t.start_cursor < options.chunk_size / 2) return;
  curl_off_t first_byte_us = 0, total_us = 0;
  curl_easy_getinfo(t.easy, CURLINFO_STARTTRANSFER_TIME_T, &first_byte_us);
  curl_easy_getinfo(t.easy, CURLINFO_TOTAL_TIME_T, &total_us);
  const double first_byte = static_cast<double>(first_byte_us) / 1e6;
  const double body = static_cast<double>(total_us - first_byte_us) / 1e6;
  if (body <= 0) return;
  const double rate = static_cast<double>(t.cursor - t.start_cursor) / body;
  constexpr double alpha = 0.2;
  avg_first_byte_s = avg_rate == 0 ? first_byte : (1 - alpha) * avg_first_byte_s + alpha * first_byte;
  avg_rate = avg_rate == 0 ? rate : (1 - alpha) * avg_rate + alpha * rate;
}

// Hedge the head chunk when its transfer would take far longer to finish than a fresh request for its missing
// tail would, judged by the averages of the chunks completed so far. One hedge at a time.
void CurlEngine::Impl::maybe_hedge() {
  if (!scheduler.has_plan() || whole_object || avg_rate <= 0) return;
  Transfer* owner = nullptr;
  Transfer* spare = nullptr;
  const uint64_t head = window.head();
  for (auto& t : transfers) {
    if (t->busy && t->hedge) return;
    if (t->busy && !t->head && t->task.chunk == head) owner = t.get();
    if (!t->busy) spare = t.get();
  }
  if (owner == nullptr || spare == nullptr || owner->paused || head == last_hedged_chunk) return;
  const ByteRange chunk = scheduler.plan().chunk(head);
  const size_t slot = static_cast<size_t>(head % slot_chunk.size());
  const uint64_t have = slot_chunk[slot] == head ? slot_filled[slot] : 0;
  if (have >= chunk.size()) return;
  const double remaining = static_cast<double>(chunk.size() - have);
  const double fresh = avg_first_byte_s + remaining / avg_rate;
  const double elapsed = std::chrono::duration<double>(Clock::now() - owner->started).count();
  if (elapsed < std::max(0.2, 2 * fresh)) return;  // give the original a fair chance first
  const double got = static_cast<double>(owner->cursor - owner->start_cursor);
  if (got > 0 && remaining / (got / elapsed) < 3 * fresh) return;  // slowish, but not worth a second request
  if (start(*spare, FetchTask{head, {chunk.begin + have, chunk.end}, 0, false})) {
    spare->hedge = true;
    last_hedged_chunk = head;
    state.hedges.fetch_add(1, std::memory_order_relaxed);
    if (options.verbose) {
      log_line(fmt::format("hedging {}: the original has {:.0f} of {} bytes after {:.2f} s",
                           in_object({chunk.begin + have, chunk.end}).describe(), got, chunk.size(), elapsed));
    }
  }
}

}  // namespace s3fcp
