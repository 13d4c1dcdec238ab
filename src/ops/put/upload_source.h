// What an upload reads, cut into parts and prepared ahead of the network thread by a producer thread of its own:
//
//   - a regular file: its size is known, so is the plan (PartPlan); the producer reads each part once to compute
//     its checksum (a part's checksum travels in a header, before its body), and the network thread reads it again
//     with pread straight into curl's buffer when it sends. Nothing is buffered: the page cache holds the part
//     between the two reads, and the producer keeps only a bounded number of parts prepared ahead of the sender;
//   - a stream (stdin): its size is unknown; the producer reads each part into a buffer (computing its checksum on
//     the way) and keeps it until the part is uploaded, so a failed part can be sent again. Parts grow as the stream
//     does (StreamPartPlan) and buffers are bounded by a memory budget: as parts grow, fewer exist at once.
//
// The producer learns where the data ends one byte early (it reads the next part's first byte before it publishes a
// part), so every part it hands out says whether it is the last: the upload decides between a single PUT and a
// multipart upload from the first part alone.
//
// Threads: run() on the producer thread; take(), read(), release() on the network thread; stop() from anywhere.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "checksum/checksum.h"
#include "ops/put/part_plan.h"
#include "util/byte_range.h"
#include "util/error.h"
#include "util/fd.h"
#include "util/huge_buffer.h"
#include "util/stop_signal.h"

namespace s3fcp {

struct SourcePart {
  uint32_t number = 0;  // 1-based
  ByteRange range;      // the object's bytes it holds
  bool last = false;    // no byte follows it
  std::vector<unsigned char> digest;  // the part's checksum (raw: CRCs big-endian), empty without one
  const std::byte* data = nullptr;    // a stream's buffer; null for a file (read with pread)
};

class UploadSource {
 public:
  struct Options {
    std::optional<ChecksumAlgorithm> checksum;  // computed for every part; none: no part checksum
    uint64_t part_size = kFilePartSize;         // a file's part size (PartPlan), a stream's first part size
    BufferBudget buffers;                       // a stream's part buffers
    uint32_t ahead = 16;                        // parts prepared but not yet uploaded, at most
    std::function<void()> on_ready;             // a part became ready (wake the network thread)
  };

  // A regular file (already open): refused if it is not one. `display` names it in messages.
  static Result<std::unique_ptr<UploadSource>> file(Fd fd, std::string display, Options options);
  // A stream of unknown length (stdin): parts from StreamPartPlan(part_size).
  static Result<std::unique_ptr<UploadSource>> stream(int fd, std::string display, Options options);
  // Bytes in memory the caller keeps unchanged until the upload ends: like a file, read in place.
  static Result<std::unique_ptr<UploadSource>> memory(std::span<const std::byte> data, std::string display,
                                                      Options options);
  // A stream read through a function (the library's read callback): bytes into the buffer, 0 at the end. It runs
  // on the producer thread; a stop takes effect when it returns.
  using Reader = std::function<Result<size_t>(std::byte* into, size_t capacity)>;
  static Result<std::unique_ptr<UploadSource>> reader(Reader read, std::string display, Options options);

  UploadSource(const UploadSource&) = delete;
  UploadSource& operator=(const UploadSource&) = delete;
  ~UploadSource();

  // --- the producer thread ---
  // Prepares parts until the data ends, an error (reported through `stop`) or a stop.
  void run(StopSignal& stop);

  // --- the network thread ---
  // The next prepared part, in order, if one is ready.
  std::optional<SourcePart> take();
  // Bytes of `part` from `offset` (within the part) into `out`.
  Result<size_t> read(const SourcePart& part, uint64_t offset, std::span<std::byte> out) const;
  // `part` is uploaded: its buffer may take a later part.
  void release(uint32_t number);
  // Every part was taken and the last one is known.
  bool exhausted() const;
  // The size of the whole, once known (a file: at once; a stream: when its end was read).
  std::optional<uint64_t> total() const;
  bool is_stream() const { return m_stream; }
  uint64_t part_size_of(uint32_t number) const;  // planned size of a (non-last) part
  // The file's part plan (a file only).
  const std::optional<PartPlan>& plan() const { return m_plan; }

  // --- any thread ---
  void stop();  // wakes the producer wherever it waits
  // Waits until the first part is prepared (without taking it): is it the last, and how long is it? nullopt when
  // stopped first.
  std::optional<SourcePart> wait_first() const;
  // A file: it still has the size and modification time it had when opened (else an Io error naming it).
  Result<void> check_unchanged() const;

 private:
  UploadSource(Fd owned, int fd, std::string display, Options options, bool stream);
  Result<void> produce_file_part(SourcePart& part, std::vector<std::byte>& scratch);
  Result<std::optional<SourcePart>> produce_stream_part(uint32_t number);
  Result<size_t> read_stream(std::byte* into, size_t want);  // blocking, wakes on stop(); 0 at the end
  bool wait_for_room(uint64_t bytes);                         // the producer waits for buffer memory / lookahead
  void publish(SourcePart part);

  Fd m_owned;
  const int m_fd;
  const std::string m_display;
  const Options m_options;
  const bool m_stream;
  std::optional<PartPlan> m_plan;                // a file's
  std::optional<StreamPartPlan> m_stream_plan;   // a stream's
  Fd m_wake;  // eventfd: stop() makes the producer's poll return
  std::span<const std::byte> m_memory;  // a memory source's bytes (then m_fd is -1)
  Reader m_reader;                      // a reader source's function (then m_fd is -1)
  int64_t m_mtime_ns = 0;  // a file's, when opened

  mutable std::mutex m_mutex;  // guards everything below
  mutable std::condition_variable m_cv;
  std::deque<SourcePart> m_ready;
  std::vector<std::pair<uint32_t, HugeBuffer>> m_buffers;  // a stream's part buffers in use, by part number
  std::vector<HugeBuffer> m_free;                          // released buffers of m_free_size bytes, for reuse
  uint64_t m_free_size = 0;
  uint64_t m_buffered = 0;     // bytes of buffers in use
  uint32_t m_outstanding = 0;  // parts prepared and not yet released
  bool m_produced_all = false;
  bool m_stopped = false;
  std::optional<uint64_t> m_total;
  std::optional<std::byte> m_carry;  // a stream's first byte of the next part, read to learn the end
};

}  // namespace s3fcp
