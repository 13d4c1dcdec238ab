// PutObject: the whole upload in one request (put_ops.h).
#include <algorithm>
#include <vector>

#include <fmt/format.h>

#include "checksum/checksum.h"
#include "ops/put/put_checks.h"
#include "ops/put/put_ops.h"
#include "util/log.h"

namespace s3fcp {

PutObject::PutObject(UploadSpec spec, UploadSource& source, PutState& state)
    : m_spec(std::move(spec)), m_source(source), m_state(state) {}

std::optional<Request> PutObject::next_request(OpContext& ctx) {
  if (m_done || m_in_flight || m_state.stop.stopping()) return std::nullopt;
  if (!m_part) m_part = m_source.take();
  if (!m_part) return std::nullopt;
  if (m_conflict) {
    Request r;
    r.method = Method::Head;
    r.role = Role::Head;
    r.target = m_spec.target;
    r.headers = m_spec.sse_c;
    r.headers.emplace_back("x-amz-checksum-mode", "ENABLED");
    r.note = "(is the object there ours?)";
    m_in_flight = true;
    m_state.progress.requests.fetch_add(1, std::memory_order_relaxed);
    return r;
  }
  if (!m_retries.take_ready(m_task, ctx.now())) return std::nullopt;  // in its backoff
  Request r;
  r.method = Method::Put;
  r.role = Role::Put;
  r.target = m_spec.target;
  r.headers = m_spec.object_headers;
  r.headers.insert(r.headers.end(), m_spec.sse_c.begin(), m_spec.sse_c.end());
  if (m_spec.checksum) {
    const HeaderList sum = body_checksum_headers(*m_spec.checksum, m_part->digest);
    r.headers.insert(r.headers.end(), sum.begin(), sum.end());
  }
  if (m_spec.no_clobber) r.headers.emplace_back("If-None-Match", "*");
  r.streamed_size = m_part->range.size();
  r.note = fmt::format("({} bytes){}", m_part->range.size(),
                       m_task.attempts > 0 ? fmt::format(" (retry {})", m_task.attempts) : "");
  m_in_flight = true;
  m_state.progress.requests.fetch_add(1, std::memory_order_relaxed);
  return r;
}

Result<size_t> PutObject::read_body(Attempt&, uint64_t offset, std::span<std::byte> out) {
  if (offset == 0) ++m_body_starts;
  return m_source.read(*m_part, offset, out);
}

std::string PutObject::our_checksum() const {
  if (!m_spec.checksum) return {};
  return *m_spec.checksum == ChecksumAlgorithm::Md5 ? hex_lower(m_part->digest) : encoded(m_part->digest);
}

// Our checksum on the object, or (--checksum off) an ETag that is the MD5 of our body, read again from the source
// (which keeps the part until the PUT is done; read only when the ETag can be an MD5). Either way the size too. An
// ETag that is no MD5 (SSE-KMS, SSE-C) cannot tell: not ours.
bool PutObject::is_ours(const ResponseHead& head) const {
  if (head.content_length != std::to_string(m_part->range.size())) return false;
  if (m_spec.checksum) return shows_our_checksum(head, *m_spec.checksum, our_checksum());
  if (!expected_md5_from_etag(head.etag)) return false;
  Checksummer md5(ChecksumAlgorithm::Md5);
  std::vector<std::byte> buffer(std::min<uint64_t>(m_part->range.size(), uint64_t{1} << 20));
  for (uint64_t offset = 0; offset < m_part->range.size();) {
    const auto n = m_source.read(*m_part, offset, buffer);
    if (!n || *n == 0) return false;
    md5.update(std::span(buffer).first(*n));
    offset += *n;
  }
  return shows_our_checksum(head, ChecksumAlgorithm::Md5, md5.finish_hex());
}

void PutObject::on_done(OpContext& ctx, Attempt& a, const Outcome& outcome) {
  m_in_flight = false;
  if (m_conflict) {
    // The HEAD after a 412: our own write (an earlier attempt that S3 carried out) or someone else's object.
    m_done = true;
    if (outcome.ok() && is_ours(a.head())) {
      UploadResult result;
      result.etag = a.head().etag;
      result.version_id = std::string(a.head().find("x-amz-version-id").value_or(""));
      result.parts = 1;
      if (m_spec.checksum) {
        result.checksum_algorithm = checksum_algorithm_name(*m_spec.checksum);
        result.checksum = our_checksum();
        result.server_checksum = result.checksum;
      }
      m_state.progress.uploaded.store(m_part->range.size(), std::memory_order_relaxed);
      m_state.set_result(std::move(result));
      return;
    }
    return m_state.stop.fail(*m_conflict);
  }
  if (outcome.ok()) {
    UploadResult result;
    result.etag = a.head().etag;
    result.version_id = std::string(a.head().find("x-amz-version-id").value_or(""));
    result.parts = 1;
    if (m_spec.checksum) {
      result.checksum_algorithm = checksum_algorithm_name(*m_spec.checksum);
      result.checksum = our_checksum();
      if (auto bad = check_echo(a.head(), *m_spec.checksum, result.checksum, result.server_checksum)) {
        m_state.set_result(result);
        m_done = true;
        return m_state.stop.fail(*bad);
      }
    }
    m_state.progress.uploaded.store(m_part->range.size(), std::memory_order_relaxed);
    m_state.set_result(std::move(result));
    m_done = true;
    return;
  }
  Error error = conditional_failure(*outcome.error, m_spec.target);
  // 412 after our body went out more than once (a retry, or curl sending it again on a reused connection that
  // turned out closed): the first may have been stored and only its answer lost. The object decides.
  if (error.kind == ErrorKind::Exists && (m_task.attempts > 0 || m_body_starts > 1)) {
    m_conflict = std::move(error);
    return;
  }
  if (!m_retries.push(m_task, error, false, ctx.retry_policy(), ctx.now(), ctx.jitter(),
                      parse_retry_after(a.head().retry_after, std::chrono::system_clock::now()))) {
    m_done = true;
    return m_state.stop.fail(give_up(std::move(error), "the PUT", m_task.attempts));
  }
  m_state.progress.retries.fetch_add(1, std::memory_order_relaxed);
}

}  // namespace s3fcp
