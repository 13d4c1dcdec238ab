// The command line: one table of options (CLI11) from which --help is generated, plus the environment
// variables the AWS CLI users already set. Produces a validated Options or a usage Error; no I/O beyond getenv.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "checksum/checksum.h"
#include "client/client.h"
#include "ops/get/range_spec.h"
#include "ops/get/ranged_get.h"
#include "s3/endpoint.h"
#include "s3/s3_uri.h"
#include "util/error.h"

namespace s3fcp {

struct Options {
  S3Uri source;             // an s3:// source
  std::string source_url;   // or an http(s):// source (then `source` is empty)
  std::string source_display() const;  // for messages; a URL's query (a presigned signature) is elided
  std::string destination = "-";  // "-": stdout; else a file or an existing directory
  bool force = false;              // --force: replace an existing file (and any partial download of it)
  bool resume = false;             // --continue: finish the partial download of DEST
  std::string version_id;
  std::optional<RangeSpec> range;  // --range: only these bytes
  // Defaults live with what they configure (ClientSettings, GetOptions, RetryConfig); these ask them.
  uint32_t concurrency = ClientSettings{}.concurrency;
  uint64_t chunk_size = GetOptions{}.chunk_size;
  uint32_t window = 0;  // chunks; 0 = derive from concurrency (window_slots_of)
  bool quiet = false;
  bool progress = false;  // --progress: also when stderr is not a terminal (one line per second)
  bool verbose = false;
  bool no_sign_request = false;
  std::string profile;                  // --profile; empty: AWS_PROFILE, else AWS_DEFAULT_PROFILE, else "default"
  bool addressing_style_given = false;  // --addressing-style was given (else the profile's s3.addressing_style)
  bool hedge = true;
  ChecksumMode checksum = ChecksumMode::automatic();
  bool print_checksum = false;
  bool stats_json = false;
  EndpointSettings endpoint;
  int max_attempts = RetryConfig{}.max_attempts;
  int connect_timeout_s = static_cast<int>(ClientSettings{}.connect_timeout.count() / 1000);
  int read_timeout_s = static_cast<int>(ClientSettings{}.stall_timeout.count());
  std::string ca_bundle;
  std::string request_payer;  // "requester" or empty
  std::string sse_c_key;      // the raw 32-byte SSE-C key, or empty; never printed
};

// What the command line asked for: run, or print help/version and exit 0.
struct ParsedCommandLine {
  enum class Action { Run, PrintAndExit } action = Action::Run;
  std::string text;  // help or version text for PrintAndExit
  Options options;
};

// Parses argv with the environment read through `getenv`.
Result<ParsedCommandLine> parse_command_line(int argc, const char* const* argv);

}  // namespace s3fcp
