// The journal that lets `--continue` finish an interrupted multipart upload of a file. It binds an S3 upload
// id to the source file as it was (absolute path, size, mtime) and to the options that shaped the upload
// (part size, checksum algorithm, a digest of the rest), so a later run can ask S3 which parts it already has
// (ListParts) and send only the others, and refuses when the file or the options changed.
//
// One JSON file per (source file, s3://bucket/key) in $XDG_STATE_HOME/s3fcp/ (default ~/.local/state/s3fcp/,
// created 0700), named by the SHA-256 of the two; written whole to a temporary file, fsynced and renamed over
// the old one, so a crash leaves the old journal or the new one, never half of either. The parts themselves
// are not recorded: S3 keeps them, and ListParts is the truth about what it has.
//
//   {"format":"s3fcp-upload-journal","version":1,"bucket":"b","key":"k","upload_id":"...",
//    "source":"/abs/path","size":123,"mtime_ns":1700000000123456789,"part_size":8388608,
//    "checksum":"CRC64NVME","options_digest":"..."}
//
// Strings are stored with '%', control bytes and bytes >= 0x80 as %XX, so that any file name (not always
// UTF-8) survives JSON; "checksum" is null for an upload without checksums.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "checksum/checksum.h"
#include "resolve/aws_config.h"
#include "util/error.h"

namespace s3fcp {

// What an upload is bound to: the journal keeps it, and a continuing run must present the same.
struct UploadBinding {
  std::string bucket;
  std::string key;
  std::string source_path;  // absolute
  uint64_t size = 0;
  int64_t mtime_ns = 0;
  uint64_t part_size = 0;  // the one the upload uses (PartPlan::part_size()), not the one asked for
  std::optional<ChecksumAlgorithm> checksum;
  // A digest the caller makes of every other option that shapes the object (metadata, tags, content type,
  // storage class, encryption...), so that changing any of them is refused rather than silently mixed.
  std::string options_digest;
  bool operator==(const UploadBinding&) const = default;
};

struct UploadJournal {
  std::string upload_id;
  UploadBinding binding;
  bool operator==(const UploadJournal&) const = default;
};

// The source file as a journal identifies it: realpath() of `path`, its size and mtime in nanoseconds.
// Errors: NotFound when it does not exist, Usage when it is not a regular file, Io otherwise.
struct SourceFile {
  std::string path;
  uint64_t size = 0;
  int64_t mtime_ns = 0;
};
Result<SourceFile> stat_source_file(const std::string& path);

// $XDG_STATE_HOME/s3fcp when that is an absolute path (the XDG spec ignores a relative one), else
// $HOME/.local/state/s3fcp. An Error (kind Usage) when neither is usable.
Result<std::string> upload_journal_dir(const EnvLookup& env = process_env);

// <dir>/upload-<hex SHA-256 of: source_path, a NUL byte, "s3://bucket/key">.json. The name must stay the same
// from one version of s3fcp to the next, or a journal would no longer be found.
std::string upload_journal_path(std::string_view dir, std::string_view source_path, std::string_view bucket,
                                std::string_view key);

// The JSON text of a journal, and back. parse: an Error (kind Usage) naming what is wrong when the text is
// not a journal, is damaged, or is of another format version.
std::string format_upload_journal(const UploadJournal& journal);
Result<UploadJournal> parse_upload_journal(std::string_view text);

// nullopt when there is no journal at `path`; an Error (kind Usage, naming the file) when it cannot be used.
Result<std::optional<UploadJournal>> load_upload_journal(const std::string& path);
// Writes atomically (temporary file, fsync, rename, fsync of the directory), creating the directory and any
// missing parents with mode 0700.
Result<void> save_upload_journal(const std::string& path, const UploadJournal& journal);
// Removes the journal; none there is fine.
Result<void> remove_upload_journal(const std::string& path);

// Whether `journal` can continue the upload asked for now: an Error (kind Usage) with a one-line reason when
// the file changed (size or mtime) or any option differs ("cannot continue the upload: the upload has parts
// of 8388608 bytes, this run would make 16777216: give the same --chunk-size").
Result<void> check_upload_journal(const UploadJournal& journal, const UploadBinding& now);

}  // namespace s3fcp
