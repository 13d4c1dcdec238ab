// FileStore (pwrite at the chunk's offset, head over finished chunks) and the verifier thread that re-reads the
// finished prefix for the end-to-end checksum. See file_store.h.
#include "io/file_store.h"


#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <memory>

#include <fmt/format.h>

#include "checksum/checksum.h"
#include "io/stdout_writer.h"

namespace s3fcp {

uint64_t first_not_done(const std::vector<bool>& done, uint64_t from) {
  while (from < done.size() && done[from]) ++from;
  return from;
}

FileStore::FileStore(int fd, std::string path, uint32_t slots, uint64_t chunk_size, StopSignal& stop, Hooks hooks)
    : FileStore(fd, {}, std::move(path), slots, chunk_size, stop, std::move(hooks)) {}

FileStore::FileStore(std::span<std::byte> memory, std::string name, uint32_t slots, uint64_t chunk_size,
                     StopSignal& stop)
    : FileStore(-1, memory, std::move(name), slots, chunk_size, stop, {}) {}

FileStore::FileStore(int fd, std::span<std::byte> memory, std::string path, uint32_t slots, uint64_t chunk_size,
                     StopSignal& stop, Hooks hooks)
    : m_fd(fd),
      m_memory(memory),
      m_path(std::move(path)),
      m_slots(std::max<uint32_t>(slots, 1)),
      m_chunk_size(chunk_size),
      m_stop(stop),
      m_hooks(std::move(hooks)) {}

void FileStore::preset_done(std::vector<bool> done) { m_preset = std::move(done); }

void FileStore::set_plan(const RangePlan& plan) {
  const uint64_t total = plan.total();
  if (m_fd < 0) {
    if (total > m_memory.size()) {
      return m_stop.fail(Error{ErrorKind::TooLarge, fmt::format("{} bytes do not fit in {} of {} bytes", total, m_path,
                                                                m_memory.size())});
    }
  } else if (::ftruncate(m_fd, static_cast<off_t>(total)) != 0) {
    return m_stop.fail(Error{ErrorKind::Io, fmt::format("cannot size {} to {} bytes: {}", m_path, total,
                                                         std::strerror(errno))});
  }
  if (m_fd >= 0 && m_preallocate && total > 0) {
    // fallocate, not posix_fallocate: where the filesystem cannot reserve blocks, glibc's emulation would write
    // the whole file once more. Not supported is fine; out of space is not.
    const int rc = ::fallocate(m_fd, 0, 0, static_cast<off_t>(total));
    if (rc != 0 && (errno == ENOSPC || errno == EDQUOT || errno == EFBIG)) {
      return m_stop.fail(Error{ErrorKind::Io, fmt::format("cannot reserve {} bytes for {}: {}", total, m_path,
                                                           std::strerror(errno))});
    }
  }
  m_done.assign(plan.chunk_count(), false);
  uint64_t preset_bytes = 0;
  for (uint64_t i = 0; i < m_done.size() && i < m_preset.size(); ++i) {
    if (!m_preset[i]) continue;
    m_done[i] = true;
    preset_bytes += plan.chunk(i).size();
  }
  m_preset_bytes.store(preset_bytes, std::memory_order_relaxed);
  m_done_bytes.store(preset_bytes, std::memory_order_relaxed);
  {
    std::lock_guard lock(m_mutex);
    m_plan = plan;
  }
  m_has_plan.store(true, std::memory_order_release);
  advance_head();
  if (m_hooks.plan_set) {
    if (auto ok = m_hooks.plan_set(plan); !ok) return m_stop.fail(ok.error());
  }
  wake_consumer();
}

Result<void> FileStore::store(uint64_t chunk, uint64_t offset, std::span<const std::byte> bytes) {
  if (chunk >= m_done.size() || offset + bytes.size() > m_plan.chunk(chunk).size()) {
    return fail(ErrorKind::Other, fmt::format("internal error: {} bytes at {} of chunk {} do not fit the plan",
                                              bytes.size(), offset, chunk));
  }
  uint64_t at = m_plan.chunk(chunk).begin + offset;
  if (m_fd < 0) {  // set_plan made sure the plan fits
    std::memcpy(m_memory.data() + at, bytes.data(), bytes.size());
    return {};
  }
  const std::byte* p = bytes.data();
  size_t left = bytes.size();
  while (left > 0) {
    const ssize_t n = ::pwrite(m_fd, p, left, static_cast<off_t>(at));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return fail(ErrorKind::Io, fmt::format("cannot write {}: {}", m_path, std::strerror(errno)));
    if (n == 0) return fail(ErrorKind::Io, fmt::format("cannot write {}: no progress", m_path));
    p += n;
    at += static_cast<uint64_t>(n);
    left -= static_cast<size_t>(n);
  }
  return {};
}

void FileStore::publish(uint64_t chunk, uint64_t filled) {
  if (chunk >= m_done.size() || m_done[chunk] || filled < m_plan.chunk(chunk).size()) return;
  m_done[chunk] = true;
  m_done_bytes.fetch_add(m_plan.chunk(chunk).size(), std::memory_order_relaxed);
  if (m_hooks.chunk_done) {
    if (auto ok = m_hooks.chunk_done(chunk); !ok) m_stop.fail(ok.error());
  }
  if (chunk == m_head.load(std::memory_order_relaxed)) advance_head();
}

void FileStore::advance_head() {
  const uint64_t head = first_not_done(m_done, m_head.load(std::memory_order_relaxed));
  m_head.store(head, std::memory_order_release);  // publishes the done bits (and bytes) below it
}

void FileStore::wake_consumer() {
  { std::lock_guard lock(m_mutex); }  // pairs with the predicate check in wait_contiguous: no lost wake-up
  m_cv.notify_all();
}

void FileStore::close() {
  {
    std::lock_guard lock(m_mutex);
    m_closed = true;
  }
  m_cv.notify_all();
}

bool FileStore::complete() const {
  return m_has_plan.load(std::memory_order_acquire) && head() >= m_plan.chunk_count();
}

uint64_t FileStore::contiguous_bytes() const {
  if (!m_has_plan.load(std::memory_order_acquire)) return 0;
  return std::min(head() * m_chunk_size, m_plan.total());
}

std::optional<uint64_t> FileStore::wait_contiguous(uint64_t have) {
  std::unique_lock lock(m_mutex);
  uint64_t now = 0;
  m_cv.wait(lock, [&] {
    now = contiguous_bytes();
    return m_closed || now > have || complete();
  });
  if (m_closed) return std::nullopt;
  return now;
}

Result<void> FileStore::read_back(uint64_t from, uint64_t to,
                                  const std::function<void(std::span<const std::byte>)>& feed) {
  if (m_fd < 0) {
    feed(std::span<const std::byte>(m_memory).subspan(from, to - from));
    return {};
  }
  constexpr size_t kBlock = 1 << 20;
  const auto buffer = std::make_unique<std::byte[]>(kBlock);
  while (from < to) {
    const size_t want = static_cast<size_t>(std::min<uint64_t>(kBlock, to - from));
    const ssize_t n = ::pread(m_fd, buffer.get(), want, static_cast<off_t>(from));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      return fail(ErrorKind::Io, fmt::format("cannot read back the download for its checksum: {}",
                                             n < 0 ? std::strerror(errno) : "unexpected end of file"));
    }
    feed({buffer.get(), static_cast<size_t>(n)});
    from += static_cast<uint64_t>(n);
  }
  return {};
}

void run_verifier(FileStore& store, GetState& state) {
  const auto decision = state.checksum.wait(state.stop);
  if (!decision || !decision->expected) return;
  const ExpectedChecksum& expected = *decision->expected;
  Checksummer checksum(expected.algorithm);
  uint64_t verified = 0;
  while (!store.complete() || verified < store.contiguous_bytes()) {
    const auto upto = store.wait_contiguous(verified);
    if (!upto || state.stop.stopping()) return;
    auto read = store.read_back(verified, *upto, [&](std::span<const std::byte> bytes) { checksum.update(bytes); });
    if (!read) return state.stop.fail(read.error());
    verified = *upto;
  }
  finish_checksum(state, *decision, checksum);
}

}  // namespace s3fcp
