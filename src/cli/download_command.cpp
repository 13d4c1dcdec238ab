// The download command: one object (s3:// or an http(s) URL) to stdout or to a file.
#include <unistd.h>

#include <algorithm>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "cli/report.h"
#include "cli/supervise.h"
#include "ops/get/download.h"
#include "ops/get/download_file.h"
#include "util/log.h"

namespace s3fcp {

namespace {

// --stats json: one JSON object on one stderr line.
nlohmann::json download_stats(const DownloadSummary& s, const Options& o) {
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
  return j;
}

// stdout. When DEST was left out and stdout is a terminal, a binary object (a NUL in its first 4 KiB, curl's test)
// is not poured onto it: the first write fails instead, saying how to ask for it (a FILE, or an explicit '-').
ByteSink stdout_sink(bool destination_given) {
  ByteSink sink = fd_sink(STDOUT_FILENO);
  if (destination_given || isatty(STDOUT_FILENO) == 0) return sink;
  return [sink = std::move(sink), looked = false](std::span<const std::byte> data) mutable -> Result<void> {
    if (!looked && !data.empty()) {
      looked = true;
      const auto head = data.first(std::min<size_t>(data.size(), 4096));
      if (std::ranges::find(head, std::byte{0}) != head.end()) {
        return fail(Error::usage("the object is binary and stdout is a terminal: give a FILE to write it to, "
                                 "or - to write it to the terminal anyway"));
      }
    }
    return sink(data);
  };
}

}  // namespace

int run_download(const Options& o, const Resolved& resolved, Client& client) {
  const std::string source = o.source_display();
  const bool http_source = !o.source_url.empty();
  DownloadJob job;
  job.target = resolved.source;
  job.get.chunk_size = o.chunk_size.value_or(job.get.chunk_size);
  job.get.concurrency = o.concurrency;
  job.get.hedge = o.hedge;
  job.get.version_id = o.version_id;
  job.get.object_headers = resolved.sse_c;
  // Only S3 answers a HEAD with checksum mode; a presigned URL is signed for GET alone.
  // A full-object checksum cannot check a --range (an explicit algorithm with --range is refused as usage).
  job.get.checksum =
      (http_source || o.range) && o.checksum.kind == ChecksumMode::Kind::Auto ? ChecksumMode::off() : o.checksum;
  job.get.range = o.range;
  job.window_slots = o.window;
  const RunWorkers run = [progress = progress_mode(o)](const Workers& w) { return supervise(progress, w); };

  DownloadSummary summary;
  auto result = o.destination == "-"
                    ? download_to_sink(client, job, stdout_sink(o.destination_given), run, summary)
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
  if (o.stats_json) print_json_line(download_stats(summary, o), code, result ? nullptr : &result.error());
  return code;
}

}  // namespace s3fcp
