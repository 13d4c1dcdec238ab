// CSV manifests of S3 Batch Operations and S3 Inventory: an RFC 4180 record reader, then the columns picked
// out and the key URL-decoded. See manifest.h for the format and where the decoding rule comes from.
#include "batch/manifest.h"

#include <algorithm>

#include <fmt/format.h>

#include "util/percent.h"

namespace s3fcp {

namespace {

Error at_line(size_t line, std::string_view what) {
  return Error::usage(fmt::format("line {}: {}", line, what));
}

// Reads CSV records one at a time, counting lines (a quoted field may span several).
class CsvReader {
 public:
  explicit CsvReader(std::string_view text) : m_text(text) {
    if (m_text.starts_with("\xEF\xBB\xBF")) m_text.remove_prefix(3);  // a UTF-8 BOM, as spreadsheets write
  }

  bool done() const { return m_pos >= m_text.size(); }
  size_t line() const { return m_line; }

  // The next record's fields; `blank` when the line was empty. Call only when !done().
  Result<std::vector<std::string>> next(bool& blank) {
    const size_t start_line = m_line;
    std::vector<std::string> fields;
    bool quoted_any = false;
    for (;;) {
      std::string field;
      if (peek() == '"') {
        quoted_any = true;
        ++m_pos;
        for (;;) {
          if (done()) return fail(at_line(start_line, "a quoted field is not closed"));
          const char c = m_text[m_pos++];
          if (c == '"') {
            if (peek() != '"') break;
            ++m_pos;  // "" is one '"'
          } else if (c == '\n') {
            ++m_line;
          }
          field += c;
        }
        if (!done() && peek() != ',' && !at_line_end()) {
          return fail(at_line(m_line, "text after a closing '\"' (a '\"' in a field is written \"\")"));
        }
      } else {
        while (!done() && peek() != ',' && !at_line_end()) {
          if (peek() == '"') {
            return fail(at_line(m_line, "a '\"' inside an unquoted field (quote the field)"));
          }
          field += m_text[m_pos++];
        }
      }
      fields.push_back(std::move(field));
      if (peek() == ',') {
        ++m_pos;
        continue;
      }
      if (peek() == '\r') ++m_pos;
      if (peek() == '\n') {
        ++m_pos;
        ++m_line;
      }
      break;
    }
    blank = !quoted_any && fields.size() == 1 && fields[0].empty();
    return fields;
  }

 private:
  char peek() const { return done() ? '\0' : m_text[m_pos]; }
  // LF, or CRLF (a CR alone is data).
  bool at_line_end() const {
    return peek() == '\n' || (peek() == '\r' && (m_pos + 1 == m_text.size() || m_text[m_pos + 1] == '\n'));
  }

  std::string_view m_text;
  size_t m_pos = 0;
  size_t m_line = 1;
};

}  // namespace

std::optional<std::string> decode_manifest_key(std::string_view encoded) { return unquote_plus(encoded); }

Result<std::vector<ManifestColumn>> manifest_columns_from_schema(std::string_view schema) {
  std::vector<ManifestColumn> columns;
  int buckets = 0, keys = 0, versions = 0;
  for (size_t start = 0;;) {
    const size_t end = std::min(schema.find(',', start), schema.size());
    std::string_view name = schema.substr(start, end - start);
    while (!name.empty() && (name.front() == ' ' || name.front() == '\t')) name.remove_prefix(1);
    while (!name.empty() && (name.back() == ' ' || name.back() == '\t')) name.remove_suffix(1);
    const ManifestColumn column = name == "Bucket"      ? ManifestColumn::Bucket
                                  : name == "Key"       ? ManifestColumn::Key
                                  : name == "VersionId" ? ManifestColumn::VersionId
                                                        : ManifestColumn::Ignore;
    buckets += column == ManifestColumn::Bucket;
    keys += column == ManifestColumn::Key;
    versions += column == ManifestColumn::VersionId;
    columns.push_back(column);
    if (end == schema.size()) break;
    start = end + 1;
  }
  if (buckets != 1 || keys != 1 || versions > 1) {
    return fail(Error::usage(fmt::format(
        "manifest schema '{}': expected the columns Bucket and Key once each (and VersionId at most once)",
        schema)));
  }
  return columns;
}

Result<std::vector<ManifestEntry>> parse_manifest(std::string_view csv,
                                                  std::span<const ManifestColumn> columns) {
  static constexpr ManifestColumn kBatchLayout[] = {ManifestColumn::Bucket, ManifestColumn::Key,
                                                    ManifestColumn::VersionId};
  std::vector<ManifestEntry> entries;
  CsvReader reader(csv);
  while (!reader.done()) {
    const size_t line = reader.line();
    bool blank = false;
    auto fields = reader.next(blank);
    if (!fields) return fail(fields.error());
    if (blank) continue;

    std::span<const ManifestColumn> layout = columns;
    if (columns.empty()) {
      if (fields->size() != 2 && fields->size() != 3) {
        return fail(at_line(line, fmt::format("expected bucket,key[,version_id], found {} field{}",
                                              fields->size(), fields->size() == 1 ? "" : "s")));
      }
      layout = std::span(kBatchLayout).first(fields->size());
    } else if (fields->size() != columns.size()) {
      return fail(at_line(line, fmt::format("expected {} fields, found {}", columns.size(), fields->size())));
    }

    ManifestEntry entry;
    entry.line = line;
    std::string_view raw_key;
    for (size_t i = 0; i < layout.size(); ++i) {
      std::string& field = (*fields)[i];
      switch (layout[i]) {
        case ManifestColumn::Bucket:
          entry.bucket = std::move(field);
          break;
        case ManifestColumn::Key:
          raw_key = field;
          break;
        case ManifestColumn::VersionId:
          if (!field.empty()) entry.version_id = std::move(field);
          break;
        case ManifestColumn::Ignore:
          break;
      }
    }
    if (entry.bucket.empty()) return fail(at_line(line, "the bucket is empty"));
    if (raw_key.empty()) return fail(at_line(line, "the key is empty"));
    auto key = decode_manifest_key(raw_key);
    if (!key) return fail(at_line(line, fmt::format("bad %-escape in the key '{}'", raw_key)));
    if (key->empty()) return fail(at_line(line, "the key is empty"));
    entry.key = std::move(*key);
    entries.push_back(std::move(entry));
  }
  return entries;
}

}  // namespace s3fcp
