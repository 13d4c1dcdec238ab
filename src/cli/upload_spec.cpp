#include "cli/upload_spec.h"

#include "s3/object_headers.h"

namespace s3fcp {

// What shapes the stored object besides its bytes: PutObject's and CreateMultipartUpload's headers.
Result<HeaderList> object_headers(const Options& o, const std::string& file_name, const MimeTypes* types) {
  HeaderList h;
  std::string type = o.content_type;
  if (type.empty()) {
    if (file_name == "-" || file_name.empty() || o.no_guess_mime_type) {
      type = kDefaultContentType;
    } else {
      const MimeTypes loaded = types == nullptr ? MimeTypes::load() : MimeTypes();
      type = (types != nullptr ? *types : loaded).content_type(file_name);
    }
  }
  h.emplace_back("Content-Type", type);
  if (!o.cache_control.empty()) h.emplace_back("Cache-Control", o.cache_control);
  if (!o.content_encoding.empty()) h.emplace_back("Content-Encoding", o.content_encoding);
  if (!o.content_disposition.empty()) h.emplace_back("Content-Disposition", o.content_disposition);
  if (!o.content_language.empty()) h.emplace_back("Content-Language", o.content_language);
  if (!o.expires.empty()) h.emplace_back("Expires", o.expires);
  if (!o.website_redirect.empty()) h.emplace_back("x-amz-website-redirect-location", o.website_redirect);
  if (!o.metadata.empty()) {
    auto meta = user_metadata_headers(o.metadata);
    if (!meta) return fail(meta.error());
    h.insert(h.end(), meta->begin(), meta->end());
  }
  if (!o.tags.empty()) {
    auto tagging = tagging_header_value(o.tags);
    if (!tagging) return fail(tagging.error());
    h.emplace_back("x-amz-tagging", *tagging);
  }
  if (!o.storage_class.empty()) h.emplace_back("x-amz-storage-class", o.storage_class);
  if (!o.acl.empty()) h.emplace_back("x-amz-acl", o.acl);
  if (!o.sse.empty()) h.emplace_back("x-amz-server-side-encryption", o.sse);
  if (!o.sse_kms_key_id.empty()) h.emplace_back("x-amz-server-side-encryption-aws-kms-key-id", o.sse_kms_key_id);
  return h;
}

bool names_metadata(const Options& o) {
  return !o.content_type.empty() || !o.cache_control.empty() || !o.content_encoding.empty() ||
         !o.content_disposition.empty() || !o.content_language.empty() || !o.expires.empty() ||
         !o.website_redirect.empty() || !o.metadata.empty();
}

Result<CopySpec> copy_spec(const Options& o) {
  CopySpec spec;
  spec.replace_metadata = names_metadata(o);
  spec.replace_tags = !o.tags.empty();
  spec.verify = o.checksum.kind != ChecksumMode::Kind::Off;
  spec.part_size = o.chunk_size;
  spec.no_clobber = o.no_clobber;
  auto headers = object_headers(o, "-");
  if (!headers) return fail(headers.error());
  for (auto& [name, value] : *headers) {
    // object_headers() always names a Content-Type (the default, for a stream): only a given one replaces.
    if (name == "Content-Type" && o.content_type.empty()) continue;
    spec.headers.emplace_back(std::move(name), std::move(value));
  }
  return spec;
}

std::optional<ChecksumAlgorithm> upload_checksum(const ChecksumMode& mode) {
  switch (mode.kind) {
    case ChecksumMode::Kind::Off: return std::nullopt;
    case ChecksumMode::Kind::Auto: return ChecksumAlgorithm::Crc64Nvme;
    case ChecksumMode::Kind::Require: return mode.algorithm;
  }
  return ChecksumAlgorithm::Crc64Nvme;
}

}  // namespace s3fcp
