// The XML S3 exchanges for uploads, copies and listings: CreateMultipartUpload's answer, CompleteMultipartUpload's
// request and answer, CopyObject's and UploadPartCopy's answers, GetObjectTagging's, ListParts, ListMultipartUploads
// and ListObjectsV2. Pure functions over
// strings (pugixml); the HTTP layer hands in the body of a 2xx answer and the x-amz-request-id header.
//
// Every parser accepts only its own root element (S3's default namespace,
// xmlns="http://s3.amazonaws.com/doc/2006-03-01/", is an attribute pugixml leaves alone) and returns an Error
// otherwise: an <Error> document becomes the S3 error it carries, classified like an HTTP error
// (s3/response.h) though it came with 200 OK, because CompleteMultipartUpload answers 200 before it has
// finished and reports a late failure in the body, after whitespace it sends to keep the connection alive.
// Anything else (empty, truncated, another root, a field that does not parse) is a malformed answer: kind
// Network and retryable, as a cut connection is its most likely cause.
//
// With encoding-type=url, the listings' key-valued fields arrive percent-encoded and are decoded here the way
// botocore does (unquote_plus: %XX and '+' for a space; S3, moto and MinIO all send a literal '+' as %2B).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "checksum/checksum.h"
#include "util/error.h"

namespace s3fcp {

// InitiateMultipartUploadResult → its UploadId (never empty).
Result<std::string> parse_create_multipart_upload(std::string_view body, std::string_view request_id = {});

// One part as CompleteMultipartUpload names it: the number, the ETag UploadPart returned (quotes and all),
// and for an upload with checksums the part's checksum (base64) under its algorithm.
struct CompletedPart {
  uint32_t number = 0;
  std::string etag;
  std::optional<ExpectedChecksum> checksum;
};

// The CompleteMultipartUpload request body. Errors (kind Other: a caller's bug, not the user's): no parts,
// numbers outside 1..10,000 or not strictly ascending, an empty ETag or one with control characters, and an
// MD5 checksum (S3 has no such part checksum).
Result<std::string> build_complete_multipart_upload(const std::vector<CompletedPart>& parts);

// The answer to CompleteMultipartUpload. `checksum` is the object's checksum when S3 reports one (a composite
// one ends in "-<parts>"), `checksum_type` "FULL_OBJECT" or "COMPOSITE" or empty.
struct CompletedUpload {
  std::string location;
  std::string bucket;
  std::string key;
  std::string etag;
  std::optional<ExpectedChecksum> checksum;
  std::string checksum_type;
};
// Success only for a CompleteMultipartUploadResult; see the top of this file for everything else.
Result<CompletedUpload> parse_complete_multipart_upload(std::string_view body,
                                                        std::string_view request_id = {});

// The answer to CopyObject: the copy's ETag and, when S3 names one, its checksum. Like CompleteMultipartUpload,
// CopyObject answers 200 before it has copied and reports a late failure as an <Error> body.
struct CopiedObject {
  std::string etag;
  std::string last_modified;
  std::optional<ExpectedChecksum> checksum;
};
Result<CopiedObject> parse_copy_object_result(std::string_view body, std::string_view request_id = {});
// The answer to UploadPartCopy (CopyPartResult), in the same shape; it too may be an <Error> in a 200.
Result<CopiedObject> parse_copy_part_result(std::string_view body, std::string_view request_id = {});

// GetObjectTagging's answer: the tags, in order.
Result<std::vector<std::pair<std::string, std::string>>> parse_tagging(std::string_view body,
                                                                       std::string_view request_id = {});

// ListPartsResult: one page of an upload's parts.
struct ListedPart {
  uint32_t number = 0;
  std::string etag;
  uint64_t size = 0;
  std::string last_modified;  // as sent, e.g. "2010-11-10T20:48:34.000Z"
  std::optional<ExpectedChecksum> checksum;
};
struct ListPartsPage {
  std::vector<ListedPart> parts;
  bool truncated = false;
  // Where the next page starts (part-number-marker); set when truncated.
  uint32_t next_part_number_marker = 0;
  std::string checksum_algorithm;  // the upload's, e.g. "CRC64NVME"; empty when none
  std::string checksum_type;       // "FULL_OBJECT", "COMPOSITE" or empty
};
Result<ListPartsPage> parse_list_parts(std::string_view body, std::string_view request_id = {});

// ListMultipartUploadsResult: uploads begun and neither completed nor aborted.
struct ListedUpload {
  std::string key;
  std::string upload_id;
  std::string initiated;  // as sent, e.g. "2010-11-26T19:24:17.000Z"
  std::string storage_class;
};
struct ListUploadsPage {
  std::vector<ListedUpload> uploads;
  std::vector<std::string> common_prefixes;
  bool truncated = false;
  std::string next_key_marker;        // key-marker for the next page; set when truncated
  std::string next_upload_id_marker;  // upload-id-marker for the next page
};
Result<ListUploadsPage> parse_list_multipart_uploads(std::string_view body, std::string_view request_id = {});

// ListObjectsV2's ListBucketResult.
struct ListedObject {
  std::string key;
  uint64_t size = 0;
  std::string etag;
  std::string last_modified;
  std::string storage_class;
  std::vector<ChecksumAlgorithm> checksum_algorithms;  // names this program does not know are left out
  std::string checksum_type;
};
struct ListObjectsPage {
  std::vector<ListedObject> objects;
  std::vector<std::string> common_prefixes;
  bool truncated = false;
  std::string next_continuation_token;  // set when truncated; opaque, never decoded
  std::optional<uint64_t> key_count;
  std::string prefix;
  std::string delimiter;
  std::string start_after;
  bool url_encoded = false;  // the answer said <EncodingType>url</EncodingType>; the fields above are decoded
};
Result<ListObjectsPage> parse_list_objects_v2(std::string_view body, std::string_view request_id = {});

}  // namespace s3fcp
