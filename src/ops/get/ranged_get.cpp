// RangedGet's lifecycle: what to ask next, how each attempt ends (complete, handed back with its missing tail, or
// the end of the download), and when the whole is done. See ranged_get.h for the design.
#include "ops/get/ranged_get.h"

#include <algorithm>

#include <fmt/format.h>

#include "util/log.h"

namespace s3fcp {

RangedGet::RangedGet(Target target, GetOptions options, ChunkStore& store, GetState& state)
    : m_target(std::move(target)),
      m_options(std::move(options)),
      m_store(store),
      m_state(state),
      m_range_spec(m_options.range.value_or(RangeSpec{})),
      m_scheduler(m_options.chunk_size, m_options.concurrency, RetryPolicy{}) {}

void RangedGet::start(OpContext& ctx) {
  m_scheduler = Scheduler(m_options.chunk_size, m_options.concurrency, ctx.retry_policy());
  m_verbose = ctx.verbose();
  m_host = ctx.host(m_target);
  m_slot_chunk.assign(m_store.slots(), UINT64_MAX);
  m_slot_filled.assign(m_store.slots(), 0);
  if (const auto& resume = m_options.resume) {
    m_etag = resume->etag;
    m_object_size = resume->object_size;
    m_base = resume->selected.begin;
    const RangePlan plan(resume->selected.size(), m_options.chunk_size);
    m_scheduler.resume(plan, resume->done, m_base);
    m_store.set_plan(plan);
    m_state.progress.object_size.store(m_object_size, std::memory_order_relaxed);
    m_state.progress.range_begin.store(m_base, std::memory_order_relaxed);
    m_state.progress.total.store(plan.total(), std::memory_order_relaxed);
    m_state.set_etag(m_etag);
  }
  // A full-object checksum says nothing about a part of the object: no HEAD for it with --range. A resumed file is
  // verified whole (the bytes of the earlier run included): the verifier reads it back from offset 0.
  if (m_options.checksum.kind == ChecksumMode::Kind::Off || m_options.range) {
    m_state.checksum.decide({});
  } else {
    m_head_wanted = true;
    start_head(ctx);
  }
}

bool RangedGet::finished() const {
  if (m_state.stop.stopping()) return true;
  // Done when every byte is in; the checksum HEAD (if still out) must answer first: the consumer waits for it.
  return m_scheduler.finished() && !m_head_wanted && !head_in_flight();
}

RangedGet::Transfer& RangedGet::allocate(uint64_t& tag) {
  auto free = std::ranges::find_if(m_transfers, [](const Transfer& t) { return !t.busy && !t.in_flight; });
  if (free == m_transfers.end()) {
    m_transfers.emplace_back();
    free = m_transfers.end() - 1;
  }
  tag = static_cast<uint64_t>(free - m_transfers.begin());
  *free = Transfer{};
  free->tag = tag;
  free->started = Clock::now();
  return *free;
}

Request RangedGet::get_request(uint64_t tag, Role role, const std::string& note) const {
  Request r;
  r.method = role == Role::Head ? Method::Head : Method::Get;
  r.role = role;
  r.target = m_target;
  if (!m_options.version_id.empty()) r.query.emplace_back("versionId", m_options.version_id);
  r.headers = m_options.object_headers;
  r.tag = tag;
  r.note = note;
  return r;
}

std::optional<Request> RangedGet::next_request(OpContext& ctx) {
  if (m_state.stop.stopping()) return std::nullopt;
  auto task = m_scheduler.next(ctx.now(), m_store.window_end());
  if (!task) return std::nullopt;
  uint64_t tag = 0;
  Transfer& t = allocate(tag);
  t.busy = t.in_flight = true;
  t.task = *task;
  t.cursor = t.start_cursor = task->range.begin;
  ByteRange range = task->range;
  if (m_whole_object) range.end = m_scheduler.plan().total();
  t.range_header = task->probe ? m_range_spec.probe_header(m_options.chunk_size) : in_object(range).header_value();
  Request r = get_request(tag, Role::Get, task->probe ? "(probe)" : task->attempts > 0 ? fmt::format("(retry {})", task->attempts) : "");
  r.headers.emplace_back("Range", t.range_header);
  if (!task->probe && !m_etag.empty()) r.headers.emplace_back("If-Match", m_etag);
  if (!r.note.empty()) r.note = t.range_header + " " + r.note;
  else r.note = t.range_header;
  m_state.progress.requests.fetch_add(1, std::memory_order_relaxed);
  return r;
}

std::string RangedGet::describe_task(const Transfer& t) const {
  return t.task.probe ? t.range_header : in_object({t.start_cursor, t.task.range.end}).describe();
}

Error RangedGet::past_end(uint64_t object_total) const {
  return Error{ErrorKind::Range,
               fmt::format("--range {} starts past the end of the object ({} bytes)", m_range_spec.text(),
                           object_total),
               416};
}

void RangedGet::pin(const ResponseHead& h) {
  m_etag = h.etag;
  m_state.set_last_modified(std::string(h.find("last-modified").value_or("")));
}

void RangedGet::plan_known(uint64_t object_total, ByteRange selected, bool whole) {
  const RangePlan plan(selected.size(), m_options.chunk_size);
  m_object_size = object_total;
  m_base = selected.begin;
  m_state.set_etag(m_etag);
  m_state.progress.object_size.store(object_total, std::memory_order_relaxed);
  m_state.progress.range_begin.store(m_base, std::memory_order_relaxed);
  m_whole_object = whole;
  m_scheduler.set_plan(plan, whole, m_base);
  m_store.set_plan(plan);
  m_state.progress.total.store(plan.total(), std::memory_order_relaxed);
  if (m_verbose) {
    const std::string part =
        m_options.range ? fmt::format(", downloading {} ({} bytes)", selected.describe(), plan.total()) : "";
    log_line(fmt::format("object: {} bytes, ETag {}{}, {} chunk{} of {} bytes", object_total,
                         m_etag.empty() ? "(none)" : m_etag, part, plan.chunk_count(),
                         plan.chunk_count() == 1 ? "" : "s", m_options.chunk_size));
  }
}

void RangedGet::on_done(OpContext& ctx, Attempt& a, const Outcome& outcome) {
  Transfer& t = m_transfers[a.tag()];
  t.in_flight = false;
  t.done_at = Clock::now();
  t.head_at = a.head_at();
  if (t.head) return finish_head(ctx, t, a, outcome);
  std::optional<Error> error = outcome.error;
  if (!error && !t.body_ok) validate(t, a);  // defensive: on_head checks every 2xx answer
  if (!error && t.failure) error = t.failure;
  if (error && a.head().status == 416 && t.task.probe) {
    // 416 says the object's size: "Content-Range: bytes */SIZE", <ActualObjectSize>.
    std::optional<uint64_t> size;
    if (const auto cr = parse_content_range(a.head().content_range); cr && !cr->first) size = cr->total;
    if (!size && outcome.error_body) size = outcome.error_body->actual_object_size;
    if (size) {
      if (const auto selected = m_range_spec.resolve(*size); !selected) {
        error = past_end(*size);
      } else if (selected->empty()) {
        plan_known(*size, *selected, false);  // an empty object: S3 cannot satisfy any range of it
        complete(ctx, t);
        return;
      }
    }
  } else if (error && a.head().status == 416) {
    // A range planned inside the size the first answer gave, refused: under If-Match the object is the same, so
    // that size was wrong. Asked once more, then a clear error (exit 1), as for a total that disagrees.
    const std::string request_id = error->request_id.empty() ? a.head().request_id : error->request_id;
    error = Error::transient(fmt::format(
        "malformed Content-Range in the first answer: it gave the object's size as {} bytes, but {} was "
        "refused as not satisfiable (HTTP 416) by {}{}",
        m_object_size, in_object({t.cursor, t.task.range.end}).describe(), m_host,
        m_etag.empty() ? ", or the object (without an ETag to hold it) changed" : ""));
    error->kind = ErrorKind::Other;
    error->attempt_limit = 2;
    error->request_id = request_id;
  }
  if (error && error->kind == ErrorKind::Changed && a.head().status == 412) {
    error->message = fmt::format("object changed during download (ETag {} no longer matches)", m_etag);
  }
  if (!error && t.cursor + t.overflow.size() < t.task.range.end) {  // overflow bytes arrived, they wait for space
    error = Error{ErrorKind::Network,
                  fmt::format("connection closed after {} of {} bytes of {}", t.cursor - t.start_cursor,
                              t.task.range.end - t.start_cursor, in_object(t.task.range).describe())};
    error->retryable = true;
  }
  if (error) return handle_failure(ctx, t, std::move(*error), a);
  if (!t.overflow.empty()) {
    t.finished_pending = true;  // the last bytes still wait for window space
    return;
  }
  complete(ctx, t);
}

void RangedGet::handle_failure(OpContext& ctx, Transfer& t, Error error, const Attempt& a) {
  if (error.request_id.empty()) error.request_id = a.head().request_id;
  t.busy = false;
  t.overflow.clear();
  if (Transfer* other = other_transfer_of(t)) {
    // A hedge race: the other transfer of this chunk carries on alone and now owns the task, unless the error
    // says the whole download is over (the object changed, access denied, not found).
    if (!error.retryable) return m_state.stop.fail(std::move(error));
    other->hedge = false;
    if (m_verbose) {
      log_line(fmt::format("dropping the failed {} of a hedged chunk: {}", t.hedge ? "hedge" : "original",
                           error.message));
    }
    return;
  }
  FetchTask remaining = t.task;
  if (!remaining.probe) {
    remaining.range.begin = t.cursor;
    remaining.chunk = t.cursor / m_options.chunk_size;
  }
  const bool progressed = t.cursor > t.start_cursor;
  const auto retry_after = parse_retry_after(a.head().retry_after, std::chrono::system_clock::now());
  if (m_verbose) {
    log_line(fmt::format("< {} {} failed: {}{}", a.head().status, describe_task(t),
                         error.s3_code.empty() ? "" : error.s3_code + ": ", error.message));
  }
  if (auto fatal = m_scheduler.on_failure(remaining, std::move(error), progressed, ctx.now(), ctx.jitter(),
                                          retry_after)) {
    m_state.stop.fail(std::move(*fatal));
  } else {
    m_state.progress.retries.fetch_add(1, std::memory_order_relaxed);
  }
}

void RangedGet::complete(OpContext& ctx, Transfer& t) {
  if (Transfer* other = other_transfer_of(t)) {
    if (m_verbose) {
      log_line(fmt::format("{} won the race for {}", t.hedge ? "hedge" : "original",
                           in_object(t.task.range).describe()));
    }
    cancel(ctx, *other);
  }
  t.busy = false;
  t.finished_pending = false;
  m_scheduler.on_complete();
  learn_speed(t);
  if (m_verbose) {
    const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(t.done_at - t.started).count();
    log_line(fmt::format("< {} {} bytes in {} ms", in_object({t.start_cursor, t.task.range.end}).describe(),
                         t.cursor - t.start_cursor, ms));
  }
}

void RangedGet::tick(OpContext& ctx) {
  if (m_whole_object) drain_overflows(ctx);
  if (m_published) {
    m_published = false;
    m_store.wake_consumer();
  }
  if (m_state.stop.stopping()) return;
  if (m_head_wanted) start_head(ctx);
  if (m_options.hedge) maybe_hedge(ctx);
}

}  // namespace s3fcp
