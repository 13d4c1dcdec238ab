// CopyObject's multipart copy (copy_object.h): CreateMultipartUpload, UploadPartCopy × N in parallel,
// CompleteMultipartUpload (checked by a HEAD when a retried one finds the upload gone), AbortMultipartUpload whenever
// it cannot finish.
#include <algorithm>
#include <utility>

#include <fmt/format.h>

#include "ops/copy/copy_object.h"
#include "ops/put/multipart_parts.h"
#include "ops/put/put_checks.h"
#include "s3/messages.h"
#include "util/log.h"

namespace s3fcp {

bool CopyObject::is_crc_copy() const { return m_source_checksum && is_crc(m_source_checksum->algorithm); }

void CopyObject::begin_multipart(uint64_t part_size) {
  m_part_size = part_size;
  m_part_count = static_cast<uint32_t>((m_result.size + part_size - 1) / part_size);
  m_result.parts = m_part_count;
}

std::optional<Request> CopyObject::step_request() {
  const Target& to = m_spec.destination;
  Request r;
  switch (m_phase) {
    case Phase::Creating:
      r = step(Method::Post, Role::Post, to, fmt::format("(create multipart copy, {} parts)", m_part_count));
      r.query = {{"uploads", ""}};
      r.headers = m_headers;
      if (is_crc_copy()) {
        r.headers.emplace_back("x-amz-checksum-algorithm",
                               std::string(checksum_algorithm_name(m_source_checksum->algorithm)));
        r.headers.emplace_back("x-amz-checksum-type", "FULL_OBJECT");
      }
      return r;
    case Phase::Completing: {
      // Each part's CRC goes back with Complete, and the source's as the whole's: S3 checks that they add up.
      const bool sums = is_crc_copy() && std::ranges::all_of(m_parts, [](const auto& p) {
        return !p.second.checksum.empty();
      });
      std::vector<CompletedPart> parts;
      for (const auto& [number, part] : m_parts) {
        CompletedPart c{number, part.etag, std::nullopt};
        if (sums) c.checksum = ExpectedChecksum{m_source_checksum->algorithm, part.checksum};
        parts.push_back(std::move(c));
      }
      auto body = build_complete_multipart_upload(parts);
      if (!body) {
        fail(body.error());
        return std::nullopt;
      }
      r = step(Method::Post, Role::Post, to, fmt::format("(complete multipart copy, {} parts)", m_parts.size()));
      r.query = {{"uploadId", m_result.upload_id}};
      r.headers.emplace_back("Content-Type", "application/xml");
      if (m_spec.no_clobber) r.headers.emplace_back("If-None-Match", "*");
      if (sums) {
        r.headers.emplace_back(std::string(checksum_header_name(m_source_checksum->algorithm)),
                               m_source_checksum->value);
        r.headers.emplace_back("x-amz-checksum-type", "FULL_OBJECT");
      }
      r.body = std::move(*body);
      ++m_complete_attempts;
      return r;
    }
    case Phase::Verifying:
      r = step(Method::Head, Role::Head, to, "(did the complete happen?)");
      r.headers.emplace_back("x-amz-checksum-mode", "ENABLED");
      return r;
    case Phase::Aborting:
      r = step(Method::Delete, Role::Delete, to, "(abort multipart copy)");
      r.query = {{"uploadId", m_result.upload_id}};
      return r;
    default:
      return std::nullopt;
  }
}

std::optional<Request> CopyObject::part_request(OpContext& ctx) {
  if (m_parts_in_flight >= m_concurrency) return std::nullopt;
  Part* part = ready_retry(m_parts, m_part_retries, ctx.now());
  if (part == nullptr && m_next_part <= m_part_count) {
    const uint32_t number = m_next_part++;
    part = &m_parts[number];
    part->begin = (number - 1) * m_part_size;
    part->end = std::min(m_result.size, part->begin + m_part_size);
    part->task.number = number;
  }
  if (part == nullptr) return std::nullopt;
  Request r = step(Method::Put, Role::Put, m_spec.destination,
                   fmt::format("part {} (bytes {}-{}){}", part->task.number, part->begin, part->end - 1,
                               part->task.attempts > 0 ? fmt::format(" (retry {})", part->task.attempts) : ""));
  r.query = {{"partNumber", std::to_string(part->task.number)}, {"uploadId", m_result.upload_id}};
  r.tag = part->task.number;
  r.headers.emplace_back("x-amz-copy-source", copy_source_header(m_spec.source, m_spec.version_id));
  r.headers.emplace_back("x-amz-copy-source-range", fmt::format("bytes={}-{}", part->begin, part->end - 1));
  r.headers.emplace_back("x-amz-copy-source-if-match", m_result.source_etag);
  part->in_flight = true;
  part->body.clear();
  ++m_parts_in_flight;
  ++m_result.requests;
  return r;
}

void CopyObject::on_part_done(OpContext& ctx, const Attempt& a, const Outcome& outcome) {
  Part& part = m_parts[static_cast<uint32_t>(a.tag())];
  part.in_flight = false;
  --m_parts_in_flight;
  if (m_phase != Phase::Parts) return;
  Result<CopiedObject> copied = outcome.error ? Result<CopiedObject>(std::unexpected(*outcome.error))
                                              : parse_copy_part_result(part.body, a.head().request_id);
  part.body.clear();
  if (!copied) {
    Error e = copied.error();
    if (e.kind == ErrorKind::Changed) {
      e.message = fmt::format("the source changed after its HEAD (ETag {} no longer matches)", m_result.source_etag);
      return fail_parts(ctx, std::move(e));
    }
    if (e.s3_code == "NoSuchUpload") {
      e.message = fmt::format("the multipart copy {} no longer exists (aborted elsewhere, or by a lifecycle rule)",
                              m_result.upload_id);
      return fail_parts(ctx, std::move(e));
    }
    if (!m_part_retries.push(part.task, e, false, ctx.retry_policy(), ctx.now(), ctx.jitter(),
                             parse_retry_after(a.head().retry_after, std::chrono::system_clock::now()))) {
      return fail_parts(ctx, give_up(std::move(e), fmt::format("part {}", part.task.number), part.task.attempts));
    }
    ++m_result.retries;
    if (m_verbose) log_line(fmt::format("< part {} failed: {}", part.task.number, e.message));
    return;
  }
  part.etag = copied->etag;
  if (is_crc_copy() && copied->checksum && copied->checksum->algorithm == m_source_checksum->algorithm) {
    part.checksum = copied->checksum->value;
  }
  part.done = true;
  m_copied.fetch_add(part.end - part.begin, std::memory_order_relaxed);
}

void CopyObject::on_step_done(OpContext& ctx, const Attempt& a, const Outcome& outcome) {
  const std::optional<Error>& error = outcome.error;
  switch (m_phase) {
    case Phase::Creating: {
      Result<std::string> id = error ? Result<std::string>(std::unexpected(*error))
                                     : parse_create_multipart_upload(m_body, a.head().request_id);
      if (!id) {
        if (m_abort_requested || !retry_step(ctx, a, id.error())) {
          fail(give_up(id.error(), "CreateMultipartUpload", m_task.attempts));
        }
        return;
      }
      m_result.upload_id = std::move(*id);
      m_task = Task{};
      if (m_verbose) log_line(fmt::format("< multipart copy {}", m_result.upload_id));
      if (m_abort_requested) return begin_abort(ctx);
      m_phase = Phase::Parts;
      return;
    }
    case Phase::Completing: {
      Result<CompletedUpload> done = error ? Result<CompletedUpload>(std::unexpected(*error))
                                           : parse_complete_multipart_upload(m_body, a.head().request_id);
      if (done) return finish(done->etag.empty() ? a.head().etag : done->etag, done->checksum, a);
      Error e = done.error();
      // A Complete that S3 carried out may have been sent again, by us (its answer lost) or by curl without our
      // knowing (a reused connection that turned out closed): NoSuchUpload then means the object may be ours, even
      // on what we count as the first attempt. A HEAD tells.
      if (e.s3_code == "NoSuchUpload") {
        e.message = fmt::format("the multipart copy {} no longer exists and the object is not ours: "
                                "CompleteMultipartUpload failed", m_result.upload_id);
        m_error = std::move(e);
        m_phase = Phase::Verifying;
        m_task = Task{};
        return;
      }
      if (m_spec.no_clobber && e.http_status == 412) {
        // Complete's one condition is If-None-Match: the destination exists, or (sent again, by us or by curl) it
        // is ours. What we sent once is looked at only when the source's checksum, or the ETag S3 computes from our
        // parts', can tell.
        m_error = exists_error();
        if (m_complete_attempts == 1 && !m_source_checksum && !parts_etag()) {
          return fail_parts(ctx, *std::exchange(m_error, std::nullopt));
        }
        m_phase = Phase::Verifying;
        m_task = Task{};
        return;
      }
      if (e.s3_code == "BadDigest") {
        e.kind = ErrorKind::Checksum;
        e.message = fmt::format("S3 refused the copy: its parts do not add up to the source's {} ({})",
                                checksum_algorithm_name(m_source_checksum->algorithm), e.message);
      }
      if (!e.retryable || m_abort_requested || !retry_step(ctx, a, e)) {
        fail_parts(ctx, give_up(std::move(e), "CompleteMultipartUpload", m_task.attempts));
      }
      return;
    }
    case Phase::Verifying: {
      if (!error && is_own_copy(a.head())) {
        m_error.reset();
        return finish_from_head(a);
      }
      if (error && error->retryable && retry_step(ctx, a, *error)) return;
      return fail_parts(ctx, *std::exchange(m_error, std::nullopt));
    }
    case Phase::Aborting: {
      if (upload_gone(error)) {
        m_result.aborted = true;
        if (m_verbose) log_line(fmt::format("< aborted multipart copy {}", m_result.upload_id));
        m_phase = Phase::Done;
        return;
      }
      if (retry_step(ctx, a, *error)) return;
      m_result.abort_failed = true;
      m_result.abort_error = error->message;
      m_phase = Phase::Done;
      return;
    }
    default:
      return;
  }
}

void CopyObject::tick(OpContext& ctx) {
  if (m_phase != Phase::Creating && m_phase != Phase::Parts && m_phase != Phase::Completing &&
      m_phase != Phase::Verifying) {
    return;
  }
  if (m_stop.stopping()) return begin_abort(ctx);
  if (m_phase == Phase::Parts && m_parts_in_flight == 0 && m_part_retries.empty() && m_next_part > m_part_count &&
      std::ranges::all_of(m_parts, [](const auto& p) { return p.second.done; })) {
    m_phase = Phase::Completing;
    m_task = Task{};
  }
}

void CopyObject::fail_parts(OpContext& ctx, Error error) {
  m_stop.fail(std::move(error));
  begin_abort(ctx);
}

// Stops copying parts and sends AbortMultipartUpload (ops/put/multipart_parts.h: what waits).
void CopyObject::begin_abort(OpContext& ctx) {
  if (m_phase == Phase::Done || m_phase == Phase::Aborting) return;
  cancel_parts_in_flight(ctx, *this, m_parts, m_parts_in_flight);
  if (abort_waits_for_step(ctx, *this, kStepTag, m_in_flight,
                           m_phase == Phase::Creating || m_phase == Phase::Completing)) {
    m_abort_requested = true;
    return;
  }
  if (m_result.upload_id.empty()) {
    m_phase = Phase::Done;
    return;
  }
  m_phase = Phase::Aborting;
  m_task = Task{};
  m_retries = RetryQueue<Task>{};
}

std::optional<std::string> CopyObject::parts_etag() const {
  std::vector<std::string> etags;
  etags.reserve(m_parts.size());
  for (const auto& [number, part] : m_parts) etags.push_back(part.etag);
  return multipart_etag(etags);
}

}  // namespace s3fcp
