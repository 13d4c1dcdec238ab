#include "ops/many/batch.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "batch/batch_file.h"
#include "checksum/checksum.h"
#include "ops/get/download_file.h"
#include "ops/head/head_object.h"
#include "ops/put/upload.h"
#include "s3/response.h"
#include "util/log.h"
#include "util/timestamp.h"
#include "util/workers.h"

namespace s3fcp {

namespace {

// A failure line with a name in it: control characters (a key may hold LF, CR, even NUL) written as \n, \r, \t,
// \xHH, so that one item's line stays one line.
std::string one_line(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (const char c : text) {
    const auto u = static_cast<unsigned char>(c);
    if (c == '\n') out += "\\n";
    else if (c == '\r') out += "\\r";
    else if (c == '\t') out += "\\t";
    else if (u < 0x20 || u == 0x7f) out += fmt::format("\\x{:02x}", u);
    else out += c;
  }
  return out;
}

// A run line's own file, opened for an upload: O_NONBLOCK so that a FIFO is refused (by the caller's fstat) instead
// of waited on, as Beneath::open_read does beneath DIR.
Result<Fd> open_regular(const std::string& path) {
  Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK));
  if (fd.get() < 0) return fail(Error::usage(fmt::format("cannot read {}: {}", path, std::strerror(errno))));
  const int flags = ::fcntl(fd.get(), F_GETFL);
  if (flags >= 0) ::fcntl(fd.get(), F_SETFL, flags & ~O_NONBLOCK);
  return fd;
}

}  // namespace

// One item being copied, from start() until run() concluded it.
struct Batch::Running {
  BatchItem item;
  const ItemSettings* settings = nullptr;
  std::chrono::steady_clock::time_point started;
  bool large = false;
  std::optional<Beneath> own_dir;     // the parent of an item's own local path
  std::optional<PendingFile> file;    // a download's temporary file
  std::shared_ptr<WholeGet> get;      // a small download
  std::shared_ptr<Operation> put;     // a small upload
  std::shared_ptr<HeadObject> head;   // --skip-existing's question when one side's size is unknown: the same?
  std::shared_ptr<CopyObject> copy;   // a copy between buckets, and what stops it
  std::unique_ptr<StopSignal> copy_stop;
  const Beneath* dir = nullptr;       // a download's directory (m_dir or own_dir) and its path beneath it
  std::string relative;
  std::optional<Fd> upload_fd;        // an upload's file while its HEAD is out
  std::optional<UploadSpec> upload_spec;
  uint64_t upload_size = 0;
  timespec upload_mtime{};
  std::unique_ptr<UploadSource> source;
  std::unique_ptr<PutState> put_state;
  std::unique_ptr<GetState> get_state;  // a large download's
  std::thread thread;                 // a large copy's
  std::optional<Error> error;
  bool skipped = false;
  uint64_t bytes = 0;
};

std::string BatchItem::source_text(const std::string& dir) const { return !label.empty() ? label : source_name(dir); }

std::string BatchItem::source_name(const std::string& dir) const {
  if (kind != Kind::Upload) return object.str();
  if (!local_path.empty()) return local_path;
  return shown_beneath(local_dir.empty() ? dir : local_dir, relative);
}

std::string BatchItem::dest_text(const std::string& dir) const {
  if (kind != Kind::Download) return dest.str();
  if (!local_path.empty()) return local_path;
  return shown_beneath(local_dir.empty() ? dir : local_dir, relative);
}

Batch::Batch(Client& client, Settings settings) : m_client(client), m_settings(std::move(settings)) {}

Batch::~Batch() {
  for (auto& r : m_running) {
    if (r->thread.joinable()) r->thread.join();
  }
}

bool Batch::add(BatchItem item) {
  std::unique_lock lock(m_mutex);
  m_cv.wait(lock, [&] { return m_stopping || m_queue.size() < m_settings.queue_limit; });
  if (m_stopping) return false;
  m_queue.push_back(std::move(item));
  m_added.fetch_add(1, std::memory_order_relaxed);
  m_cv.notify_all();
  return true;
}

