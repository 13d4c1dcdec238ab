// s3fcp's entry point: parse the command line, resolve where the object is and who we are, run the download,
// and turn the outcome into one line on stderr and an exit code. The only place that maps Error to text.
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <optional>
#include <span>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "cli/options.h"
#include "download.h"
#include "download_file.h"
#include "fetch/curl_engine.h"
#include "fetch/s3_request.h"
#include "resolve/credentials.h"
#include "s3/endpoint.h"
#include "resolve/providers.h"
#include "util/crypto.h"
#include "util/log.h"

using namespace s3fcp;

namespace {

std::string describe(const Error& e, const std::string& source) {
  std::string line = e.s3_code.empty() ? e.message : e.s3_code + ": " + e.message;
  std::vector<std::string> context;
  if (!source.empty()) context.push_back(source);
  if (e.http_status != 0 && e.kind != ErrorKind::NotFound) context.push_back(fmt::format("HTTP {}", e.http_status));
  if (!e.request_id.empty()) context.push_back("request id " + e.request_id);
  if (!context.empty()) line += " (" + fmt::format("{}", fmt::join(context, ", ")) + ")";
  return line;
}

int report(const Error& e, const std::string& source) {
  if (e.kind != ErrorKind::BrokenPipe) log_line(describe(e, source));  // `| head` is not an error to shout about
  return exit_code(e.kind);
}

// --stats json: one JSON object on one stderr line.
void print_stats_json(const DownloadSummary& s, const Options& o, int code, const std::optional<Error>& error) {
  nlohmann::json j;
  j["source"] = o.source_display();
  j["bytes"] = s.bytes;
  j["seconds"] = s.seconds;
  j["mb_per_s"] = s.seconds > 0 ? static_cast<double>(s.bytes) / s.seconds / 1e6 : 0.0;
  j["requests"] = s.requests;
  j["retries"] = s.retries;
  j["hedges"] = s.hedges;
  j["etag"] = s.etag;
  j["version_id"] = o.version_id.empty() ? nlohmann::json() : nlohmann::json(o.version_id);
  j["object_size"] = s.object_size ? nlohmann::json(*s.object_size) : nlohmann::json();
  if (o.range) {
    // What --range selected, in object offsets; first/last are null before the size is known or when it is empty.
    nlohmann::json r = {{"spec", o.range->text()}, {"first", nullptr}, {"last", nullptr}};
    if (s.selected && !s.selected->empty()) {
      r["first"] = s.selected->begin;
      r["last"] = s.selected->end - 1;
    }
    j["range"] = r;
  }
  if (s.checksum) {
    using Verdict = DownloadState::ChecksumResult::Verdict;
    const Verdict v = s.checksum->verdict;
    j["checksum"] = {{"algorithm", s.checksum->algorithm}, {"expected", s.checksum->expected},
                     {"computed", v == Verdict::Malformed ? nlohmann::json() : nlohmann::json(s.checksum->computed)},
                     {"result", v == Verdict::Ok ? "ok" : v == Verdict::Mismatch ? "mismatch" : "malformed"}};
  } else {
    j["checksum"] = {{"result", o.checksum.kind == ChecksumMode::Kind::Off ? "off" : "not-verified"}};
  }
  j["exit_code"] = code;
  j["exit_reason"] = error ? error->message : "ok";
  if (error && !error->s3_code.empty()) j["s3_code"] = error->s3_code;
  const std::string line = j.dump() + "\n";
  [[maybe_unused]] const auto n = ::write(STDERR_FILENO, line.data(), line.size());
}

}  // namespace

