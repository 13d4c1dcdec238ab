#include "download.h"

#include <fmt/format.h>

#include "ops/get/reorder_window.h"
#include "io/progress_bar.h"
#include "io/stdout_writer.h"
#include "cli/supervise.h"

namespace s3fcp {

DownloadSummary summarize(const DownloadState& state, std::chrono::steady_clock::time_point started) {
  DownloadSummary summary;
  summary.bytes = state.written.load();
  summary.requests = state.requests.load();
  summary.retries = state.retries.load();
  summary.hedges = state.hedges.load();
  summary.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  summary.etag = state.etag();
  summary.checksum = state.checksum_result();
  if (const uint64_t total = state.total.load(); total != DownloadState::kUnknown) {
    const uint64_t begin = state.range_begin.load();
    summary.object_size = state.object_size.load();
    summary.selected = ByteRange{begin, begin + total};
  }
  return summary;
}

Result<void> download_to_fd(S3RequestFactory& requests, const DownloadOptions& options, int fd,
                            DownloadSummary& summary) {
  const auto started = std::chrono::steady_clock::now();
  ReorderWindow window(options.window_slots, options.engine.chunk_size);
  DownloadState state;
  CurlEngine engine(options.engine, requests, window, state);
  state.wake_network = [&] { engine.wakeup(); };
  state.wake_writer = [&] { window.close(); };

  auto supervised = supervise(state, options.progress, [&] { return state.written.load(std::memory_order_relaxed); },
                              {[&] { engine.run(); }, [&] { run_writer(fd, window, state); }});
  if (!supervised) return fail(supervised.error());
  summary = summarize(state, started);
  if (auto error = state.error()) return fail(*error);
  const uint64_t total = state.total.load();
  if (total == DownloadState::kUnknown || summary.bytes != total) {
    // Belt and braces: never report success for an incomplete stream.
    return fail(ErrorKind::Other, fmt::format("internal error: wrote {} of {} bytes", summary.bytes, total));
  }
  return {};
}

}  // namespace s3fcp
