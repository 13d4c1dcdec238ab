// CopyObject (copy_object.h): the source's HEAD, its tags, and the one-request copy. The multipart copy's steps and
// parts are in copy_parts.cpp.
#include <algorithm>

#include <fmt/format.h>

#include "ops/copy/copy_object.h"
#include "ops/put/part_plan.h"
#include "ops/put/put_checks.h"
#include "s3/messages.h"
#include "s3/object_headers.h"
#include "s3/response.h"
#include "sign/sigv4.h"
#include "util/decimal.h"
#include "util/log.h"
#include "util/strings.h"

namespace s3fcp {

namespace {

constexpr size_t kMaxCopyAnswer = 1 << 20;  // an XML answer longer than this is not S3's
constexpr uint64_t kMaxObjectSize = 5ull << 40;  // S3's largest object: 5 TiB

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

std::optional<uint64_t> copy_part_size(uint64_t size, std::optional<uint64_t> given) {
  const uint64_t part = std::max({given.value_or(kCopyPartSize), kMinPartSize, (size + kMaxParts - 1) / kMaxParts});
  if (size <= kMaxCopyObjectSize && (!given || size <= part)) return std::nullopt;
  return part;
}

std::string copy_source_header(const Target& source, const std::string& version_id) {
  // Through an access point: ARN/object/KEY, the ARN percent-encoded too (':' as %3A), as the AWS SDKs send it.
  const bool arn = source.bucket.starts_with("arn:");
  std::string value = (arn ? uri_encode(source.bucket, true) + "/object/" : source.bucket + "/") +
                      uri_encode(source.key, true);
  if (!version_id.empty()) value += "?versionId=" + uri_encode(version_id, false);
  return value;
}

void CopyObject::start(OpContext& ctx) {
  m_verbose = ctx.verbose();
  m_concurrency = m_spec.concurrency != 0 ? m_spec.concurrency : ctx.budget();
}

bool CopyObject::finished() const {
  if (m_phase == Phase::Done) return true;
  // Before CreateMultipartUpload nothing needs undoing; after it, the upload is aborted first.
  return m_stop.stopping() && (m_phase == Phase::Head || m_phase == Phase::Tagging || m_phase == Phase::Copy ||
                               m_phase == Phase::Deciding || m_phase == Phase::Owning);
}

std::optional<Clock::time_point> CopyObject::wake_at() const {
  const auto step = m_retries.next_at();
  const auto parts = m_part_retries.next_at();
  if (!step) return parts;
  if (!parts) return step;
  return std::min(*step, *parts);
}

Request CopyObject::step(Method method, Role role, Target target, std::string note) const {
  Request r;
  r.method = method;
  r.role = role;
  r.target = std::move(target);
  r.tag = kStepTag;
  r.note = std::move(note);
  if (m_task.attempts > 0) r.note += fmt::format(" (retry {})", m_task.attempts);
  return r;
}

std::optional<Request> CopyObject::next_request(OpContext& ctx) {
  if (m_phase == Phase::Done || (m_stop.stopping() && m_phase != Phase::Aborting)) return std::nullopt;
  if (m_phase == Phase::Parts) return part_request(ctx);
  if (m_in_flight) return std::nullopt;
  if (!m_retries.take_ready(m_task, ctx.now())) return std::nullopt;  // in its backoff
  std::optional<Request> r;
  switch (m_phase) {
    case Phase::Owning:
      r = step(Method::Head, Role::Head, m_spec.destination, "(the destination: this copy's own?)");
      r->headers.emplace_back("x-amz-checksum-mode", "ENABLED");
      break;
    case Phase::Head:
    case Phase::Deciding:
    case Phase::Tagging: {
      const bool head = m_phase != Phase::Tagging;
      const std::string_view note = m_phase == Phase::Head       ? "(the source)"
                                    : m_phase == Phase::Deciding ? "(the source still the one pinned?)"
                                                                 : "(the source's tags)";
      r = step(head ? Method::Head : Method::Get, head ? Role::Head : Role::List, m_spec.source, std::string(note));
      if (!m_spec.version_id.empty()) r->query.emplace_back("versionId", m_spec.version_id);
      if (!head) r->query.emplace_back("tagging", "");
      if (m_phase == Phase::Head) r->headers.emplace_back("x-amz-checksum-mode", "ENABLED");
      break;
    }
    case Phase::Copy:
      r = step(Method::Put, Role::Put, m_spec.destination, fmt::format("(copy of {} bytes)", m_result.size));
      r->headers.emplace_back("x-amz-copy-source", copy_source_header(m_spec.source, m_spec.version_id));
      r->headers.emplace_back("x-amz-copy-source-if-match", m_result.source_etag);
      if (m_spec.replace_metadata) r->headers.emplace_back("x-amz-metadata-directive", "REPLACE");
      if (m_spec.replace_tags) r->headers.emplace_back("x-amz-tagging-directive", "REPLACE");
      r->headers.insert(r->headers.end(), m_headers.begin(), m_headers.end());
      if (m_spec.no_clobber) r->headers.emplace_back("If-None-Match", "*");
      if (m_source_checksum) {
        // The copy gets a checksum of the same kind, so that the answer can be held to the source's.
        r->headers.emplace_back("x-amz-checksum-algorithm",
                                std::string(checksum_algorithm_name(m_source_checksum->algorithm)));
      }
      break;
    default:
      r = step_request();
  }
  if (!r) return std::nullopt;
  m_in_flight = true;
  m_body.clear();
  ++m_result.requests;
  return r;
}

size_t CopyObject::on_body(OpContext&, Attempt& a, std::span<const std::byte> data) {
  std::string& body = a.tag() == kStepTag ? m_body : m_parts[static_cast<uint32_t>(a.tag())].body;
  if (body.size() + data.size() <= kMaxCopyAnswer) body.append(reinterpret_cast<const char*>(data.data()), data.size());
  return data.size();
}

void CopyObject::on_done(OpContext& ctx, Attempt& a, const Outcome& outcome) {
  if (a.tag() != kStepTag) return on_part_done(ctx, a, outcome);
  m_in_flight = false;
  if (m_phase == Phase::Done) return;
  if (m_phase == Phase::Deciding) {
    // A 412 to a copy with If-None-Match: the source still the one pinned means the destination exists.
    if (outcome.error && outcome.error->retryable && retry_step(ctx, a, *outcome.error)) return;
    if (outcome.error || a.head().etag != m_result.source_etag) {
      Error changed = *m_error;
      m_error.reset();
      return fail(std::move(changed));
    }
    m_error.reset();
    m_phase = Phase::Owning;
    m_task = Task{};
    return;
  }
  if (m_phase == Phase::Owning) {
    // The destination exists, unless it is this copy's own: curl sends a request again by itself when a reused
    // connection turns out closed, and S3 may have carried out the first.
    if (outcome.error && outcome.error->retryable && retry_step(ctx, a, *outcome.error)) return;
    if (outcome.error || !is_own_copy(a.head())) return fail(exists_error());
    return finish_from_head(a);
  }
  if (m_phase != Phase::Head && m_phase != Phase::Tagging && m_phase != Phase::Copy) {
    return on_step_done(ctx, a, outcome);
  }
  if (outcome.error) return retry_or_fail(ctx, a, *outcome.error);
  if (m_phase == Phase::Head) return on_head_done(a);
  if (m_phase == Phase::Copy) {
    auto copied = parse_copy_object_result(m_body, a.head().request_id);
    if (!copied) return retry_or_fail(ctx, a, copied.error());
    return finish(copied->etag, copied->checksum, a);
  }
  auto tags = parse_tagging(m_body, a.head().request_id);
  if (!tags) return retry_or_fail(ctx, a, tags.error());
  // Tags under "aws:" are AWS's own (a CloudFormation stack's, say): nobody may set them, so they are not copied.
  std::erase_if(*tags, [](const auto& tag) { return tag.first.starts_with("aws:"); });
  if (!tags->empty()) {
    auto value = tagging_header_value(*tags);
    if (!value) {
      return fail(Error{ErrorKind::Other, "the source's tags cannot be set on the copy: " + value.error().message});
    }
    m_headers.emplace_back("x-amz-tagging", *value);
  }
  m_phase = Phase::Creating;
  m_task = Task{};
}

void CopyObject::on_head_done(const Attempt& a) {
  const ResponseHead& h = a.head();
  const auto size = parse_decimal(h.content_length);
  if (!size || h.etag.empty()) {
    return fail(Error{ErrorKind::Other, fmt::format("the source's HEAD named no {}", size ? "ETag" : "size")});
  }
  m_result.size = *size;
  m_total.store(*size, std::memory_order_relaxed);
  m_result.source_etag = h.etag;
  m_result.source_version_id = std::string(h.find("x-amz-version-id").value_or(""));
  m_began = parse_http_date(h.find("date").value_or(""));
  if (*size > kMaxObjectSize) {
    return fail(Error{ErrorKind::Other, fmt::format("the object is {} bytes, more than S3's 5 TiB", *size)});
  }
  // Only a full-object checksum can be compared (a composite one differs with the parts' sizes).
  if (auto sum = choose_checksum(h.headers, ChecksumMode::automatic()); m_spec.verify && sum && *sum &&
      (*sum)->algorithm != ChecksumAlgorithm::Md5) {
    m_source_checksum = **sum;
  }
  m_task = Task{};
  const auto part_size = copy_part_size(*size, m_spec.part_size);
  if (!part_size) {
    m_headers = m_spec.replace_metadata ? merged_metadata(m_spec.headers, h.headers) : m_spec.headers;
    m_phase = Phase::Copy;
    return;
  }
  // A multipart copy keeps nothing by itself: the source's metadata goes with CreateMultipartUpload, and its tags
  // too (read first, when the HEAD counts any and none are given).
  m_headers = merged_metadata(m_spec.headers, h.headers);
  const auto tag_count = parse_decimal(h.find("x-amz-tagging-count").value_or("0"));
  m_phase = !m_spec.replace_tags && tag_count.value_or(0) > 0 ? Phase::Tagging : Phase::Creating;
  begin_multipart(*part_size);
}

void CopyObject::finish(const std::string& etag, const std::optional<ExpectedChecksum>& checksum, const Attempt& a) {
  m_result.etag = etag;
  m_result.version_id = std::string(a.head().find("x-amz-version-id").value_or(""));
  m_copied.store(m_result.size, std::memory_order_relaxed);
  m_phase = Phase::Done;
  if (m_source_checksum) {
    m_result.checksum_algorithm = checksum_algorithm_name(m_source_checksum->algorithm);
    m_result.source_checksum = m_source_checksum->value;
    if (checksum && checksum->algorithm == m_source_checksum->algorithm) {
      m_result.checksum = checksum->value;
      if (m_result.checksum != m_result.source_checksum) {
        return m_stop.fail(Error{ErrorKind::Checksum,
                                 fmt::format("the copy's {} is {}, the source's {}: S3 stored other bytes",
                                             m_result.checksum_algorithm, m_result.checksum,
                                             m_result.source_checksum)});
      }
    }
  }
  m_result.completed = true;
}

// The copy found by a HEAD of its destination: its ETag, and the checksum the HEAD shows.
void CopyObject::finish_from_head(const Attempt& a) {
  std::optional<ExpectedChecksum> sum;
  if (const auto chosen = choose_checksum(a.head().headers, ChecksumMode::automatic()); chosen && *chosen) {
    sum = **chosen;
  }
  finish(a.head().etag, sum, a);
}

// A destination that is this copy's own: the source's size and, where it has one, its full-object checksum; the
// source's ETag (one CopyObject), or one of as many parts as this copy's (in parts); last modified no earlier than
// the source's HEAD was answered (both in the server's clock, whole seconds). An object that matches but is older
// was there before.
bool CopyObject::is_own_copy(const ResponseHead& destination) const {
  bool etag = m_part_count == 0 ? destination.etag == m_result.source_etag
                                : destination.etag.ends_with(fmt::format("-{}\"", m_part_count));
  if (etag && m_part_count > 0) {
    // A multipart copy's ETag is S3's from our parts' ETags, where they are MD5s (not under SSE-KMS or SSE-C).
    // Without it or the source's checksum, a 412 to a Complete we sent once is not shown to be ours.
    if (const auto ours = parts_etag(); ours && etag_from_md5s(destination)) {
      etag = iequals(destination.etag, *ours);
    } else if (!m_source_checksum && m_complete_attempts == 1 && m_error && m_error->kind == ErrorKind::Exists) {
      etag = false;
    }
  }
  if (!etag || destination.content_length != std::to_string(m_result.size)) return false;
  const auto modified = parse_http_date(destination.find("last-modified").value_or(""));
  if (!m_began || !modified || *modified < *m_began) return false;
  if (!m_source_checksum) return true;
  const auto shown = choose_checksum(destination.headers, ChecksumMode::automatic());
  return shown && *shown && (*shown)->algorithm == m_source_checksum->algorithm &&
         (*shown)->value == m_source_checksum->value;
}

Error CopyObject::exists_error() const {
  Error e{ErrorKind::Exists,
          fmt::format("s3://{}/{} exists: nothing was copied (--no-clobber)", m_spec.destination.bucket,
                      m_spec.destination.key),
          412};
  e.s3_code = "PreconditionFailed";
  return e;
}

void CopyObject::retry_or_fail(OpContext& ctx, const Attempt& a, Error error) {
  if (m_phase == Phase::Copy && error.kind == ErrorKind::Changed) {
    error.message = fmt::format("the source changed after its HEAD (ETag {} no longer matches): nothing was copied",
                                m_result.source_etag);
    if (!m_spec.no_clobber) return fail(std::move(error));
    m_error = std::move(error);  // or the destination exists: the source's HEAD tells
    m_phase = Phase::Deciding;
    m_task = Task{};
    return;
  }
  if (m_phase == Phase::Copy && error.http_status == 409) {
    if (Error raced = conditional_failure(error, m_spec.destination); raced.kind == ErrorKind::Exists) {
      return fail(std::move(raced));  // ConditionalRequestConflict: another write to the key raced this copy
    }
  }
  if (retry_step(ctx, a, error)) return;
  const std::string_view what = m_phase == Phase::Head      ? "the source's HEAD"
                                : m_phase == Phase::Tagging ? "the source's tags"
                                                            : "the copy";
  Error e = give_up(std::move(error), what, m_task.attempts);
  if (m_phase == Phase::Tagging && !e.retryable) {
    e.message = fmt::format("cannot read the source's tags to copy them in parts (s3:GetObjectTagging; --tagging "
                            "gives new ones instead): {}", e.message);
  }
  if (m_phase == Phase::Copy && e.s3_code == "NoSuchBucket") {
    e.message = fmt::format("no bucket {} to copy into ({})", m_spec.destination.bucket, e.message);
  }
  if (m_phase == Phase::Head && e.http_status == 404) {
    e.kind = ErrorKind::NotFound;
    if (e.s3_code.empty()) e.s3_code = "NoSuchKey";
  }
  fail(std::move(e));
}

bool CopyObject::retry_step(OpContext& ctx, const Attempt& a, const Error& error) {
  if (!m_retries.push(m_task, error, false, ctx.retry_policy(), ctx.now(), ctx.jitter(),
                      parse_retry_after(a.head().retry_after, std::chrono::system_clock::now()))) {
    return false;
  }
  ++m_result.retries;
  if (m_verbose) log_line(fmt::format("< {} failed: {}", a.request().note, error.message));
  return true;
}

void CopyObject::fail(Error error) {
  m_phase = Phase::Done;
  m_stop.fail(std::move(error));
}

}  // namespace s3fcp
