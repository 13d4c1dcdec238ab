// The file destination's life cycle around the engine: pick the target name, refuse to clobber, open and lock the
// temporary file (or reopen it with its journal for --continue), run the download through a FileStore, and end in
// exactly one of three states: the file in place (rename) and no journal; nothing (a permanent failure: the
// object changed or is gone, access denied, checksum mismatch); or the temporary file and its journal kept for
// --continue (interrupted, retries exhausted, a write error). Nothing half-written ever carries the target's name.
//
// The temporary file is locked (flock) for the whole run, so a second s3fcp on the same target stops at once
// instead of writing into the same file.
#include "ops/get/download_file.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <optional>

#include <fmt/format.h>

#include "io/file_store.h"
#include "io/progress_bar.h"
#include "io/resume_journal.h"
#include "s3/response.h"
#include "util/directories.h"
#include "util/fd.h"
#include "util/timestamp.h"

namespace s3fcp {

namespace {


Error io_error(std::string_view what, const std::string& path) {
  return Error{ErrorKind::Io, fmt::format("{} {}: {}", what, path, std::strerror(errno))};
}

// The last part of the key (or of a URL's path, percent-decoded), or nullopt when it is no usable file name.
std::optional<std::string> file_name_of(std::string_view source) {
  const bool url = source.starts_with("http://") || source.starts_with("https://");
  if (url) source = source.substr(0, source.find_first_of("?#"));
  if (!url && !source.starts_with("s3://")) return std::nullopt;
  const size_t host_end = source.find('/', source.find("//") + 2);  // after s3://bucket or scheme://host
  if (host_end == std::string_view::npos) return std::nullopt;
  const std::string_view raw = source.substr(std::max(host_end, source.rfind('/')) + 1);
  std::string name;
  for (size_t i = 0; i < raw.size(); ++i) {
    unsigned value = 0;
    if (url && raw[i] == '%' && i + 2 < raw.size() &&
        std::sscanf(std::string(raw.substr(i + 1, 2)).c_str(), "%2x", &value) == 1) {
      name += static_cast<char>(value);
      i += 2;
    } else {
      name += raw[i];
    }
  }
  if (name.empty() || name == "." || name == ".." || name.find_first_of(std::string_view("/\0", 2)) != std::string::npos) {
    return std::nullopt;
  }
  return name;
}

// Opens `path` and takes its lock: one s3fcp per target at a time.
Result<Fd> open_locked(const std::string& path, int flags, const std::string& target) {
  Fd fd(::open(path.c_str(), flags | O_CLOEXEC, 0666));  // 0666 & ~umask, as cp creates files
  if (fd.get() < 0) return fail(io_error("cannot open", path));
  if (::flock(fd.get(), LOCK_EX | LOCK_NB) != 0) {
    if (errno == EWOULDBLOCK) return fail(ErrorKind::Io, fmt::format("another s3fcp is downloading to {}", target));
    return fail(io_error("cannot lock", path));
  }
  return fd;
}

struct Prepared {
  Fd temp;
  std::optional<JournalContents> resumed;  // --continue with a journal that fits
  std::optional<ResumeJournal> journal;    // reopened for appending when resumed
};

Result<Prepared> prepare(const FileDestination& dest, const std::string& target, const PartialPaths& paths,
                         uint64_t chunk_size) {
  struct stat st {};
  if (::stat(target.c_str(), &st) == 0) {
    if (S_ISDIR(st.st_mode)) return fail(Error::usage(fmt::format("{} is a directory", target)));
    if (!dest.force) return fail(Error::usage(fmt::format("{} already exists: use --force to replace it", target)));
  } else if (errno != ENOENT) {
    return fail(io_error("cannot access", target));
  }
  const std::string start_over = "rerun with --force instead of --continue to start over";

  auto loaded = ResumeJournal::load(paths.journal);
  const bool have_temp = ::access(paths.temp.c_str(), F_OK) == 0;
  if (dest.resume) {
    if (!loaded) {
      Error e = loaded.error();
      if (e.kind == ErrorKind::Usage) e.message = fmt::format("cannot continue: {}; {}", e.message, start_over);
      return fail(std::move(e));
    }
    if (*loaded && have_temp) {
      JournalContents& j = **loaded;
      if (auto why = journal_mismatch(j.header, dest.source_id, dest.version_id, dest.range, chunk_size)) {
        return fail(Error::usage(
            fmt::format("cannot continue the partial download of {}: {}; {}", target, *why, start_over)));
      }
      auto temp = open_locked(paths.temp, O_RDWR, target);
      if (!temp) return fail(temp.error());
      if (::fstat(temp->get(), &st) != 0) return fail(io_error("cannot stat", paths.temp));
      if (static_cast<uint64_t>(st.st_size) != j.header.selected()->size()) {  // parse_journal checked selected()
        return fail(Error::usage(fmt::format("cannot continue the partial download of {}: the file has {} bytes, its "
                                             "journal says {}; {}", target, st.st_size, j.header.selected()->size(),
                                             start_over)));
      }
      auto journal = ResumeJournal::reopen(paths.journal, j.valid_length);
      if (!journal) return fail(journal.error());
      return Prepared{std::move(*temp), std::move(j), std::move(*journal)};
    }
    // Nothing to continue: start from the beginning, as wget -c does.
  } else if (!dest.force && have_temp && (!loaded || *loaded)) {
    std::string done;
    if (loaded) done = fmt::format(" ({} of {})", human_bytes(static_cast<double>((*loaded)->done_bytes)),
                                   human_bytes(static_cast<double>((*loaded)->header.selected()->size())));
    return fail(Error::usage(fmt::format("a partial download of {} exists{}: rerun with --continue to finish it, or "
                                         "with --force to start over", target, done)));
  }
  auto temp = open_locked(paths.temp, O_RDWR | O_CREAT, target);
  if (!temp) return fail(temp.error());
  if (::ftruncate(temp->get(), 0) != 0) return fail(io_error("cannot truncate", paths.temp));
  if (::unlink(paths.journal.c_str()) != 0 && errno != ENOENT) return fail(io_error("cannot remove", paths.journal));
  return Prepared{std::move(*temp), std::nullopt, std::nullopt};
}

// rename(2) into place; without --force, never over a file that appeared meanwhile.
Result<void> put_in_place(const std::string& temp, const std::string& target, bool force) {
  const auto appeared = [&] {
    return fail(Error::usage(fmt::format("{} appeared during the download and was not replaced; the download is "
                                         "complete: rerun with --continue --force to put it in place", target)));
  };
  if (!force) {
    if (::renameat2(AT_FDCWD, temp.c_str(), AT_FDCWD, target.c_str(), RENAME_NOREPLACE) == 0) return {};
    if (errno == EEXIST) return appeared();
    if (errno != EINVAL && errno != ENOSYS && errno != EOPNOTSUPP) return fail(io_error("cannot rename to", target));
    struct stat st {};
    if (::stat(target.c_str(), &st) == 0) return appeared();  // a filesystem without RENAME_NOREPLACE
  }
  if (::rename(temp.c_str(), target.c_str()) != 0) return fail(io_error("cannot rename to", target));
  return {};
}

// Errors after which --continue could never succeed: the partial file is worthless.
bool permanent(ErrorKind kind) {
  return kind == ErrorKind::Changed || kind == ErrorKind::NotFound || kind == ErrorKind::Auth ||
         kind == ErrorKind::Checksum || kind == ErrorKind::Usage || kind == ErrorKind::Range;
}

// The engine and the verifier on `store`, run by `run`; see download_into.
std::optional<Error> run_placed(Client& client, const Target& target, GetOptions get, FileStore& store,
                                GetState& state, const RunWorkers& run, uint64_t& done_bytes) {
  state.stop.add_waker([&] { client.wakeup(); });
  state.stop.add_waker([&] { store.close(); });
  const auto op = std::make_shared<RangedGet>(target, std::move(get), store, state);
  // A failed run's error is in state.stop, which is read below.
  (void)run_ranged(
      client, op, state, [&] { run_verifier(store, state); },
      [&] { return store.preset_bytes() + state.progress.received.load(std::memory_order_relaxed); }, run);
  state.progress.written.store(state.progress.received.load());  // this run's bytes, for --stats and -v
  done_bytes = store.done_bytes();
  std::optional<Error> error = state.stop.error();
  if (!error && !store.complete()) error = Error{ErrorKind::Other, "internal error: the download ended incomplete"};
  return error;
}

// Slots bound the chunks in flight or finished out of order behind a slow one, not memory (no buffers here).
uint32_t placed_slots(const GetOptions& get) {
  return static_cast<uint32_t>(std::clamp<uint64_t>(4ull * get.concurrency, 8, 4096));
}

}  // namespace

Result<std::string> resolve_target_path(const std::string& dest, const std::string& source_id) {
  if (dest.empty()) return fail(Error::usage("the destination path is empty"));
  struct stat st {};
  const bool dir = dest.back() == '/' || (::stat(dest.c_str(), &st) == 0 && S_ISDIR(st.st_mode));
  if (!dir) return dest;
  const auto name = file_name_of(source_id);
  if (!name) {
    const bool prefix = source_id.starts_with("s3://") && source_id.ends_with('/');
    return fail(Error::usage(fmt::format("{} is a directory and {} names no file in it: give a file name{}", dest,
                                         source_id, prefix ? ", or -r to copy every object under the prefix" : "")));
  }
  return dest + (dest.back() == '/' ? "" : "/") + *name;
}

PartialPaths partial_paths(const std::string& target) {
  const size_t slash = target.rfind('/');
  const std::string dir = slash == std::string::npos ? std::string() : target.substr(0, slash + 1);
  const std::string name = slash == std::string::npos ? target : target.substr(slash + 1);
  return {dir + "." + name + ".s3fcp-partial", dir + "." + name + ".s3fcp-journal"};
}

std::optional<Error> download_into(Client& client, const Target& target, GetOptions get, int fd, const std::string& name,
                                   FileStore::Hooks hooks, const std::vector<bool>* preset, GetState& state,
                                   const RunWorkers& run, uint64_t& done_bytes) {
  FileStore store(fd, name, placed_slots(get), get.chunk_size, state.stop, std::move(hooks));
  if (preset != nullptr) store.preset_done(*preset);
  return run_placed(client, target, std::move(get), store, state, run, done_bytes);
}

std::optional<Error> download_into_memory(Client& client, const Target& target, GetOptions get,
                                          std::span<std::byte> memory, GetState& state, const RunWorkers& run) {
  get.max_size = std::min<uint64_t>(get.max_size.value_or(UINT64_MAX), memory.size());
  FileStore store(memory, "the buffer", placed_slots(get), get.chunk_size, state.stop);
  uint64_t done_bytes = 0;
  return run_placed(client, target, std::move(get), store, state, run, done_bytes);
}

Result<void> download_to_file(Client& client, const DownloadJob& job, const FileDestination& dest,
                              const RunWorkers& run, DownloadSummary& summary) {
  const auto started = std::chrono::steady_clock::now();
  auto target = resolve_target_path(dest.path, dest.source_id);
  if (!target) return fail(target.error());
  const PartialPaths paths = partial_paths(*target);
  // A missing directory is made, as aws s3 cp, s5cmd and rclone do; taken back if nothing ends up in it.
  const size_t slash = target->rfind('/');
  auto dirs = slash != std::string::npos && slash > 0 ? make_directories(target->substr(0, slash), 0777)
                                                      : Result<std::vector<std::string>>();
  if (!dirs) return fail(dirs.error());
  MadeDirectories made(std::move(*dirs));
  auto prepared = prepare(dest, *target, paths, job.get.chunk_size);
  if (!prepared) return fail(prepared.error());
  const int fd = prepared->temp.get();
  std::optional<ResumeJournal>& journal = prepared->journal;
  const bool resumed = prepared->resumed.has_value();

  GetOptions get = job.get;
  if (resumed) {
    const JournalHeader& h = prepared->resumed->header;
    get.resume = ResumeState{h.object_size, *h.selected(), h.etag, prepared->resumed->done};
  }
  GetState state;
  FileStore::Hooks hooks;
  hooks.plan_set = [&](const RangePlan& plan) -> Result<void> {
    if (journal) return {};                  // resumed: the journal has its header
    const std::string etag = state.etag();  // set by the operation before the plan
    if (etag.empty()) return {};             // nothing for If-Match to pin: not resumable, no journal
    auto created = ResumeJournal::create(
        paths.journal,
        {dest.source_id, dest.version_id, dest.range, etag, state.progress.object_size.load(), plan.chunk_size()});
    if (!created) return fail(created.error());
    journal.emplace(std::move(*created));
    return {};
  };
  hooks.chunk_done = [&](uint64_t chunk) { return journal ? journal->append_done(chunk) : Result<void>{}; };
  const std::vector<bool>* preset = resumed ? &prepared->resumed->done : nullptr;
  uint64_t done_bytes = 0;
  std::optional<Error> error =
      download_into(client, job.target, std::move(get), fd, paths.temp, std::move(hooks), preset, state, run, done_bytes);
  summary = summarize(state, started);
  if (!error) {
    made.keep();
    // The object's Last-Modified as the file's time, as aws s3 cp does (aws s3 sync compares it).
    if (const auto t = parse_http_date(state.last_modified())) set_file_times(fd, *t);
    auto placed = put_in_place(paths.temp, *target, dest.force);
    if (placed) {
      journal.reset();
      ::unlink(paths.journal.c_str());
      return {};
    }
    return fail(placed.error());  // the complete download stays, with its journal, for --continue --force
  }

  if (error->kind == ErrorKind::Changed && resumed) {
    error->message = fmt::format("the object changed since the interrupted download (ETag {} no longer matches): "
                                 "resuming is refused; partial download removed, rerun without --continue",
                                 prepared->resumed->header.etag);
  }
  if (!permanent(error->kind) && journal) {
    made.keep();
    const uint64_t total = state.progress.total.load();
    error->message += fmt::format("; partial download kept ({} of {}), rerun with --continue",
                                  human_bytes(static_cast<double>(done_bytes)),
                                  human_bytes(static_cast<double>(total)));
    return fail(std::move(*error));
  }
  journal.reset();
  ::unlink(paths.temp.c_str());
  ::unlink(paths.journal.c_str());
  return fail(std::move(*error));
}

}  // namespace s3fcp
