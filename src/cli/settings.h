// From what the user typed to what the engine runs with: the command line's Options plus the environment and the
// shared config files (~/.aws/config, ~/.aws/credentials) resolved into the client's settings (endpoint URL and
// region by the AWS CLI's precedence, addressing style, dual-stack/FIPS, the credential chain, request-payer) and
// the object's target and per-object headers (SSE-C). main() only calls these.
#pragma once

#include "cli/options.h"
#include "client/client.h"
#include "util/error.h"

namespace s3fcp {

struct Resolved {
  ClientSettings client;
  Target source;         // the object: to download (an s3:// object or an http(s) URL), or to upload to
  HeaderList sse_c;      // the SSE-C key headers, for every request that touches the object; never printed
};

// Reads the config files and the environment; builds the credential chain and loads the keys once (so that a
// missing key is one clear error before anything is sent). For an http(s) source nothing is signed.
Result<Resolved> resolve(Options& options);

// The three SSE-C headers for a raw 32-byte key: algorithm, the key in base64, the key's MD5 in base64.
HeaderList sse_c_headers(const std::string& raw_key);

}  // namespace s3fcp
