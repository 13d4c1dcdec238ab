// --shard K/N: run N copies of s3fcp, on N machines or one, each copying a disjoint part of the same key
// list, with no coordination between them: shard K takes exactly the keys whose shard_of() is K.
//
// THE CONTRACT. shard_of(key, N) = (the first 8 bytes of SHA-256(key's bytes), read big-endian) mod N. It
// depends on nothing else — not on the machine, architecture, byte order, compiler, locale or s3fcp version —
// so runs started on different machines or with different releases still split a list the same way, once
// each. Changing this function reshuffles every sharded job in flight: the unit tests pin values to catch
// that. Which bytes are hashed is the caller's contract: the object's full key for S3 sources (not the part
// below the prefix, so listing s3://b/ or s3://b/logs/ puts logs/x in the same shard), the relative path for
// uploads.
#pragma once

#include <cstdint>
#include <string_view>

#include "util/error.h"

namespace s3fcp {

struct Shard {
  uint32_t index = 0;  // K: 0 .. count-1
  uint32_t count = 1;  // N: 1 .. kMaxShards
  bool operator==(const Shard&) const = default;
};

inline constexpr uint32_t kMaxShards = 1'000'000;

// "K/N", both plain decimals. Anything else is a Usage error with a one-line message.
Result<Shard> parse_shard(std::string_view text);

// Which of `count` shards `key` belongs to (count >= 1).
uint32_t shard_of(std::string_view key, uint32_t count);

inline bool in_shard(std::string_view key, uint32_t index, uint32_t count) {
  return shard_of(key, count) == index;
}
inline bool in_shard(std::string_view key, Shard shard) { return in_shard(key, shard.index, shard.count); }

}  // namespace s3fcp
