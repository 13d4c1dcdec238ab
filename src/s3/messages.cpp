// S3's upload and listing XML with pugixml. One helper opens every answer (the root check and the <Error>
// rule in messages.h), small readers turn child elements into numbers, flags and checksums, each failing the
// same way, and the listings decode their encoding-type=url fields in one place.
#include "s3/messages.h"

#include <sstream>

#include <fmt/format.h>
#include <pugixml.hpp>

#include "s3/response.h"
#include "util/decimal.h"
#include "util/percent.h"
#include "util/strings.h"

namespace s3fcp {

namespace {

constexpr const char* kNamespace = "http://s3.amazonaws.com/doc/2006-03-01/";

// The algorithms with a <Checksum...> element, in the order S3's request syntax lists them.
constexpr ChecksumAlgorithm kElementAlgorithms[] = {ChecksumAlgorithm::Crc32, ChecksumAlgorithm::Crc32c,
                                                    ChecksumAlgorithm::Crc64Nvme, ChecksumAlgorithm::Sha1,
                                                    ChecksumAlgorithm::Sha256};

std::string checksum_element(ChecksumAlgorithm algorithm) {
  return "Checksum" + std::string(checksum_algorithm_name(algorithm));
}

// Why an answer could not be read. Kept as a plain string until the one place that turns it into an Error.
struct Malformed {
  std::string why;
};

template <typename T>
using Read = std::expected<T, Malformed>;

Error malformed_error(std::string_view root, std::string_view why, std::string_view request_id) {
  Error e{ErrorKind::Network, fmt::format("S3's answer is malformed (expected <{}>): {}", root, why), 200};
  e.request_id = std::string(request_id);
  e.retryable = true;
  return e;
}

// The root element of `body` when it is `root`; an <Error> document as the S3 error it carries.
Result<pugi::xml_node> open_answer(pugi::xml_document& doc, std::string_view body, std::string_view root,
                                   std::string_view request_id, std::string_view alias = {}) {
  const pugi::xml_parse_result parsed = doc.load_buffer(body.data(), body.size());
  if (!parsed) {
    const bool empty = body.find_first_not_of(" \t\r\n") == std::string_view::npos;
    return fail(malformed_error(
        root, empty ? "it is empty" : fmt::format("{} at byte {}", parsed.description(), parsed.offset),
        request_id));
  }
  pugi::xml_node element;
  int elements = 0;
  for (const pugi::xml_node node : doc.children()) {
    if (node.type() != pugi::node_element) continue;
    element = node;
    ++elements;
  }
  if (elements != 1) return fail(malformed_error(root, "it has no single root element", request_id));
  if (std::string_view(element.name()) == "Error") {
    const auto s3_error = parse_s3_error(body);
    if (!s3_error) return fail(malformed_error(root, "an <Error> without a <Code>", request_id));
    // S3 reports a late failure with 200 OK: classify by its code alone.
    return fail(classify_http_error(200, s3_error, request_id));
  }
  if (std::string_view(element.name()) != root && (alias.empty() || std::string_view(element.name()) != alias)) {
    return fail(malformed_error(root, fmt::format("got <{}>", element.name()), request_id));
  }
  return element;
}

std::string_view trimmed_text(const pugi::xml_node& parent, const char* name) {
  return trim(parent.child_value(name));
}

Read<uint64_t> read_number(const pugi::xml_node& parent, const char* name) {
  const std::string_view text = trimmed_text(parent, name);
  const auto value = parse_decimal(text);
  if (!value) return std::unexpected(Malformed{fmt::format("<{}> is '{}', not a number", name, text)});
  return *value;
}

Read<uint32_t> read_part_number(const pugi::xml_node& parent, const char* name) {
  const auto value = read_number(parent, name);
  if (!value) return std::unexpected(value.error());
  if (*value < 1 || *value > 10000) {
    return std::unexpected(Malformed{fmt::format("<{}> is {}, not a part number", name, *value)});
  }
  return static_cast<uint32_t>(*value);
}

// Absent counts as false, as S3 leaves flags out when they are not set.
Read<bool> read_flag(const pugi::xml_node& parent, const char* name) {
  const std::string_view text = trimmed_text(parent, name);
  if (text.empty() || text == "false") return false;
  if (text == "true") return true;
  return std::unexpected(Malformed{fmt::format("<{}> is '{}', not true or false", name, text)});
}

// The first <Checksum...> element present (S3 sends the one of the upload's algorithm).
std::optional<ExpectedChecksum> read_checksum(const pugi::xml_node& parent) {
  for (const ChecksumAlgorithm algorithm : kElementAlgorithms) {
    const std::string element = checksum_element(algorithm);
    if (const pugi::xml_node node = parent.child(element.c_str())) {
      return ExpectedChecksum{algorithm, node.child_value()};
    }
  }
  return std::nullopt;
}

// encoding-type=url: %XX escapes and '+' for a space, as botocore's unquote_plus reads them.
Read<std::string> url_decode(std::string_view text, const char* name) {
  auto decoded = unquote_plus(text);
  if (!decoded) return std::unexpected(Malformed{fmt::format("<{}> '{}' has a bad % escape", name, text)});
  return std::move(*decoded);
}

Read<std::string> read_key(const pugi::xml_node& parent, const char* name, bool url_encoded) {
  const std::string_view text = parent.child_value(name);
  if (!url_encoded) return std::string(text);
  return url_decode(text, name);
}

template <typename T>
Result<T> finish(Read<T> read, std::string_view root, std::string_view request_id) {
  if (!read) return fail(malformed_error(root, read.error().why, request_id));
  return std::move(*read);
}

Read<ListPartsPage> read_list_parts(const pugi::xml_node& root) {
  ListPartsPage page;
  for (const pugi::xml_node node : root.children("Part")) {
    ListedPart part;
    const auto number = read_part_number(node, "PartNumber");
    if (!number) return std::unexpected(number.error());
    const auto size = read_number(node, "Size");
    if (!size) return std::unexpected(size.error());
    part.number = *number;
    part.size = *size;
    part.etag = node.child_value("ETag");
    part.last_modified = node.child_value("LastModified");
    part.checksum = read_checksum(node);
    page.parts.push_back(std::move(part));
  }
  const auto truncated = read_flag(root, "IsTruncated");
  if (!truncated) return std::unexpected(truncated.error());
  page.truncated = *truncated;
  if (page.truncated) {
    const auto next = read_part_number(root, "NextPartNumberMarker");
    if (!next) return std::unexpected(next.error());
    page.next_part_number_marker = *next;
  }
  page.checksum_algorithm = root.child_value("ChecksumAlgorithm");
  page.checksum_type = root.child_value("ChecksumType");
  return page;
}

Read<bool> read_url_encoded(const pugi::xml_node& root) {
  const std::string_view encoding = trimmed_text(root, "EncodingType");
  if (encoding.empty()) return false;
  if (encoding == "url") return true;
  return std::unexpected(Malformed{fmt::format("unknown <EncodingType> '{}'", encoding)});
}

Read<std::vector<std::string>> read_common_prefixes(const pugi::xml_node& root, bool url_encoded) {
  std::vector<std::string> prefixes;
  for (const pugi::xml_node node : root.children("CommonPrefixes")) {
    auto prefix = read_key(node, "Prefix", url_encoded);
    if (!prefix) return std::unexpected(prefix.error());
    prefixes.push_back(std::move(*prefix));
  }
  return prefixes;
}

Read<ListUploadsPage> read_list_uploads(const pugi::xml_node& root) {
  ListUploadsPage page;
  const auto url_encoded = read_url_encoded(root);
  if (!url_encoded) return std::unexpected(url_encoded.error());
  for (const pugi::xml_node node : root.children("Upload")) {
    ListedUpload upload;
    auto key = read_key(node, "Key", *url_encoded);
    if (!key) return std::unexpected(key.error());
    upload.key = std::move(*key);
    upload.upload_id = node.child_value("UploadId");
    if (upload.upload_id.empty()) return std::unexpected(Malformed{"an <Upload> without an <UploadId>"});
    upload.initiated = node.child_value("Initiated");
    upload.storage_class = node.child_value("StorageClass");
    page.uploads.push_back(std::move(upload));
  }
  auto prefixes = read_common_prefixes(root, *url_encoded);
  if (!prefixes) return std::unexpected(prefixes.error());
  page.common_prefixes = std::move(*prefixes);
  const auto truncated = read_flag(root, "IsTruncated");
  if (!truncated) return std::unexpected(truncated.error());
  page.truncated = *truncated;
  auto next_key = read_key(root, "NextKeyMarker", *url_encoded);
  if (!next_key) return std::unexpected(next_key.error());
  page.next_key_marker = std::move(*next_key);
  page.next_upload_id_marker = root.child_value("NextUploadIdMarker");
  if (page.truncated && page.next_key_marker.empty()) {
    return std::unexpected(Malformed{"truncated without a <NextKeyMarker>"});
  }
  return page;
}

Read<ListObjectsPage> read_list_objects(const pugi::xml_node& root) {
  ListObjectsPage page;
  const auto url_encoded = read_url_encoded(root);
  if (!url_encoded) return std::unexpected(url_encoded.error());
  page.url_encoded = *url_encoded;
  for (const pugi::xml_node node : root.children("Contents")) {
    ListedObject object;
    auto key = read_key(node, "Key", page.url_encoded);
    if (!key) return std::unexpected(key.error());
    const auto size = read_number(node, "Size");
    if (!size) return std::unexpected(size.error());
    object.key = std::move(*key);
    object.size = *size;
    object.etag = node.child_value("ETag");
    object.last_modified = node.child_value("LastModified");
    object.storage_class = node.child_value("StorageClass");
    object.checksum_type = node.child_value("ChecksumType");
    for (const pugi::xml_node algorithm : node.children("ChecksumAlgorithm")) {
      if (const auto a = parse_checksum_algorithm(algorithm.child_value()))
        object.checksum_algorithms.push_back(*a);
    }
    page.objects.push_back(std::move(object));
  }
  auto prefixes = read_common_prefixes(root, page.url_encoded);
  if (!prefixes) return std::unexpected(prefixes.error());
  page.common_prefixes = std::move(*prefixes);
  for (auto [name, field] : {std::pair{"Prefix", &page.prefix}, std::pair{"Delimiter", &page.delimiter},
                             std::pair{"StartAfter", &page.start_after}}) {
    auto value = read_key(root, name, page.url_encoded);
    if (!value) return std::unexpected(value.error());
    *field = std::move(*value);
  }
  const auto truncated = read_flag(root, "IsTruncated");
  if (!truncated) return std::unexpected(truncated.error());
  page.truncated = *truncated;
  page.next_continuation_token = root.child_value("NextContinuationToken");
  if (page.truncated && page.next_continuation_token.empty()) {
    return std::unexpected(Malformed{"truncated without a <NextContinuationToken>"});
  }
  if (root.child("KeyCount")) {
    const auto count = read_number(root, "KeyCount");
    if (!count) return std::unexpected(count.error());
    page.key_count = *count;
  }
  return page;
}

bool has_control_character(std::string_view s) {
  for (const char c : s) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) return true;
  }
  return false;
}

}  // namespace