void Batch::add_ready(BatchItem item) {
  {
    std::lock_guard lock(m_mutex);
    if (m_stopping) return;  // a page that arrived as the run stopped
    m_queue.push_back(std::move(item));
    m_added.fetch_add(1, std::memory_order_relaxed);
    m_cv.notify_all();
  }
}

bool Batch::has_room() const {
  std::lock_guard lock(m_mutex);
  return !m_stopping && m_queue.size() < m_settings.queue_limit;
}

void Batch::close() {
  {
    std::lock_guard lock(m_mutex);
    m_closed = true;
    m_cv.notify_all();
  }
}

BatchTotals Batch::totals() const {
  std::lock_guard lock(m_mutex);
  return m_totals;
}

// Notified under the lock, here and wherever another thread wakes run(): once run() sees the change it may return
// and the Batch be destroyed, so the condition variable must not be touched after the lock is released.
void Batch::finished(const std::shared_ptr<Running>& r) {
  {
    std::lock_guard lock(m_mutex);
    m_finished.push_back(r);
    m_cv.notify_all();
  }
}

void Batch::run(StopSignal& stop) {
  m_started = std::chrono::steady_clock::now();
  stop.add_waker([this] {
    {
      std::lock_guard lock(m_mutex);
      m_stopping = true;
      m_cv.notify_all();
    }
  });
  std::unique_lock lock(m_mutex);
  bool cancelled = false;
  while (true) {
    m_cv.wait(lock, [&] {
      const bool idle = m_small + m_large == 0;
      return (m_stopping && !cancelled) || !m_finished.empty() ||
             (!m_stopping && !m_queue.empty() && m_small + m_large < m_settings.items_in_flight) ||
             ((m_closed || m_stopping) && m_queue.empty() && idle);
    });
    std::vector<std::shared_ptr<Running>> done;
    done.swap(m_finished);
    lock.unlock();
    for (auto& r : done) conclude(*r);
    lock.lock();
    if (m_stopping && !cancelled) {
      cancelled = true;  // stop every copy in flight; they finish (failed) and are concluded as they come back
      const Error why = stop.error().value_or(Error{ErrorKind::Interrupted, "stopped"});
      for (auto& r : m_running) {
        if (r->get) m_client.cancel(r->get, why);
        if (r->head) m_client.cancel(r->head, why);
        if (r->copy) m_client.cancel(r->copy, why);
        if (r->put_state) r->put_state->stop.fail(why);
        if (r->get_state) r->get_state->stop.fail(why);
      }
    }
    if (m_stopping) m_queue.clear();  // nothing more starts (add_ready drops what comes later)
    if ((m_closed || m_stopping) && m_queue.empty() && m_small + m_large == 0 && m_finished.empty()) break;
    if (m_stopping || m_queue.empty() || m_small + m_large >= m_settings.items_in_flight) continue;
    BatchItem item = std::move(m_queue.front());
    m_queue.pop_front();
    m_cv.notify_all();  // a producer may wait for room
    lock.unlock();
    // DIR is opened (made) for the first item: a run that fails before it, or copies nothing, makes nothing.
    if (!m_dir && !m_settings.dir.empty() && !m_settings.dry_run) {
      Beneath::Options options;
      options.create = !m_settings.dir_must_exist;
      auto dir = Beneath::open(m_settings.dir, options);
      if (!dir) {
        stop.fail(dir.error());
        lock.lock();
        continue;
      }
      m_dir = std::move(*dir);
    }
    start(std::move(item), stop);
    lock.lock();
  }
  m_totals.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - m_started).count();
}

void Batch::start(BatchItem item, StopSignal&) {
  const ItemSettings& s = item.settings ? *item.settings : *m_settings.item;
  if (!item.refused.empty()) {
    report(item, Error{ErrorKind::Usage, item.refused}, false, 0, 0);
    return;
  }
  if (m_settings.dry_run) {
    const std::string source = item.source_name(m_settings.dir), dest = item.dest_text(m_settings.dir);
    // A run line's '*' and '?' are wildcards unless --raw says otherwise (s5cmd's rule).
    const bool raw = has_wildcard(source) || has_wildcard(dest);
    const std::string line = fmt::format("cp {}{} {}\n", raw ? "--raw " : "", quote_run_word(source), quote_run_word(dest));
    [[maybe_unused]] const auto n = ::write(STDOUT_FILENO, line.data(), line.size());
    report(item, std::nullopt, false, item.size.value_or(0), 0);
    return;
  }
  if (item.kind == BatchItem::Kind::Download) return start_download(std::move(item), s);
  if (item.kind == BatchItem::Kind::Copy) return start_copy(std::move(item), s);
  start_upload(std::move(item), s);
}

