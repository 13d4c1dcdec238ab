#include "download.h"

#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <sys/eventfd.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include <thread>

#include <fmt/format.h>

#include "reorder/reorder_window.h"
#include "sink/progress_bar.h"
#include "sink/stdout_writer.h"

namespace s3fcp {

namespace {

// A file descriptor that closes itself.
class Fd {
 public:
  explicit Fd(int fd) : m_fd(fd) {}
  ~Fd() {
    if (m_fd >= 0) ::close(m_fd);
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return m_fd; }

 private:
  int m_fd;
};

void signal_done(int event_fd) {
  const uint64_t one = 1;
  [[maybe_unused]] const auto n = ::write(event_fd, &one, sizeof one);
}

}  // namespace

DownloadSummary summarize(const DownloadState& state, std::chrono::steady_clock::time_point started) {
  DownloadSummary summary;
  summary.bytes = state.written.load();
  summary.requests = state.requests.load();
  summary.retries = state.retries.load();
  summary.hedges = state.hedges.load();
  summary.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  summary.etag = state.etag();
  summary.checksum = state.checksum_result();
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

  // SIGINT and SIGTERM are blocked in every thread and read here from a signalfd; the worker threads inherit
  // the mask, so no signal handler ever runs concurrently with them.
  sigset_t stop_signals, previous;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, &previous);
  Fd signals(signalfd(-1, &stop_signals, SFD_CLOEXEC | SFD_NONBLOCK));
  Fd done(eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK));
  if (signals.get() < 0 || done.get() < 0) {
    pthread_sigmask(SIG_SETMASK, &previous, nullptr);
    return fail(ErrorKind::Other, "cannot create signalfd/eventfd");
  }

  std::thread network([&] {
    engine.run();
    signal_done(done.get());
  });
  std::thread writer([&] {
    run_writer(fd, window, state);
    signal_done(done.get());
  });

  ProgressBar bar(options.progress);
  int finished = 0;
  while (finished < 2) {
    pollfd fds[2] = {{signals.get(), POLLIN, 0}, {done.get(), POLLIN, 0}};
    const int ready = ::poll(fds, 2, 100);
    if (ready > 0 && (fds[0].revents & POLLIN)) {
      signalfd_siginfo info{};
      if (::read(signals.get(), &info, sizeof info) == static_cast<ssize_t>(sizeof info)) {
        state.fail(info.ssi_signo == SIGINT ? Error{ErrorKind::Interrupted, "interrupted"}
                                            : Error{ErrorKind::Terminated, "terminated"});
      }
    }
    if (ready > 0 && (fds[1].revents & POLLIN)) {
      uint64_t count = 0;
      if (::read(done.get(), &count, sizeof count) == static_cast<ssize_t>(sizeof count)) {
        finished += static_cast<int>(count);
      }
    }
    bar.update(state.written.load(std::memory_order_relaxed), state.total.load(std::memory_order_relaxed));
  }
  network.join();
  writer.join();
  bar.finish();
  pthread_sigmask(SIG_SETMASK, &previous, nullptr);

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
