// One upload, start to finish: a file or stdin to one object. The source's producer thread prepares parts; a
// controller decides between one PutObject (the whole fits in the first part) and a multipart upload and runs the
// operation on the shared client; the caller's runner runs both threads (the CLI: with signals and a progress bar).
// A multipart upload of a file keeps a journal (ops/put/upload_journal.h) while it runs, so that one that was killed
// can be finished with --continue.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "client/client.h"
#include "ops/put/put_ops.h"
#include "util/error.h"
#include "util/workers.h"

namespace s3fcp {

struct UploadJob {
  UploadSpec spec;
  std::string source;                    // a file's path, or "-" for stdin
  int stdin_fd = 0;                      // what "-" reads
  // none: kFilePartSize, or kStreamPartSize for a stream. Also the multipart threshold: what fits in one part is
  // one PUT.
  std::optional<uint64_t> part_size;
  std::optional<uint64_t> expected_size; // a stream's size, stated up front: its parts are sized to fit
  uint64_t memory_budget = 0;            // a stream's part buffers; 0: stream_buffer_budget's default
  bool resume = false;                   // --continue (a file's multipart upload)
  std::string options_digest;            // what else shapes the object, binding the journal
  // Another source than a file or stdin (the library's buffers and callbacks): made with the options upload()
  // works out. No journal then.
  std::function<Result<std::unique_ptr<UploadSource>>(const UploadSource::Options&)> open_source;
  // open_source makes a source of known size (a buffer, a regular file): a file's part size, and its plan tells
  // one PUT or multipart at once. Otherwise it is a stream.
  bool open_source_sized = false;
};

struct UploadSummary {
  uint64_t bytes = 0;  // the object's size, when known
  double seconds = 0;
  uint64_t requests = 0;
  uint64_t retries = 0;
  UploadResult result;
};

// Fills `summary` whether or not the upload succeeds.
Result<void> upload(Client& client, const UploadJob& job, const RunWorkers& run, UploadSummary& summary);

}  // namespace s3fcp
