// What the many-object commands share (cli/many_command.cpp for -r, --files-from and --manifest, cli/run_file.cpp
// for `run`): reading a list file, the settings of each copy, the download item of a key, the report of what a
// local walk left out, and a listing that feeds the batch as it goes.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "cli/options.h"
#include "cli/upload_spec.h"
#include "ops/put/content_type.h"
#include "client/client.h"
#include "io/beneath.h"
#include "ops/many/batch.h"
#include "s3/messages.h"
#include "s3/s3_uri.h"
#include "util/stop_signal.h"

namespace s3fcp {

// The text of a list file (--files-from, --manifest, a run file), "-" for stdin. Usage error when it cannot be read.
Result<std::string> read_list_file(const std::string& path);

// The settings every copy of a command (or of one run line) shares, from its options.
Result<ItemSettings> item_settings(const Options& o, const HeaderList& sse_c, std::shared_ptr<const MimeTypes> types);

// A download item from a listed or named key: its place beneath DIR (the key's part below `prefix`), or why it has
// none (`refused`).
BatchItem download_item(const S3Uri& object, const std::string& prefix, std::optional<uint64_t> size,
                        std::string etag, std::string version_id = {});
// The same for a listed object, with what the listing tells of it (size, ETag, LastModified).
BatchItem download_item(const S3Uri& object, const std::string& prefix, const ListedObject& listed);

// The entries a walk of `dir` left out, each said on stderr, even with -q, as aws-cli warns of each: a folder of
// symlinks (a Hugging Face snapshot) would otherwise upload nothing without a word. What could not be read is a
// failed item (`item` makes it), for the copy is not whole. False once the batch stopped taking items.
bool add_skipped(const std::string& dir, const LocalListing& listing, Batch& batch,
                 const std::function<BatchItem(const SkippedEntry&)>& item);

// Lists `prefix` of `bucket` on the client (ListObjectsV2, page by page), each object to `take` on the network thread
// as its page arrives, the next page asked for while the batch has room. Returns when the listing has ended; a
// failure goes to `stop`, and `stop` stopping ends it.
void list_into(Client& client, const std::string& bucket, const std::string& prefix, Batch& batch, StopSignal& stop,
               const std::function<void(const ListedObject&)>& take);

}  // namespace s3fcp
