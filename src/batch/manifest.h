// --manifest FILE.csv: the object list of an S3 Batch Operations job (format S3BatchOperations_CSV_20180820)
// or an S3 Inventory report's CSV data file (S3InventoryReport_CSV_20161130), decompressed.
//
// The file is RFC 4180 CSV: fields separated by ',', optionally double-quoted with "" standing for one '"' (a
// quoted field may hold ',', CR and LF), records ending in CRLF or LF. A UTF-8 byte-order mark and empty
// lines are skipped. A Batch Operations manifest has rows `bucket,key` or `bucket,key,version_id`; an
// Inventory file has the columns its manifest.json `fileSchema` names (see manifest_columns_from_schema).
//
// Keys are URL-encoded, as AWS documents for both formats ("Object keys must be URL-encoded", Batch
// Operations user guide; "the key name is URL-encoded and must be decoded", Inventory user guide). The docs do
// not say how; S3 writes them HTML-form style, as in its `encoding-type=url` listings: a space is '+', a
// literal '+' is "%2B" (reported for Inventory in cloud-custodian#1997, for listings in boto#2654; AWS's
// Batch Operations Lambda example decodes with unquote_plus). So '+' decodes to a space here; a hand-written
// manifest must spell '+' as %2B, and may spell a space as %20 (AWS's own example does) or '+'.
// Buckets and version ids are taken as written; an empty version id means none (the current version).
#pragma once

#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "util/error.h"

namespace s3fcp {

struct ManifestEntry {
  size_t line = 0;  // 1-based line on which the record starts
  std::string bucket;
  std::string key;  // decoded
  std::optional<std::string> version_id;
  bool operator==(const ManifestEntry&) const = default;
};

// What a column holds. The names of S3 Batch Operations' JobManifestSpec "Fields" and of an Inventory
// fileSchema.
enum class ManifestColumn { Ignore, Bucket, Key, VersionId };

// "Bucket, Key, VersionId, IsLatest, Size, ..." -> {Bucket, Key, VersionId, Ignore, Ignore, ...}. Usage error
// unless Bucket and Key appear exactly once (VersionId at most once).
Result<std::vector<ManifestColumn>> manifest_columns_from_schema(std::string_view schema);

// Every record of `csv`. With no `columns`, Batch Operations' layout: 2 or 3 fields a row. With `columns`,
// exactly that many fields a row. Usage errors start with "line N: ".
Result<std::vector<ManifestEntry>> parse_manifest(std::string_view csv,
                                                  std::span<const ManifestColumn> columns = {});

// S3's URL-encoding undone: "%XX" is the byte 0xXX (either case), '+' is a space, anything else itself.
// nullopt when a '%' is not followed by two hex digits.
std::optional<std::string> decode_manifest_key(std::string_view encoded);

}  // namespace s3fcp
