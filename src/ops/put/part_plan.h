// How an upload is cut into parts, under S3's multipart rules: parts numbered 1..10,000, every part but the
// last between 5 MiB and 5 GiB, a single PUT of at most 5 GiB. Pure arithmetic, no I/O.
//
// A file (known size) uses one part size throughout: the one asked for, raised so that 10,000 parts hold the
// file. A stream of unknown size (stdin) cannot know that in advance, so its parts grow: 1,000 parts of the
// first size, then 1,000 of twice that, and so on up to 5 GiB, which lets a stream that turns out huge still
// fit in 10,000 parts while a small one is sent in small parts. A stream whose size the user states
// (--expected-size) is cut like a file of that size. Part buffers in memory are bounded by a budget.
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
// 1000 x 8 MiB x (2^10 - 1) = 8,184,000 MiB (7.8 TiB, 8.6 TB); for p0 = 5 MiB, 4.9 TiB. A stream that
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

// How many part buffers may exist at once for a memory budget in bytes:
// min(concurrency + 2, max(2, budget / part_size)). concurrency + 2 keeps every connection busy while one
// buffer fills from the source and one finished part waits for a connection; past that, more buffers buy
// nothing. As parts grow (a stream's later parts) fewer fit in the budget, and fewer are in flight. There are
// always at least 2, whatever the budget: one filling from stdin, one in flight; so the budget is exceeded
// only when two parts do not fit in it.
uint64_t part_buffer_count(uint64_t memory_budget, uint64_t part_size, uint64_t concurrency);

// How many of those buffers may be uploading at once: all but the one filling, and no more than the
// connections.
inline uint64_t parts_in_flight(uint64_t buffer_count, uint64_t concurrency) {
  const uint64_t sending = buffer_count > 1 ? buffer_count - 1 : 1;
  return sending < concurrency ? sending : concurrency;
}

}  // namespace s3fcp
