#include "cli/supervise.h"

#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <sys/eventfd.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include <thread>
#include <vector>

#include "util/fd.h"

namespace s3fcp {

Result<void> supervise(ProgressBar::Mode progress, const Workers& workers) {
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

  std::vector<std::thread> threads;
  for (const auto& work : workers.threads) {
    threads.emplace_back([&work, &done] {
      work();
      const uint64_t one = 1;
      [[maybe_unused]] const auto n = ::write(done.get(), &one, sizeof one);
    });
  }
  ProgressBar bar(progress);
  uint64_t finished = 0;
  while (finished < threads.size()) {
    pollfd fds[2] = {{signals.get(), POLLIN, 0}, {done.get(), POLLIN, 0}};
    const int ready = ::poll(fds, 2, 100);
    if (ready > 0 && (fds[0].revents & POLLIN)) {
      signalfd_siginfo info{};
      if (::read(signals.get(), &info, sizeof info) == static_cast<ssize_t>(sizeof info)) {
        workers.stop->fail(info.ssi_signo == SIGINT ? Error{ErrorKind::Interrupted, "interrupted"}
                                                    : Error{ErrorKind::Terminated, "terminated"});
      }
    }
    if (ready > 0 && (fds[1].revents & POLLIN)) {
      uint64_t count = 0;
      if (::read(done.get(), &count, sizeof count) == static_cast<ssize_t>(sizeof count)) finished += count;
    }
    bar.update(workers.done_bytes(), workers.total_bytes(), workers.status ? workers.status() : std::string());
  }
  for (auto& t : threads) t.join();
  bar.finish();
  pthread_sigmask(SIG_SETMASK, &previous, nullptr);
  return {};
}

}  // namespace s3fcp
