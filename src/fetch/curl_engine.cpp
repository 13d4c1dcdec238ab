// The network thread. One curl multi handle, a fixed pool of `concurrency` easy handles (connections are kept
// alive in the multi's cache and reused), and the Scheduler deciding what each free handle fetches next.
//
// A transfer's life: the scheduler hands out a task (a byte range); we sign a GET for it (with If-Match once the
// ETag is known) and add the handle. When the body starts, the headers are checked against the plan: 206, a
// Content-Range that starts, ends and totals exactly as asked, the pinned ETag. Body bytes are copied straight
// into the chunk's buffer in the reorder window and published to the writer. When the transfer ends, a short or
// failed one goes back to the scheduler with only its missing tail, so bytes already delivered (and perhaps
// already written to stdout) are never fetched or written again.
//
// The first request (the probe) asks for [0, chunk) with no HEAD before it: its Content-Range gives the size and
// its ETag pins the object. A 200 answer (the server ignored Range) turns the probe into a single stream of the
// whole object, which flows through the same window: when it runs ahead of the window its surplus bytes wait in a
// small overflow buffer and the transfer is paused until the writer frees a slot.
//
// Hedging (curl_engine_hedge.cpp). When the head chunk (the one the writer waits for) crawls so slowly that finishing it would take
// much longer than fetching its missing tail afresh, a second transfer (the hedge) requests that tail on
// another connection. Both write into the same buffer, and only beyond the bytes already there, so the chunk
// completes with whichever is faster; the other is then cancelled. All callbacks run on this one thread, so the
// two never write concurrently, and neither writes below the published count the writer may be reading.
#include "fetch/curl_engine.h"

#include <curl/curl.h>

#include <algorithm>
#include <cstring>
#include <random>

#include <fmt/format.h>

#include "fetch/curl_engine_impl.h"
#include "s3/response.h"
#include "ops/get/scheduler.h"
#include "util/log.h"
#include "util/strings.h"

namespace s3fcp {

namespace {

constexpr size_t kMaxErrorBody = 64 * 1024;


}  // namespace

void init_network() { curl_global_init(CURL_GLOBAL_DEFAULT); }

void CurlEngine::Impl::setup() {
  multi = curl_multi_init();
  curl_multi_setopt(multi, CURLMOPT_MAX_HOST_CONNECTIONS, static_cast<long>(options.concurrency) + 1);
  curl_multi_setopt(multi, CURLMOPT_MAXCONNECTS, static_cast<long>(options.concurrency) + 4);
  slot_chunk.assign(window.slots(), UINT64_MAX);
  slot_filled.assign(window.slots(), 0);
  for (uint32_t i = 0; i < options.concurrency + 1; ++i) {
    auto t = std::make_unique<Transfer>();
    CURL* e = curl_easy_init();
    t->easy = e;
    curl_easy_setopt(e, CURLOPT_PRIVATE, this);
    curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, &Impl::write_cb);
    curl_easy_setopt(e, CURLOPT_WRITEDATA, t.get());
    curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, &Impl::header_cb);
    curl_easy_setopt(e, CURLOPT_HEADERDATA, t.get());
    curl_easy_setopt(e, CURLOPT_ERRORBUFFER, t->error_buffer);
    curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(e, CURLOPT_HTTP_VERSION, static_cast<long>(CURL_HTTP_VERSION_1_1));
    curl_easy_setopt(e, CURLOPT_PATH_AS_IS, 1L);  // S3 keys are not normalised: "a//b" and "./" stay
    curl_easy_setopt(e, CURLOPT_TCP_NODELAY, 1L);
    curl_easy_setopt(e, CURLOPT_TCP_KEEPALIVE, 1L);
    curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(options.connect_timeout.count()));
    curl_easy_setopt(e, CURLOPT_BUFFERSIZE, 256L * 1024);
    curl_easy_setopt(e, CURLOPT_USERAGENT, "s3fcp/" S3FCP_VERSION);
    curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 0L);
    if (!options.ca_bundle.empty()) curl_easy_setopt(e, CURLOPT_CAINFO, options.ca_bundle.c_str());
    transfers.push_back(std::move(t));
  }
}

