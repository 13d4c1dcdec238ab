#include "ops/put/upload_source.h"

#include <poll.h>
#include <sys/eventfd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include <fmt/format.h>

#include "io/stdout_writer.h"

namespace s3fcp {

namespace {

constexpr size_t kScratch = 1 << 20;  // a file part's checksum is computed through a buffer of this size

Error io_error(const std::string& what) { return Error{ErrorKind::Io, what + ": " + std::strerror(errno)}; }

}  // namespace

UploadSource::UploadSource(Fd owned, int fd, std::string display, Options options, bool stream)
    : m_owned(std::move(owned)),
      m_fd(fd),
      m_display(std::move(display)),
      m_options(std::move(options)),
      m_stream(stream),
      m_wake(eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)) {}

UploadSource::~UploadSource() = default;

Result<std::unique_ptr<UploadSource>> UploadSource::file(Fd fd, std::string display, Options options) {
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0) return fail(io_error("cannot stat " + display));
  if (!S_ISREG(st.st_mode)) return fail(Error::usage(display + " is not a regular file"));
  auto plan = plan_known_size(static_cast<uint64_t>(st.st_size), options.part_size);
  if (!plan) return fail(plan.error());
  const int raw = fd.get();
  std::unique_ptr<UploadSource> source(new UploadSource(std::move(fd), raw, std::move(display), std::move(options), false));
  source->m_plan = *plan;
  source->m_total = plan->total();
  source->m_mtime_ns = static_cast<int64_t>(st.st_mtim.tv_sec) * 1'000'000'000 + st.st_mtim.tv_nsec;
  return source;
}

Result<std::unique_ptr<UploadSource>> UploadSource::stream(int fd, std::string display, Options options) {
  auto plan = StreamPartPlan::create(options.part_size);
  if (!plan) return fail(plan.error());
  widen_pipe(fd);  // a 64 KiB pipe wakes us (and blocks the producer) every 16 pages
  std::unique_ptr<UploadSource> source(new UploadSource(Fd(), fd, std::move(display), std::move(options), true));
  source->m_stream_plan = *plan;
  return source;
}

Result<std::unique_ptr<UploadSource>> UploadSource::memory(std::span<const std::byte> data, std::string display,
                                                            Options options) {
  auto plan = plan_known_size(data.size(), options.part_size);
  if (!plan) return fail(plan.error());
  std::unique_ptr<UploadSource> source(new UploadSource(Fd(), -1, std::move(display), std::move(options), false));
  source->m_memory = data;
  source->m_plan = *plan;
  source->m_total = plan->total();
  return source;
}

Result<std::unique_ptr<UploadSource>> UploadSource::reader(Reader read, std::string display, Options options) {
  auto plan = StreamPartPlan::create(options.part_size);
  if (!plan) return fail(plan.error());
  std::unique_ptr<UploadSource> source(new UploadSource(Fd(), -1, std::move(display), std::move(options), true));
  source->m_stream_plan = *plan;
  source->m_reader = std::move(read);
  return source;
}

uint64_t UploadSource::part_size_of(uint32_t number) const {
  return m_stream ? m_stream_plan->part_size(number) : m_plan->part(number).size();
}

void UploadSource::stop() {
  {
    std::lock_guard lock(m_mutex);
    m_stopped = true;
  }
  m_cv.notify_all();
  const uint64_t one = 1;
  [[maybe_unused]] const auto n = ::write(m_wake.get(), &one, sizeof one);
}

void UploadSource::publish(SourcePart part) {
  {
    std::lock_guard lock(m_mutex);
    m_ready.push_back(std::move(part));
  }
  m_cv.notify_all();
  if (m_options.on_ready) m_options.on_ready();
}

std::optional<SourcePart> UploadSource::wait_first() const {
  std::unique_lock lock(m_mutex);
  m_cv.wait(lock, [&] { return m_stopped || !m_ready.empty(); });
  if (m_stopped || m_ready.front().number != 1) return std::nullopt;
  return m_ready.front();
}

