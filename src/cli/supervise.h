// The calling thread's part of every download: run the workers (network, writer, verifier) on threads of their
// own, turn SIGINT/SIGTERM into a clean stop, and draw the progress bar until every worker has returned.
#pragma once

#include <cstdint>
#include <functional>
#include <initializer_list>

#include "download_state.h"
#include "io/progress_bar.h"
#include "util/error.h"

namespace s3fcp {

// Runs each worker on its own thread with SIGINT and SIGTERM blocked (they inherit the mask, so no handler ever
// runs beside them), and on the calling thread reads those signals from a signalfd (state.fail with Interrupted or
// Terminated, which wakes the workers) and redraws the progress bar with `done_bytes()` of state.total, ~10 times a
// second, until every worker has returned. Restores the signal mask. An Error only when the signalfd cannot be
// made (then no worker ran).
Result<void> supervise(DownloadState& state, ProgressBar::Mode progress, const std::function<uint64_t()>& done_bytes,
                       std::initializer_list<std::function<void()>> workers);

}  // namespace s3fcp
