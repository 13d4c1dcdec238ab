// From what the user typed to what the engine runs with: the command line's Options made into a ClientConfig
// (client/client_config.h completes it from the environment and the config files), the object's target and the
// per-object headers (SSE-C). main() only calls these.
#pragma once

#include "cli/options.h"
#include "client/client.h"
#include "util/error.h"

namespace s3fcp {

struct Resolved {
  ClientSettings client;
  Target source;         // the object: to download (an s3:// object or an http(s) URL), to upload to, or to copy
  Target copy_to;        // a copy's destination
  HeaderList sse_c;      // the SSE-C key headers, for every request that touches the object; never printed
};

// For an http(s) source nothing is signed. The bucket's name is checked against the addressing style now.
Result<Resolved> resolve(Options& options);

// The three SSE-C headers for a raw 32-byte key: algorithm, the key in base64, the key's MD5 in base64.
HeaderList sse_c_headers(const std::string& raw_key);

}  // namespace s3fcp
