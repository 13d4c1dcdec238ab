#include "cli/options_check.h"

#include <fmt/format.h>

#include "cli/parse_size.h"
#include "cli/upload_spec.h"
#include "s3/endpoint.h"
#include "s3/object_headers.h"
#include "s3/response.h"
#include "s3/s3_uri.h"
#include "util/timestamp.h"

namespace s3fcp {

namespace {

// The file name a path ends in ("dir/a.bin" -> "a.bin"); empty when it names no file ("dir/", "..").
std::string base_name(const std::string& path) {
  const auto slash = path.find_last_of('/');
  std::string name = slash == std::string::npos ? path : path.substr(slash + 1);
  return name == "." || name == ".." ? std::string() : name;
}

// %XX decoding of --tagging's keys and values ('+' is a space, as in a query string).
std::optional<std::string> url_decode(std::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '+') {
      out += ' ';
    } else if (s[i] == '%') {
      if (i + 2 >= s.size()) return std::nullopt;
      const auto hex = [](char c) -> int {
        if (c >= '0' && c <= '9') return c - '0';
        if (c >= 'a' && c <= 'f') return c - 'a' + 10;
        if (c >= 'A' && c <= 'F') return c - 'A' + 10;
        return -1;
      };
      const int hi = hex(s[i + 1]), lo = hex(s[i + 2]);
      if (hi < 0 || lo < 0) return std::nullopt;
      out += static_cast<char>(hi * 16 + lo);
      i += 2;
    } else {
      out += s[i];
    }
  }
  return out;
}

Error applies_to(std::string_view option, std::string_view direction) {
  return Error::usage(fmt::format("{} applies to {} only", option, direction));
}

// s3://a/k s3://b/k2: a copy by S3 itself. DEST s3://b, s3://b/ or s3://b/PREFIX/ takes the source key's last
// segment, as `aws s3 cp` does.
Result<void> classify_copy(const std::string& source, Options& o) {
  if (is_http_source(source)) {
    return fail(Error::usage("an http(s) SOURCE is downloaded: give a FILE or - as DEST, not an s3:// key"));
  }
  auto from = parse_s3_uri(source);
  if (!from) return fail(from.error());
  auto to = parse_s3_prefix(o.destination);
  if (!to) return fail(to.error());
  if (to->key.empty() || to->key.ends_with('/')) {
    const std::string name = base_name(from->key);
    if (name.empty()) return fail(Error::usage(fmt::format("{} names no object to copy", source)));
    to->key += name;
    if (auto why = invalid_key_reason(to->key)) {
      return fail(Error::usage(fmt::format("{} would be the key: {}", to->str(), *why)));
    }
  }
  if (o.force || o.resume) {
    return fail(Error::usage("--force and --continue apply to downloads and uploads, not copies"));
  }
  o.direction = Options::Direction::Copy;
  o.source = std::move(*from);
  o.upload_to = std::move(*to);
  return {};
}

// -r s3://a/PREFIX/ s3://b/PREFIX2/: every object below the first copied by S3 to the same name below the second.
Result<void> classify_many_copy(const std::string& source, Options& o) {
  auto from = parse_s3_prefix(source);
  if (!from) return fail(from.error());
  auto to = parse_s3_prefix(o.destination);
  if (!to) return fail(to.error());
  for (S3Uri* uri : {&*from, &*to}) {
    if (!uri->key.empty() && !uri->key.ends_with('/')) uri->key += '/';  // a prefix names a folder
  }
  // A destination below the source in the same bucket: the listing would find the copies and copy them again.
  if (from->bucket == to->bucket && to->key.starts_with(from->key) && to->key != from->key) {
    return fail(Error::usage(fmt::format("{} lies inside {}: its copies would be listed and copied again",
                                         to->str(), from->str())));
  }
  o.direction = Options::Direction::Copy;
  o.remote = std::move(*from);
  o.copy_to = std::move(*to);
  return {};
}

}  // namespace

