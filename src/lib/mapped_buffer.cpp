#include "lib/mapped_buffer.h"

#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <mutex>
#include <unordered_map>
#include <utility>

namespace s3fcp {

namespace {

std::mutex g_mutex;
std::unordered_map<void*, size_t> g_handed_out;  // mappings the caller holds, and their lengths

// ThreadSanitizer does not intercept mremap (google/sanitizers#1099): pages moved to an address that another thread's
// mapping used before keep that thread's accesses in its shadow, and our next write there is reported as a race.
// Under it, a buffer grows by a new mapping and a copy, which it does see.
#if defined(__SANITIZE_THREAD__)
constexpr bool kGrowInPlace = false;
#else
constexpr bool kGrowInPlace = true;
#endif

size_t page_round(size_t n) {
  const auto page = static_cast<size_t>(::sysconf(_SC_PAGESIZE));
  return (n + page - 1) / page * page;
}

}  // namespace

MappedBuffer::~MappedBuffer() {
  if (m_data != nullptr) ::munmap(m_data, m_capacity);
}

bool MappedBuffer::reserve(size_t bytes) {
  if (bytes <= m_capacity) return true;
  const size_t want = page_round(std::max({bytes, 2 * m_capacity, size_t{1} << 16}));
  void* p = m_data != nullptr && kGrowInPlace
                ? ::mremap(m_data, m_capacity, want, MREMAP_MAYMOVE)
                : ::mmap(nullptr, want, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (p == MAP_FAILED) return false;
  if (m_data != nullptr && !kGrowInPlace) {
    std::memcpy(p, m_data, m_used);
    ::munmap(m_data, m_capacity);
  }
  m_data = static_cast<std::byte*>(p);
  m_capacity = want;
  return true;
}

bool MappedBuffer::append(std::span<const std::byte> bytes) {
  if (!reserve(m_used + bytes.size())) return false;
  std::memcpy(m_data + m_used, bytes.data(), bytes.size());
  m_used += bytes.size();
  return true;
}

void* MappedBuffer::release() {
  if (!reserve(1)) return nullptr;
  std::lock_guard lock(g_mutex);
  g_handed_out.emplace(m_data, m_capacity);
  m_capacity = m_used = 0;
  return std::exchange(m_data, nullptr);
}

void release_mapped(void* p) {
  if (p == nullptr) return;
  size_t length = 0;
  {
    std::lock_guard lock(g_mutex);
    const auto it = g_handed_out.find(p);
    if (it == g_handed_out.end()) return;
    length = it->second;
    g_handed_out.erase(it);
  }
  ::munmap(p, length);
}

}  // namespace s3fcp
