// What each kind of run does with the resolved settings and the shared client, and how it reports: the download of
// one object, the upload of one file or stream, the copy of one object between buckets, many objects (-r,
// --files-from, --manifest, run). Each returns the exit code (after its stderr line, -v summary and --stats json).
#pragma once

#include "cli/options.h"
#include "cli/settings.h"
#include "client/client.h"

namespace s3fcp {

int run_download(const Options& o, const Resolved& resolved, Client& client);
int run_upload(const Options& o, const Resolved& resolved, Client& client);
int run_many(const Options& o, const Resolved& resolved, Client& client);
int run_copy(const Options& o, const Resolved& resolved, Client& client);

}  // namespace s3fcp