void CurlEngine::Impl::run() {
  if (options.resume) {
    etag = options.resume->etag;
    object_size = options.resume->object_size;
    base = options.resume->selected.begin;
    const RangePlan plan(options.resume->selected.size(), options.chunk_size);
    scheduler.resume(plan, options.resume->done, base);
    window.set_plan(plan);
    state.object_size.store(object_size, std::memory_order_relaxed);
    state.range_begin.store(base, std::memory_order_relaxed);
    state.total.store(plan.total(), std::memory_order_relaxed);
    state.set_etag(etag);
  }
  // A full-object checksum says nothing about a part of the object: no HEAD for it with --range. A resumed file is
  // verified whole (the bytes of the earlier run included): the verifier reads it back from offset 0.
  if (options.checksum.kind == ChecksumMode::Kind::Off || options.range) {
    state.decide_checksum({});
  } else {
    start_head();
  }
  while (!state.stopping()) {
    start_ready();
    int running = 0;
    curl_multi_perform(multi, &running);
    process_messages();
    if (published) {
      published = false;
      window.wake_consumer();
    }
    if (whole_object) drain_overflows();
    if (state.stopping()) break;
    // Done when every byte is in; the checksum HEAD (if still out) must answer first: the writer waits for it.
    if (scheduler.finished() && !head_in_flight()) break;
    abort_stalled();
    if (options.hedge) maybe_hedge();

    int timeout_ms = 100;  // also the granularity of stall detection
    if (const auto at = scheduler.next_retry_at()) {
      const auto wait = std::chrono::duration_cast<std::chrono::milliseconds>(*at - Clock::now()).count();
      timeout_ms = static_cast<int>(std::clamp<long long>(wait + 1, 0, timeout_ms));
    }
    curl_multi_poll(multi, nullptr, 0, timeout_ms, nullptr);
  }
  for (auto& t : transfers) {
    if (t->busy) curl_multi_remove_handle(multi, t->easy);
    t->busy = false;
  }
}

void CurlEngine::Impl::start_ready() {
  for (auto& t : transfers) {
    if (t->busy) continue;
    auto task = scheduler.next(Clock::now(), window.window_end());
    if (!task) return;
    if (!start(*t, *task)) return;
  }
}

bool CurlEngine::Impl::start(Transfer& t, FetchTask task) {
  t.task = task;
  t.hedge = false;
  t.head = false;
  curl_easy_setopt(t.easy, CURLOPT_HTTPGET, 1L);
  t.cursor = t.start_cursor = task.range.begin;
  t.skip = 0;
  t.cut_excess = t.cut = false;
  t.paused = t.finished_pending = false;
  t.overflow.clear();
  t.reset_response();
  t.error_buffer[0] = '\0';

  ByteRange range = task.range;
  if (whole_object) range.end = scheduler.plan().total();
  t.range_header = task.probe ? range_spec.probe_header(options.chunk_size) : in_object(range).header_value();
  auto req = requests.make_get(t.range_header, task.probe ? std::string() : etag);
  if (!req) {
    state.fail(req.error());
    return false;
  }
  curl_slist_free_all(t.headers);
  t.headers = nullptr;
  for (const auto& h : req->headers) t.headers = curl_slist_append(t.headers, h.c_str());
  curl_easy_setopt(t.easy, CURLOPT_URL, req->url.c_str());
  curl_easy_setopt(t.easy, CURLOPT_HTTPHEADER, t.headers);
  t.busy = true;
  t.started = t.last_activity = Clock::now();
  curl_multi_add_handle(multi, t.easy);
  state.requests.fetch_add(1, std::memory_order_relaxed);
  if (options.verbose) {
    log_line(fmt::format("> GET {} {}{}{}", requests.location().display(), t.range_header, task.probe ? " (probe)" : "",
                         task.attempts > 0 ? fmt::format(" (retry {})", task.attempts) : ""));
  }
  return true;
}

