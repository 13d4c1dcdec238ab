#include "ops/list/list_objects.h"

#include <fmt/format.h>

namespace s3fcp {

namespace {
constexpr size_t kMaxPage = 16 << 20;  // 1,000 keys of 1,024 bytes each, URL-encoded, with their fields
}

ListObjects::ListObjects(std::string bucket, std::string prefix, Callbacks callbacks, StopSignal& stop)
    : m_bucket(std::move(bucket)), m_prefix(std::move(prefix)), m_callbacks(std::move(callbacks)), m_stop(stop) {}

std::optional<Request> ListObjects::next_request(OpContext& ctx) {
  if (m_done || m_in_flight || m_stop.stopping()) return std::nullopt;
  if (!m_retries.empty()) {
    if (!m_retries.take_ready(m_task, ctx.now())) return std::nullopt;  // in its backoff
  } else if (m_callbacks.wants_more && !m_callbacks.wants_more()) {
    return std::nullopt;
  }
  Request r;
  r.method = Method::Get;
  r.role = Role::List;
  r.target = Target{m_bucket, "", std::nullopt};
  r.query = {{"list-type", "2"}, {"encoding-type", "url"}};
  if (!m_prefix.empty()) r.query.emplace_back("prefix", m_prefix);
  if (!m_token.empty()) r.query.emplace_back("continuation-token", m_token);
  r.note = fmt::format("(list, page {})", m_pages + 1);
  m_body.clear();
  m_in_flight = true;
  return r;
}

size_t ListObjects::on_body(OpContext&, Attempt&, std::span<const std::byte> data) {
  if (m_body.size() + data.size() <= kMaxPage) m_body.append(reinterpret_cast<const char*>(data.data()), data.size());
  return data.size();
}

void ListObjects::on_done(OpContext& ctx, Attempt& a, const Outcome& outcome) {
  m_in_flight = false;
  Result<ListObjectsPage> page = outcome.error ? Result<ListObjectsPage>(std::unexpected(*outcome.error))
                                               : parse_list_objects_v2(m_body, a.head().request_id);
  if (!page) {
    if (m_retries.push(m_task, page.error(), false, ctx.retry_policy(), ctx.now(), ctx.jitter(),
                       parse_retry_after(a.head().retry_after, std::chrono::system_clock::now()))) {
      return;
    }
    Error e = give_up(page.error(), fmt::format("listing s3://{}/{}", m_bucket, m_prefix), m_task.attempts);
    m_done = true;
    return m_stop.fail(std::move(e));
  }
  m_task = Task{};
  ++m_pages;
  const bool more = page->truncated && !page->next_continuation_token.empty();
  m_token = page->next_continuation_token;
  if (m_callbacks.page) m_callbacks.page(std::move(*page));
  if (!more) m_done = true;
}

}  // namespace s3fcp
