// --shard K/N parsing and the shard function. See shard.h for the contract.
#include "batch/shard.h"

#include <fmt/format.h>

#include "util/crypto.h"
#include "util/decimal.h"

namespace s3fcp {

Result<Shard> parse_shard(std::string_view text) {
  const auto bad = [&](std::string_view why) {
    return fail(Error::usage(
        fmt::format("--shard '{}': {} (expected K/N, 0 <= K < N <= {}, e.g. 0/4)", text, why, kMaxShards)));
  };
  const size_t slash = text.find('/');
  if (slash == std::string_view::npos) return bad("no '/'");
  const auto k = parse_decimal(text.substr(0, slash));
  const auto n = parse_decimal(text.substr(slash + 1));
  if (!k || !n) return bad("K and N must be whole numbers");
  if (*n == 0) return bad("N must be at least 1");
  if (*n > kMaxShards) return bad("N is too large");
  if (*k >= *n) return bad("K must be less than N (shards are numbered from 0)");
  return Shard{static_cast<uint32_t>(*k), static_cast<uint32_t>(*n)};
}

uint32_t shard_of(std::string_view key, uint32_t count) {
  const auto digest = sha256(key);
  uint64_t prefix = 0;
  for (size_t i = 0; i < 8; ++i) prefix = (prefix << 8) | digest[i];  // big-endian, whatever the host's order
  return static_cast<uint32_t>(prefix % (count == 0 ? 1 : count));
}

}  // namespace s3fcp
