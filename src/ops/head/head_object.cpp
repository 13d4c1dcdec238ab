#include "ops/head/head_object.h"

#include "util/decimal.h"

namespace s3fcp {

std::optional<Request> HeadObject::next_request(OpContext& ctx) {
  if (m_done || m_in_flight) return std::nullopt;
  if (!m_retries.take_ready(m_task, ctx.now())) return std::nullopt;  // in its backoff
  Request r;
  r.method = m_options.method;
  r.role = m_options.method == Method::Delete ? Role::Delete : Role::Head;
  r.target = m_target;
  if (!m_options.version_id.empty()) r.query.emplace_back("versionId", m_options.version_id);
  r.headers = m_options.object_headers;
  if (m_options.checksum_mode) r.headers.emplace_back("x-amz-checksum-mode", "ENABLED");
  m_in_flight = true;
  return r;
}

void HeadObject::on_done(OpContext& ctx, Attempt& a, const Outcome& outcome) {
  m_in_flight = false;
  if (outcome.ok()) {
    m_head = a.head();
    m_done = true;
    return;
  }
  if (m_retries.push(m_task, *outcome.error, false, ctx.retry_policy(), ctx.now(), ctx.jitter(),
                     parse_retry_after(a.head().retry_after, std::chrono::system_clock::now()))) {
    return;
  }
  Error e = give_up(*outcome.error, m_options.method == Method::Delete ? "the DELETE" : "the HEAD", m_task.attempts);
  if (e.http_status == 404 && e.kind != ErrorKind::NotFound) e.kind = ErrorKind::NotFound;
  if (e.http_status == 404 && e.s3_code.empty()) e.s3_code = "NoSuchKey";
  m_error = std::move(e);
  m_done = true;
}

std::optional<uint64_t> HeadObject::size() const { return parse_decimal(m_head.content_length); }

}  // namespace s3fcp