void CurlEngine::Impl::process_messages() {
  int left = 0;
  while (CURLMsg* msg = curl_multi_info_read(multi, &left)) {
    if (msg->msg != CURLMSG_DONE) continue;
    for (auto& t : transfers) {
      if (t->easy == msg->easy_handle && t->busy) {
        const CURLcode result = msg->data.result;
        curl_multi_remove_handle(multi, t->easy);  // invalidates msg
        finish(*t, result);
        break;
      }
    }
  }
}

size_t CurlEngine::Impl::on_header(Transfer& t, std::string_view line) {
  t.last_activity = Clock::now();
  if (line.starts_with("HTTP/")) {
    t.reset_response();  // a new response (after a 100 Continue, or the first)
    const auto space = line.find(' ');
    if (space != std::string_view::npos) t.status = static_cast<long>(parse_decimal(line.substr(space + 1, 3)).value_or(0));
    return line.size();
  }
  if (trim(line).empty()) {
    // The end of a header block. A final answer is checked now, before any body: an answer that proves the object
    // empty (Content-Range ".../0") or is malformed must not wait for a body that cannot come.
    if (t.head || t.status < 200 || t.validated) return line.size();
    validate(t);
    if (t.failure) return 0;  // aborts the transfer; finish() reports t.failure
    if (t.body_ok && t.cursor >= t.task.range.end && parse_decimal(t.content_length).value_or(1) > 0) {
      t.cut = true;  // everything this request was for is known already: drop the connection, not wait
      return 0;
    }
    return line.size();
  }
  const auto colon = line.find(':');
  if (colon == std::string_view::npos) return line.size();
  const std::string_view name = line.substr(0, colon);
  const std::string_view value = trim(line.substr(colon + 1));
  if (t.head) t.head_headers.emplace_back(std::string(name), std::string(value));
  if (iequals(name, "content-range")) t.content_range = value;
  else if (iequals(name, "etag")) t.etag = value;
  else if (iequals(name, "x-amz-request-id")) t.request_id = value;
  else if (iequals(name, "retry-after")) t.retry_after = value;
  else if (iequals(name, "date")) t.date = value;
  else if (iequals(name, "content-length")) t.content_length = value;
  else if (iequals(name, "x-amz-bucket-region")) t.bucket_region = value;
  return line.size();
}

void CurlEngine::Impl::validate(Transfer& t) {
  t.validated = true;
  curl_easy_getinfo(t.easy, CURLINFO_RESPONSE_CODE, &t.status);
  if (t.status == 206) {
    validate_partial(t);
  } else if (t.status == 200) {
    validate_whole(t);
  } else if (t.status >= 200 && t.status < 300) {
    t.failure = Error{ErrorKind::Other, fmt::format("unexpected HTTP {} to a GET", t.status), t.status};
  }
}