void Batch::start_copy(BatchItem item, const ItemSettings& s) {
  if (s.skip.any()) {
    return report(item, Error::usage("--skip-existing and --if-source-newer do not apply to a copy between buckets"),
                  false, 0, 0);
  }
  auto r = std::make_shared<Running>();
  r->settings = &s;
  r->started = std::chrono::steady_clock::now();
  r->item = std::move(item);
  CopySpec spec = s.copy;
  spec.source = Target{r->item.object.bucket, r->item.object.key, std::nullopt};
  spec.version_id = r->item.version_id;
  spec.destination = Target{r->item.dest.bucket, r->item.dest.key, std::nullopt};
  spec.no_clobber = s.no_clobber;  // (a run line's -n is the item's own)
  r->copy_stop = std::make_unique<StopSignal>();
  r->copy = std::make_shared<CopyObject>(std::move(spec), *r->copy_stop);
  r->copy_stop->add_waker([this] { m_client.wakeup(); });
  {
    std::lock_guard lock(m_mutex);
    m_running.push_back(r);
    ++m_small;
  }
  m_client.submit(r->copy, [this, r] { finished(r); });
}

// Where a download lands: beneath the batch's directory, or the item's own path (a run line).
Result<std::string> Batch::local_place(const BatchItem& item, std::string& relative) const {
  if (item.local_path.empty()) {
    relative = item.relative;
    return item.local_dir.empty() ? m_settings.dir : item.local_dir;
  }
  const auto slash = item.local_path.rfind('/');
  relative = slash == std::string::npos ? item.local_path : item.local_path.substr(slash + 1);
  if (relative.empty() || relative == "." || relative == "..") {
    return fail(Error::usage(fmt::format("{} names no file", item.local_path)));
  }
  return slash == std::string::npos ? std::string(".") : item.local_path.substr(0, slash + 1);
}

void Batch::start_download(BatchItem item, const ItemSettings& s) {
  auto r = std::make_shared<Running>();
  r->settings = &s;
  r->started = std::chrono::steady_clock::now();
  r->item = std::move(item);
  std::string relative;
  auto place = local_place(r->item, relative);
  if (!place) return report(r->item, place.error(), false, 0, 0);
  const Beneath* dir = nullptr;
  if (r->item.local_path.empty() && r->item.local_dir.empty()) {
    dir = &*m_dir;
  } else {
    auto own = Beneath::open(*place);
    if (!own) return report(r->item, own.error(), false, 0, 0);
    r->own_dir = std::move(*own);
    dir = &*r->own_dir;
  }
  r->dir = dir;
  r->relative = relative;
  // A key from a list or a run line comes without its size, ETag and time: where the rule needs them, a HEAD tells
  // them, and conclude() compares and sends the download after, as for an upload.
  bool ask = false;
  if (s.no_clobber || s.skip.any()) {
    auto there = dir->exists(relative);
    if (!there) return report(r->item, there.error(), false, 0, 0);
    if (*there && (*there)->kind == EntryInfo::Kind::File) {
      if (s.no_clobber) return report(r->item, std::nullopt, true, 0, 0);
      ask = (s.skip.skip_existing && !r->item.size) || (s.skip.if_source_newer && !r->item.last_modified);
      if (!ask && keep_destination(s.skip, compare_download(s.skip, *dir, relative, **there, r->item.size,
                                                            r->item.etag, r->item.last_modified))) {
        return report(r->item, std::nullopt, true, 0, 0);
      }
    }
  }
  {
    std::lock_guard lock(m_mutex);
    m_running.push_back(r);
  }
  if (ask) {
    return ask_head(r, Target{r->item.object.bucket, r->item.object.key, std::nullopt},
                    HeadObject::Options{r->item.version_id, s.get.object_headers, false});
  }
  send_download(r);
}