Result<std::string> parse_create_multipart_upload(std::string_view body, std::string_view request_id) {
  constexpr std::string_view kRoot = "InitiateMultipartUploadResult";
  pugi::xml_document doc;
  const auto root = open_answer(doc, body, kRoot, request_id);
  if (!root) return fail(root.error());
  std::string upload_id = root->child_value("UploadId");
  if (upload_id.empty()) return fail(malformed_error(kRoot, "no <UploadId>", request_id));
  return upload_id;
}

Result<std::string> build_complete_multipart_upload(const std::vector<CompletedPart>& parts) {
  if (parts.empty()) return fail(ErrorKind::Other, "CompleteMultipartUpload needs at least one part");
  pugi::xml_document doc;
  pugi::xml_node declaration = doc.append_child(pugi::node_declaration);
  declaration.append_attribute("version") = "1.0";
  declaration.append_attribute("encoding") = "UTF-8";
  pugi::xml_node root = doc.append_child("CompleteMultipartUpload");
  root.append_attribute("xmlns") = kNamespace;
  uint32_t previous = 0;
  for (const CompletedPart& part : parts) {
    if (part.number <= previous || part.number > 10000) {
      return fail(ErrorKind::Other,
                  fmt::format("part number {} after {}: part numbers must ascend within 1..10000",
                              part.number, previous));
    }
    previous = part.number;
    if (part.etag.empty() || has_control_character(part.etag)) {
      return fail(ErrorKind::Other, fmt::format("part {} has no usable ETag", part.number));
    }
    pugi::xml_node node = root.append_child("Part");
    if (part.checksum) {
      if (part.checksum->algorithm == ChecksumAlgorithm::Md5 || has_control_character(part.checksum->value)) {
        return fail(ErrorKind::Other, fmt::format("part {} has no usable checksum", part.number));
      }
      node.append_child(checksum_element(part.checksum->algorithm).c_str()).text() =
          part.checksum->value.c_str();
    }
    node.append_child("ETag").text() = part.etag.c_str();
    node.append_child("PartNumber").text() = part.number;
  }
  std::ostringstream out;
  doc.save(out, "", pugi::format_raw);
  return out.str();
}

