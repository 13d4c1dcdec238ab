#include "ops/get/range_spec.h"

#include <algorithm>

#include <fmt/format.h>

#include "util/decimal.h"

namespace s3fcp {

std::string RangeSpec::text() const {
  switch (kind) {
    case Kind::FromTo: return fmt::format("bytes={}-{}", first, last);
    case Kind::From: return fmt::format("bytes={}-", first);
    case Kind::Suffix: return fmt::format("bytes=-{}", suffix);
  }
  return {};
}

std::optional<ByteRange> RangeSpec::resolve(uint64_t size) const {
  if (kind == Kind::Suffix) return ByteRange{size - std::min(suffix, size), size};
  if (first >= size) {
    if (first == 0) return ByteRange{0, 0};  // an empty object: "bytes=0-" is all of it
    return std::nullopt;
  }
  const uint64_t end = kind == Kind::FromTo ? std::min(last, size - 1) + 1 : size;
  return ByteRange{first, end};
}

std::string RangeSpec::probe_header(uint64_t chunk) const {
  if (kind == Kind::Suffix) return text();
  const uint64_t probe_last = first + std::min(chunk - 1, UINT64_MAX - first);  // chunk > 0
  return fmt::format("bytes={}-{}", first, kind == Kind::FromTo ? std::min(last, probe_last) : probe_last);
}

Result<RangeSpec> parse_range_spec(std::string_view text) {
  const auto bad = [&](std::string_view why) {
    return fail(Error::usage(fmt::format("--range '{}' {}: give bytes=FIRST-LAST, bytes=FIRST- or bytes=-COUNT "
                                         "(byte offsets from 0, LAST included)", text, why)));
  };
  std::string_view spec = text;
  if (spec.starts_with("bytes=")) spec.remove_prefix(6);
  const size_t dash = spec.find('-');
  if (dash == std::string_view::npos) return bad("has no '-'");
  if (spec.find_first_of(",", dash) != std::string_view::npos) return bad("is a list; give one range");
  const std::string_view a = spec.substr(0, dash);
  const std::string_view b = spec.substr(dash + 1);
  RangeSpec r;
  if (a.empty()) {
    const auto n = parse_decimal(b);
    if (!n) return bad("is not a range");
    if (*n == 0) return bad("selects no bytes");
    r.kind = RangeSpec::Kind::Suffix;
    r.suffix = *n;
    return r;
  }
  const auto first = parse_decimal(a);
  if (!first) return bad("is not a range");
  r.first = *first;
  if (b.empty()) {
    r.kind = RangeSpec::Kind::From;
    return r;
  }
  const auto last = parse_decimal(b);
  if (!last) return bad("is not a range");
  if (*last < *first) return bad("ends before it starts");
  r.kind = RangeSpec::Kind::FromTo;
  r.last = *last;
  return r;
}

}  // namespace s3fcp