Result<void> UploadSource::check_unchanged() const {
  if (m_stream || m_fd < 0) return {};  // a stream cannot tell; memory is the caller's to keep still
  struct stat st {};
  if (::fstat(m_fd, &st) != 0) return fail(io_error("cannot stat " + m_display));
  const int64_t mtime = static_cast<int64_t>(st.st_mtim.tv_sec) * 1'000'000'000 + st.st_mtim.tv_nsec;
  if (static_cast<uint64_t>(st.st_size) != m_plan->total() || mtime != m_mtime_ns) {
    return fail(Error{ErrorKind::Io, fmt::format("{} changed during the upload (size or modification time): the "
                                                 "upload was aborted", m_display)});
  }
  return {};
}

// Waits until `bytes` more of buffers fit the budget (buffer_fits) and a part more may be prepared ahead of the
// sender. False when stopped.
bool UploadSource::wait_for_room(uint64_t bytes) {
  std::unique_lock lock(m_mutex);
  m_cv.wait(lock, [&] {
    if (m_stopped) return true;
    const bool memory = bytes == 0 || buffer_fits(m_options.buffers, m_buffers.size(), m_buffered, bytes);
    return memory && m_outstanding < std::max<uint32_t>(m_options.ahead, 2);
  });
  if (m_stopped) return false;
  ++m_outstanding;
  return true;
}

void UploadSource::run(StopSignal& stop) {
  const uint32_t count = m_stream ? 0 : static_cast<uint32_t>(m_plan->part_count());
  std::vector<std::byte> scratch;
  for (uint32_t number = 1;; ++number) {
    if (stop.stopping()) return;
    if (m_stream) {
      auto part = produce_stream_part(number);
      if (!part) return stop.fail(part.error());
      if (!*part) return;  // stopped
      const bool last = (*part)->last;
      publish(std::move(**part));
      if (last) break;
    } else {
      if (!wait_for_room(0)) return;
      SourcePart part;
      part.number = number;
      part.range = m_plan->part(number);
      part.last = number == count;
      if (auto ok = produce_file_part(part, scratch); !ok) return stop.fail(ok.error());
      const bool last = part.last;
      publish(std::move(part));
      if (last) break;
    }
  }
  {
    std::lock_guard lock(m_mutex);
    m_produced_all = true;
  }
  if (m_options.on_ready) m_options.on_ready();
}

Result<void> UploadSource::produce_file_part(SourcePart& part, std::vector<std::byte>& scratch) {
  if (!m_options.checksum) return {};
  Checksummer checksum(*m_options.checksum);
  if (m_fd < 0) {  // a memory source
    checksum.update(m_memory.subspan(part.range.begin, part.range.size()));
    part.digest = checksum.finish();
    return {};
  }
  scratch.resize(kScratch);
  for (uint64_t at = part.range.begin; at < part.range.end;) {
    const size_t want = static_cast<size_t>(std::min<uint64_t>(kScratch, part.range.end - at));
    const ssize_t n = ::pread(m_fd, scratch.data(), want, static_cast<off_t>(at));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return fail(io_error("cannot read " + m_display));
    if (n == 0) return fail(Error{ErrorKind::Io, fmt::format("{} changed during the upload: it ends at byte {}, not {}",
                                                            m_display, at, m_plan->total())});
    checksum.update({scratch.data(), static_cast<size_t>(n)});
    at += static_cast<uint64_t>(n);
  }
  part.digest = checksum.finish();
  return {};
}

Result<size_t> UploadSource::read_stream(std::byte* into, size_t want) {
  if (m_reader) {
    {
      std::lock_guard lock(m_mutex);
      if (m_stopped) return fail(Error{ErrorKind::Interrupted, "stopped"});
    }
    return m_reader(into, want);
  }
  while (true) {
    pollfd fds[2] = {{m_fd, POLLIN, 0}, {m_wake.get(), POLLIN, 0}};
    if (::poll(fds, 2, -1) < 0) {
      if (errno == EINTR) continue;
      return fail(io_error("cannot wait for " + m_display));
    }
    if (fds[1].revents & POLLIN) return fail(Error{ErrorKind::Interrupted, "stopped"});
    const ssize_t n = ::read(m_fd, into, want);
    if (n < 0 && (errno == EINTR || errno == EAGAIN)) continue;
    if (n < 0) return fail(io_error("cannot read " + m_display));
    return static_cast<size_t>(n);
  }
}