void Batch::ask_head(const std::shared_ptr<Running>& r, Target target, HeadObject::Options options) {
  r->head = std::make_shared<HeadObject>(std::move(target), std::move(options));
  {
    std::lock_guard lock(m_mutex);
    ++m_small;
  }
  m_client.submit(r->head, [this, r] { finished(r); });
}

void Batch::send_download(const std::shared_ptr<Running>& r) {
  const ItemSettings& s = *r->settings;
  auto file = r->dir->create(r->relative);
  if (!file) {
    r->error = file.error();
    return finished(r);
  }
  r->file.emplace(std::move(*file));
  if (r->item.size && *r->item.size > m_settings.whole_get_max) return start_large_download(r, *r->item.size);
  WholeGet::Options options;
  options.version_id = r->item.version_id;
  options.object_headers = s.get.object_headers;
  options.checksum = s.get.checksum;
  options.max_size = m_settings.whole_get_max;
  r->get = std::make_shared<WholeGet>(Target{r->item.object.bucket, r->item.object.key, std::nullopt}, options,
                                      r->file->fd());
  {
    std::lock_guard lock(m_mutex);
    ++m_small;
  }
  m_client.submit(r->get, [this, r] { finished(r); });
}

void Batch::start_large_download(std::shared_ptr<Running> r, uint64_t) {
  {
    std::lock_guard lock(m_mutex);
    r->large = true;
    ++m_large;
  }
  r->get_state = std::make_unique<GetState>();
  r->thread = std::thread([this, r] {
    GetOptions get = r->settings->get;
    get.version_id = r->item.version_id;
    uint64_t done = 0;
    r->error = download_into(m_client, Target{r->item.object.bucket, r->item.object.key, std::nullopt}, get,
                             r->file->fd(), r->file->path(), {}, nullptr, *r->get_state, run_workers, done);
    r->bytes = r->get_state->progress.received.load();
    finished(r);
  });
}

void Batch::start_upload(BatchItem item, const ItemSettings& s) {
  auto r = std::make_shared<Running>();
  r->settings = &s;
  r->started = std::chrono::steady_clock::now();
  r->item = std::move(item);
  const auto symlinks = m_settings.follow_symlinks ? Beneath::Symlinks::Follow : Beneath::Symlinks::Refuse;
  Result<Fd> fd =
      r->item.local_path.empty() ? m_dir->open_read(r->item.relative, symlinks) : open_regular(r->item.local_path);
  if (!fd) return report(r->item, fd.error(), false, 0, 0);
  struct stat st {};
  if (::fstat(fd->get(), &st) != 0 || !S_ISREG(st.st_mode)) {
    return report(r->item, Error::usage(fmt::format("{} is not a regular file", r->item.source_name(m_settings.dir))),
                  false, 0, 0);
  }
  UploadSpec spec = s.put;
  spec.target = Target{r->item.dest.bucket, r->item.dest.key, std::nullopt};
  spec.no_clobber = s.no_clobber;
  if (s.headers_for) {
    auto headers = s.headers_for(r->item.source_name(m_settings.dir));  // the file's name, not a run line's
    if (!headers) return report(r->item, headers.error(), false, 0, 0);
    spec.object_headers = std::move(*headers);
  }
  {
    std::lock_guard lock(m_mutex);
    m_running.push_back(r);
  }
  if (!s.skip.any()) {
    return send_upload(r, std::move(*fd), static_cast<uint64_t>(st.st_size), std::move(spec));
  }
  // Already there with the same size, and the same MD5 where its ETag is one (--skip-existing), or not older than
  // the file (--if-source-newer): skipped. The HEAD goes out like any request; conclude() compares and sends the
  // upload after.
  r->upload_fd = std::move(*fd);
  r->upload_size = static_cast<uint64_t>(st.st_size);
  r->upload_mtime = st.st_mtim;
  const Target target = spec.target;
  HeadObject::Options head{"", spec.sse_c, false};
  r->upload_spec = std::move(spec);
  ask_head(r, target, std::move(head));
}