void CurlEngine::Impl::validate_partial(Transfer& t) {
  const auto cr = parse_content_range(t.content_range);
  const auto mismatch = [&] {
    t.failure = retryable(fmt::format("unexpected Content-Range '{}' for {}", t.content_range, t.range_header));
  };
  if (!cr || !cr->total) return mismatch();
  if (t.task.probe && *cr->total == 0) {
    // "bytes 0-0/0", "bytes */0": whatever span it claims, the object is empty. Some servers answer a ranged GET of
    // an empty object so, with a Content-Length of 1 and no body: trust the total and finish now.
    const auto selected = range_spec.resolve(0);
    if (!selected) {
      t.failure = past_end(0);
      return;
    }
    etag = t.etag;
    plan_known(0, *selected, false);
    t.task.probe = false;
    t.task.range = {0, 0};
    t.body_ok = true;
    return;
  }
  if (!cr->first || !cr->consistent()) {
    // A span outside the total it states: not an answer to trust. Asked once more, then a clear error (exit 1).
    t.failure = retryable(fmt::format("malformed Content-Range '{}' (its span lies outside its total) in the answer "
                                      "to {} from {}", t.content_range, t.range_header, requests.location().host));
    t.failure->kind = ErrorKind::Other;
    t.failure->attempt_limit = 2;
    return;
  }
  if (t.task.probe) {
    const uint64_t total = *cr->total;
    const auto selected = range_spec.resolve(total);
    if (!selected) return mismatch();  // 206 to a range past the end: not S3
    // The probe asked for the selection's first chunk; for a suffix range, for all of it.
    const bool suffix = range_spec.kind == RangeSpec::Kind::Suffix;
    const uint64_t answer_end = suffix ? selected->end : std::min(selected->begin + options.chunk_size, selected->end);
    if (*cr->first != selected->begin || *cr->last + 1 != answer_end) return mismatch();
    etag = t.etag;
    plan_known(total, *selected, false);
    t.task.probe = false;
    t.task.range = {0, std::min(options.chunk_size, selected->size())};
    t.cut_excess = answer_end - base > t.task.range.end;
  } else {
    if (!check_etag(t)) return;
    if (*cr->first != t.cursor + base || *cr->last + 1 != t.task.range.end + base || *cr->total != object_size) {
      return mismatch();
    }
  }
  if (const auto length = parse_decimal(t.content_length); length && *length != *cr->last - *cr->first + 1) {
    t.failure = retryable(fmt::format("Content-Length {} disagrees with Content-Range '{}'", *length, t.content_range));
    return;
  }
  t.body_ok = true;
}

void CurlEngine::Impl::validate_whole(Transfer& t) {
  const auto length = parse_decimal(t.content_length);
  if (t.task.probe) {
    if (!length) {
      t.failure = Error{ErrorKind::Other, "the server ignored Range and sent no Content-Length", 200};
      return;
    }
    const auto selected = range_spec.resolve(*length);
    if (!selected) {
      t.failure = past_end(*length);
      return;
    }
    etag = t.etag;
    plan_known(*length, *selected, true);
    t.task.probe = false;
    t.task.range = {0, selected->size()};
    t.skip = base;  // the object before --range's first byte
    t.cut_excess = selected->end < *length;
    if (options.verbose) log_line("the server ignored Range: downloading the object as one stream");
  } else if (whole_object) {
    if (!check_etag(t)) return;
    if (!length || *length != object_size) {
      t.failure = retryable(fmt::format("whole-object answer of {} bytes, expected {}", t.content_length, object_size));
      return;
    }
    t.skip = base + t.cursor;  // the server restarted from byte 0: drop what we already have
    t.cut_excess = base + scheduler.plan().total() < object_size;
  } else {
    t.failure = retryable(fmt::format("the server answered 200 (the whole object) to a request for {}",
                                      t.range_header));
    return;
  }
  t.body_ok = true;
}

bool CurlEngine::Impl::check_etag(Transfer& t) {
  if (etag.empty() || t.etag.empty() || t.etag == etag) return true;
  t.failure = Error{ErrorKind::Changed,
                    fmt::format("object changed during download (ETag was {}, now {})", etag, t.etag), t.status};
  t.failure->request_id = t.request_id;
  return false;
}

Error CurlEngine::Impl::past_end(uint64_t object_total) const {
  return Error{ErrorKind::Range,
               fmt::format("--range {} starts past the end of the object ({} bytes)", range_spec.text(),
                           object_total),
               416};
}