Result<void> classify_operands(const std::string& source, Options& o) {
  const bool remote_source = source.starts_with("s3://") || is_http_source(source);
  const bool remote_dest = o.destination.starts_with("s3://");
  if (remote_source && remote_dest) return classify_copy(source, o);
  if (remote_source) {
    o.direction = Options::Direction::Download;
    if (is_http_source(source)) {
      if (!o.version_id.empty()) return fail(Error::usage("--version-id applies to s3:// sources only"));
      o.source_url = source;
    } else {
      auto uri = parse_s3_uri(source);
      if (!uri) {
        Error e = uri.error();
        if (source.ends_with('/')) e.message += "; -r copies every object under a prefix";
        return fail(std::move(e));
      }
      o.source = std::move(*uri);
    }
    if (o.destination == "-" && (o.force || o.resume)) {
      return fail(Error::usage("--force and --continue apply to a file destination only"));
    }
    return {};
  }
  if (!remote_dest) {
    return fail(Error::usage(fmt::format("neither '{}' nor '{}' is s3://: one side of a copy must be S3", source,
                                         o.destination)));
  }
  o.direction = Options::Direction::Upload;
  o.local_source = source;
  auto dest = parse_s3_prefix(o.destination);
  if (!dest) return fail(dest.error());
  // s3://bucket, like s3://bucket/ or s3://bucket/PREFIX/, takes the file's name (as aws s3 cp and s5cmd do).
  if (dest->key.empty() || dest->key.ends_with('/')) {
    const std::string name = source == "-" ? std::string() : base_name(source);
    if (name.empty()) {
      return fail(Error::usage(fmt::format("{} {} and {} names no file: give the full key", o.destination,
                                           dest->key.empty() ? "has no key" : "ends in '/'",
                                           source == "-" ? std::string("stdin") : source)));
    }
    dest->key += name;
    if (auto why = invalid_key_reason(dest->key)) {
      return fail(Error::usage(fmt::format("{}: {} would be the key: {}", source, dest->str(), *why)));
    }
  }
  o.upload_to = std::move(*dest);
  if (o.resume && source == "-") return fail(Error::usage("--continue needs a file: a stream cannot be read twice"));
  if (o.force) {
    return fail(Error::usage("--force applies to downloads (an upload replaces the key unless --no-clobber)"));
  }
  return {};
}

Result<void> classify_many(const std::string& source, bool recursive, const std::string& files_from,
                           const std::string& manifest, const std::string& shard, Options& o) {
  const int modes = recursive + !files_from.empty() + !manifest.empty() + (o.mode == Options::Mode::Run);
  if (modes > 1) return fail(Error::usage("give one of -r, --files-from, --manifest and run"));
  if (!shard.empty()) {
    auto parsed = parse_shard(shard);
    if (!parsed) return fail(parsed.error());
    o.shard = *parsed;
  }
  if (o.range || !o.version_id.empty() || o.force || o.resume) {
    return fail(Error::usage("--range, --version-id, --force and --continue apply to one object (a run line may "
                             "carry --version-id)"));
  }
  if (o.mode == Options::Mode::Run) {
    if (o.destination != "-") return fail(Error::usage("run takes one FILE of operations (- for stdin)"));
    o.list_file = source;
    return {};
  }
  if (!manifest.empty()) {
    o.mode = Options::Mode::Manifest;
    o.list_file = manifest;
    o.direction = Options::Direction::Download;
    if (o.destination != "-") return fail(Error::usage("--manifest takes one operand: the directory (DIR)"));
    if (source.starts_with("s3://")) return fail(Error::usage("--manifest names the objects: give only DIR"));
    o.local_dir = source;
    return {};
  }
  o.mode = recursive ? Options::Mode::Recursive : Options::Mode::FilesFrom;
  o.list_file = files_from;
  const std::string& dest = o.destination;
  if (dest == "-") return fail(Error::usage("a many-object copy needs SOURCE and DEST (one s3://bucket/prefix/, one DIR)"));
  const bool down = source.starts_with("s3://"), up = dest.starts_with("s3://");
  if (down && up) {
    if (recursive) return classify_many_copy(source, o);
    return fail(Error::usage("--files-from copies between S3 and a directory; between buckets, give -r or run lines "
                             "(cp s3://a/k s3://b/k2)"));
  }
  if (down == up) {
    return fail(Error::usage("one of SOURCE and DEST must be s3://bucket/prefix/ and the other a local directory"));
  }
  auto remote = parse_s3_prefix(down ? source : dest);
  if (!remote) return fail(remote.error());
  o.remote = std::move(*remote);
  // A prefix names a folder, as in `aws s3 cp --recursive`: s3://b/data is s3://b/data/, so that data/x comes as x
  // and database.csv is not copied as "base.csv".
  if (!o.remote.key.empty() && !o.remote.key.ends_with('/')) o.remote.key += '/';
  o.local_dir = down ? dest : source;
  o.direction = down ? Options::Direction::Download : Options::Direction::Upload;
  if (o.local_dir == "-") return fail(Error::usage("a many-object copy needs a directory, not stdin or stdout"));
  return {};
}

