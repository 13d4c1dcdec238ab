#include "ops/get/whole_get.h"

#include <unistd.h>

#include <cerrno>
#include <cstring>

#include <fmt/format.h>

#include "util/decimal.h"

namespace s3fcp {

WholeGet::WholeGet(Target target, Options options, int fd)
    : m_target(std::move(target)), m_options(std::move(options)), m_fd(fd) {}

WholeGet::WholeGet(Target target, Options options, std::vector<std::byte> body)
    : WholeGet(std::move(target), std::move(options), -1) {
  m_body = std::move(body);
  m_body.clear();
}

void WholeGet::finish(Status status, std::optional<Error> error) {
  m_result.status = status;
  m_result.error = std::move(error);
}

void WholeGet::stop(const Error& why) {
  if (m_result.status == Status::Running) finish(Status::Failed, why);
}

std::optional<Request> WholeGet::next_request(OpContext& ctx) {
  if (finished() || m_in_flight) return std::nullopt;
  if (!m_retries.take_ready(m_task, ctx.now())) return std::nullopt;  // in its backoff
  Request r;
  r.method = Method::Get;
  r.role = Role::Get;
  r.target = m_target;
  if (!m_options.version_id.empty()) r.query.emplace_back("versionId", m_options.version_id);
  r.headers = m_options.object_headers;
  if (m_options.checksum.kind != ChecksumMode::Kind::Off) r.headers.emplace_back("x-amz-checksum-mode", "ENABLED");
  if (m_task.attempts > 0) r.note = fmt::format("(retry {})", m_task.attempts);
  m_in_flight = true;
  m_written = 0;
  m_checksum.reset();
  m_expected.reset();
  ++m_result.requests;
  return r;
}

void WholeGet::on_head(OpContext&, Attempt& a) {
  const ResponseHead& h = a.head();
  if (h.status != 200) return a.fail(Error{ErrorKind::Other, fmt::format("unexpected HTTP {} to a GET", h.status), h.status});
  m_length = parse_decimal(h.content_length);
  if (m_length && *m_length > m_options.max_size) {
    m_result.size = *m_length;
    m_result.etag = h.etag;
    return a.finish_early();  // on_done sees success with nothing written: TooLarge
  }
  auto chosen = choose_checksum(h.headers, m_options.checksum);
  if (!chosen) return a.fail(chosen.error());
  m_expected = *chosen;
  if (m_expected) m_checksum.emplace(m_expected->algorithm);
  if (m_fd < 0) {
    m_body.clear();
    if (m_length) {
      const auto length = static_cast<size_t>(*m_length);  // at most max_size: checked above
      if (m_body.capacity() < length && m_options.body_for) m_body = m_options.body_for(length);
      m_body.reserve(length);
    }
  } else if (::ftruncate(m_fd, 0) != 0) {
    return a.fail(Error{ErrorKind::Io, fmt::format("cannot truncate: {}", std::strerror(errno))});
  }
  m_result.etag = h.etag;
  m_result.last_modified = std::string(h.find("last-modified").value_or(""));
}

size_t WholeGet::on_body(OpContext&, Attempt& a, std::span<const std::byte> data) {
  if (m_fd < 0) {
    if (m_written + data.size() > m_options.max_size) {
      // An answer without a Content-Length that runs past the limit: as if it had said so (TooLarge, size at least).
      m_length = m_written + data.size();
      m_result.size = *m_length;
      a.finish_early();
      return 0;
    }
    m_body.insert(m_body.end(), data.begin(), data.end());
  } else {
    for (size_t done = 0; done < data.size();) {
      const ssize_t n = ::pwrite(m_fd, data.data() + done, data.size() - done, static_cast<off_t>(m_written + done));
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) {
        a.fail(Error{ErrorKind::Io, fmt::format("cannot write: {}", std::strerror(n < 0 ? errno : ENOSPC))});
        return 0;
      }
      done += static_cast<size_t>(n);
    }
  }
  if (m_checksum) m_checksum->update(data);
  m_written += data.size();
  return data.size();
}

void WholeGet::on_done(OpContext& ctx, Attempt& a, const s3fcp::Outcome& outcome) {
  m_in_flight = false;
  if (outcome.ok() && m_length && *m_length > m_options.max_size) return finish(Status::TooLarge);
  std::optional<Error> error = outcome.error;
  if (!error && m_length && m_written != *m_length) {
    error = Error{ErrorKind::Network, fmt::format("connection closed after {} of {} bytes", m_written, *m_length)};
    error->retryable = true;
  }
  if (!error) {
    m_result.size = m_written;
    if (m_expected) {
      const std::string computed = m_checksum->finish_encoded();
      if (auto ok = verify(*m_expected, computed); !ok) return finish(Status::Failed, ok.error());
      m_result.checksum_algorithm = checksum_algorithm_name(m_expected->algorithm);
      m_result.checksum = computed;
    }
    return finish(Status::Done);
  }
  const auto retry_after = parse_retry_after(a.head().retry_after, std::chrono::system_clock::now());
  if (m_retries.push(m_task, *error, false, ctx.retry_policy(), ctx.now(), ctx.jitter(), retry_after)) {
    ++m_result.retries;
    return;
  }
  finish(Status::Failed, give_up(std::move(*error), "the GET", m_task.attempts));
}

}  // namespace s3fcp
