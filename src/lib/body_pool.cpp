#include "lib/body_pool.h"

#include <algorithm>
#include <cstddef>
#include <iterator>

namespace s3fcp {

void BodyPool::begin() {
  std::lock_guard lock(m_mutex);
  m_peak = std::max(m_peak, ++m_active);
}

std::vector<std::byte> BodyPool::take(size_t size) {
  std::lock_guard lock(m_mutex);
  auto best = m_free.end();
  for (auto it = m_free.begin(); it != m_free.end(); ++it) {
    const size_t capacity = it->capacity();
    if (capacity >= size && capacity / 2 <= size && (best == m_free.end() || capacity < best->capacity())) best = it;
  }
  if (best == m_free.end()) return {};
  std::vector<std::byte> buffer = std::move(*best);
  m_free.erase(best);
  m_kept -= buffer.capacity();
  return buffer;
}

void BodyPool::end(std::vector<std::byte> buffer) {
  buffer.clear();
  const size_t capacity = buffer.capacity();
  std::vector<std::vector<std::byte>> evicted;  // freed after the lock is released, with `buffer` if not kept
  std::lock_guard lock(m_mutex);
  if (m_active > 0) --m_active;
  if (capacity < kMinPooled || capacity > m_limit) return;
  size_t drop = 0;
  while (drop < m_free.size() && (m_free.size() - drop >= m_peak || m_kept + capacity > m_limit)) {
    m_kept -= m_free[drop].capacity();
    ++drop;
  }
  const auto kept_from = m_free.begin() + static_cast<std::ptrdiff_t>(drop);
  evicted.assign(std::make_move_iterator(m_free.begin()), std::make_move_iterator(kept_from));
  m_free.erase(m_free.begin(), kept_from);
  if (m_free.size() >= m_peak) return;  // a pool for no get at once (end() without begin())
  m_kept += capacity;
  m_free.push_back(std::move(buffer));
}

size_t BodyPool::kept_bytes() const {
  std::lock_guard lock(m_mutex);
  return m_kept;
}

size_t BodyPool::kept_buffers() const {
  std::lock_guard lock(m_mutex);
  return m_free.size();
}

}  // namespace s3fcp
