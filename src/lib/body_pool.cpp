#include "lib/body_pool.h"

namespace s3fcp {

std::vector<std::byte> BodyPool::take() {
  std::lock_guard lock(m_mutex);
  if (m_free.empty()) return {};
  std::vector<std::byte> buffer = std::move(m_free.back());
  m_free.pop_back();
  m_kept -= buffer.capacity();
  return buffer;
}

void BodyPool::give(std::vector<std::byte> buffer) {
  buffer.clear();
  const size_t capacity = buffer.capacity();
  if (capacity < kMinPooled) return;
  std::lock_guard lock(m_mutex);
  if (m_kept + capacity > m_limit) return;  // freed with the parameter, after the lock is released
  m_kept += capacity;
  m_free.push_back(std::move(buffer));
}

size_t BodyPool::kept_bytes() const {
  std::lock_guard lock(m_mutex);
  return m_kept;
}

}  // namespace s3fcp