int main(int argc, char** argv) {
  signal(SIGPIPE, SIG_IGN);  // a closed stdout shows up as EPIPE from write(), handled as exit 141

  auto parsed = parse_command_line(argc, argv);
  if (!parsed) return report(parsed.error(), "");
  if (parsed->action == ParsedCommandLine::Action::PrintAndExit) {
    std::fputs(parsed->text.c_str(), stdout);
    return 0;
  }
  Options& o = parsed->options;
  const std::string source = o.source_display();
  const bool http_source = !o.source_url.empty();

  init_network();  // the credential sources use curl too
  auto shared = load_shared_config(config_paths());
  if (!shared) return report(shared.error(), source);
  auto config = std::make_shared<const SharedConfig>(std::move(*shared));
  const Profile profile = config->profile(select_profile_name(o.profile));
  if (o.endpoint.endpoint_url.empty()) o.endpoint.endpoint_url = configured_endpoint_url(*config, profile, "s3");
  // IMDS knows the region only on EC2, and a custom endpoint does not need it: ask it only for AWS endpoints.
  o.endpoint.region = resolve_region(o.endpoint.region, profile, o.endpoint.endpoint_url.empty() && !http_source);
  o.endpoint.dualstack = o.endpoint.dualstack || profile_use_dualstack(profile);
  o.endpoint.fips = o.endpoint.fips || profile_use_fips(profile);
  if (!o.addressing_style_given) {
    if (const std::string text = profile_addressing_style(profile); !text.empty()) {
      auto style = parse_addressing_style(text);
      if (!style) return report(style.error(), source);
      o.endpoint.style = *style;
    }
  }

  auto location = http_source ? parse_http_source(o.source_url)
                              : resolve_object_location(o.source, o.endpoint, o.version_id);
  if (!location) return report(location.error(), source);

  std::unique_ptr<CredentialChain> credentials;
  if (!o.no_sign_request && !http_source) {  // an http(s) source is fetched as given, unsigned
    DefaultChainOptions chain_options;
    chain_options.profile = o.profile;
    chain_options.region = o.endpoint.region;
    chain_options.config = config;
    auto chain = make_default_chain(chain_options);
    if (!chain) return report(chain.error(), source);
    credentials = std::move(*chain);
    if (auto creds = credentials->get(); !creds) return report(creds.error(), source);
  }

  std::vector<std::pair<std::string, std::string>> common_headers;
  if (!o.request_payer.empty()) common_headers.emplace_back("x-amz-request-payer", o.request_payer);
  if (!o.sse_c_key.empty()) {
    const auto key = std::as_bytes(std::span(o.sse_c_key));
    StreamingDigest md5(DigestAlgorithm::Md5);
    md5.update(key);
    const auto raw = std::span(reinterpret_cast<const unsigned char*>(o.sse_c_key.data()), o.sse_c_key.size());
    common_headers.emplace_back("x-amz-server-side-encryption-customer-algorithm", "AES256");
    common_headers.emplace_back("x-amz-server-side-encryption-customer-key", base64_encode(raw));
    common_headers.emplace_back("x-amz-server-side-encryption-customer-key-MD5", base64_encode(md5.finish()));
  }
  S3RequestFactory requests(*location, o.endpoint.region, credentials.get(), std::move(common_headers));
  if (!http_source) {
    requests.set_relocator([&o](const std::string& region) {
      EndpointSettings moved = o.endpoint;
      moved.region = region;
      return resolve_object_location(o.source, moved, o.version_id);
    });
  }
  DownloadOptions options;
  options.engine.concurrency = o.concurrency;
  options.engine.chunk_size = o.chunk_size;
  options.engine.retry.max_attempts = o.max_attempts;
  options.engine.connect_timeout = std::chrono::seconds(o.connect_timeout_s);
  options.engine.stall_timeout = std::chrono::seconds(o.read_timeout_s);
  options.engine.ca_bundle = o.ca_bundle;
  options.engine.verbose = o.verbose;
  options.engine.hedge = o.hedge;
  // Only S3 answers a HEAD with checksum mode; a presigned URL is signed for GET alone.
  // A full-object checksum cannot check a --range (an explicit algorithm with --range is refused as usage).
  options.engine.checksum =
      (http_source || o.range) && o.checksum.kind == ChecksumMode::Kind::Auto ? ChecksumMode::off() : o.checksum;
  options.engine.range = o.range;
  options.window_slots = o.window;
  const bool tty = isatty(STDERR_FILENO) != 0;
  options.progress = o.quiet || o.verbose ? ProgressBar::Mode::Off
                     : tty                ? ProgressBar::Mode::Bar
                     : o.progress         ? ProgressBar::Mode::Lines
                                          : ProgressBar::Mode::Off;

  DownloadSummary summary;
  auto result = o.destination == "-"
                    ? download_to_fd(requests, options, STDOUT_FILENO, summary)
                    : download_to_file(requests, options,
                                       FileDestination{o.destination, o.force, o.resume, source, o.version_id,
                                                       o.range ? o.range->text() : std::string()}, summary);
  const int code = result ? 0 : report(result.error(), source);
  if (o.verbose) {
    log_line(fmt::format("{}: {} bytes in {:.3f} s ({:.1f} MB/s), {} requests, {} retries, {} hedges",
                         result ? "done" : "stopped", summary.bytes, summary.seconds,
                         static_cast<double>(summary.bytes) / std::max(summary.seconds, 1e-9) / 1e6,
                         summary.requests, summary.retries, summary.hedges));
  }
  if (o.print_checksum && summary.checksum &&
      summary.checksum->verdict != DownloadState::ChecksumResult::Verdict::Malformed) {
    log_line(fmt::format("checksum {} {} {}", summary.checksum->algorithm, summary.checksum->computed,
                         summary.checksum->ok() ? "OK" : "MISMATCH"));
  }
  if (o.stats_json) print_stats_json(summary, o, code, result ? std::nullopt : std::optional(result.error()));
  return code;
}