Result<CompletedUpload> parse_complete_multipart_upload(std::string_view body, std::string_view request_id) {
  constexpr std::string_view kRoot = "CompleteMultipartUploadResult";
  pugi::xml_document doc;
  // moto (5.2) names its answer CompleteMultipartUploadResponse; any root but <Error> that is not ours stays malformed.
  const auto root = open_answer(doc, body, kRoot, request_id, "CompleteMultipartUploadResponse");
  if (!root) return fail(root.error());
  CompletedUpload out;
  out.location = root->child_value("Location");
  out.bucket = root->child_value("Bucket");
  out.key = root->child_value("Key");
  out.etag = root->child_value("ETag");
  out.checksum = read_checksum(*root);
  out.checksum_type = root->child_value("ChecksumType");
  return out;
}

namespace {

Result<CopiedObject> parse_copied(std::string_view body, std::string_view root_name, std::string_view request_id) {
  pugi::xml_document doc;
  const auto root = open_answer(doc, body, root_name, request_id);
  if (!root) return fail(root.error());
  CopiedObject out;
  out.etag = root->child_value("ETag");
  out.last_modified = root->child_value("LastModified");
  out.checksum = read_checksum(*root);
  if (out.etag.empty()) return fail(malformed_error(root_name, "it has no <ETag>", request_id));
  return out;
}

}  // namespace