void Batch::send_upload(const std::shared_ptr<Running>& r, Fd fd, uint64_t size, UploadSpec spec) {
  const ItemSettings& s = *r->settings;
  if (size > std::max(s.part_size, kMinPartSize)) {
    r->bytes = size;
    return start_large_upload(r, std::move(spec));
  }
  UploadSource::Options so;
  so.checksum = spec.checksum;
  so.part_size = s.part_size;
  auto source = UploadSource::file(std::move(fd), r->item.source_name(m_settings.dir), so);
  if (!source) {
    r->error = source.error();
    return finished(r);
  }
  r->source = std::move(*source);
  r->put_state = std::make_unique<PutState>();
  r->source->run(r->put_state->stop);  // a small file: its one part and checksum, here and now
  if (auto e = r->put_state->stop.error()) {
    r->error = e;
    return finished(r);
  }
  r->bytes = size;
  r->put = std::make_shared<PutObject>(std::move(spec), *r->source, *r->put_state);
  {
    std::lock_guard lock(m_mutex);
    ++m_small;
  }
  m_client.submit(r->put, [this, r] { finished(r); });
}

void Batch::start_large_upload(std::shared_ptr<Running> r, UploadSpec spec) {
  {
    std::lock_guard lock(m_mutex);
    r->large = true;
    ++m_large;
  }
  r->put_state = std::make_unique<PutState>();  // only for stopping it: upload() has its own
  r->upload_spec = std::move(spec);
  r->thread = std::thread([this, r] {
    UploadJob job;
    job.spec = std::move(*r->upload_spec);
    job.part_size = r->settings->part_size;
    // By its path, so that the upload is journaled: a rerun after a kill aborts the upload the kill left open.
    // (upload() opens the path again, following symlinks, unlike start_upload()'s open beneath DIR.)
    job.source = r->item.source_name(m_settings.dir);
    UploadSummary summary;
    // Stops with the batch: the runner fails put_state, which upload() cannot see; it sees its own workers'.
    const RunWorkers run = [&](const Workers& w) {
      r->put_state->stop.add_waker([stop = w.stop] { stop->fail(Error{ErrorKind::Interrupted, "stopped"}); });
      return run_workers(w);
    };
    auto result = upload(m_client, job, run, summary);
    if (!result) r->error = result.error();
    finished(r);
  });
}

