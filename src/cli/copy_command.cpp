// The copy command: one object to another bucket or key, copied by S3 itself (ops/copy/copy_object.h).
#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "cli/report.h"
#include "cli/supervise.h"
#include "cli/upload_spec.h"
#include "ops/copy/copy_object.h"
#include "util/log.h"

namespace s3fcp {

namespace {

nlohmann::json copy_stats(const CopyResult& r, const Options& o, double seconds) {
  const auto or_null = [](const std::string& s) { return s.empty() ? nlohmann::json() : nlohmann::json(s); };
  nlohmann::json j;
  j["source"] = o.source.str();
  j["destination"] = o.upload_to.str();
  j["bytes"] = r.size;
  j["seconds"] = seconds;
  j["requests"] = r.requests;
  j["retries"] = r.retries;
  j["source_etag"] = or_null(r.source_etag);
  j["source_version_id"] = or_null(r.source_version_id);
  j["etag"] = or_null(r.etag);
  j["version_id"] = or_null(r.version_id);
  j["parts"] = r.parts;
  j["multipart"] = r.parts != 0;
  j["upload_id"] = or_null(r.upload_id);
  j["aborted"] = r.aborted;
  j["abort_failed"] = r.abort_failed;
  const std::string result = r.checksum_algorithm.empty() ? "not-verified"
                             : r.checksum.empty()        ? "not-named"
                             : r.checksum == r.source_checksum ? "ok"
                                                               : "mismatch";
  j["checksum"] = {{"algorithm", or_null(r.checksum_algorithm)},
                   {"source", or_null(r.source_checksum)},
                   {"copy", or_null(r.checksum)},
                   {"result", result}};
  return j;
}

}  // namespace

int run_copy(const Options& o, const Resolved& resolved, Client& client) {
  // Either side can fail: the source's HEAD, or the copy's requests to the destination.
  const std::string context = fmt::format("{} -> {}", o.source.str(), o.upload_to.str());
  auto spec = copy_spec(o);
  if (!spec) return report(spec.error(), context);
  spec->source = resolved.source;
  spec->version_id = o.version_id;
  spec->destination = resolved.copy_to;
  const auto started = std::chrono::steady_clock::now();
  StopSignal stop;
  stop.add_waker([&] { client.wakeup(); });
  auto op = std::make_shared<CopyObject>(std::move(*spec), stop);
  Workers workers;
  workers.threads = {[&] {
    client.submit(op);
    op->wait();
  }};
  workers.done_bytes = [&] { return op->copied_bytes(); };
  workers.total_bytes = [&] { return op->total_bytes(); };
  workers.stop = &stop;
  if (auto ran = supervise(progress_mode(o), workers); !ran) return report(ran.error(), context);
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();

  const CopyResult& r = op->result();
  std::optional<Error> error = stop.error();
  if (r.completed) error.reset();  // a stop that came while the last request was out came too late
  if (error && r.abort_failed) {
    error->message += fmt::format("; the multipart copy {} could not be aborted ({}): its parts remain until aborted "
                                  "(aws s3api abort-multipart-upload --bucket {} --key {} --upload-id {})",
                                  r.upload_id, r.abort_error, o.upload_to.bucket, o.upload_to.key, r.upload_id);
  }
  const int code = error ? report(*error, context) : 0;
  if (o.verbose) {
    log_line(fmt::format("{}: {} bytes copied by S3 to {} in {:.3f} s, {} request{}, {} retries, {}",
                         error ? "stopped" : "done", r.size, o.upload_to.str(), seconds, r.requests,
                         r.requests == 1 ? "" : "s", r.retries,
                         r.parts == 0 ? std::string("one CopyObject") : fmt::format("{} parts", r.parts)));
  }
  if (o.print_checksum && !error && !r.checksum.empty()) {
    log_line(fmt::format("checksum {} {} OK", r.checksum_algorithm, r.checksum));
  }
  if (o.stats_json) print_json_line(copy_stats(r, o, seconds), code, error ? &*error : nullptr);
  return code;
}

}  // namespace s3fcp
