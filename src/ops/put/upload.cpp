#include "ops/put/upload.h"

#include <fcntl.h>
#include <sys/stat.h>

#include <cerrno>
#include <cstring>
#include <memory>

#include <fmt/format.h>

#include "ops/put/upload_journal.h"
#include "util/log.h"

namespace s3fcp {

namespace {

// A file to upload, open for reading: a directory, a missing or unreadable file is a usage error (nothing sent).
Result<Fd> open_source_file(const std::string& path) {
  // O_NONBLOCK: opening a FIFO must not wait for a writer (it is refused below); a regular file ignores it.
  Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK));
  if (fd.get() < 0) return fail(Error::usage(fmt::format("cannot read {}: {}", path, std::strerror(errno))));
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0) return fail(Error::usage(fmt::format("cannot stat {}: {}", path, std::strerror(errno))));
  if (S_ISDIR(st.st_mode)) return fail(Error::usage(fmt::format("{} is a directory (give -r to upload a tree)", path)));
  if (!S_ISREG(st.st_mode)) return fail(Error::usage(fmt::format("{} is not a regular file (read a stream with -)", path)));
  return fd;
}

// The journal of a file's multipart upload: where it lives and what it binds.
struct JournalPlace {
  std::string path;
  UploadBinding binding;
};

Result<JournalPlace> journal_place(const UploadJob& job, const PartPlan& plan) {
  auto file = stat_source_file(job.source);
  if (!file) return fail(file.error());
  auto dir = upload_journal_dir();
  if (!dir) return fail(dir.error());
  JournalPlace place;
  place.binding = UploadBinding{job.spec.target.bucket, job.spec.target.key, file->path, file->size, file->mtime_ns,
                                plan.part_size(), job.spec.checksum, job.options_digest};
  place.path = upload_journal_path(*dir, file->path, job.spec.target.bucket, job.spec.target.key);
  return place;
}

}  // namespace

Result<void> upload(Client& client, const UploadJob& job, const RunWorkers& run, UploadSummary& summary) {
  const auto started = std::chrono::steady_clock::now();
  // stdin or a caller's stream: the first part tells single PUT or multipart (a sized source's plan tells at once)
  const bool streamed = job.open_source ? !job.open_source_sized : job.source == "-";
  const uint32_t concurrency = job.spec.concurrency != 0 ? job.spec.concurrency : client.settings().concurrency;
  PutState state;

  UploadSource::Options so;
  so.checksum = job.spec.checksum;
  so.part_size = job.part_size.value_or(streamed ? kStreamPartSize : kFilePartSize);
  if (streamed && job.expected_size) {
    auto plan = plan_expected_size(*job.expected_size, so.part_size);
    if (!plan) return fail(plan.error());
    so.part_size = plan->part_size();
  }
  so.buffers = stream_buffer_budget(job.memory_budget, so.part_size, concurrency);
  so.ahead = streamed ? concurrency + 2 : 2 * concurrency;
  so.on_ready = [&] { client.wakeup(); };
  std::unique_ptr<UploadSource> source;
  if (job.open_source) {
    auto s = job.open_source(so);
    if (!s) return fail(s.error());
    source = std::move(*s);
  } else if (streamed) {
    auto s = UploadSource::stream(job.stdin_fd, "stdin", so);
    if (!s) return fail(s.error());
    source = std::move(*s);
  } else {
    auto fd = open_source_file(job.source);
    if (!fd) return fail(fd.error());
    auto s = UploadSource::file(std::move(*fd), job.source, so);
    if (!s) return fail(s.error());
    source = std::move(*s);
  }

  // A file's multipart upload is journaled, for --continue after a kill. A file that now goes in one PUT still looks
  // for a killed run's journal: --continue is refused (the file changed), a plain rerun aborts that upload.
  std::optional<JournalPlace> journal;
  std::optional<MultipartUpload::Resume> resume;
  if (!streamed && !job.open_source) {
    auto place = journal_place(job, *source->plan());
    if (!place) return fail(place.error());
    journal = std::move(*place);
    auto loaded = load_upload_journal(journal->path);
    if (!loaded) return fail(loaded.error());
    if (*loaded && job.resume) {
      if (auto ok = check_upload_journal(**loaded, journal->binding); !ok) return fail(ok.error());
      resume = MultipartUpload::Resume{(*loaded)->upload_id, {}};
    } else if (*loaded) {
      // A killed run's upload of the same file to the same key, not continued: abort it, so no parts linger.
      log_line(fmt::format("aborting the interrupted upload {} of {} (rerun with --continue to finish one instead)",
                           (*loaded)->upload_id, job.source));
      auto abort = std::make_shared<AbortUpload>(job.spec.target, (*loaded)->upload_id);
      client.submit(abort);
      abort->wait();
      if (abort->error()) return fail(*abort->error());
      if (auto removed = remove_upload_journal(journal->path); !removed) return fail(removed.error());
    } else if (job.resume && client.settings().verbose) {
      log_line("nothing to continue: starting a new upload");
    }
    if (!source->plan()->multipart()) journal.reset();  // one PUT: nothing to journal
  }

  state.stop.add_waker([&] { source->stop(); });
  state.stop.add_waker([&] { client.wakeup(); });
  std::shared_ptr<Operation> op;
  const auto control = [&] {
    bool multipart = false;
    if (streamed) {
      const auto first = source->wait_first();
      if (!first) return;  // stopped before the first part
      multipart = !first->last;
    } else {
      multipart = source->plan()->multipart();
    }
    if (!multipart) {
      op = std::make_shared<PutObject>(job.spec, *source, state);
    } else {
      MultipartUpload::Hooks hooks;
      if (journal) {
        hooks.created = [&](const std::string& upload_id) {
          if (auto saved = save_upload_journal(journal->path, UploadJournal{upload_id, journal->binding}); !saved) {
            state.stop.fail(saved.error());
          }
        };
        hooks.ended = [&] { (void)remove_upload_journal(journal->path); };
      }
      hooks.before_complete = [&] { return source->check_unchanged(); };
      UploadSpec spec = job.spec;
      spec.concurrency = concurrency;
      op = std::make_shared<MultipartUpload>(std::move(spec), *source, state, resume, std::move(hooks));
    }
    client.submit(op);
    op->wait();
    source->stop();  // the producer may still wait for room (a failed upload): let it go
  };

  Workers workers;
  workers.threads = {[&] { source->run(state.stop); }, control};
  workers.done_bytes = [&] { return state.progress.uploaded.load(std::memory_order_relaxed); };
  workers.total_bytes = [&] { return source->total().value_or(UploadProgress::kUnknown); };
  workers.stop = &state.stop;
  auto ran = run(workers);
  if (!ran) return fail(ran.error());

  summary.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  summary.bytes = source->total().value_or(0);
  summary.requests = state.progress.requests.load();
  summary.retries = state.progress.retries.load();
  summary.result = state.result();
  // A stop that came while CompleteMultipartUpload was out, which then succeeded, came too late: the object is whole.
  if (auto error = state.stop.error(); error && !summary.result.completed) return fail(*error);
  if (!op) return fail(ErrorKind::Other, "internal error: the upload never started");
  return {};
}

}  // namespace s3fcp
