// Whether a copy whose destination already exists is made again: --skip-existing (the same size, and the same MD5
// where the ETag is one) and --if-source-newer (s5cmd's -u: only a source whose time is later). Pure decisions,
// and the comparisons that feed them for a download (the object against a local file) and an upload (a file
// against the key's HEAD).
#pragma once

#include <time.h>

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "io/beneath.h"
#include "ops/head/head_object.h"

namespace s3fcp {

struct SkipRule {
  bool skip_existing = false;    // skip what is already there with the same size (and MD5, where the ETag is one)
  bool if_source_newer = false;  // skip what is there unless the source's time is later (s5cmd's -u)
  bool any() const { return skip_existing || if_source_newer; }
};

// What the rule knows of a destination that exists.
struct Comparison {
  bool same_content = false;  // the same size, and the same MD5 where the ETag is one
  bool source_newer = true;   // the source's time is later than the destination's (whole seconds); unknown: true
};

// True: leave the destination as it is. Each option alone is a reason to skip; both together skip only what both
// would (aws s3 sync's rule: copy when the content differs or the source is newer).
bool keep_destination(const SkipRule& rule, const Comparison& c);

// Whole seconds, as S3 keeps Last-Modified: a file fetched by s3fcp has its object's time, and is not newer.
bool source_is_newer(std::optional<std::chrono::system_clock::time_point> source,
                     std::optional<std::chrono::system_clock::time_point> destination);

// Whether the object's ETag shows it holds the bytes of the file open at `fd`. Only a plain MD5 ETag can (32 hex
// digits: one PUT without SSE-KMS); nullopt when it cannot tell (multipart, SSE-KMS, none), and the same size is
// then taken as the same object. The file is read whole, as any checksum comparison must.
std::optional<bool> etag_shows_file(std::string_view etag, int fd);

// A download's destination that exists (`local`, at `relative` beneath `dir`) against what is known of the object.
// The file is read for its MD5 only when --skip-existing asks and the sizes agree.
Comparison compare_download(const SkipRule& rule, const Beneath& dir, const std::string& relative,
                            const EntryInfo& local, std::optional<uint64_t> size, const std::string& etag,
                            std::optional<std::chrono::system_clock::time_point> modified);

// An upload's file (`fd`, of `size` bytes, modified at `mtime`) against the key's HEAD.
Comparison compare_upload(const SkipRule& rule, int fd, uint64_t size, const timespec& mtime, const HeadObject& head);

// The Last-Modified of a HEAD's answer, when it has a readable one.
std::optional<std::chrono::system_clock::time_point> last_modified_of(const HeadObject& head);

}  // namespace s3fcp