Result<std::optional<SourcePart>> UploadSource::produce_stream_part(uint32_t number) {
  if (number > kMaxParts) {
    return fail(Error{ErrorKind::Usage, fmt::format("{} is longer than 10,000 parts can hold ({} bytes); give "
                                                    "--expected-size or a larger --chunk-size",
                                                    m_display, m_stream_plan->capacity())});
  }
  const uint64_t size = m_stream_plan->part_size(number);
  if (!wait_for_room(size)) return std::optional<SourcePart>();
  HugeBuffer buffer;
  {
    std::lock_guard lock(m_mutex);
    if (m_free_size == size && !m_free.empty()) {
      buffer = std::move(m_free.back());
      m_free.pop_back();
    }
    if (m_free_size != size) m_free.clear();  // parts grew: the old buffers fit no later part
  }
  if (!buffer) buffer = allocate_huge(size);

  SourcePart part;
  part.number = number;
  part.range.begin = m_stream_plan->part_offset(number);
  uint64_t filled = 0;
  if (m_carry) {
    buffer[0] = *m_carry;
    m_carry.reset();
    filled = 1;
  }
  bool end = false;
  while (filled < size) {
    auto n = read_stream(buffer.get() + filled, static_cast<size_t>(size - filled));
    if (!n) {
      if (n.error().kind == ErrorKind::Interrupted) return std::optional<SourcePart>();
      return fail(n.error());
    }
    if (*n == 0) {
      end = true;
      break;
    }
    filled += *n;
  }
  if (!end) {  // a full part: is there more? Read the next part's first byte to know.
    std::byte next{};
    auto n = read_stream(&next, 1);
    if (!n) {
      if (n.error().kind == ErrorKind::Interrupted) return std::optional<SourcePart>();
      return fail(n.error());
    }
    if (*n == 0) end = true;
    else m_carry = next;
  }
  part.range.end = part.range.begin + filled;
  part.last = end;
  if (m_options.checksum) {
    Checksummer checksum(*m_options.checksum);
    checksum.update({buffer.get(), static_cast<size_t>(filled)});
    part.digest = checksum.finish();
  }
  part.data = buffer.get();
  std::lock_guard lock(m_mutex);
  m_buffered += size;
  m_free_size = size;
  m_buffers.emplace_back(number, std::move(buffer));
  if (end) m_total = part.range.end;
  return std::optional<SourcePart>(std::move(part));
}

std::optional<SourcePart> UploadSource::take() {
  std::lock_guard lock(m_mutex);
  if (m_ready.empty()) return std::nullopt;
  SourcePart part = std::move(m_ready.front());
  m_ready.pop_front();
  return part;
}

Result<size_t> UploadSource::read(const SourcePart& part, uint64_t offset, std::span<std::byte> out) const {
  const uint64_t left = part.range.size() - std::min(offset, part.range.size());
  const size_t want = static_cast<size_t>(std::min<uint64_t>(left, out.size()));
  if (part.data != nullptr) {
    std::memcpy(out.data(), part.data + offset, want);
    return want;
  }
  if (m_fd < 0) {  // a memory source
    std::memcpy(out.data(), m_memory.data() + part.range.begin + offset, want);
    return want;
  }
  size_t got = 0;
  while (got < want) {
    const ssize_t n = ::pread(m_fd, out.data() + got, want - got, static_cast<off_t>(part.range.begin + offset + got));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return fail(io_error("cannot read " + m_display));
    if (n == 0) {
      return fail(Error{ErrorKind::Io, fmt::format("{} changed during the upload: it ends at byte {}", m_display,
                                                  part.range.begin + offset + got)});
    }
    got += static_cast<size_t>(n);
  }
  return got;
}

void UploadSource::release(uint32_t number) {
  {
    std::lock_guard lock(m_mutex);
    if (m_outstanding > 0) --m_outstanding;
    const auto it = std::ranges::find_if(m_buffers, [&](const auto& b) { return b.first == number; });
    if (it != m_buffers.end()) {
      const uint64_t size = m_stream_plan->part_size(number);
      m_buffered -= size;
      if (size == m_free_size) m_free.push_back(std::move(it->second));
      m_buffers.erase(it);
    }
  }
  m_cv.notify_all();
}

bool UploadSource::exhausted() const {
  std::lock_guard lock(m_mutex);
  return m_produced_all && m_ready.empty();
}

std::optional<uint64_t> UploadSource::total() const {
  std::lock_guard lock(m_mutex);
  return m_total;
}

}  // namespace s3fcp
