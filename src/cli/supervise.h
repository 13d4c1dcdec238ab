// The calling thread's part of every transfer the CLI runs: run the workers (a writer, a verifier, a reader, a
// waiter for the operation) on threads of their own, turn SIGINT/SIGTERM into a clean stop, and draw the progress
// bar until every worker has returned. The client's network thread blocks every signal itself.
#pragma once

#include "io/progress_bar.h"
#include "util/error.h"
#include "util/workers.h"

namespace s3fcp {

// Runs each worker on its own thread with SIGINT and SIGTERM blocked (they inherit the mask, so no handler ever
// runs beside them), and on the calling thread reads those signals from a signalfd (workers.stop->fail with
// Interrupted or Terminated, which wakes the workers) and redraws the progress bar with done_bytes() of
// total_bytes(), ~10 times a second, until every worker has returned. Restores the signal mask. An Error only when
// the signalfd cannot be made (then no worker ran). Fits RunWorkers with the mode bound.
Result<void> supervise(ProgressBar::Mode progress, const Workers& workers);

}  // namespace s3fcp