Result<CopiedObject> parse_copy_object_result(std::string_view body, std::string_view request_id) {
  return parse_copied(body, "CopyObjectResult", request_id);
}

Result<CopiedObject> parse_copy_part_result(std::string_view body, std::string_view request_id) {
  return parse_copied(body, "CopyPartResult", request_id);
}

Result<std::vector<std::pair<std::string, std::string>>> parse_tagging(std::string_view body,
                                                                       std::string_view request_id) {
  constexpr std::string_view kRoot = "Tagging";
  pugi::xml_document doc;
  const auto root = open_answer(doc, body, kRoot, request_id);
  if (!root) return fail(root.error());
  std::vector<std::pair<std::string, std::string>> tags;
  for (const pugi::xml_node tag : root->child("TagSet").children("Tag")) {
    if (!tag.child("Key")) return fail(malformed_error(kRoot, "a <Tag> has no <Key>", request_id));
    tags.emplace_back(tag.child_value("Key"), tag.child_value("Value"));
  }
  return tags;
}

Result<ListPartsPage> parse_list_parts(std::string_view body, std::string_view request_id) {
  constexpr std::string_view kRoot = "ListPartsResult";
  pugi::xml_document doc;
  const auto root = open_answer(doc, body, kRoot, request_id);
  if (!root) return fail(root.error());
  return finish(read_list_parts(*root), kRoot, request_id);
}

Result<ListUploadsPage> parse_list_multipart_uploads(std::string_view body, std::string_view request_id) {
  constexpr std::string_view kRoot = "ListMultipartUploadsResult";
  pugi::xml_document doc;
  const auto root = open_answer(doc, body, kRoot, request_id);
  if (!root) return fail(root.error());
  return finish(read_list_uploads(*root), kRoot, request_id);
}

Result<ListObjectsPage> parse_list_objects_v2(std::string_view body, std::string_view request_id) {
  constexpr std::string_view kRoot = "ListBucketResult";
  pugi::xml_document doc;
  const auto root = open_answer(doc, body, kRoot, request_id);
  if (!root) return fail(root.error());
  return finish(read_list_objects(*root), kRoot, request_id);
}

}  // namespace s3fcp