void CurlEngine::Impl::plan_known(uint64_t object_total, ByteRange selected, bool whole) {
  const RangePlan plan(selected.size(), options.chunk_size);
  object_size = object_total;
  base = selected.begin;
  state.set_etag(etag);
  state.object_size.store(object_total, std::memory_order_relaxed);
  state.range_begin.store(base, std::memory_order_relaxed);
  whole_object = whole;
  scheduler.set_plan(plan, whole, base);
  window.set_plan(plan);
  state.total.store(plan.total(), std::memory_order_relaxed);
  if (options.verbose) {
    const std::string part =
        options.range ? fmt::format(", downloading {} ({} bytes)", selected.describe(), plan.total()) : "";
    log_line(fmt::format("object: {} bytes, ETag {}{}, {} chunk{} of {} bytes", object_total,
                         etag.empty() ? "(none)" : etag, part, plan.chunk_count(), plan.chunk_count() == 1 ? "" : "s",
                         options.chunk_size));
  }
}

size_t CurlEngine::Impl::on_write(Transfer& t, const std::byte* data, size_t n) {
  t.last_activity = Clock::now();
  if (!t.validated) validate(t);
  if (t.failure) return 0;  // aborts the transfer; finish() reports t.failure
  if (!t.body_ok) {
    const size_t keep = std::min(n, kMaxErrorBody - std::min(kMaxErrorBody, t.error_body.size()));
    t.error_body.append(reinterpret_cast<const char*>(data), keep);
    return n;
  }
  if (state.stopping()) return 0;
  if (!t.overflow.empty()) {
    copy_in(t, nullptr, 0);
    if (!t.overflow.empty()) {
      t.paused = true;
      return CURL_WRITEFUNC_PAUSE;  // curl hands us these bytes again after the unpause
    }
  }
  const size_t total = n;
  if (t.skip > 0) {
    const size_t k = static_cast<size_t>(std::min<uint64_t>(t.skip, n));
    t.skip -= k;
    data += k;
    n -= k;
  }
  const size_t taken = copy_in(t, data, n);
  if (t.failure) return 0;
  if (taken < n) {
    const uint64_t wanted = t.task.range.end - t.cursor;  // bytes of the range still to come
    if (n - taken > wanted) {
      if (!t.cut_excess) {
        t.failure = retryable(fmt::format("the server sent more than the {} bytes of {}", t.task.range.size(),
                                          in_object(t.task.range).describe()));
        return 0;
      }
      // The rest of the answer is beyond what we want: keep our part and drop the connection.
      t.overflow.assign(data + taken, data + taken + wanted);
      t.cut = true;
      return 0;
    }
    t.overflow.assign(data + taken, data + n);  // only a whole-object stream outruns the window
  }
  return total;
}

// Copies the overflow (when data is null) or new bytes into the window, as far as the window allows. Bytes that
// another transfer of the same chunk (a hedge race) already put there are skipped, not written again.
size_t CurlEngine::Impl::copy_in(Transfer& t, const std::byte* data, size_t n) {
  const bool from_overflow = data == nullptr;
  if (from_overflow) {
    data = t.overflow.data();
    n = t.overflow.size();
  }
  const uint64_t chunk_size = options.chunk_size;
  const uint64_t total = scheduler.plan().total();
  size_t taken = 0;
  uint64_t fresh = 0;
  while (taken < n && t.cursor < t.task.range.end) {
    const uint64_t chunk = t.cursor / chunk_size;
    if (chunk >= window.window_end()) break;
    const uint64_t chunk_begin = chunk * chunk_size;
    const uint64_t limit = std::min({chunk_begin + chunk_size, total, t.task.range.end});
    const size_t slot = static_cast<size_t>(chunk % slot_chunk.size());
    if (slot_chunk[slot] != chunk) {
      if (chunk < window.head() || (slot_chunk[slot] != UINT64_MAX && slot_chunk[slot] > chunk)) {
        // The chunk was finished (by a hedge) and written out; its slot may hold a later chunk now.
        const size_t skip = static_cast<size_t>(std::min<uint64_t>(n - taken, limit - t.cursor));
        t.cursor += skip;
        taken += skip;
        continue;
      }
      slot_chunk[slot] = chunk;
      slot_filled[slot] = 0;
    }
    const uint64_t have = chunk_begin + slot_filled[slot];
    if (t.cursor < have) {  // already there, from the other transfer of a hedge race
      const size_t skip = static_cast<size_t>(std::min<uint64_t>(n - taken, std::min(have, limit) - t.cursor));
      t.cursor += skip;
      taken += skip;
      continue;
    }
    if (t.cursor > have) {  // would leave a hole in the chunk: never publish bytes we do not have
      t.failure = Error{ErrorKind::Other, fmt::format("internal error: gap at byte {} of chunk {}", have, chunk)};
      break;
    }
    const size_t take = static_cast<size_t>(std::min<uint64_t>(n - taken, limit - t.cursor));
    if (auto stored = window.store(chunk, t.cursor - chunk_begin, {data + taken, take}); !stored) {
      state.fail(stored.error());
      break;
    }
    t.cursor += take;
    taken += take;
    fresh += take;
    slot_filled[slot] = t.cursor - chunk_begin;
    window.publish(chunk, slot_filled[slot]);
  }
  if (fresh > 0) {
    published = true;
    received += fresh;
    state.received.store(received, std::memory_order_relaxed);
  }
  if (from_overflow) t.overflow.erase(t.overflow.begin(), t.overflow.begin() + static_cast<ptrdiff_t>(taken));
  return taken;
}