void Batch::conclude(Running& r) {
  if (r.thread.joinable()) r.thread.join();
  bool stopping = false;
  std::shared_ptr<Running> shared;  // r, to go on with it
  {
    std::lock_guard lock(m_mutex);
    if (r.get || r.put || r.head || r.copy) --m_small;
    else if (r.large) --m_large;
    stopping = m_stopping;
    const auto it = std::find_if(m_running.begin(), m_running.end(), [&](const auto& p) { return p.get() == &r; });
    if (it != m_running.end()) shared = *it;
  }
  if (r.head && r.item.kind == BatchItem::Kind::Upload) {  // --skip-existing's answer: skip, or send the upload now
    const std::shared_ptr<HeadObject> head = std::move(r.head);
    if (stopping) {
      r.error = Error{ErrorKind::Interrupted, "stopped"};
    } else if (!head->error() &&
               keep_destination(r.settings->skip, compare_upload(r.settings->skip, r.upload_fd->get(), r.upload_size,
                                                                  r.upload_mtime, *head))) {
      r.skipped = true;
    } else {
      return send_upload(shared, std::move(*r.upload_fd), r.upload_size, std::move(*r.upload_spec));
    }
  } else if (r.head) {  // a download's: skip, or fetch it now (a failed HEAD leaves the GET to say why)
    const std::shared_ptr<HeadObject> head = std::move(r.head);
    auto there = stopping || head->error() ? Result<std::optional<EntryInfo>>() : r.dir->exists(r.relative);
    if (stopping) {
      r.error = Error{ErrorKind::Interrupted, "stopped"};
    } else if (there && *there && (*there)->kind == EntryInfo::Kind::File && !head->error() &&
               keep_destination(r.settings->skip, compare_download(r.settings->skip, *r.dir, r.relative, **there,
                                                                   head->size(), head->head().etag,
                                                                   last_modified_of(*head)))) {
      r.skipped = true;
    } else {
      if (!head->error()) r.item.size = head->size();
      return send_download(shared);
    }
  }
  if (r.get) {
    const WholeGet::Outcome& got = r.get->result();
    if (got.status == WholeGet::Status::TooLarge && !stopping) {
      const uint64_t size = got.size;  // `got` lives in the WholeGet reset here
      shared->get.reset();
      return start_large_download(shared, size);
    }
    r.error = got.status == WholeGet::Status::Done ? std::nullopt
              : got.error ? got.error
                          : std::optional(Error{ErrorKind::Interrupted, "stopped"});
    r.bytes = got.size;
  }
  if (r.copy) {
    r.error = r.copy->result().completed ? std::nullopt : r.copy_stop->error();
    r.bytes = r.copy->result().size;
    if (r.error && r.error->kind == ErrorKind::Exists && r.settings->no_clobber) {
      r.error.reset();  // --no-clobber: what exists is skipped
      r.skipped = true;
    }
  }
  if (r.put) {
    r.error = r.put_state->stop.error();
    if (r.error && r.error->kind == ErrorKind::Exists && r.settings->no_clobber) {
      r.error.reset();
      r.skipped = true;
    }
  }
  if (r.large && r.error && r.error->kind == ErrorKind::Exists && r.settings->no_clobber) {
    r.error.reset();
    r.skipped = true;
  }
  if (r.file) {
    if (!r.error) {
      // The object's Last-Modified as the file's time, as aws s3 cp does (aws s3 sync compares it).
      const std::string modified = r.get ? r.get->result().last_modified
                                   : r.get_state ? r.get_state->last_modified()
                                                 : std::string();
      if (const auto t = parse_http_date(modified)) set_file_times(r.file->fd(), *t);
      // --no-clobber: a file that appeared since start_download() looked is kept, and this copy skipped.
      const auto replace = r.settings->no_clobber ? PendingFile::Replace::No : PendingFile::Replace::Yes;
      if (auto committed = r.file->commit(replace); !committed) r.error = committed.error();
      if (r.error && r.error->kind == ErrorKind::Exists && r.settings->no_clobber) {
        r.error.reset();
        r.skipped = true;
      }
    }
    if (r.error || r.skipped) r.file->abandon();
  }
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - r.started).count();
  report(r.item, r.error, r.skipped, r.skipped || r.error ? 0 : r.bytes, seconds);
  std::lock_guard lock(m_mutex);
  std::erase_if(m_running, [&](const auto& p) { return p.get() == &r; });
}

void Batch::report(const BatchItem& item, const std::optional<Error>& error, bool skipped, uint64_t bytes,
                   double seconds) {
  {
    std::lock_guard lock(m_mutex);
    if (error) ++m_totals.failed;
    else if (skipped) ++m_totals.skipped;
    else {
      ++m_totals.copied;
      m_totals.bytes += bytes;
      m_totals.latencies.push_back(seconds);
    }
  }
  m_bytes.fetch_add(bytes, std::memory_order_relaxed);
  m_done_count.fetch_add(1, std::memory_order_relaxed);
  const std::string where = item.line != 0 ? fmt::format("line {}: ", item.line) : std::string();
  if (error && error->kind != ErrorKind::Interrupted && error->kind != ErrorKind::Terminated) {
    log_line(one_line(where + describe(*error, item.source_text(m_settings.dir))));
  }
  if (m_settings.stats_json) {
    nlohmann::json j;
    if (item.line != 0) j["line"] = item.line;
    j["source"] = item.source_text(m_settings.dir);
    j["destination"] = item.dest_text(m_settings.dir);
    j["result"] = error ? "failed" : skipped ? "skipped" : m_settings.dry_run ? "dry-run" : "copied";
    j["bytes"] = bytes;
    j["seconds"] = seconds;
    j["exit_code"] = error ? exit_code(error->kind) : 0;
    if (error) j["error"] = error->message;
    if (error && !error->s3_code.empty()) j["s3_code"] = error->s3_code;
    // A local name need not be UTF-8: such bytes become U+FFFD rather than an exception.
    const std::string line = j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
    [[maybe_unused]] const auto n = ::write(STDERR_FILENO, line.data(), line.size());
  }
}

}  // namespace s3fcp
