// The resume journal of a file download: a small text file beside the target (".<name>.s3fcp-journal") that binds
// the partial file to one object and lists the chunks already in it, so `--continue` fetches only the rest.
//
//   s3fcp-journal 2
//   source s3://bucket/key      values escaped: '%', control bytes and DEL as %XX
//   version-id 3HL4kqtJ...      empty when none
//   range bytes=1024-           --range in its normal form; empty for the whole object
//   etag "9e107d9d372bb6826bd81d3542a419d6"
//   size 1073741824             the object's size (the file holds what `range` selects of it)
//   chunk-size 8388608
//   done 0                      one line per finished chunk, appended as chunks complete, in any order
//   done 2
//
// The header goes out in one write once the object's size and ETag are known; each `done` line is one small
// O_APPEND write made after the chunk's last pwrite returned, so the journal never names a chunk the file lacks
// when the process dies. Only the last line can be torn (a kill mid-write): a line without its '\n' is ignored,
// and cut off before appending resumes. No fsync: the journal outlives the process (Ctrl-C, kill -9, a failed
// network), not an OS crash or a power cut, which can lose file pages the journal already counts.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ops/get/range_plan.h"
#include "util/error.h"

namespace s3fcp {

struct JournalHeader {
  std::string source;      // s3://bucket/key or the URL, as shown to the user
  std::string version_id;  // empty when none was asked for
  std::string range;       // --range as RangeSpec::text() gives it; empty for the whole object
  std::string etag;        // the ETag every chunk was fetched under (If-Match)
  uint64_t object_size = 0;
  uint64_t chunk_size = 0;
  bool operator==(const JournalHeader&) const = default;
  // The bytes of the object the file holds: all of them, or what `range` selects; nullopt when `range` is bad or
  // selects nothing of an object of this size.
  std::optional<ByteRange> selected() const;
};

struct JournalContents {
  JournalHeader header;
  std::vector<bool> done;  // per chunk of RangePlan(header.selected()->size(), chunk_size)
  uint64_t done_count = 0;
  uint64_t done_bytes = 0;
  size_t valid_length = 0;  // bytes up to the end of the last complete line: where appending resumes
};

// The text of a header, and of one `done` line.
std::string format_journal_header(const JournalHeader& header);
std::string format_journal_done(uint64_t chunk);

// Parses a journal's text. nullopt when it holds no complete header (empty, or torn while the header was being
// written): there is nothing to resume. An Error (kind Usage) when it is damaged or of another format version.
Result<std::optional<JournalContents>> parse_journal(std::string_view text);

// Why a journal cannot continue the download asked for now ("it is of s3://b/x, not s3://b/y"), or nullopt when it
// can. The object's size and ETag are not known before the first request: the engine's If-Match checks them.
std::optional<std::string> journal_mismatch(const JournalHeader& journal, std::string_view source,
                                            std::string_view version_id, std::string_view range, uint64_t chunk_size);

// The open journal, append-only. Move-only; closes its descriptor. Used by the network thread only.
class ResumeJournal {
 public:
  // Reads the journal at `path`: nullopt when there is none (no file, or no complete header).
  static Result<std::optional<JournalContents>> load(const std::string& path);
  // A new journal (replacing any) holding `header`.
  static Result<ResumeJournal> create(const std::string& path, const JournalHeader& header);
  // The existing journal, cut to `valid_length` (dropping a torn last line), opened for appending.
  static Result<ResumeJournal> reopen(const std::string& path, size_t valid_length);

  ResumeJournal(ResumeJournal&& other) noexcept : m_path(std::move(other.m_path)), m_fd(other.m_fd) { other.m_fd = -1; }
  ResumeJournal& operator=(ResumeJournal&& other) noexcept;
  ResumeJournal(const ResumeJournal&) = delete;
  ResumeJournal& operator=(const ResumeJournal&) = delete;
  ~ResumeJournal();

  // Records that `chunk` is wholly in the file: one write(2) of a few bytes.
  Result<void> append_done(uint64_t chunk);
  const std::string& path() const { return m_path; }

 private:
  ResumeJournal(std::string path, int fd) : m_path(std::move(path)), m_fd(fd) {}
  Result<void> write_line(std::string_view text);

  std::string m_path;
  int m_fd = -1;
};

}  // namespace s3fcp
