// The journal's text format (parse/format, pure) and the few system calls that keep it: one write for the header,
// one O_APPEND write per finished chunk, a truncation that drops a torn last line before appending resumes.
#include "io/resume_journal.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include <fmt/format.h>

#include "ops/get/range_plan.h"
#include "ops/get/range_spec.h"
#include "util/decimal.h"
#include "util/percent.h"

namespace s3fcp {

namespace {

std::string esc(std::string_view value) { return percent_escape(value, EscapeBytes::Controls); }

constexpr std::string_view kMagic = "s3fcp-journal";
constexpr std::string_view kVersion = "2";

Error damaged(size_t line, std::string_view why) {
  return Error::usage(fmt::format("the resume journal is damaged (line {}: {})", line, why));
}

}  // namespace

std::string format_journal_header(const JournalHeader& h) {
  return fmt::format("{} {}\nsource {}\nversion-id {}\nrange {}\netag {}\nsize {}\nchunk-size {}\n", kMagic,
                     kVersion, esc(h.source), esc(h.version_id), esc(h.range), esc(h.etag), h.object_size,
                     h.chunk_size);
}

std::optional<ByteRange> JournalHeader::selected() const {
  if (range.empty()) return ByteRange{0, object_size};
  const auto spec = parse_range_spec(range);
  if (!spec) return std::nullopt;
  return spec->resolve(object_size);
}

std::string format_journal_done(uint64_t chunk) { return fmt::format("done {}\n", chunk); }

Result<std::optional<JournalContents>> parse_journal(std::string_view text) {
  JournalContents out;
  const size_t complete = text.rfind('\n');
  if (complete == std::string_view::npos) return std::optional<JournalContents>{};  // empty or torn first line
  out.valid_length = complete + 1;
  text = text.substr(0, out.valid_length);

  enum Field { kSource, kVersionId, kRange, kEtag, kSize, kChunkSize, kFields };
  constexpr std::string_view names[kFields] = {"source", "version-id", "range", "etag", "size", "chunk-size"};
  bool seen[kFields] = {};
  size_t seen_count = 0;
  RangePlan plan;
  size_t line_no = 0;
  while (!text.empty()) {
    const size_t end = text.find('\n');
    const std::string_view line = text.substr(0, end);
    text.remove_prefix(end + 1);
    ++line_no;
    const size_t space = line.find(' ');
    const std::string_view key = line.substr(0, space);
    const std::string_view value = space == std::string_view::npos ? std::string_view() : line.substr(space + 1);
    if (line_no == 1) {
      if (key != kMagic) return fail(damaged(1, "not an s3fcp journal"));
      if (value != kVersion) {
        return fail(Error::usage(fmt::format("the resume journal has format version {}, this s3fcp reads {}", value,
                                             kVersion)));
      }
      continue;
    }
    if (seen_count < kFields) {
      size_t field = 0;
      while (field < kFields && names[field] != key) ++field;
      if (field == kFields || seen[field]) return fail(damaged(line_no, fmt::format("unexpected '{}'", key)));
      auto decoded = percent_unescape(value);
      if (!decoded) return fail(damaged(line_no, "bad escape"));
      seen[field] = true;
      ++seen_count;
      auto& h = out.header;
      switch (field) {
        case kSource: h.source = std::move(*decoded); break;
        case kVersionId: h.version_id = std::move(*decoded); break;
        case kRange: h.range = std::move(*decoded); break;
        case kEtag: h.etag = std::move(*decoded); break;
        case kSize:
        case kChunkSize: {
          const auto n = parse_decimal(*decoded);
          if (!n || (field == kChunkSize && *n == 0)) return fail(damaged(line_no, "bad number"));
          (field == kSize ? h.object_size : h.chunk_size) = *n;
          break;
        }
        default: break;
      }
      if (seen_count == kFields) {
        const auto selected = h.selected();
        if (!selected) return fail(damaged(line_no, fmt::format("range '{}' of {} bytes", h.range, h.object_size)));
        plan = RangePlan(selected->size(), h.chunk_size);
        out.done.assign(plan.chunk_count(), false);
      }
      continue;
    }
    const auto chunk = key == "done" ? parse_decimal(value) : std::nullopt;
    if (!chunk || *chunk >= out.done.size()) return fail(damaged(line_no, fmt::format("bad entry '{}'", line)));
    if (!out.done[*chunk]) {
      out.done[*chunk] = true;
      ++out.done_count;
      out.done_bytes += plan.chunk(*chunk).size();
    }
  }
  if (seen_count < kFields) return std::optional<JournalContents>{};  // torn while the header was written
  return std::optional<JournalContents>{std::move(out)};
}

std::optional<std::string> journal_mismatch(const JournalHeader& journal, std::string_view source,
                                            std::string_view version_id, std::string_view range, uint64_t chunk_size) {
  if (journal.source != source) return fmt::format("it is a download of {}, not of {}", journal.source, source);
  if (journal.version_id != version_id) {
    return fmt::format("it is of version {}, not {}", journal.version_id.empty() ? "(latest)" : journal.version_id,
                       version_id.empty() ? "(latest)" : version_id);
  }
  if (journal.range != range) {
    const auto name = [](std::string_view r) {
      return r.empty() ? std::string("the whole object") : "--range " + std::string(r);
    };
    return fmt::format("it is of {}, not {}", name(journal.range), name(range));
  }
  if (journal.chunk_size != chunk_size) {
    return fmt::format("it was started with --chunk-size {}, not {}: give the same --chunk-size", journal.chunk_size,
                       chunk_size);
  }
  return std::nullopt;
}

Result<std::optional<JournalContents>> ResumeJournal::load(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) return std::optional<JournalContents>{};
    return fail(ErrorKind::Io, fmt::format("cannot read {}: {}", path, std::strerror(errno)));
  }
  std::string text;
  char buffer[64 * 1024];
  for (;;) {
    const ssize_t n = ::read(fd, buffer, sizeof buffer);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      const int e = errno;
      ::close(fd);
      return fail(ErrorKind::Io, fmt::format("cannot read {}: {}", path, std::strerror(e)));
    }
    if (n == 0) break;
    text.append(buffer, static_cast<size_t>(n));
  }
  ::close(fd);
  auto parsed = parse_journal(text);
  if (!parsed) {
    return fail(prefixed(parsed.error(), path));
  }
  return parsed;
}

