// `s3fcp run FILE`: s5cmd's batch format (batch/batch_file.h), each `cp` line a copy with the run's options and its
// own, and s5cmd's wildcards expanded into the copies they name.
#pragma once

#include "cli/options.h"
#include "client/client.h"
#include "ops/many/batch.h"
#include "client/request.h"
#include "util/stop_signal.h"

namespace s3fcp {

// Adds the copies of the run file o.list_file to `batch`: a line that cannot run is one failed item; a failure of
// the file as a whole (it cannot be read) goes to `stop`.
void run_file_and_add(Client& client, const Options& o, const HeaderList& sse_c, Batch& batch, StopSignal& stop);

}  // namespace s3fcp
