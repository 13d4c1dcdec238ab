// MultipartUpload (create, parts in parallel, complete; aborted whenever it cannot finish) and AbortUpload
// (put_ops.h).
#include <algorithm>

#include <fmt/format.h>

#include "checksum/crc_combine.h"
#include "ops/put/multipart_parts.h"
#include "ops/put/put_checks.h"
#include "ops/put/put_ops.h"
#include "util/crypto.h"
#include "util/log.h"

namespace s3fcp {

namespace {

constexpr size_t kMaxAnswer = 4 << 20;  // an XML answer longer than this is not S3's

}  // namespace

// --- MultipartUpload -----------------------------------------------------------------------------------------------

MultipartUpload::MultipartUpload(UploadSpec spec, UploadSource& source, PutState& state, std::optional<Resume> resume,
                                 Hooks hooks)
    : m_spec(std::move(spec)), m_source(source), m_state(state), m_hooks(std::move(hooks)), m_resume(std::move(resume)) {}

void MultipartUpload::start(OpContext& ctx) {
  m_verbose = ctx.verbose();
  m_concurrency = m_spec.concurrency != 0 ? m_spec.concurrency : ctx.budget();
  if (m_resume) {
    m_upload_id = m_resume->upload_id;
    m_phase = Phase::Listing;
  }
}

Request MultipartUpload::request(Method method, Role role, HeaderList query, std::string note) const {
  Request r;
  r.method = method;
  r.role = role;
  r.target = m_spec.target;
  r.query = std::move(query);
  r.tag = kStepTag;
  r.note = std::move(note);
  return r;
}

Request MultipartUpload::part_request(const Part& part) const {
  Request r = request(Method::Put, Role::Put,
                      {{"partNumber", std::to_string(part.source.number)}, {"uploadId", m_upload_id}},
                      fmt::format("part {} ({} bytes){}", part.source.number, part.source.range.size(),
                                  part.task.attempts > 0 ? fmt::format(" (retry {})", part.task.attempts) : ""));
  r.tag = part.source.number;
  r.headers = m_spec.sse_c;
  if (m_spec.checksum) {
    const HeaderList sum = body_checksum_headers(*m_spec.checksum, part.source.digest);
    r.headers.insert(r.headers.end(), sum.begin(), sum.end());
  }
  r.streamed_size = part.source.range.size();
  return r;
}

std::string MultipartUpload::object_checksum() const {
  if (!m_spec.checksum || *m_spec.checksum == ChecksumAlgorithm::Md5) return {};
  const ChecksumAlgorithm a = *m_spec.checksum;
  if (is_crc(a)) {
    CrcCombiner combined(a);
    for (const auto& [number, part] : m_parts) {
      combined.append(*crc_from_base64(a, encoded(part.source.digest)), part.source.range.size());
    }
    return crc_to_base64(a, combined.value());
  }
  // SHA-1 / SHA-256: S3's composite value, the digest of the parts' digests and "-N".
  Checksummer composite(a);
  for (const auto& [number, part] : m_parts) composite.update(std::as_bytes(std::span(part.source.digest)));
  return composite.finish_base64() + "-" + std::to_string(m_parts.size());
}

Result<std::string> MultipartUpload::complete_body() const {
  std::vector<CompletedPart> parts;
  parts.reserve(m_parts.size());
  for (const auto& [number, part] : m_parts) {
    CompletedPart c{number, part.etag, std::nullopt};
    if (m_spec.checksum && *m_spec.checksum != ChecksumAlgorithm::Md5 && !part.source.digest.empty()) {
      c.checksum = ExpectedChecksum{*m_spec.checksum, encoded(part.source.digest)};
    }
    parts.push_back(std::move(c));
  }
  return build_complete_multipart_upload(parts);
}

std::optional<Clock::time_point> MultipartUpload::wake_at() const {
  const auto parts = m_part_retries.next_at();
  const auto step = m_step_retries.next_at();
  if (!parts) return step;
  if (!step) return parts;
  return std::min(*parts, *step);
}

std::optional<Request> MultipartUpload::next_request(OpContext& ctx) {
  if (m_phase == Phase::Done) return std::nullopt;
  if (m_phase != Phase::Uploading) return step_request(ctx);
  if (m_parts_in_flight >= m_concurrency) return std::nullopt;
  Part* part = ready_retry(m_parts, m_part_retries, ctx.now());
  if (part == nullptr) {
    while (auto source = m_source.take()) {
      Part& p = m_parts[source->number];
      p.source = std::move(*source);
      p.task.number = p.source.number;
      if (m_resume) {
        // S3 has this part from the interrupted run: keep it when it is the same bytes (size and checksum; for MD5,
        // the part's ETag). Without a checksum nothing tells, and every part is sent again.
        const auto it = m_resume->parts.find(p.source.number);
        const auto same_bytes = [&](const ListedPart& listed) {
          if (listed.size != p.source.range.size() || !m_spec.checksum || p.source.digest.empty()) return false;
          if (*m_spec.checksum == ChecksumAlgorithm::Md5) {
            const auto md5 = expected_md5_from_etag(listed.etag);
            return md5 && *md5 == hex_lower(p.source.digest);
          }
          return listed.checksum && listed.checksum->value == encoded(p.source.digest);
        };
        if (it != m_resume->parts.end() && same_bytes(it->second)) {
          p.etag = it->second.etag;
          p.done = true;
          m_state.progress.uploaded.fetch_add(p.source.range.size(), std::memory_order_relaxed);
          m_source.release(p.source.number);
          continue;
        }
      }
      part = &p;
      break;
    }
  }
  if (part == nullptr) return std::nullopt;
  part->in_flight = true;
  ++m_parts_in_flight;
  m_state.progress.requests.fetch_add(1, std::memory_order_relaxed);
  return part_request(*part);
}

std::optional<Request> MultipartUpload::step_request(OpContext& ctx) {
  if (m_step_in_flight) return std::nullopt;
  if (m_step_waiting) {
    auto ready = m_step_retries.pop_ready(ctx.now(), [](const Step&, const Step&) { return false; });
    if (!ready) return std::nullopt;
    m_step = *ready;
    m_step_waiting = false;
  }
  Request r;
  switch (m_phase) {
    case Phase::Creating: {
      r = request(Method::Post, Role::Post, {{"uploads", ""}}, "(create multipart upload)");
      r.headers = m_spec.object_headers;
      r.headers.insert(r.headers.end(), m_spec.sse_c.begin(), m_spec.sse_c.end());
      if (m_spec.checksum && *m_spec.checksum != ChecksumAlgorithm::Md5) {
        r.headers.emplace_back("x-amz-checksum-algorithm", std::string(checksum_algorithm_name(*m_spec.checksum)));
        r.headers.emplace_back("x-amz-checksum-type", is_crc(*m_spec.checksum) ? "FULL_OBJECT" : "COMPOSITE");
      }
      break;
    }
    case Phase::Listing:
      r = request(Method::Get, Role::List,
                  {{"uploadId", m_upload_id}, {"max-parts", "1000"},
                   {"part-number-marker", std::to_string(m_list_marker)}},
                  "(list parts)");
      r.headers = m_spec.sse_c;
      break;
    case Phase::Completing: {
      auto body = complete_body();
      if (!body) {
        fail(ctx, body.error());
        return std::nullopt;
      }
      r = request(Method::Post, Role::Post, {{"uploadId", m_upload_id}},
                  fmt::format("(complete multipart upload, {} parts)", m_parts.size()));
      r.headers = m_spec.sse_c;
      r.headers.emplace_back("Content-Type", "application/xml");
      if (m_spec.checksum && is_crc(*m_spec.checksum)) {
        r.headers.emplace_back(std::string(checksum_header_name(*m_spec.checksum)), object_checksum());
        r.headers.emplace_back("x-amz-checksum-type", "FULL_OBJECT");
      }
      if (m_spec.no_clobber) r.headers.emplace_back("If-None-Match", "*");
      r.body = std::move(*body);
      ++m_complete_attempts;
      break;
    }
    case Phase::Verifying:
      r = request(Method::Head, Role::Head, {}, "(did the complete happen?)");
      r.headers = m_spec.sse_c;
      r.headers.emplace_back("x-amz-checksum-mode", "ENABLED");
      break;
    case Phase::Aborting:
      r = request(Method::Delete, Role::Delete, {{"uploadId", m_upload_id}}, "(abort multipart upload)");
      break;
    default:
      return std::nullopt;
  }
  m_step_in_flight = true;
  m_body.clear();
  m_state.progress.requests.fetch_add(1, std::memory_order_relaxed);
  return r;
}

size_t MultipartUpload::on_body(OpContext&, Attempt& a, std::span<const std::byte> data) {
  if (a.tag() == kStepTag && m_body.size() + data.size() <= kMaxAnswer) {
    m_body.append(reinterpret_cast<const char*>(data.data()), data.size());
  }
  return data.size();
}

Result<size_t> MultipartUpload::read_body(Attempt& a, uint64_t offset, std::span<std::byte> out) {
  return m_source.read(m_parts[static_cast<uint32_t>(a.tag())].source, offset, out);
}

void MultipartUpload::on_done(OpContext& ctx, Attempt& a, const Outcome& outcome) {
  if (a.tag() == kStepTag) return on_step_done(ctx, a, outcome);
  on_part_done(ctx, a, outcome);
}

void MultipartUpload::on_part_done(OpContext& ctx, Attempt& a, const Outcome& outcome) {
  Part& part = m_parts[static_cast<uint32_t>(a.tag())];
  part.in_flight = false;
  --m_parts_in_flight;
  if (m_phase != Phase::Uploading) return;
  std::optional<Error> error = outcome.error;
  if (!error && a.head().etag.empty())
    error = Error::transient(fmt::format("no ETag in the answer to part {}", part.source.number));
  if (!error && m_spec.checksum) {
    std::string server;
    const std::string ours = encoded(part.source.digest);
    if (auto bad = check_echo(a.head(), *m_spec.checksum, ours, server)) error = bad;
  }
  if (error) {
    if (error->s3_code == "NoSuchUpload") {
      error->message = fmt::format("the multipart upload {} no longer exists (aborted elsewhere, or by a lifecycle "
                                   "rule): {}", m_upload_id, error->message);
      return fail(ctx, std::move(*error));
    }
    const auto retry_after = parse_retry_after(a.head().retry_after, std::chrono::system_clock::now());
    if (!m_part_retries.push(part.task, *error, false, ctx.retry_policy(), ctx.now(), ctx.jitter(), retry_after)) {
      return fail(ctx, give_up(std::move(*error), fmt::format("part {}", part.source.number), part.task.attempts));
    }
    m_state.progress.retries.fetch_add(1, std::memory_order_relaxed);
    if (m_verbose) log_line(fmt::format("< part {} failed: {}", part.source.number, error->message));
    return;
  }
  part.etag = a.head().etag;
  part.done = true;
  m_state.progress.uploaded.fetch_add(part.source.range.size(), std::memory_order_relaxed);
  m_source.release(part.source.number);
}

bool MultipartUpload::retry_step(OpContext& ctx, const Error& error, const Attempt& a) {
  if (!m_step_retries.push(m_step, error, false, ctx.retry_policy(), ctx.now(), ctx.jitter(),
                           parse_retry_after(a.head().retry_after, std::chrono::system_clock::now()))) {
    return false;
  }
  m_step_waiting = true;
  m_state.progress.retries.fetch_add(1, std::memory_order_relaxed);
  return true;
}

void MultipartUpload::on_step_done(OpContext& ctx, Attempt& a, const Outcome& outcome) {
  m_step_in_flight = false;
  const std::string_view what = m_phase == Phase::Creating    ? "CreateMultipartUpload"
                                : m_phase == Phase::Listing   ? "ListParts"
                                : m_phase == Phase::Completing ? "CompleteMultipartUpload"
                                : m_phase == Phase::Verifying ? "the HEAD after CompleteMultipartUpload"
                                                              : "AbortMultipartUpload";
  std::optional<Error> error = outcome.error;
  switch (m_phase) {
    case Phase::Creating: {
      Result<std::string> id = error ? Result<std::string>(std::unexpected(*error))
                                     : parse_create_multipart_upload(m_body, a.head().request_id);
      if (!id) {
        if (m_abort_requested || !retry_step(ctx, id.error(), a)) {
          m_error = m_error ? m_error : std::optional(give_up(id.error(), what, m_step.attempts));
          m_state.stop.fail(*m_error);
          return end(false);
        }
        return;
      }
      m_upload_id = std::move(*id);
      m_step = Step{};
      if (m_hooks.created) m_hooks.created(m_upload_id);
      if (m_verbose) log_line(fmt::format("< multipart upload {}", m_upload_id));
      if (m_abort_requested) return begin_abort(ctx);
      m_phase = Phase::Uploading;
      return;
    }
    case Phase::Listing: {
      Result<ListPartsPage> page = error ? Result<ListPartsPage>(std::unexpected(*error))
                                         : parse_list_parts(m_body, a.head().request_id);
      if (!page) {
        Error e = page.error();
        if (e.s3_code == "NoSuchUpload") {
          e.message = fmt::format("cannot continue: the interrupted multipart upload {} no longer exists (aborted, or "
                                  "completed meanwhile); rerun without --continue", m_upload_id);
          e.kind = ErrorKind::Usage;
          m_upload_id.clear();  // nothing of ours to abort
          m_error = e;
          m_state.stop.fail(e);
          return end(false);
        }
        if (!retry_step(ctx, e, a)) fail(ctx, give_up(std::move(e), what, m_step.attempts));
        return;
      }
      for (auto& p : page->parts) m_resume->parts[p.number] = std::move(p);
      m_step = Step{};
      if (page->truncated && page->next_part_number_marker > m_list_marker) {
        m_list_marker = page->next_part_number_marker;
        return;
      }
      if (m_verbose) log_line(fmt::format("< {} parts of {} already uploaded", m_resume->parts.size(), m_upload_id));
      m_phase = Phase::Uploading;
      return;
    }
    case Phase::Completing: {
      Result<CompletedUpload> done = error ? Result<CompletedUpload>(std::unexpected(*error))
                                           : parse_complete_multipart_upload(m_body, a.head().request_id);
      if (done) return finish_completed(*done, a);
      Error e = conditional_failure(done.error(), m_spec.target);
      // A Complete that S3 carried out may have been sent again, by us (its answer was lost) or by curl without our
      // knowing (a reused connection that turned out closed): NoSuchUpload, or a 412, may mean the object is ours.
      // Look at it before saying the upload failed. (A 412 to what we sent once is looked at only when the object
      // can show our checksum, or an ETag computed from our parts': part count and size alone cannot tell ours from
      // another's.)
      const bool checkable = !object_checksum().empty() || our_multipart_etag();
      if (e.s3_code == "NoSuchUpload" || (e.kind == ErrorKind::Exists && (m_complete_attempts > 1 || checkable))) {
        if (e.s3_code == "NoSuchUpload") {
          e.kind = ErrorKind::NotFound;
          e.message = fmt::format("the multipart upload {} no longer exists (aborted elsewhere, or by a lifecycle "
                                  "rule) and the object is not ours: CompleteMultipartUpload failed", m_upload_id);
        }
        m_unverified = std::move(e);
        m_phase = Phase::Verifying;
        m_step = Step{};
        return;
      }
      if (!e.retryable || m_abort_requested || !retry_step(ctx, e, a)) {
        fail(ctx, give_up(std::move(e), what, m_step.attempts));
      }
      return;
    }
    case Phase::Verifying: {
      if (!error && is_our_object(a.head())) {
        CompletedUpload done;
        done.etag = a.head().etag;
        return finish_completed(done, a);
      }
      if (error && error->retryable && retry_step(ctx, *error, a)) return;
      // Abort all the same: the upload may still be there (a 412, or a server that said NoSuchUpload wrongly).
      return fail(ctx, std::move(*m_unverified));
    }
    case Phase::Aborting: {
      if (upload_gone(error)) return end(true);
      if (retry_step(ctx, *error, a)) return;
      if (m_verbose) log_line(fmt::format("< abort failed: {}", error->message));
      UploadResult r = m_state.result();
      r.upload_id = m_upload_id;
      r.abort_failed = true;
      r.abort_error = error->message;
      m_state.set_result(r);
      return end(false);
    }
    default:
      return;
  }
}

std::optional<std::string> MultipartUpload::our_multipart_etag() const {
  std::vector<std::string> etags;
  etags.reserve(m_parts.size());
  for (const auto& [number, part] : m_parts) etags.push_back(part.etag);
  return multipart_etag(etags);
}

bool MultipartUpload::is_our_object(const ResponseHead& head) const {
  uint64_t size = 0;
  for (const auto& [number, part] : m_parts) size += part.source.range.size();
  const std::string suffix = "-" + std::to_string(m_parts.size()) + "\"";
  if (!head.etag.ends_with(suffix) || head.content_length != std::to_string(size)) return false;
  const std::string ours = object_checksum();
  if (!ours.empty()) return shows_our_checksum(head, *m_spec.checksum, ours);
  // No checksum of ours: the ETag S3 computes from our parts' ETags, where it is made of MD5s (not SSE-KMS or SSE-C).
  if (const auto etag = our_multipart_etag(); etag && etag_from_md5s(head)) return iequals(head.etag, *etag);
  // Part count and size alone: enough only when a Complete of ours went twice, not for a 412 to what we sent once.
  return m_unverified->kind != ErrorKind::Exists || m_complete_attempts > 1;
}

void MultipartUpload::finish_completed(const CompletedUpload& done, const Attempt& a) {
  UploadResult result;
  result.etag = done.etag.empty() ? a.head().etag : done.etag;
  result.version_id = std::string(a.head().find("x-amz-version-id").value_or(""));
  result.upload_id = m_upload_id;
  result.parts = static_cast<uint32_t>(m_parts.size());
  std::optional<Error> bad;
  if (m_spec.checksum && *m_spec.checksum != ChecksumAlgorithm::Md5) {
    result.checksum_algorithm = checksum_algorithm_name(*m_spec.checksum);
    result.checksum = object_checksum();
    if (done.checksum && done.checksum->algorithm == *m_spec.checksum) {
      result.server_checksum = done.checksum->value;
      if (result.server_checksum != result.checksum) {
        bad = Error{ErrorKind::Checksum,
                    fmt::format("the server stored other bytes than we sent: {} expected {}, it says {}",
                                result.checksum_algorithm, result.checksum, result.server_checksum)};
      }
    }
  }
  result.completed = !bad;
  m_state.set_result(std::move(result));
  if (bad) m_state.stop.fail(*bad);
  if (m_hooks.ended) m_hooks.ended();
  m_phase = Phase::Done;
}

void MultipartUpload::fail(OpContext& ctx, Error error) {
  if (!m_error) m_error = std::move(error);
  m_state.stop.fail(*m_error);
  begin_abort(ctx);
}

void MultipartUpload::stop(const Error& why) { m_state.stop.fail(why); }

void MultipartUpload::tick(OpContext& ctx) {
  if (m_phase == Phase::Done || m_phase == Phase::Aborting) return;
  if (m_state.stop.stopping()) {
    if (!m_error) m_error = m_state.stop.error();
    return begin_abort(ctx);
  }
  if (m_phase == Phase::Uploading && m_parts_in_flight == 0 && m_part_retries.empty() && m_source.exhausted() &&
      std::ranges::all_of(m_parts, [](const auto& p) { return p.second.done; })) {
    if (m_parts.empty()) {  // cannot happen (a source hands out at least one part); never complete nothing
      return fail(ctx, Error{ErrorKind::Other, "internal error: a multipart upload without parts"});
    }
    if (m_hooks.before_complete) {
      if (auto ok = m_hooks.before_complete(); !ok) return fail(ctx, ok.error());
    }
    m_phase = Phase::Completing;
    m_step = Step{};
  }
}

// Stops sending parts and sends AbortMultipartUpload (ops/put/multipart_parts.h: what waits).
void MultipartUpload::begin_abort(OpContext& ctx) {
  if (m_phase == Phase::Done || m_phase == Phase::Aborting) return;
  m_source.stop();
  cancel_parts_in_flight(ctx, *this, m_parts, m_parts_in_flight);
  if (abort_waits_for_step(ctx, *this, kStepTag, m_step_in_flight,
                           m_phase == Phase::Creating || m_phase == Phase::Completing)) {
    m_abort_requested = true;
    return;
  }
  if (m_upload_id.empty()) return end(false);
  m_phase = Phase::Aborting;
  m_step = Step{};
  m_step_waiting = false;
}

void MultipartUpload::end(bool aborted) {
  if (aborted) {
    UploadResult r = m_state.result();
    r.upload_id = m_upload_id;
    r.aborted = true;
    m_state.set_result(r);
    if (m_verbose) log_line(fmt::format("< aborted multipart upload {}", m_upload_id));
  }
  if (m_hooks.ended && (aborted || m_upload_id.empty())) m_hooks.ended();
  m_phase = Phase::Done;
}

// --- AbortUpload ---------------------------------------------------------------------------------------------------

std::optional<Request> AbortUpload::next_request(OpContext& ctx) {
  if (m_done || m_in_flight) return std::nullopt;
  if (!m_retries.take_ready(m_task, ctx.now())) return std::nullopt;  // in its backoff
  Request r;
  r.method = Method::Delete;
  r.role = Role::Delete;
  r.target = m_target;
  r.query = {{"uploadId", m_upload_id}};
  r.note = "(abort the interrupted multipart upload)";
  m_in_flight = true;
  return r;
}

void AbortUpload::on_done(OpContext& ctx, Attempt& a, const Outcome& outcome) {
  m_in_flight = false;
  if (upload_gone(outcome.error)) {
    m_done = true;
    return;
  }
  if (m_retries.push(m_task, *outcome.error, false, ctx.retry_policy(), ctx.now(), ctx.jitter(),
                     parse_retry_after(a.head().retry_after, std::chrono::system_clock::now()))) {
    return;
  }
  m_error = give_up(*outcome.error, "AbortMultipartUpload", m_task.attempts);
  m_done = true;
}

}  // namespace s3fcp
