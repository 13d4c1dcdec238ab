#include "ops/many/skip_rule.h"

#include <unistd.h>

#include <cerrno>
#include <span>
#include <vector>

#include "checksum/checksum.h"
#include "s3/response.h"
#include "util/crypto.h"

namespace s3fcp {

namespace {

std::chrono::system_clock::time_point time_of(const timespec& t) {
  return std::chrono::system_clock::time_point(std::chrono::duration_cast<std::chrono::system_clock::duration>(
      std::chrono::seconds(t.tv_sec) + std::chrono::nanoseconds(t.tv_nsec)));
}

}  // namespace

bool keep_destination(const SkipRule& rule, const Comparison& c) {
  if (rule.skip_existing && rule.if_source_newer) return c.same_content && !c.source_newer;
  if (rule.skip_existing) return c.same_content;
  if (rule.if_source_newer) return !c.source_newer;
  return false;
}

bool source_is_newer(std::optional<std::chrono::system_clock::time_point> source,
                     std::optional<std::chrono::system_clock::time_point> destination) {
  if (!source || !destination) return true;  // not known to be older: copy
  return std::chrono::floor<std::chrono::seconds>(*source) > std::chrono::floor<std::chrono::seconds>(*destination);
}

std::optional<bool> etag_shows_file(std::string_view etag, int fd) {
  const auto expected = expected_md5_from_etag(etag);  // lowercase hex; none for a multipart or other ETag
  if (!expected) return std::nullopt;
  StreamingDigest md5(DigestAlgorithm::Md5);
  std::vector<std::byte> buffer(1 << 20);
  for (off_t at = 0;;) {
    const ssize_t n = ::pread(fd, buffer.data(), buffer.size(), at);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return false;  // unreadable: copy it again
    if (n == 0) break;
    md5.update(std::span(buffer.data(), static_cast<size_t>(n)));
    at += n;
  }
  return hex_lower(md5.finish()) == *expected;
}

Comparison compare_download(const SkipRule& rule, const Beneath& dir, const std::string& relative,
                            const EntryInfo& local, std::optional<uint64_t> size, const std::string& etag,
                            std::optional<std::chrono::system_clock::time_point> modified) {
  Comparison c;
  if (rule.skip_existing && size && local.size == *size) {
    c.same_content = true;  // the size decides where the ETag says nothing of the bytes
    if (!etag.empty()) {
      if (auto file = dir.open_read(relative)) c.same_content = etag_shows_file(etag, file->get()).value_or(true);
    }
  }
  c.source_newer = source_is_newer(modified, time_of(local.mtime));
  return c;
}

Comparison compare_upload(const SkipRule& rule, int fd, uint64_t size, const timespec& mtime, const HeadObject& head) {
  Comparison c;
  if (rule.skip_existing && head.size() == size) c.same_content = etag_shows_file(head.head().etag, fd).value_or(true);
  c.source_newer = source_is_newer(time_of(mtime), last_modified_of(head));
  return c;
}

std::optional<std::chrono::system_clock::time_point> last_modified_of(const HeadObject& head) {
  return parse_http_date(head.head().find("last-modified").value_or(""));
}

}  // namespace s3fcp