void CurlEngine::Impl::drain_overflows() {
  for (auto& t : transfers) {
    if (!t->busy || t->overflow.empty()) continue;
    copy_in(*t, nullptr, 0);
    if (!t->overflow.empty()) continue;
    if (t->finished_pending) {
      complete(*t);
    } else if (t->paused) {
      t->paused = false;
      t->last_activity = Clock::now();
      curl_easy_pause(t->easy, CURLPAUSE_CONT);
    }
  }
  if (published) {
    published = false;
    window.wake_consumer();
  }
}

Error CurlEngine::Impl::curl_failure(const Transfer& t, CURLcode result) const {
  const std::string detail = t.error_buffer[0] != '\0' ? t.error_buffer : curl_easy_strerror(result);
  const std::string what = t.task.probe ? t.range_header : in_object({t.cursor, t.task.range.end}).describe();
  const std::string where = fmt::format("{} of {}", what, requests.location().host);
  switch (result) {
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_UNSUPPORTED_PROTOCOL:
    case CURLE_URL_MALFORMAT:
      return Error{ErrorKind::Other, fmt::format("{} ({})", detail, requests.location().host)};
    default:
      return retryable(fmt::format("{} fetching {}", detail, where));
  }
}

void CurlEngine::Impl::finish(Transfer& t, CURLcode result) {
  if (t.head) return finish_head(t, result);
  if (t.cut && result == CURLE_WRITE_ERROR) result = CURLE_OK;  // we ended it, with everything we wanted
  if (result == CURLE_OK && !t.validated) validate(t);  // no body: the write callback never ran
  std::optional<Error> error;
  if (t.failure) {
    error = t.failure;
  } else if (result != CURLE_OK) {
    error = curl_failure(t, result);
  } else if (!t.body_ok) {
    const auto body = parse_s3_error(t.error_body);
    std::optional<uint64_t> size;  // 416 says the object's size: "Content-Range: bytes */SIZE", <ActualObjectSize>
    if (const auto cr = parse_content_range(t.content_range); cr && !cr->first) size = cr->total;
    if (!size && body) size = body->actual_object_size;
    if (t.task.probe && t.status == 416 && size) {
      if (const auto selected = range_spec.resolve(*size); !selected) {
        error = past_end(*size);
      } else if (selected->empty()) {
        plan_known(*size, *selected, false);  // an empty object: S3 cannot satisfy any range of it
        complete(t);
        return;
      }
    }
    if (!error) error = classify_http_error(t.status, body, t.request_id);
    if (follow_region_redirect(t, body)) {
      error->retryable = true;  // once, to the bucket's region: the scheduler sends it again at once
      error->message = "the bucket is in region " + requests.region();
    }
    if (error->kind == ErrorKind::Changed) {
      error->message = fmt::format("object changed during download (ETag {} no longer matches)", etag);
    }
  } else if (t.cursor + t.overflow.size() < t.task.range.end) {  // overflow bytes arrived, they wait for space
    error = retryable(fmt::format("connection closed after {} of {} bytes of {}", t.cursor - t.start_cursor,
                                  t.task.range.end - t.start_cursor, in_object(t.task.range).describe()));
  }
  if (error && error->request_id.empty()) error->request_id = t.request_id;
  if (error && error->http_status == 0) error->http_status = t.status;

  if (!error) {
    if (!t.overflow.empty()) {
      t.finished_pending = true;  // the last bytes still wait for window space
      return;
    }
    complete(t);
    return;
  }

  t.busy = false;
  t.overflow.clear();
  if (Transfer* other = other_transfer_of(t)) {
    // A hedge race: the other transfer of this chunk carries on alone and now owns the task, unless the error
    // says the whole download is over (the object changed, access denied, not found).
    if (!error->retryable) {
      state.fail(*error);
      return;
    }
    other->hedge = false;
    if (options.verbose) log_line(fmt::format("dropping the failed {} of a hedged chunk: {}", t.hedge ? "hedge" : "original", error->message));
    return;
  }
  if (error->s3_code == "RequestTimeTooSkewed") {
    if (const auto server_now = parse_http_date(t.date)) requests.correct_clock(*server_now);
  }
  if (is_expired_token_code(error->s3_code)) requests.credentials_expired();
  FetchTask remaining = t.task;
  if (!remaining.probe) {
    remaining.range.begin = t.cursor;
    remaining.chunk = t.cursor / options.chunk_size;
  }
  const bool progressed = t.cursor > t.start_cursor;
  const auto retry_after = parse_retry_after(t.retry_after, std::chrono::system_clock::now());
  std::uniform_real_distribution<double> uniform(0.0, 1.0);
  if (options.verbose) {
    log_line(fmt::format("< {} {} failed: {}{}", t.status,
                         t.task.probe ? t.range_header : in_object({t.start_cursor, t.task.range.end}).describe(),
                         error->s3_code.empty() ? "" : error->s3_code + ": ", error->message));
  }
  if (auto fatal = scheduler.on_failure(remaining, *error, progressed, Clock::now(), uniform(rng), retry_after)) {
    state.fail(*fatal);
  } else {
    state.retries.fetch_add(1, std::memory_order_relaxed);
  }
}

