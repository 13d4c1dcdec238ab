// Human sizes for --chunk-size and friends: "8MiB", "16M", "1048576", "1.5GiB", "64k".
// Binary units throughout (K = KiB = 1024), as in aws-cli's multipart_chunksize; an optional "B" suffix.
#pragma once

#include <cstdint>
#include <string_view>

#include "util/error.h"

namespace s3fcp {

Result<uint64_t> parse_size(std::string_view text);

}  // namespace s3fcp
