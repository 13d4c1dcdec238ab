// RangedGet's answers: every 2xx is checked when its headers end, before any body byte is used, and its body is
// copied into the chunk store. Part of RangedGet (ranged_get.h).
#include <algorithm>

#include <fmt/format.h>

#include "ops/get/ranged_get.h"
#include "util/log.h"

namespace s3fcp {

// Headers complete. An answer that proves the object empty (Content-Range ".../0") or is malformed is judged now:
// a body that cannot come is never waited for.
void RangedGet::on_head(OpContext&, Attempt& a) {
  Transfer& t = m_transfers[a.tag()];
  if (t.head) return;
  validate(t, a);
  if (t.failure) return a.fail(*t.failure);
  if (t.body_ok && t.cursor >= t.task.range.end && parse_decimal(a.head().content_length).value_or(1) > 0) {
    a.finish_early();  // everything this request was for is known already
  }
}

void RangedGet::validate(Transfer& t, const Attempt& a) {
  const long status = a.head().status;
  if (status == 206) {
    validate_partial(t, a);
  } else if (status == 200) {
    validate_whole(t, a);
  } else {
    t.failure = Error{ErrorKind::Other, fmt::format("unexpected HTTP {} to a GET", status), status};
  }
}

void RangedGet::validate_partial(Transfer& t, const Attempt& a) {
  const ResponseHead& h = a.head();
  const auto cr = parse_content_range(h.content_range);
  const auto mismatch = [&] {
    t.failure = Error::transient(
        fmt::format("unexpected Content-Range '{}' for {}", h.content_range, t.range_header));
  };
  if (!cr || !cr->total) return mismatch();
  if (t.task.probe && *cr->total == 0) {
    // "bytes 0-0/0", "bytes */0": whatever span it claims, the object is empty. Some servers answer a ranged GET of
    // an empty object so, with a Content-Length of 1 and no body: trust the total and finish now.
    const auto selected = m_range_spec.resolve(0);
    if (!selected) {
      t.failure = past_end(0);
      return;
    }
    pin(h);
    plan_known(0, *selected, false);
    t.task.probe = false;
    t.task.range = {0, 0};
    t.body_ok = true;
    return;
  }
  if (!cr->first || !cr->consistent()) {
    // A span outside the total it states: not an answer to trust. Asked once more, then a clear error (exit 1).
    t.failure = Error::transient(
        fmt::format("malformed Content-Range '{}' (its span lies outside its total) in the answer "
                    "to {} from {}",
                    h.content_range, t.range_header, m_host));
    t.failure->kind = ErrorKind::Other;
    t.failure->attempt_limit = 2;
    return;
  }
  if (t.task.probe) {
    const uint64_t total = *cr->total;
    const auto selected = m_range_spec.resolve(total);
    if (!selected) return mismatch();  // 206 to a range past the end: not S3
    // The probe asked for the selection's first chunk; for a suffix range, for all of it.
    const bool suffix = m_range_spec.kind == RangeSpec::Kind::Suffix;
    const uint64_t answer_end =
        suffix ? selected->end : std::min(selected->begin + m_options.chunk_size, selected->end);
    if (*cr->first != selected->begin || *cr->last + 1 != answer_end) return mismatch();
    if (!fits(t, *selected)) return;
    pin(h);
    plan_known(total, *selected, false);
    t.task.probe = false;
    t.task.range = {0, std::min(m_options.chunk_size, selected->size())};
    t.cut_excess = answer_end - m_base > t.task.range.end;
  } else {
    if (!check_etag(t, a)) return;
    if (*cr->first != t.cursor + m_base || *cr->last + 1 != t.task.range.end + m_base) return mismatch();
    if (*cr->total != m_object_size) {
      // The same ETag (If-Match held) with another size: one of the two answers lied about the total, and every
      // answer after this one will say the same. Asked once more, then a clear error (exit 1), not ten attempts.
      t.failure = Error::transient(
          fmt::format("malformed Content-Range '{}' in the answer to {} from {}: its total is not "
                      "the object's size, {} (the first answer's)",
                      h.content_range, t.range_header, m_host, m_object_size));
      t.failure->kind = ErrorKind::Other;
      t.failure->attempt_limit = 2;
      return;
    }
  }
  if (const auto length = parse_decimal(h.content_length); length && *length != *cr->last - *cr->first + 1) {
    t.failure = Error::transient(
        fmt::format("Content-Length {} disagrees with Content-Range '{}'", *length, h.content_range));
    return;
  }
  t.body_ok = true;
}

// GetOptions::max_size: a selection larger than that is not read. Its size is left in the progress for the caller.
bool RangedGet::fits(Transfer& t, ByteRange selected) {
  if (!m_options.max_size || selected.size() <= *m_options.max_size) return true;
  m_state.progress.range_begin.store(selected.begin, std::memory_order_relaxed);
  m_state.progress.total.store(selected.size(), std::memory_order_relaxed);
  t.failure = Error{ErrorKind::TooLarge,
                    fmt::format("{} bytes, more than the {} allowed", selected.size(), *m_options.max_size)};
  return false;
}

void RangedGet::validate_whole(Transfer& t, const Attempt& a) {
  const ResponseHead& h = a.head();
  const auto length = parse_decimal(h.content_length);
  if (t.task.probe) {
    if (!length) {
      t.failure = Error{ErrorKind::Other, "the server ignored Range and sent no Content-Length", 200};
      return;
    }
    const auto selected = m_range_spec.resolve(*length);
    if (!selected) {
      t.failure = past_end(*length);
      return;
    }
    if (!fits(t, *selected)) return;
    pin(h);
    plan_known(*length, *selected, true);
    t.task.probe = false;
    t.task.range = {0, selected->size()};
    t.skip = m_base;  // the object before --range's first byte
    t.cut_excess = selected->end < *length;
    if (m_verbose) log_line("the server ignored Range: downloading the object as one stream");
  } else if (m_whole_object) {
    if (!check_etag(t, a)) return;
    if (!length || *length != m_object_size) {
      t.failure = Error::transient(
          fmt::format("whole-object answer of {} bytes, expected {}", h.content_length, m_object_size));
      return;
    }
    t.skip = m_base + t.cursor;  // the server restarted from byte 0: drop what we already have
    t.cut_excess = m_base + m_scheduler.plan().total() < m_object_size;
  } else {
    t.failure = Error::transient(
        fmt::format("the server answered 200 (the whole object) to a request for {}", t.range_header));
    return;
  }
  t.body_ok = true;
}

bool RangedGet::check_etag(Transfer& t, const Attempt& a) {
  const std::string& etag = a.head().etag;
  if (m_etag.empty() || etag.empty() || etag == m_etag) return true;
  t.failure = Error{ErrorKind::Changed,
                    fmt::format("object changed during download (ETag was {}, now {})", m_etag, etag),
                    a.head().status};
  t.failure->request_id = a.head().request_id;
  return false;
}

size_t RangedGet::on_body(OpContext&, Attempt& a, std::span<const std::byte> body) {
  Transfer& t = m_transfers[a.tag()];
  if (m_state.stop.stopping()) {
    a.fail(Error{ErrorKind::Interrupted, "stopped"});
    return 0;
  }
  if (!t.overflow.empty()) {
    copy_in(t, nullptr, 0);
    if (!t.overflow.empty()) {
      t.paused = true;
      return kPauseBody;  // the client hands us these bytes again after the resume
    }
  }
  const std::byte* data = body.data();
  size_t n = body.size();
  if (t.skip > 0) {
    const size_t k = static_cast<size_t>(std::min<uint64_t>(t.skip, n));
    t.skip -= k;
    data += k;
    n -= k;
  }
  const size_t taken = copy_in(t, data, n);
  if (t.failure) {
    a.fail(*t.failure);
    return 0;
  }
  if (taken < n) {
    const uint64_t wanted = t.task.range.end - t.cursor;  // bytes of the range still to come
    if (n - taken > wanted) {
      if (!t.cut_excess) {
        a.fail(Error::transient(fmt::format("the server sent more than the {} bytes of {}",
                                            t.task.range.size(), in_object(t.task.range).describe())));
        return 0;
      }
      // The rest of the answer is beyond what we want: keep our part and end the attempt.
      t.overflow.assign(data + taken, data + taken + wanted);
      a.finish_early();
      return body.size();
    }
    t.overflow.assign(data + taken, data + n);  // only a whole-object stream outruns the window
  }
  return body.size();
}

// Copies the overflow (when data is null) or new bytes into the store, as far as its window allows. Bytes that
// another transfer of the same chunk (a hedge race) already put there are skipped, not written again.
size_t RangedGet::copy_in(Transfer& t, const std::byte* data, size_t n) {
  const bool from_overflow = data == nullptr;
  if (from_overflow) {
    data = t.overflow.data();
    n = t.overflow.size();
  }
  const uint64_t chunk_size = m_options.chunk_size;
  const uint64_t total = m_scheduler.plan().total();
  size_t taken = 0;
  uint64_t fresh = 0;
  while (taken < n && t.cursor < t.task.range.end) {
    const uint64_t chunk = t.cursor / chunk_size;
    if (chunk >= m_store.window_end()) break;
    const uint64_t chunk_begin = chunk * chunk_size;
    const uint64_t limit = std::min({chunk_begin + chunk_size, total, t.task.range.end});
    const size_t slot = static_cast<size_t>(chunk % m_slot_chunk.size());
    if (m_slot_chunk[slot] != chunk) {
      if (chunk < m_store.head() || (m_slot_chunk[slot] != UINT64_MAX && m_slot_chunk[slot] > chunk)) {
        // The chunk was finished (by a hedge) and written out; its slot may hold a later chunk now.
        const size_t skip = static_cast<size_t>(std::min<uint64_t>(n - taken, limit - t.cursor));
        t.cursor += skip;
        taken += skip;
        continue;
      }
      m_slot_chunk[slot] = chunk;
      m_slot_filled[slot] = 0;
    }
    const uint64_t have = chunk_begin + m_slot_filled[slot];
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
    if (auto stored = m_store.store(chunk, t.cursor - chunk_begin, {data + taken, take}); !stored) {
      m_state.stop.fail(stored.error());
      break;
    }
    t.cursor += take;
    taken += take;
    fresh += take;
    m_slot_filled[slot] = t.cursor - chunk_begin;
    m_store.publish(chunk, m_slot_filled[slot]);
  }
  if (fresh > 0) {
    m_published = true;
    m_received += fresh;
    m_state.progress.received.store(m_received, std::memory_order_relaxed);
  }
  if (from_overflow) t.overflow.erase(t.overflow.begin(), t.overflow.begin() + static_cast<ptrdiff_t>(taken));
  return taken;
}

void RangedGet::drain_overflows(OpContext& ctx) {
  for (size_t i = 0; i < m_transfers.size(); ++i) {
    Transfer& t = m_transfers[i];
    if (!t.busy || t.overflow.empty()) continue;
    copy_in(t, nullptr, 0);
    if (!t.overflow.empty()) continue;
    if (t.finished_pending) {
      complete(ctx, t);
    } else if (t.paused) {
      t.paused = false;
      ctx.resume(*this, i);  // may deliver the held bytes before it returns
    }
  }
}

}  // namespace s3fcp
