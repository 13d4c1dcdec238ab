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
#include "batch/shard.h"
#include "util/error.h"

namespace s3fcp {

struct Options {
  // Which way the bytes go: from S3 (an s3:// or http(s):// SOURCE), to S3 (a local SOURCE, an s3:// DEST), or
  // from one S3 object to another by S3 itself (both s3://; `source` and `upload_to`).
  enum class Direction { Download, Upload, Copy };
  Direction direction = Direction::Download;

  S3Uri source;             // a download's or a copy's s3:// source
  std::string source_url;   // or its http(s):// source (then `source` is empty)
  std::string source_display() const;  // for messages; a URL's query (a presigned signature) is elided
  std::string destination = "-";  // a download's: "-": stdout; else a file or an existing directory
  bool destination_given = false;  // DEST was on the command line (an explicit '-' included)
  std::string local_source;       // an upload's: a file, or "-" for stdin
  S3Uri upload_to;  // an upload's or a copy's destination (the key completed with the file's name for "prefix/")
  bool force = false;              // --force: replace an existing file (and any partial download of it)
  bool resume = false;             // --continue: finish the partial download of DEST, or the killed upload of SOURCE
  std::string version_id;
  std::optional<RangeSpec> range;  // --range: only these bytes
  // Defaults live with what they configure (ClientSettings, GetOptions, RetryConfig); these ask them.
  uint32_t concurrency = ClientSettings{}.concurrency;
  std::optional<uint64_t> chunk_size;  // none: GetOptions' chunk for a download, UploadJob's part for an upload
  uint32_t window = 0;  // chunks; 0 = derive from concurrency (window_slots_of)
  uint64_t max_memory = 0;  // --max-memory for an upload: its stream buffers (0: UploadJob's default)
  bool quiet = false;
  bool progress = false;  // --progress: also when stderr is not a terminal (one line per second)
  bool no_progress = false;  // --no-progress: no bar (the summary stays, unlike -q)
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
  std::string ca_bundle;       // --ca-bundle; empty: AWS_CA_BUNDLE, the profile's ca_bundle (resolve_client)
  bool no_verify_tls = false;  // --no-verify-ssl
  std::string request_payer;  // "requester" or empty
  std::string sse_c_key;      // the raw 32-byte SSE-C key, or empty; never printed

  // Many objects: -r, --files-from, --manifest, `s3fcp run FILE`.
  enum class Mode { Single, Recursive, FilesFrom, Manifest, Run };
  Mode mode = Mode::Single;
  std::string list_file;  // --files-from, --manifest or run's FILE ("-" for stdin)
  S3Uri remote;           // the S3 side of a many-object copy: bucket and prefix (a copy's source)
  S3Uri copy_to;          // -r between buckets: the destination's bucket and prefix
  std::string local_dir;  // its local side: the directory
  std::vector<std::string> include, exclude;
  std::optional<Shard> shard;
  bool dry_run = false;
  bool skip_existing = false;
  bool if_source_newer = false;  // skip what exists unless the source is newer (s5cmd's -u)
  bool concurrency_given = false;  // -c was given (a many-object copy has a larger default)
  std::vector<std::string> run_words;  // run's options as typed: every line of the file is parsed with them first

  // Uploads only.
  bool no_clobber = false;                 // If-None-Match: *
  bool follow_symlinks = false;            // -r DIR / --files-from: read through symlinks beneath DIR
  std::optional<uint64_t> expected_size;   // a stream's size, to size its parts
  std::string content_type, cache_control, content_encoding, content_disposition, content_language, storage_class,
      acl, sse, sse_kms_key_id;
  std::string expires;           // the Expires header: an HTTP date (--expires takes ISO 8601 too)
  std::string website_redirect;  // x-amz-website-redirect-location
  bool no_guess_mime_type = false;
  std::vector<std::pair<std::string, std::string>> metadata;  // --metadata k=v, in order
  std::vector<std::pair<std::string, std::string>> tags;      // --tagging k=v&k2=v2, decoded
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
