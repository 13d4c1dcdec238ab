#include "ops/copy/copy_object.h"

#include <algorithm>

#include <fmt/format.h>

#include "s3/messages.h"
#include "sign/sigv4.h"
#include "util/decimal.h"
#include "util/log.h"
#include "util/strings.h"

namespace s3fcp {

namespace {

constexpr size_t kMaxCopyAnswer = 1 << 20;  // an XML answer longer than this is not S3's

}  // namespace

HeaderList merged_metadata(const HeaderList& given, const HeaderList& source) {
  static constexpr std::string_view kKept[] = {"Content-Type",        "Cache-Control",    "Content-Encoding",
                                               "Content-Disposition", "Content-Language", "Expires",
                                               "x-amz-website-redirect-location"};
  const auto names = [](const HeaderList& list, std::string_view name) {
    return std::ranges::any_of(list, [&](const auto& h) { return iequals(h.first, name); });
  };
  const auto is_user_metadata = [](std::string_view name) {
    return name.size() > 11 && iequals(name.substr(0, 11), "x-amz-meta-");
  };
  HeaderList out = given;
  for (const std::string_view name : kKept) {
    if (names(given, name)) continue;
    for (const auto& [n, v] : source) {
      if (iequals(n, name)) {
        out.emplace_back(std::string(name), v);
        break;
      }
    }
  }
  if (std::ranges::none_of(given, [&](const auto& h) { return is_user_metadata(h.first); })) {
    for (const auto& h : source) {
      if (is_user_metadata(h.first)) out.push_back(h);
    }
  }
  return out;
}

std::string copy_source_header(const Target& source, const std::string& version_id) {
  std::string value = source.bucket + "/" + uri_encode(source.key, true);
  if (!version_id.empty()) value += "?versionId=" + uri_encode(version_id, false);
  return value;
}

std::optional<Request> CopyObject::next_request(OpContext& ctx) {
  if (m_phase == Phase::Done || m_in_flight || m_stop.stopping()) return std::nullopt;
  if (!m_retries.take_ready(m_task, ctx.now())) return std::nullopt;  // in its backoff
  Request r;
  const std::string retry = m_task.attempts > 0 ? fmt::format(" (retry {})", m_task.attempts) : "";
  if (m_phase == Phase::Head) {
    r.method = Method::Head;
    r.role = Role::Head;
    r.target = m_spec.source;
    if (!m_spec.version_id.empty()) r.query.emplace_back("versionId", m_spec.version_id);
    r.headers.emplace_back("x-amz-checksum-mode", "ENABLED");
    r.note = "(the source)" + retry;
  } else {
    r.method = Method::Put;
    r.role = Role::Put;
    r.target = m_spec.destination;
    r.headers.emplace_back("x-amz-copy-source", copy_source_header(m_spec.source, m_spec.version_id));
    r.headers.emplace_back("x-amz-copy-source-if-match", m_result.source_etag);
    if (m_spec.replace_metadata) r.headers.emplace_back("x-amz-metadata-directive", "REPLACE");
    if (m_spec.replace_tags) r.headers.emplace_back("x-amz-tagging-directive", "REPLACE");
    r.headers.insert(r.headers.end(), m_headers.begin(), m_headers.end());
    if (m_source_checksum) {
      // The copy gets a checksum of the same kind, so that the answer can be held to the source's.
      r.headers.emplace_back("x-amz-checksum-algorithm",
                             std::string(checksum_algorithm_name(m_source_checksum->algorithm)));
    }
    r.note = fmt::format("(copy of {} bytes){}", m_result.size, retry);
    m_body.clear();
  }
  m_in_flight = true;
  ++m_result.requests;
  return r;
}

size_t CopyObject::on_body(OpContext&, Attempt&, std::span<const std::byte> data) {
  if (m_phase == Phase::Copy && m_body.size() + data.size() <= kMaxCopyAnswer) {
    m_body.append(reinterpret_cast<const char*>(data.data()), data.size());
  }
  return data.size();
}

void CopyObject::on_done(OpContext& ctx, Attempt& a, const Outcome& outcome) {
  m_in_flight = false;
  if (m_phase == Phase::Done) return;
  if (outcome.error) return retry_or_fail(ctx, a, *outcome.error);
  if (m_phase == Phase::Head) return on_head_done(a);
  auto copied = parse_copy_object_result(m_body, a.head().request_id);
  if (!copied) return retry_or_fail(ctx, a, copied.error());
  m_result.etag = copied->etag;
  m_result.version_id = std::string(a.head().find("x-amz-version-id").value_or(""));
  if (m_source_checksum) {
    m_result.checksum_algorithm = checksum_algorithm_name(m_source_checksum->algorithm);
    m_result.source_checksum = m_source_checksum->value;
    if (copied->checksum && copied->checksum->algorithm == m_source_checksum->algorithm) {
      m_result.checksum = copied->checksum->value;
      if (m_result.checksum != m_result.source_checksum) {
        return fail(Error{ErrorKind::Checksum,
                          fmt::format("the copy's {} is {}, the source's {}: S3 stored other bytes",
                                      m_result.checksum_algorithm, m_result.checksum, m_result.source_checksum)});
      }
    }
  }
  m_phase = Phase::Done;
}

void CopyObject::on_head_done(const Attempt& a) {
  const ResponseHead& h = a.head();
  const auto size = parse_decimal(h.content_length);
  if (!size || h.etag.empty()) {
    return fail(Error{ErrorKind::Other, fmt::format("the source's HEAD named no {}", size ? "ETag" : "size")});
  }
  m_result.size = *size;
  m_result.source_etag = h.etag;
  m_result.source_version_id = std::string(h.find("x-amz-version-id").value_or(""));
  if (*size > kMaxCopyObjectSize) {
    return fail(Error{ErrorKind::Other,
                      fmt::format("the object is {} bytes, more than the 5 GiB one CopyObject takes, and s3fcp does "
                                  "not copy in parts yet: pipe it through instead (s3fcp SOURCE - | s3fcp - DEST)",
                                  *size)});
  }
  // Only a full-object checksum can be compared (a composite one differs with the parts' sizes).
  if (auto sum = choose_checksum(h.headers, ChecksumMode::automatic()); m_spec.verify && sum && *sum &&
      (*sum)->algorithm != ChecksumAlgorithm::Md5) {
    m_source_checksum = **sum;
  }
  m_headers = m_spec.replace_metadata ? merged_metadata(m_spec.headers, h.headers) : m_spec.headers;
  m_phase = Phase::Copy;
  m_task = Task{};
}

void CopyObject::retry_or_fail(OpContext& ctx, const Attempt& a, Error error) {
  if (m_phase == Phase::Copy && error.kind == ErrorKind::Changed) {
    error.message = fmt::format("the source changed after its HEAD (ETag {} no longer matches): nothing was copied",
                                m_result.source_etag);
    return fail(std::move(error));
  }
  if (m_retries.push(m_task, error, false, ctx.retry_policy(), ctx.now(), ctx.jitter(),
                     parse_retry_after(a.head().retry_after, std::chrono::system_clock::now()))) {
    ++m_result.retries;
    if (ctx.verbose()) {
      log_line(fmt::format("< {} failed: {}", m_phase == Phase::Head ? "HEAD" : "copy", error.message));
    }
    return;
  }
  Error e = give_up(std::move(error), m_phase == Phase::Head ? "the source's HEAD" : "the copy", m_task.attempts);
  if (m_phase == Phase::Copy && e.s3_code == "NoSuchBucket") {
    e.message = fmt::format("no bucket {} to copy into ({})", m_spec.destination.bucket, e.message);
  }
  if (m_phase == Phase::Head && e.http_status == 404) {
    e.kind = ErrorKind::NotFound;
    if (e.s3_code.empty()) e.s3_code = "NoSuchKey";
  }
  fail(std::move(e));
}

void CopyObject::fail(Error error) {
  m_phase = Phase::Done;
  m_stop.fail(std::move(error));
}

}  // namespace s3fcp
