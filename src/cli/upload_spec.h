// What the upload options make of an object: its headers (Content-Type, metadata, tags, storage class, ACL,
// encryption) and the checksum its parts carry; what they change in a copy. Shared by the one-object upload and
// copy and the many-object runs.
#pragma once

#include <optional>
#include <string>

#include "checksum/checksum.h"
#include "cli/options.h"
#include "client/request.h"
#include "ops/copy/copy_object.h"
#include "ops/put/content_type.h"
#include "util/error.h"

namespace s3fcp {

// PutObject's / CreateMultipartUpload's headers for a file called `file_name` ("-": stdin): Content-Type from
// --content-type, else the name's extension in `types` (/etc/mime.types when null), else application/octet-stream.
Result<HeaderList> object_headers(const Options& o, const std::string& file_name, const MimeTypes* types = nullptr);

// Whether the options name any of an object's metadata (Content-Type and the other headers, the website redirect,
// --metadata): what makes a copy send it, replacing the source's (x-amz-metadata-directive: REPLACE).
bool names_metadata(const Options& o);

// A copy's headers and directives from the upload options: what is named replaces the source's, the rest is kept
// (ops/copy/copy_object.h). Source, version and destination are left for the caller.
Result<CopySpec> copy_spec(const Options& o);

// --checksum for an upload: auto is CRC64NVME, off is none.
std::optional<ChecksumAlgorithm> upload_checksum(const ChecksumMode& mode);

}  // namespace s3fcp
