// Many objects on one client: the runner behind -r, --files-from, --manifest and `run`. Producers (a listing, a walk
// of a local tree, a list of keys, a batch file) add items; the runner copies them with the shared client, many at
// once, and reports each failure on its own line without stopping the others.
//
// How an item is copied:
//   - a download of a small object (size from the listing up to `whole_get_max`, or unknown): one GET into a
//     temporary file beneath the destination directory (io/beneath.h), renamed into place when whole and verified.
//     An object that turns out larger is handed to the large path with its size;
//   - a download of a large object: parallel ranged GETs into the temporary file (download_into), on a thread of its
//     own (two threads a copy; as many copies at once as `items_in_flight` allows: a cap of a few would leave an
//     object of 9 MiB, three chunks, with three requests where 128 are allowed);
//   - an upload of a file up to its part size: one PutObject, its checksum computed before it is sent;
//   - a larger file: a multipart upload (ops/put/upload.h) on a thread of its own;
//   - a copy between buckets: one CopyObject, or a multipart copy beyond the part size (ops/copy/copy_object.h), on
//     the network thread like a small item (no bytes come here).
// The client's budget is the one concurrency limit: small items in flight are bounded (`items_in_flight`) only so
// that the queue of ready requests stays short, and large items share the budget through the client's turns.
//
// Threads: add() and close() from producer threads (add() blocks while the queue is full); add_ready() and has_room()
// from the client's network thread (a listing's pages); run() on its own thread until everything is done.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "client/client.h"
#include "io/beneath.h"
#include "ops/copy/copy_object.h"
#include "ops/get/ranged_get.h"
#include "ops/get/whole_get.h"
#include "ops/many/skip_rule.h"
#include "ops/put/put_ops.h"
#include "ops/put/upload.h"
#include "s3/s3_uri.h"
#include "util/stop_signal.h"

namespace s3fcp {

// What shapes the copies of a batch (a run line may bring its own).
struct ItemSettings {
  GetOptions get;        // chunk size, checksum, hedging, SSE-C headers (object_headers)
  UploadSpec put;        // headers, checksum, SSE-C, --no-clobber (target set per item)
  CopySpec copy;         // a copy's headers and directives (source and destination set per item)
  uint64_t part_size = kFilePartSize;
  // An upload's headers for its file (Content-Type by the file's extension); unset: put.object_headers.
  std::function<Result<HeaderList>(const std::string& file_name)> headers_for;
  bool no_clobber = false;     // a download: skip an existing local file; an upload: If-None-Match (exists = skipped)
  SkipRule skip;               // --skip-existing, --if-source-newer
};

struct BatchItem {
  enum class Kind { Download, Upload, Copy };
  Kind kind = Kind::Download;
  size_t line = 0;  // of a batch file, for messages
  // A download: the object, and where it goes: `relative` beneath the batch's directory (or beneath `local_dir`,
  // when set: a run line's wildcard), or `local_path`.
  S3Uri object;
  std::string version_id;
  std::optional<uint64_t> size;  // known from a listing
  std::string etag;              // known from a listing
  std::optional<std::chrono::system_clock::time_point> last_modified;  // known from a listing
  // An upload: the file (`relative` beneath the batch's directory, or `local_path`) and where it goes. A copy:
  // `object` (and `version_id`) to `dest`.
  S3Uri dest;
  std::string relative;
  std::string local_dir;
  std::string local_path;
  std::shared_ptr<const ItemSettings> settings;  // null: the batch's
  std::string refused;  // not to be copied, and why (an unsafe key): reported as failed
  std::string label;    // what messages call it, when not its source (a run line that did not parse)

  // `dir` is the batch's directory. source_text: the label, else source_name; source_name: the s3:// URI or the
  // local path.
  std::string source_text(const std::string& dir) const;
  std::string source_name(const std::string& dir) const;
  std::string dest_text(const std::string& dir) const;
};

struct BatchTotals {
  uint64_t copied = 0, skipped = 0, failed = 0, bytes = 0;
  double seconds = 0;
  std::vector<double> latencies;  // seconds per copied item, in order of completion
};

class Batch {
 public:
  struct Settings {
    std::shared_ptr<const ItemSettings> item;  // the default for items without their own
    std::string dir;                           // the local directory of -r / --files-from / --manifest ("" for run)
    bool dir_must_exist = false;               // an upload's source directory (a download's is made)
    bool follow_symlinks = false;              // uploads: read files through symlinks beneath `dir`
    uint32_t items_in_flight = 64;
    uint64_t whole_get_max = whole_get_limit(GetOptions{}.chunk_size);  // downloads up to this size are one GET
    size_t queue_limit = 4096;                 // items waiting; add() blocks beyond it
    bool dry_run = false;                      // print "cp SOURCE DEST" on stdout instead of copying
    bool stats_json = false;                   // one JSON line per item on stderr
    bool quiet = false;
  };

  Batch(Client& client, Settings settings);
  ~Batch();
  Batch(const Batch&) = delete;
  Batch& operator=(const Batch&) = delete;

  // Producers. add() blocks while the queue is full (false once stopped); add_ready() never blocks.
  bool add(BatchItem item);
  void add_ready(BatchItem item);
  bool has_room() const;
  void close();  // no more items

  // Copies until the items are closed and all done, or `stop` stops it (then every copy in flight is stopped and
  // waited for). A failure of the run as a whole (the directory cannot be opened) goes to `stop`.
  void run(StopSignal& stop);

  BatchTotals totals() const;
  uint64_t done_items() const { return m_done_count.load(std::memory_order_relaxed); }
  uint64_t added_items() const { return m_added.load(std::memory_order_relaxed); }
  uint64_t bytes() const { return m_bytes.load(std::memory_order_relaxed); }

 private:
  struct Running;
  void start(BatchItem item, StopSignal& stop);
  void start_download(BatchItem item, const ItemSettings& s);
  void start_upload(BatchItem item, const ItemSettings& s);
  void start_copy(BatchItem item, const ItemSettings& s);
  void send_download(const std::shared_ptr<Running>& r);  // into a temporary file: one GET, or ranged GETs
  // A HEAD for the skip rule (`r` already running); conclude() takes its answer.
  void ask_head(const std::shared_ptr<Running>& r, Target target, HeadObject::Options options);
  void start_large_download(std::shared_ptr<Running> r, uint64_t size);
  void start_large_upload(std::shared_ptr<Running> r, UploadSpec spec);
  void send_upload(const std::shared_ptr<Running>& r, Fd fd, uint64_t size, UploadSpec spec);  // PUT or multipart
  void finished(const std::shared_ptr<Running>& r);  // any thread: hand a finished copy to run()
  void conclude(Running& r);                          // run()'s thread: commit, report, count
  void report(const BatchItem& item, const std::optional<Error>& error, bool skipped, uint64_t bytes, double seconds);
  Result<std::string> local_place(const BatchItem& item, std::string& relative) const;

  Client& m_client;
  const Settings m_settings;
  std::optional<Beneath> m_dir;

  mutable std::mutex m_mutex;  // guards the queues and counts below
  std::condition_variable m_cv;
  std::deque<BatchItem> m_queue;
  std::vector<std::shared_ptr<Running>> m_finished;
  std::vector<std::shared_ptr<Running>> m_running;
  bool m_closed = false;
  bool m_stopping = false;
  uint32_t m_small = 0, m_large = 0;  // in flight

  BatchTotals m_totals;  // run()'s thread
  std::atomic<uint64_t> m_done_count{0}, m_added{0}, m_bytes{0};
  std::chrono::steady_clock::time_point m_started;
};

}  // namespace s3fcp
