// The command line's checks beyond single values, private to cli/options.cpp: which way the copy goes (from the two
// operands), and that every option given applies to that direction, with its value well-formed.
#pragma once

#include <string>
#include <vector>

#include "cli/options.h"
#include "util/error.h"

namespace s3fcp {

// SOURCE and DEST (o.destination) → o.direction and the direction's fields. Usage errors: both local, both remote,
// an upload destination without a key, --continue with stdin.
Result<void> classify_operands(const std::string& source, Options& o);

// The operands of a many-object copy: `-r s3://b/p/ DIR`, `-r DIR s3://b/p/`, `--files-from F SOURCE DEST`,
// `--manifest F DIR`, `run FILE`. Sets o.mode, o.direction, o.remote, o.local_dir, o.list_file, o.shard.
Result<void> classify_many(const std::string& source, bool recursive, const std::string& files_from,
                           const std::string& manifest, const std::string& shard, Options& o);

// Options of the other direction are refused; upload values (sizes, metadata, tags, encryption) parsed into `o`.
Result<void> check_direction_options(Options& o, const std::string& expected_size,
                                     const std::vector<std::string>& metadata, const std::string& tagging,
                                     const std::string& range, const std::string& max_memory);

}  // namespace s3fcp
