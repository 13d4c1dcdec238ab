// The threads of one transfer besides the client's network thread (a stdout writer, a file verifier, a stdin
// reader, a waiter for the operation), and how they are run: by the CLI's supervise() (signals, a progress bar) or
// plainly (the library). A worker must return once `stop` is stopping.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "util/error.h"
#include "util/stop_signal.h"

namespace s3fcp {

struct Workers {
  std::vector<std::function<void()>> threads;
  std::function<uint64_t()> done_bytes;   // for a progress display
  std::function<uint64_t()> total_bytes;  // UINT64_MAX while unknown
  std::function<std::string()> status;    // optional: what the progress line starts with ("3/40 objects")
  StopSignal* stop = nullptr;             // what a signal handler stops
};

// Runs every worker on a thread of its own and returns when all have; an Error only when that could not be done.
using RunWorkers = std::function<Result<void>(const Workers&)>;

// The plain runner: threads started and joined, nothing else.
Result<void> run_workers(const Workers& workers);

}  // namespace s3fcp