void CurlEngine::Impl::complete(Transfer& t) {
  if (Transfer* other = other_transfer_of(t)) {
    if (options.verbose) {
      log_line(fmt::format("{} won the race for {}", t.hedge ? "hedge" : "original",
                           in_object(t.task.range).describe()));
    }
    cancel(*other);
  }
  t.busy = false;
  t.finished_pending = false;
  scheduler.on_complete();
  learn_speed(t);
  if (options.verbose) {
    const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - t.started).count();
    log_line(fmt::format("< {} {} {} bytes in {} ms, request id {}", t.status,
                         in_object({t.start_cursor, t.task.range.end}).describe(), t.cursor - t.start_cursor, ms,
                         t.request_id.empty() ? "-" : t.request_id));
  }
}

CurlEngine::CurlEngine(const EngineOptions& options, S3RequestFactory& requests, ChunkStore& window,
                       DownloadState& state)
    : m_impl(std::make_unique<Impl>(options, requests, window, state)) {
  m_impl->setup();
}

CurlEngine::~CurlEngine() {
  for (auto& t : m_impl->transfers) {
    if (t->busy) curl_multi_remove_handle(m_impl->multi, t->easy);
    curl_easy_cleanup(t->easy);
    curl_slist_free_all(t->headers);
  }
  curl_multi_cleanup(m_impl->multi);
}

void CurlEngine::run() { m_impl->run(); }

void CurlEngine::wakeup() { curl_multi_wakeup(m_impl->multi); }

}  // namespace s3fcp
