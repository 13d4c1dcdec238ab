// How an upload is cut into parts, under S3's multipart rules: parts numbered 1..10,000, every part but the
// last between 5 MiB and 5 GiB, a single PUT of at most 5 GiB. Pure arithmetic, no I/O.
//
// A file (known size) uses one part size throughout: the one asked for, raised so that 10,000 parts hold the
// file. A stream of unknown size (stdin) cannot know that in advance, so its parts grow: 1,000 parts of the
// first size, then 1,000 of twice that, and so on up to 5 GiB, which lets a stream that turns out huge still
// fit in 10,000 parts while a small one is sent in small parts. A stream whose size the user states
// (--expected-size) is cut like a file of that size. A stream's part buffers are bounded by a budget.
#pragma once

#include <cstdint>
#include <optional>

#include "util/byte_range.h"
#include "util/error.h"

namespace s3fcp {

inline constexpr uint64_t kMaxParts = 10000;
inline constexpr uint64_t kMinPartSize = uint64_t{5} << 20;              // 5 MiB, except the last part
inline constexpr uint64_t kMaxPartSize = uint64_t{5} << 30;              // 5 GiB
inline constexpr uint64_t kMaxSinglePutSize = uint64_t{5} << 30;         // 5 GiB
inline constexpr uint64_t kMaxMultipartSize = kMaxParts * kMaxPartSize;  // 48.8 TiB

// A known size cut into equal parts (the last possibly short), or sent in one PUT.
class PartPlan {
 public:
  PartPlan(uint64_t total, uint64_t part_size, bool multipart)
      : m_total(total), m_part_size(part_size), m_multipart(multipart) {}

  uint64_t total() const { return m_total; }
  uint64_t part_size() const { return m_part_size; }
  // false: one PutObject of total() bytes (at most 5 GiB).
  bool multipart() const { return m_multipart; }
  // 1 for a single PUT (also of 0 bytes).
  uint64_t part_count() const;
  // Part `number` (1-based, up to part_count()): its bytes [begin, end).
  ByteRange part(uint64_t number) const;
  // The part number holding byte `offset` (< total()).
  uint64_t part_of(uint64_t offset) const { return m_multipart ? offset / m_part_size + 1 : 1; }
  // What 10,000 parts of part_size() hold: a stream cut by this plan (--expected-size) may not exceed it.
  uint64_t capacity() const { return m_multipart ? kMaxParts * m_part_size : m_part_size; }

  bool operator==(const PartPlan&) const = default;

 private:
  uint64_t m_total;
  uint64_t m_part_size;
  bool m_multipart;
};

// The plan for `size` bytes when `requested_part_size` was asked for (--chunk-size). The part size used is
// max(requested, 5 MiB, ceil(size / 10,000) rounded up to a whole MiB); the size fits in one PUT, and is sent
// so, when it is at most that part size. So a request below 5 MiB (S3's minimum for all parts but the last)
// is raised, which means that anything up to 5 MiB goes in a single PUT; and a file too big for 10,000 parts
// of the size asked for gets larger parts. Errors (kind Usage): a requested part size over 5 GiB, and a size
// over 10,000 x 5 GiB, which no multipart upload can hold.
Result<PartPlan> plan_known_size(uint64_t size, uint64_t requested_part_size);

// --expected-size: a stream whose size the user states is cut as a file of that size would be. The stream may
// turn out shorter (fewer parts) or longer up to capacity(); beyond it the caller stops with an error.
inline Result<PartPlan> plan_expected_size(uint64_t expected_size, uint64_t requested_part_size) {
  return plan_known_size(expected_size, requested_part_size);
}

// A stream of unknown size: part n (1-based) has p0 x 2^floor((n-1)/1000) bytes, at most 5 GiB. For
// p0 = 8 MiB the ten groups of 1,000 parts are 8 MiB .. 4 GiB and hold together
// 1000 x 8 MiB x (2^10 - 1) = 8,184,000 MiB (7.8 TiB, 8.6 TB); for p0 = 6 MiB, 5.9 TiB; 5 MiB, 4.9 TiB. A stream that
// ends inside part 1 can go in a single PUT instead.
class StreamPartPlan {
 public:
  // p0 = max(requested, 5 MiB); a request over 5 GiB is an error (kind Usage).
  static Result<StreamPartPlan> create(uint64_t requested_first_part_size);

  uint64_t first_part_size() const { return m_first; }
  // The size of part `number`; 0 outside 1..10,000.
  uint64_t part_size(uint64_t number) const;
  // Where part `number` starts; for number 10,001, capacity(). Parts past that: capacity() as well.
  uint64_t part_offset(uint64_t number) const;
  // All bytes 10,000 parts hold.
  uint64_t capacity() const { return part_offset(kMaxParts + 1); }
  // The part holding byte `offset`; nullopt at or past capacity().
  std::optional<uint64_t> part_containing(uint64_t offset) const;

 private:
  explicit StreamPartPlan(uint64_t first) : m_first(first) {}
  uint64_t m_first;
};

// Part sizes where the caller gives none. A file or a buffer: 8 MiB, above S3's 5 MiB minimum, few enough requests
// to hide a 30 ms latency at 90 MB/s per connection. A stream (stdin, a reader): 6 MiB first parts, whose 10,000
// growing parts hold 5.9 TiB (8 MiB ones: 7.8 TiB; more than that needs --expected-size either way), and whose
// buffers went faster within kStreamBufferCap than 8 MiB ones.
inline constexpr uint64_t kFilePartSize = uint64_t{8} << 20;
inline constexpr uint64_t kStreamPartSize = uint64_t{6} << 20;

// A stream's part buffers (filled from the source, held until their part is sent): at most `bytes` of them, yet
// always room for `min_buffers` parts (at least 2: one filling, one in flight). As a stream's parts grow, fewer fit,
// and fewer are in flight.
struct BufferBudget {
  uint64_t bytes = 0;
  uint32_t min_buffers = 2;
};

// The default budget: (concurrency + 2) x part size (every connection busy, one part filling, one waiting), at most
// kStreamBufferCap, yet kStreamMinBuffers parts, so that a long stream's grown parts (48 MiB past 42 GB) keep four
// in flight. From a pipe, 24 buffers of 6 MiB went as fast as 34 of 8 MiB in 0.6x the memory (README, uploads).
inline constexpr uint64_t kStreamBufferCap = uint64_t{144} << 20;
inline constexpr uint32_t kStreamMinBuffers = 6;
// `given` (a caller's --max-memory) is kept to the byte, beyond two parts; 0 = the default above.
BufferBudget stream_buffer_budget(uint64_t given, uint64_t first_part_size, uint64_t concurrency);

// Whether a buffer of `size` bytes more fits, next to `held` buffers holding `held_bytes`.
inline bool buffer_fits(const BufferBudget& budget, uint64_t held, uint64_t held_bytes, uint64_t size) {
  return held < (budget.min_buffers > 2 ? budget.min_buffers : 2) || held_bytes + size <= budget.bytes;
}

}  // namespace s3fcp