Result<void> check_direction_options(Options& o, const std::string& expected_size,
                                     const std::vector<std::string>& metadata, const std::string& tagging,
                                     const std::string& range, const std::string& max_memory) {
  if (o.mode != Options::Mode::Single && !range.empty()) {
    return fail(Error::usage("--range applies to one object"));
  }
  if (o.direction == Options::Direction::Download && o.mode != Options::Mode::Run) {
    const std::pair<bool, std::string_view> upload_only[] = {
        {o.no_clobber && o.mode == Options::Mode::Single, "--no-clobber"},  // many objects: skip what exists
        {!expected_size.empty(), "--expected-size"},
        {!o.content_type.empty(), "--content-type"}, {!o.cache_control.empty(), "--cache-control"},
        {!o.content_encoding.empty(), "--content-encoding"}, {!metadata.empty(), "--metadata"},
        {!o.content_disposition.empty(), "--content-disposition"},
        {!o.content_language.empty(), "--content-language"}, {!o.expires.empty(), "--expires"},
        {!o.website_redirect.empty(), "--website-redirect"}, {o.no_guess_mime_type, "--no-guess-mime-type"},
        {!tagging.empty(), "--tagging"},          {!o.storage_class.empty(), "--storage-class"},
        {!o.acl.empty(), "--acl"},                {!o.sse.empty(), "--sse"},
        {o.follow_symlinks, "--follow-symlinks"},
        {!o.sse_kms_key_id.empty(), "--sse-kms-key-id"}};
    for (const auto& [given, name] : upload_only) {
      if (given) return fail(applies_to(name, "uploads"));
    }
    return {};
  }
  if (o.direction == Options::Direction::Copy) {
    // (-c, --chunk-size and --max-memory, which a run gives every line, have nothing to size here: ignored.)
    const std::pair<bool, std::string_view> not_for_copies[] = {
        {!expected_size.empty(), "--expected-size"},
        {!range.empty(), "--range"},
        {o.follow_symlinks, "--follow-symlinks"},
        {!o.sse_c_key.empty(), "--sse-c-key"},
        {o.checksum.kind == ChecksumMode::Kind::Require, "--checksum ALGORITHM"}};
    for (const auto& [given, name] : not_for_copies) {
      if (given) return fail(Error::usage(fmt::format("{} does not apply to a copy between buckets", name)));
    }
  }
  const std::pair<bool, std::string_view> download_only[] = {
      {!o.version_id.empty(), "--version-id"}, {!range.empty(), "--range"}, {o.window != 0, "--window"},
      {!o.hedge, "--no-hedge"}};
  for (const auto& [given, name] : download_only) {
    if (given && o.mode != Options::Mode::Run && !(o.direction == Options::Direction::Copy && name == "--version-id")) {
      return fail(applies_to(name, "downloads"));
    }
  }
  if (!o.expires.empty()) {
    // As the AWS CLI takes it (ISO 8601), or already an HTTP date; sent as an HTTP date.
    if (auto t = parse_iso8601(o.expires)) {
      o.expires = format_http_date(*t);
    } else if (auto d = parse_http_date(o.expires)) {
      o.expires = format_http_date(*d);
    } else {
      return fail(Error::usage(fmt::format("--expires takes a date-time such as 2027-01-31T12:00:00Z or "
                                           "'Sun, 31 Jan 2027 12:00:00 GMT', got '{}'", o.expires)));
    }
  }
  if (!expected_size.empty()) {
    if (o.local_source != "-") return fail(Error::usage("--expected-size applies to an upload from stdin"));
    auto size = parse_size(expected_size);
    if (!size) return fail(Error::usage("--expected-size: " + size.error().message));
    o.expected_size = *size;
  }
  if (!max_memory.empty()) {
    auto bytes = parse_size(max_memory);
    if (!bytes) return fail(Error::usage("--max-memory: " + bytes.error().message));
    o.max_memory = *bytes;
  }
  for (const std::string& item : metadata) {
    if (auto ok = parse_metadata_argument(item, o.metadata); !ok) return fail(ok.error());
  }
  if (!tagging.empty()) {
    size_t start = 0;
    while (start <= tagging.size()) {
      const size_t amp = std::min(tagging.find('&', start), tagging.size());
      const std::string_view pair = std::string_view(tagging).substr(start, amp - start);
      const auto eq = pair.find('=');
      const auto key = url_decode(pair.substr(0, eq));
      const auto value = url_decode(eq == std::string_view::npos ? std::string_view() : pair.substr(eq + 1));
      if (pair.empty() || !key || !value || key->empty()) {
        return fail(Error::usage(fmt::format("--tagging takes KEY=VALUE&KEY2=VALUE2 (URL-encoded), got '{}'", tagging)));
      }
      o.tags.emplace_back(*key, *value);
      start = amp + 1;
    }
  }
  if (!o.sse_kms_key_id.empty() && !o.sse.starts_with("aws:kms")) {
    return fail(Error::usage("--sse-kms-key-id needs --sse aws:kms"));
  }
  if (!o.sse.empty() && !o.sse_c_key.empty()) return fail(Error::usage("give --sse or an SSE-C key, not both"));
  // S3 copies an object onto itself only to change its metadata, storage class, redirect or encryption.
  if (o.direction == Options::Direction::Copy && o.mode == Options::Mode::Single &&
      o.source.bucket == o.upload_to.bucket && o.source.key == o.upload_to.key && o.version_id.empty() &&
      !names_metadata(o) && o.storage_class.empty() && o.sse.empty()) {
    return fail(Error::usage(fmt::format("SOURCE and DEST are the same object, {}, and nothing about it is to "
                                         "change", o.upload_to.str())));
  }
  return {};
}

}  // namespace s3fcp
