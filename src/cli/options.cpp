#include "cli/options.h"

#include <cstdlib>
#include <fstream>
#include <iterator>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "cli/parse_size.h"

namespace s3fcp {

namespace {

std::string env(const char* name) {
  const char* v = std::getenv(name);
  return v ? std::string(v) : std::string();
}

constexpr const char* kExitCodes = R"(Exit codes:
  0    success: the whole object was written
  1    other error
  2    usage error (bad option, URI or size)
  3    not found (NoSuchKey, NoSuchBucket, NoSuchVersion)
  4    access denied or no usable credentials
  5    the object changed during the download (ETag no longer matches)
  6    network error or throttling: retries exhausted
  7    checksum mismatch
  8    cannot write the destination
  130  interrupted (SIGINT)
  141  broken pipe (the reader went away, e.g. `| head`)
  143  terminated (SIGTERM))";

}  // namespace

std::string Options::source_display() const {
  if (source_url.empty()) return source.str();
  const auto cut = source_url.find_first_of("?#");
  return cut == std::string::npos ? source_url : source_url.substr(0, cut) + "?…";
}

Result<ParsedCommandLine> parse_command_line(int argc, const char* const* argv) {
  ParsedCommandLine out;
  Options& o = out.options;
  std::string source, chunk_size = "8MiB", max_memory, checksum = "auto", stats, sse_c_key, sse_c_key_file, addressing = "auto", endpoint_url, region;

  CLI::App app{"Copy one S3 object to stdout as fast as the network allows: many concurrent ranged GETs,\n"
               "bytes written strictly in order.",
               "s3fcp"};
  app.footer(std::string("\nCredentials, as the AWS CLI finds them: AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY/\n"
                         "AWS_SESSION_TOKEN; the profile (--profile, AWS_PROFILE, default) in ~/.aws/config and\n"
                         "~/.aws/credentials: keys, credential_process, role_arn, web identity, SSO; web identity\n"
                         "(AWS_WEB_IDENTITY_TOKEN_FILE); ECS container; EC2 instance metadata.\n"
                         "Endpoint: --endpoint-url, else AWS_ENDPOINT_URL_S3, else AWS_ENDPOINT_URL, else the\n"
                         "profile's endpoint_url.\n"
                         "Region: --region, else AWS_REGION, else AWS_DEFAULT_REGION, else the profile's region,\n"
                         "else EC2 instance metadata (AWS endpoints only), else us-east-1.\n\n") +
             kExitCodes);
  app.set_version_flag("--version", std::string("s3fcp ") + S3FCP_VERSION);
  app.add_option("SOURCE", source, "s3://bucket/key, or an http(s):// URL (e.g. presigned)")->required();
  app.add_option("DEST", o.destination, "'-' or omitted: stdout");
  app.add_option("--version-id", o.version_id, "download this version of the object");
  app.add_option("-c,--concurrency", o.concurrency, "parallel ranged GETs (default 16)");
  app.add_option("--chunk-size", chunk_size, "bytes per ranged GET: 8MiB, 16M, 1048576 (default 8MiB)");
  app.add_option("--window", o.window, "chunk buffers held in memory at most (default: the concurrency, at least 2)");
  app.add_option("--max-memory", max_memory, "cap on chunk buffers: sets the window to SIZE / chunk size");
  app.add_flag("-q,--quiet", o.quiet, "no progress bar");
  app.add_flag("--progress", o.progress, "show progress even when stderr is not a terminal (a line per second)");
  app.add_flag("-v,--verbose", o.verbose, "log every request on stderr (never a secret)");
  app.add_option("--endpoint-url", endpoint_url, "S3 endpoint, e.g. http://127.0.0.1:9000");
  app.add_option("--region", region, "AWS region (default us-east-1)");
  auto* addressing_option =
      app.add_option("--addressing-style", addressing, "auto, path or virtual (default auto: virtual on AWS)");
  app.add_option("--profile", o.profile, "named profile of ~/.aws/config and ~/.aws/credentials (default: "
                                         "AWS_PROFILE, else default)");
  app.add_option("--checksum", checksum,
                 "verify the object's full-object checksum: auto (default: whichever it has), off, or one of "
                 "CRC64NVME, CRC32C, CRC32, SHA256, SHA1, MD5 (must be verifiable)");
  app.add_flag("--print-checksum", o.print_checksum, "print the verified checksum on stderr");
  app.add_option("--stats", stats, "print a summary at the end on stderr: 'json'");
  app.add_option("--request-payer", o.request_payer, "'requester': agree to pay for a Requester Pays bucket");
  app.add_option("--sse-c-key", sse_c_key, "SSE-C key of the object: 32 bytes, raw or base64 (never printed)");
  app.add_option("--sse-c-key-file", sse_c_key_file, "read the 32-byte SSE-C key from this file");
  app.add_flag("!--no-hedge", o.hedge, "never race a second request against a crawling chunk");
  app.add_flag("--no-sign-request", o.no_sign_request, "send anonymous requests (public objects)");
  app.add_option("--max-attempts", o.max_attempts, "requests per byte range before giving up (default 10)");
  app.add_option("--connect-timeout", o.connect_timeout_s, "seconds to wait for a connection (default 10)");
  app.add_option("--read-timeout", o.read_timeout_s, "seconds without a byte before a request is retried (default 20)");

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp&) {
    out.action = ParsedCommandLine::Action::PrintAndExit;
    out.text = app.help();
    return out;
  } catch (const CLI::CallForVersion&) {
    out.action = ParsedCommandLine::Action::PrintAndExit;
    out.text = app.version() + "\n";
    return out;
  } catch (const CLI::ParseError& e) {
    return fail(Error::usage(std::string(e.what()) + " (see --help)"));
  }

  if (is_http_source(source)) {
    if (!o.version_id.empty()) return fail(Error::usage("--version-id applies to s3:// sources only"));
    o.source_url = source;
  } else {
    auto uri = parse_s3_uri(source);
    if (!uri) return fail(uri.error());
    o.source = std::move(*uri);
  }
  if (o.destination != "-") {
    return fail(Error::usage("only stdout is supported as destination for now: omit DEST or use '-'"));
  }
  const auto mode = parse_checksum_mode(checksum);
  if (!mode) {
    return fail(Error::usage(fmt::format("--checksum must be auto, off or an algorithm (CRC64NVME, CRC32C, CRC32, "
                                         "SHA256, SHA1, MD5), got '{}'", checksum)));
  }
  o.checksum = *mode;
  if (!stats.empty() && stats != "json") return fail(Error::usage("--stats takes 'json', got '" + stats + "'"));
  o.stats_json = stats == "json";
  auto size = parse_size(chunk_size);
  if (!size) return fail(size.error());
  if (*size < 1024 || *size > (1ull << 30)) {
    return fail(Error::usage(fmt::format("--chunk-size must be between 1KiB and 1GiB, got '{}'", chunk_size)));
  }
  o.chunk_size = *size;
  if (o.concurrency < 1 || o.concurrency > 1024) {
    return fail(Error::usage(fmt::format("--concurrency must be between 1 and 1024, got {}", o.concurrency)));
  }
  if (!max_memory.empty()) {
    if (o.window != 0) return fail(Error::usage("give either --window or --max-memory, not both"));
    auto bytes = parse_size(max_memory);
    if (!bytes) return fail(bytes.error());
    if (*bytes < o.chunk_size) {
      return fail(Error::usage(fmt::format("--max-memory {} is less than one chunk ({} bytes)", max_memory, o.chunk_size)));
    }
    o.window = static_cast<uint32_t>(std::min<uint64_t>(*bytes / o.chunk_size, 65536));
  }
  // The window defaults to the concurrency: every transfer has a buffer, and the peak memory stays at
  // concurrency x chunk size (measured in README's sweep: a larger window bought no speed).
  if (o.window == 0) o.window = std::max<uint32_t>(2, o.concurrency);
  if (o.window > 65536) return fail(Error::usage("--window must be at most 65536"));
  if (o.max_attempts < 1 || o.max_attempts > 100) {
    return fail(Error::usage(fmt::format("--max-attempts must be between 1 and 100, got {}", o.max_attempts)));
  }
  if (o.connect_timeout_s < 1 || o.read_timeout_s < 1) {
    return fail(Error::usage("--connect-timeout and --read-timeout must be at least 1 second"));
  }

  // Only the flags here: main resolves the environment and the profile (configured_endpoint_url, resolve_region).
  o.endpoint.endpoint_url = endpoint_url;
  o.endpoint.region = region;
  o.addressing_style_given = addressing_option->count() > 0;
  auto style = parse_addressing_style(addressing);
  if (!style) return fail(style.error());
  o.endpoint.style = *style;
  o.ca_bundle = env("AWS_CA_BUNDLE");
  if (!o.request_payer.empty() && o.request_payer != "requester") {
    return fail(Error::usage("--request-payer takes 'requester', got '" + o.request_payer + "'"));
  }
  if (!sse_c_key.empty() && !sse_c_key_file.empty()) return fail(Error::usage("give --sse-c-key or --sse-c-key-file, not both"));
  if (!sse_c_key_file.empty()) {
    std::ifstream in(sse_c_key_file, std::ios::binary);
    if (!in) return fail(Error::usage("cannot read --sse-c-key-file '" + sse_c_key_file + "'"));
    sse_c_key.assign(std::istreambuf_iterator<char>(in), {});
  }
  if (!sse_c_key.empty()) {
    if (sse_c_key.size() != 32) {
      auto decoded = base64_decode(sse_c_key);
      if (!decoded || decoded->size() != 32) {
        return fail(Error::usage("the SSE-C key must be 32 bytes (AES-256), raw or base64"));
      }
      sse_c_key.assign(decoded->begin(), decoded->end());
    }
    o.sse_c_key = sse_c_key;
  }
  return out;
}

}  // namespace s3fcp
