// One download into a file, start to finish: a RangedGet on the client's network thread pwrites chunks into a
// temporary file beside the target through a FileStore, the verifier thread re-reads the finished prefix for the
// end-to-end checksum, and the caller's runner runs the workers (the CLI: with signals and a progress bar).
// The file appears under its name (rename) only when whole and verified. A resume journal beside it lets
// `--continue` finish an interrupted download; see docs/file-destination.md for the rules.
#pragma once

#include <cstdint>
#include <functional>
#include <initializer_list>
#include <span>
#include <string>

#include "io/file_store.h"
#include "ops/get/download.h"
#include "util/error.h"

namespace s3fcp {

struct FileDestination {
  std::string path;        // a file, or an existing directory (then DIR/<last part of the key>)
  bool force = false;      // replace an existing file, and any partial download of it
  bool resume = false;     // --continue: finish the partial download recorded in the journal
  std::string source_id;   // the source as shown to the user (s3://bucket/key or the URL): binds the journal
  std::string version_id;  // --version-id, empty when none: binds the journal
  std::string range;       // --range in its normal form, empty when none: binds the journal
};

// Where a download of `source_id` to `dest` lands: `dest` itself, or DIR/<name> when `dest` is an existing
// directory or ends in '/', the name being the last '/'-separated part of the key (of the URL's path, without its
// query). A Usage error when no file name can be derived ("s3://b/dir/", "..").
Result<std::string> resolve_target_path(const std::string& dest, const std::string& source_id);

// The temporary file and the journal of `target`: DIR/.<name>.s3fcp-partial and DIR/.<name>.s3fcp-journal.
struct PartialPaths {
  std::string temp;
  std::string journal;
};
PartialPaths partial_paths(const std::string& target);

// Fills `summary` whether or not the download succeeds; summary.bytes counts the bytes fetched by this run.
// The download of one object into `fd`, an open file the caller owns (a temporary file): a FileStore on it, the
// RangedGet, the verifier thread. No target name, journal or rename: download_to_file and the many-object runner do
// those. `preset`: chunks already in the file (resumed). Returns the error that stopped it; `done_bytes` the bytes of
// the chunks that are in the file.
std::optional<Error> download_into(Client& client, const Target& target, GetOptions get, int fd, const std::string& name,
                                   FileStore::Hooks hooks, const std::vector<bool>* preset, GetState& state,
                                   const RunWorkers& run, uint64_t& done_bytes);

// The same into a caller's `memory`, each range copied to its offset as it arrives (no window): nothing beyond
// memory.size() is read, a larger object or range stops with TooLarge (its size in state.progress.total).
std::optional<Error> download_into_memory(Client& client, const Target& target, GetOptions get,
                                          std::span<std::byte> memory, GetState& state, const RunWorkers& run);

Result<void> download_to_file(Client& client, const DownloadJob& job, const FileDestination& dest,
                              const RunWorkers& run, DownloadSummary& summary);

}  // namespace s3fcp
