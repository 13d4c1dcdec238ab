#include "ops/get/download.h"

#include <algorithm>

#include <fmt/format.h>

#include "io/stdout_writer.h"
#include "ops/get/reorder_window.h"

namespace s3fcp {

DownloadSummary summarize(const GetState& state, std::chrono::steady_clock::time_point started) {
  const GetProgress& p = state.progress;
  DownloadSummary summary;
  summary.bytes = p.written.load();
  summary.requests = p.requests.load();
  summary.retries = p.retries.load();
  summary.hedges = p.hedges.load();
  summary.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  summary.etag = state.etag();
  summary.checksum = state.checksum.result();
  if (const uint64_t total = p.total.load(); total != GetProgress::kUnknown) {
    const uint64_t begin = p.range_begin.load();
    summary.object_size = p.object_size.load();
    summary.selected = ByteRange{begin, begin + total};
  }
  return summary;
}

uint32_t window_slots_of(const DownloadJob& job) {
  // The window defaults to the concurrency: every request has a buffer, and the peak memory stays at
  // concurrency x chunk size (measured in README's sweep: a larger window bought no speed).
  return job.window_slots != 0 ? job.window_slots : std::max<uint32_t>(2, job.get.concurrency);
}

Result<void> run_ranged(Client& client, const std::shared_ptr<RangedGet>& op, GetState& state,
                        std::function<void()> consumer, std::function<uint64_t()> done_bytes, const RunWorkers& run) {
  client.submit(op);
  Workers workers;
  workers.threads = {[&] { op->wait(); }, std::move(consumer)};
  workers.done_bytes = std::move(done_bytes);
  workers.total_bytes = [&] { return state.progress.total.load(std::memory_order_relaxed); };
  workers.stop = &state.stop;
  auto ran = run(workers);
  if (!ran) {
    state.stop.fail(ran.error());
    op->wait();
  }
  return ran;
}

Result<void> download_to_fd(Client& client, const DownloadJob& job, int fd, const RunWorkers& run,
                            DownloadSummary& summary) {
  return download_to_sink(client, job, fd_sink(fd), run, summary);
}

Result<void> download_to_sink(Client& client, const DownloadJob& job, const ByteSink& sink, const RunWorkers& run,
                              DownloadSummary& summary) {
  const auto started = std::chrono::steady_clock::now();
  ReorderWindow window(window_slots_of(job), job.get.chunk_size);
  GetState state;
  state.stop.add_waker([&] { client.wakeup(); });
  state.stop.add_waker([&] { window.close(); });
  const auto op = std::make_shared<RangedGet>(job.target, job.get, window, state);
  auto ran = run_ranged(
      client, op, state, [&] { run_writer(sink, window, state, [&] { client.wakeup(); }); },
      [&] { return state.progress.written.load(std::memory_order_relaxed); }, run);
  if (!ran) return ran;
  summary = summarize(state, started);
  if (auto error = state.stop.error()) return fail(*error);
  const uint64_t total = state.progress.total.load();
  if (total == GetProgress::kUnknown || summary.bytes != total) {
    // Belt and braces: never report success for an incomplete stream.
    return fail(ErrorKind::Other, fmt::format("internal error: wrote {} of {} bytes", summary.bytes, total));
  }
  return {};
}

}  // namespace s3fcp
