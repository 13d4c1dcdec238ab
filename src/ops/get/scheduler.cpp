#include "ops/get/scheduler.h"

#include <algorithm>
#include <cassert>

#include <fmt/format.h>

namespace s3fcp {

Scheduler::Scheduler(uint64_t chunk_size, uint32_t concurrency, RetryPolicy policy)
    : m_chunk_size(chunk_size), m_concurrency(std::max<uint32_t>(concurrency, 1)), m_policy(policy) {}

void Scheduler::set_plan(const RangePlan& plan, bool whole_object, uint64_t base) {
  assert(plan.chunk_size() == m_chunk_size);  // chunk 0 is the probe's range
  m_plan = plan;
  m_base = base;
  m_has_plan = true;
  m_next_new = whole_object ? plan.chunk_count() : std::min<uint64_t>(1, plan.chunk_count());
}

void Scheduler::resume(const RangePlan& plan, std::vector<bool> done, uint64_t base) {
  assert(plan.chunk_size() == m_chunk_size);
  m_plan = plan;
  m_base = base;
  m_has_plan = true;
  m_probe_issued = true;
  m_done = std::move(done);
  m_next_new = 0;
}

std::optional<FetchTask> Scheduler::next(Clock::time_point now, uint64_t window_end) {
  if (m_active >= m_concurrency) return std::nullopt;
  // A retry first, the lowest chunk first: the writer waits for it.
  if (auto task = m_pending.pop_ready(now, [](const FetchTask& a, const FetchTask& b) { return a.chunk < b.chunk; })) {
    ++m_active;
    return task;
  }
  if (!m_probe_issued) {
    m_probe_issued = true;
    ++m_active;
    return FetchTask{0, {0, m_chunk_size}, 0, true};
  }
  while (m_next_new < m_done.size() && m_next_new < m_plan.chunk_count() && m_done[m_next_new]) ++m_next_new;
  if (!m_has_plan || m_next_new >= m_plan.chunk_count() || m_next_new >= window_end) return std::nullopt;
  const uint64_t index = m_next_new++;
  ++m_active;
  return FetchTask{index, m_plan.chunk(index), 0, false};
}

void Scheduler::on_complete() { --m_active; }

std::optional<Error> Scheduler::on_failure(FetchTask task, Error error, bool progressed, Clock::time_point now,
                                           double uniform01, std::optional<std::chrono::milliseconds> retry_after) {
  --m_active;
  if (m_pending.push(task, error, progressed, m_policy, now, uniform01, retry_after)) return std::nullopt;
  const std::string what = task.probe ? std::string("the first request")
                                      : ByteRange{task.range.begin + m_base, task.range.end + m_base}.describe();
  return give_up(std::move(error), what, task.attempts);
}

std::optional<Scheduler::Clock::time_point> Scheduler::next_retry_at() const { return m_pending.next_at(); }

bool Scheduler::finished() const {
  if (!m_has_plan || m_active != 0 || !m_pending.empty()) return false;
  uint64_t next = m_next_new;
  while (next < m_done.size() && next < m_plan.chunk_count() && m_done[next]) ++next;
  return next >= m_plan.chunk_count();
}

}  // namespace s3fcp
