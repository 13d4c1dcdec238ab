// What the upload operations (put_object.cpp, multipart_upload.cpp) share about answers: a checksum an answer
// echoes, compared with ours; whether a HEAD shows our bytes; a failed conditional write as exit 10. Internal to
// src/ops/put.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "checksum/checksum.h"
#include "client/attempt.h"
#include "client/request.h"
#include "util/error.h"

namespace s3fcp {

std::string encoded(const std::vector<unsigned char>& digest);

// An answer's own checksum header, compared with ours: a difference is exit 7. `server` gets the header's value.
std::optional<Error> check_echo(const ResponseHead& head, ChecksumAlgorithm algorithm, const std::string& ours,
                                std::string& server);

// Whether a HEAD of the object shows our bytes: its checksum header (for MD5, a single PUT's ETag) is ours. An
// answer without one proves nothing.
bool shows_our_checksum(const ResponseHead& head, ChecksumAlgorithm algorithm, const std::string& ours);

// The ETag S3 gives a multipart object whose parts were answered with `part_etags` (in part order): the MD5 of their
// MD5s, then "-N", quoted ("\"…-3\""). nullopt when a part's ETag is not 32 hex digits.
std::optional<std::string> multipart_etag(const std::vector<std::string>& part_etags);

// Whether a HEAD's ETag can be derived from MD5s of the bytes: not for SSE-KMS and SSE-C objects.
bool etag_from_md5s(const ResponseHead& head);

// A failed If-None-Match write (412, or S3's ConditionalRequestConflict) as an Exists error; others as they are.
Error conditional_failure(const Error& error, const Target& target);

}  // namespace s3fcp
