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
#include "cli/settings.h"
#include "cli/supervise.h"
#include "client/client.h"
#include "ops/get/download.h"
#include "ops/get/download_file.h"
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
    using Verdict = ChecksumResult::Verdict;
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
  auto resolved = resolve(o);
  if (!resolved) return report(resolved.error(), source);
  Client client(resolved->client);

  DownloadJob job;
  job.target = resolved->source;
  job.get.chunk_size = o.chunk_size;
  job.get.concurrency = o.concurrency;
  job.get.hedge = o.hedge;
  job.get.version_id = o.version_id;
  job.get.object_headers = resolved->sse_c;
  // Only S3 answers a HEAD with checksum mode; a presigned URL is signed for GET alone.
  // A full-object checksum cannot check a --range (an explicit algorithm with --range is refused as usage).
  job.get.checksum =
      (http_source || o.range) && o.checksum.kind == ChecksumMode::Kind::Auto ? ChecksumMode::off() : o.checksum;
  job.get.range = o.range;
  job.window_slots = o.window;
  const bool tty = isatty(STDERR_FILENO) != 0;
  const ProgressBar::Mode progress = o.quiet || o.verbose ? ProgressBar::Mode::Off
                                     : tty                ? ProgressBar::Mode::Bar
                                     : o.progress         ? ProgressBar::Mode::Lines
                                                          : ProgressBar::Mode::Off;
  const RunWorkers run = [progress](const Workers& workers) { return supervise(progress, workers); };

  DownloadSummary summary;
  auto result = o.destination == "-"
                    ? download_to_fd(client, job, STDOUT_FILENO, run, summary)
                    : download_to_file(client, job,
                                       FileDestination{o.destination, o.force, o.resume, source, o.version_id,
                                                       o.range ? o.range->text() : std::string()},
                                       run, summary);
  const int code = result ? 0 : report(result.error(), source);
  if (o.verbose) {
    log_line(fmt::format("{}: {} bytes in {:.3f} s ({:.1f} MB/s), {} requests, {} retries, {} hedges",
                         result ? "done" : "stopped", summary.bytes, summary.seconds,
                         static_cast<double>(summary.bytes) / std::max(summary.seconds, 1e-9) / 1e6,
                         summary.requests, summary.retries, summary.hedges));
  }
  if (o.print_checksum && summary.checksum &&
      summary.checksum->verdict != ChecksumResult::Verdict::Malformed) {
    log_line(fmt::format("checksum {} {} {}", summary.checksum->algorithm, summary.checksum->computed,
                         summary.checksum->ok() ? "OK" : "MISMATCH"));
  }
  if (o.stats_json) print_stats_json(summary, o, code, result ? std::nullopt : std::optional(result.error()));
  return code;
}
