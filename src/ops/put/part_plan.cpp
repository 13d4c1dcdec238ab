// The arithmetic of part_plan.h. A stream's parts come in ten groups of 1,000 equal parts, so offsets and
// lookups walk at most ten groups instead of 10,000 parts.
#include "ops/put/part_plan.h"

#include <algorithm>

#include <fmt/format.h>

namespace s3fcp {

namespace {

constexpr uint64_t MiB = uint64_t{1} << 20;
constexpr uint64_t kGroupParts = 1000;
constexpr uint64_t kGroups = kMaxParts / kGroupParts;

uint64_t ceil_div(uint64_t a, uint64_t b) { return a / b + (a % b != 0); }

double tib(uint64_t bytes) { return static_cast<double>(bytes) / static_cast<double>(uint64_t{1} << 40); }

Error part_size_too_large(uint64_t requested) {
  return Error::usage(fmt::format("a part size of {} bytes is more than S3 allows: at most 5 GiB ({} bytes)",
                                  requested, kMaxPartSize));
}

}  // namespace

uint64_t PartPlan::part_count() const { return m_multipart ? ceil_div(m_total, m_part_size) : 1; }

ByteRange PartPlan::part(uint64_t number) const {
  if (!m_multipart) return {0, m_total};
  const uint64_t begin = (number - 1) * m_part_size;
  return {begin, std::min(begin + m_part_size, m_total)};
}

Result<PartPlan> plan_known_size(uint64_t size, uint64_t requested_part_size) {
  if (requested_part_size > kMaxPartSize) return fail(part_size_too_large(requested_part_size));
  if (size > kMaxMultipartSize) {
    return fail(Error::usage(fmt::format(
        "{} bytes ({:.1f} TiB) is too large for S3: a multipart upload holds at most 10,000 parts of 5 GiB "
        "({:.1f} TiB)",
        size, tib(size), tib(kMaxMultipartSize))));
  }
  const uint64_t fits_in_max_parts = ceil_div(ceil_div(size, kMaxParts), MiB) * MiB;
  const uint64_t part_size = std::max({requested_part_size, kMinPartSize, fits_in_max_parts});
  return PartPlan(size, part_size, size > part_size);
}

Result<StreamPartPlan> StreamPartPlan::create(uint64_t requested_first_part_size) {
  if (requested_first_part_size > kMaxPartSize) return fail(part_size_too_large(requested_first_part_size));
  return StreamPartPlan(std::max(requested_first_part_size, kMinPartSize));
}

uint64_t StreamPartPlan::part_size(uint64_t number) const {
  if (number < 1 || number > kMaxParts) return 0;
  const uint64_t group = (number - 1) / kGroupParts;  // 0..9: p0 x 512 at most, far from overflowing
  return std::min(m_first << group, kMaxPartSize);
}

uint64_t StreamPartPlan::part_offset(uint64_t number) const {
  number = std::clamp<uint64_t>(number, 1, kMaxParts + 1);
  const uint64_t before = number - 1;  // whole parts ahead of it
  uint64_t offset = 0;
  for (uint64_t group = 0; group < kGroups; ++group) {
    const uint64_t first_number = group * kGroupParts + 1;
    if (before < first_number) break;
    const uint64_t count = std::min(before - (first_number - 1), kGroupParts);
    offset += count * part_size(first_number);
  }
  return offset;
}

std::optional<uint64_t> StreamPartPlan::part_containing(uint64_t offset) const {
  uint64_t group_start = 0;
  for (uint64_t group = 0; group < kGroups; ++group) {
    const uint64_t first_number = group * kGroupParts + 1;
    const uint64_t size = part_size(first_number);
    const uint64_t group_bytes = kGroupParts * size;
    if (offset < group_start + group_bytes) return first_number + (offset - group_start) / size;
    group_start += group_bytes;
  }
  return std::nullopt;
}

BufferBudget stream_buffer_budget(uint64_t given, uint64_t first_part_size, uint64_t concurrency) {
  if (given != 0) return BufferBudget{given, 2};
  return BufferBudget{std::min((concurrency + 2) * first_part_size, kStreamBufferCap), kStreamMinBuffers};
}

}  // namespace s3fcp
