// The upload command: one file, or stdin, to one object.
#include <unistd.h>

#include <algorithm>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "cli/report.h"
#include "cli/supervise.h"
#include "cli/upload_spec.h"
#include "ops/put/upload.h"
#include "util/crypto.h"
#include "util/log.h"

namespace s3fcp {

namespace {

// "verified": the server's value for the object equals ours; "sent": every request carried ours (S3 checked each)
// and the server named none for the whole; "mismatch"; "not-verified": no object was made; "off".
std::string checksum_result(const UploadResult& r) {
  if (r.checksum_algorithm.empty()) return "off";
  if (r.etag.empty()) return "not-verified";
  if (r.server_checksum.empty()) return "sent";
  return r.server_checksum == r.checksum ? "verified" : "mismatch";
}

nlohmann::json upload_stats(const UploadSummary& s, const Options& o) {
  const UploadResult& r = s.result;
  nlohmann::json j;
  j["source"] = o.local_source == "-" ? "stdin" : o.local_source;
  j["destination"] = o.upload_to.str();
  j["bytes"] = s.bytes;
  j["seconds"] = s.seconds;
  j["mb_per_s"] = s.seconds > 0 ? static_cast<double>(s.bytes) / s.seconds / 1e6 : 0.0;
  j["requests"] = s.requests;
  j["retries"] = s.retries;
  j["parts"] = r.parts;
  j["multipart"] = !r.upload_id.empty();
  j["upload_id"] = r.upload_id.empty() ? nlohmann::json() : nlohmann::json(r.upload_id);
  j["aborted"] = r.aborted;
  j["abort_failed"] = r.abort_failed;
  j["etag"] = r.etag;
  j["version_id"] = r.version_id.empty() ? nlohmann::json() : nlohmann::json(r.version_id);
  j["checksum"] = {{"algorithm", r.checksum_algorithm.empty() ? nlohmann::json() : nlohmann::json(r.checksum_algorithm)},
                   {"value", r.checksum.empty() ? nlohmann::json() : nlohmann::json(r.checksum)},
                   {"server", r.server_checksum.empty() ? nlohmann::json() : nlohmann::json(r.server_checksum)},
                   {"result", checksum_result(r)}};
  return j;
}

}  // namespace

int run_upload(const Options& o, const Resolved& resolved, Client& client) {
  const std::string context = o.upload_to.str();
  UploadJob job;
  job.spec.target = resolved.source;
  auto headers = object_headers(o, o.local_source);
  if (!headers) return report(headers.error(), context);
  job.spec.object_headers = std::move(*headers);
  job.spec.sse_c = resolved.sse_c;
  job.spec.checksum = upload_checksum(o.checksum);
  job.spec.no_clobber = o.no_clobber;
  job.spec.concurrency = o.concurrency;
  job.source = o.local_source;
  job.part_size = o.chunk_size;
  job.expected_size = o.expected_size;
  job.memory_budget = o.max_memory;
  job.resume = o.resume;
  // The journal binds what shapes the object: the same file with other headers is another upload.
  std::string shape;
  for (const auto& [name, value] : job.spec.object_headers) shape += name + ": " + value + "\n";
  if (!job.spec.sse_c.empty()) shape += "sse-c\n";
  job.options_digest = sha256_hex(shape);

  const RunWorkers run = [progress = progress_mode(o)](const Workers& w) { return supervise(progress, w); };
  UploadSummary summary;
  auto result = upload(client, job, run, summary);
  if (!result && summary.result.abort_failed) {
    // The one line says what to clean up: the error stopped the upload before its abort failed.
    result.error().message += fmt::format(
        "; the multipart upload {} could not be aborted ({}): its parts remain until aborted (aws s3api "
        "abort-multipart-upload --bucket {} --key {} --upload-id {})",
        summary.result.upload_id, summary.result.abort_error, job.spec.target.bucket, job.spec.target.key,
        summary.result.upload_id);
  }
  const int code = result ? 0 : report(result.error(), context);
  // A failed upload has no result from the server; its stats still name the checksum it was sent with.
  if (summary.result.checksum_algorithm.empty() && job.spec.checksum) {
    summary.result.checksum_algorithm = checksum_algorithm_name(*job.spec.checksum);
  }
  const UploadResult& r = summary.result;
  if (o.verbose) {
    log_line(fmt::format("{}: {} bytes in {:.3f} s ({:.1f} MB/s), {} request{}, {} retries, {} part{}",
                         result ? "done" : "stopped", summary.bytes, summary.seconds,
                         static_cast<double>(summary.bytes) / std::max(summary.seconds, 1e-9) / 1e6,
                         summary.requests, summary.requests == 1 ? "" : "s", summary.retries, r.parts,
                         r.parts == 1 ? "" : "s"));
  }
  if (o.print_checksum && result && !r.checksum_algorithm.empty()) {
    log_line(fmt::format("checksum {} {} {}", r.checksum_algorithm, r.checksum,
                         r.server_checksum.empty() ? "SENT" : r.server_checksum == r.checksum ? "OK" : "MISMATCH"));
  }
  if (o.stats_json) print_json_line(upload_stats(summary, o), code, result ? nullptr : &result.error());
  return code;
}

}  // namespace s3fcp