Result<ResumeJournal> ResumeJournal::create(const std::string& path, const JournalHeader& header) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC, 0666);
  if (fd < 0) return fail(ErrorKind::Io, fmt::format("cannot create {}: {}", path, std::strerror(errno)));
  ResumeJournal journal(path, fd);
  if (auto ok = journal.write_line(format_journal_header(header)); !ok) return fail(ok.error());
  return journal;
}

Result<ResumeJournal> ResumeJournal::reopen(const std::string& path, size_t valid_length) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_APPEND | O_CLOEXEC);
  if (fd < 0) return fail(ErrorKind::Io, fmt::format("cannot open {}: {}", path, std::strerror(errno)));
  ResumeJournal journal(path, fd);
  if (::ftruncate(fd, static_cast<off_t>(valid_length)) != 0) {
    return fail(ErrorKind::Io, fmt::format("cannot truncate {}: {}", path, std::strerror(errno)));
  }
  return journal;
}

ResumeJournal& ResumeJournal::operator=(ResumeJournal&& other) noexcept {
  if (this != &other) {
    if (m_fd >= 0) ::close(m_fd);
    m_path = std::move(other.m_path);
    m_fd = other.m_fd;
    other.m_fd = -1;
  }
  return *this;
}

ResumeJournal::~ResumeJournal() {
  if (m_fd >= 0) ::close(m_fd);
}

Result<void> ResumeJournal::append_done(uint64_t chunk) { return write_line(format_journal_done(chunk)); }

Result<void> ResumeJournal::write_line(std::string_view text) {
  while (!text.empty()) {
    const ssize_t n = ::write(m_fd, text.data(), text.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      return fail(ErrorKind::Io, fmt::format("cannot write {}: {}", m_path, n < 0 ? std::strerror(errno) : "no progress"));
    }
    text.remove_prefix(static_cast<size_t>(n));
  }
  return {};
}

}  // namespace s3fcp
