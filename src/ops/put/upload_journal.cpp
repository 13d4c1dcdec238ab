// The upload journal's JSON (nlohmann-json, read without exceptions), its place under the XDG state
// directory, and the few system calls that keep it: an atomic replace on save, a plain unlink on remove.
#include "ops/put/upload_journal.h"

#include <fcntl.h>
#include <limits.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "util/crypto.h"
#include "util/directories.h"
#include "util/fd.h"
#include "util/percent.h"

namespace s3fcp {

namespace {

using Json = nlohmann::ordered_json;

// Names of any bytes, as ASCII (the JSON dump needs valid UTF-8).
std::string ascii(std::string_view value) { return percent_escape(value, EscapeBytes::NonAscii); }

constexpr std::string_view kFormat = "s3fcp-upload-journal";
constexpr int kFormatVersion = 1;

Error damaged(std::string_view why) {
  return Error::usage(fmt::format("the upload journal is damaged ({})", why));
}

Error io_error(std::string_view what, std::string_view path, int error_number) {
  return Error{ErrorKind::Io, fmt::format("{} {}: {}", what, path, std::strerror(error_number))};
}

Result<const Json*> field(const Json& j, const char* name) {
  const auto it = j.find(name);
  if (it == j.end()) return fail(damaged(fmt::format("no \"{}\"", name)));
  return &*it;
}

Result<std::string> string_field(const Json& j, const char* name) {
  const auto f = field(j, name);
  if (!f) return fail(f.error());
  if (!(*f)->is_string()) return fail(damaged(fmt::format("\"{}\" is not a string", name)));
  auto value = percent_unescape((*f)->get_ref<const std::string&>());
  if (!value) return fail(damaged(fmt::format("\"{}\" has a bad escape", name)));
  return std::move(*value);
}

Result<uint64_t> unsigned_field(const Json& j, const char* name) {
  const auto f = field(j, name);
  if (!f) return fail(f.error());
  if (!(*f)->is_number_unsigned()) return fail(damaged(fmt::format("\"{}\" is not a whole number", name)));
  return (*f)->get<uint64_t>();
}

Result<int64_t> signed_field(const Json& j, const char* name) {
  const auto f = field(j, name);
  if (!f) return fail(f.error());
  const bool fits = (*f)->is_number_integer() &&
                    (!(*f)->is_number_unsigned() || (*f)->get<uint64_t>() <= uint64_t{INT64_MAX});
  if (!fits) return fail(damaged(fmt::format("\"{}\" is not a whole number", name)));
  return (*f)->get<int64_t>();
}

Result<void> write_all(int fd, std::string_view text, const std::string& path) {
  while (!text.empty()) {
    const ssize_t n = ::write(fd, text.data(), text.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return fail(io_error("cannot write", path, n < 0 ? errno : EIO));
    text.remove_prefix(static_cast<std::size_t>(n));
  }
  return {};
}

}  // namespace

Result<SourceFile> stat_source_file(const std::string& path) {
  char resolved[PATH_MAX];
  if (::realpath(path.c_str(), resolved) == nullptr) {
    if (errno == ENOENT || errno == ENOTDIR) {
      return fail(ErrorKind::NotFound, fmt::format("{}: no such file", path));
    }
    return fail(io_error("cannot resolve", path, errno));
  }
  struct stat st {};
  if (::stat(resolved, &st) != 0) return fail(io_error("cannot stat", path, errno));
  if (!S_ISREG(st.st_mode)) return fail(Error::usage(fmt::format("{} is not a regular file", path)));
  return SourceFile{resolved, static_cast<uint64_t>(st.st_size),
                    static_cast<int64_t>(st.st_mtim.tv_sec) * 1'000'000'000 + st.st_mtim.tv_nsec};
}

Result<std::string> upload_journal_dir(const EnvLookup& env) {
  const std::string state = env("XDG_STATE_HOME");
  if (!state.empty() && state.front() == '/') return state + "/s3fcp";
  const std::string home = env("HOME");
  if (!home.empty() && home.front() == '/') return home + "/.local/state/s3fcp";
  return fail(
      Error::usage("no place for the upload journal: set HOME (or XDG_STATE_HOME) to an absolute path"));
}

std::string upload_journal_path(std::string_view dir, std::string_view source_path, std::string_view bucket,
                                std::string_view key) {
  // NUL cannot occur in a path, so the two halves cannot be confused.
  std::string identity(source_path);
  identity += '\0';
  identity += fmt::format("s3://{}/{}", bucket, key);
  return fmt::format("{}/upload-{}.json", dir, sha256_hex(identity));
}

std::string format_upload_journal(const UploadJournal& journal) {
  const UploadBinding& b = journal.binding;
  Json j;
  j["format"] = kFormat;
  j["version"] = kFormatVersion;
  j["bucket"] = ascii(b.bucket);
  j["key"] = ascii(b.key);
  j["upload_id"] = ascii(journal.upload_id);
  j["source"] = ascii(b.source_path);
  j["size"] = b.size;
  j["mtime_ns"] = b.mtime_ns;
  j["part_size"] = b.part_size;
  j["checksum"] = b.checksum ? Json(checksum_algorithm_name(*b.checksum)) : Json(nullptr);
  j["options_digest"] = ascii(b.options_digest);
  return j.dump(2) + "\n";  // every string is ASCII after ascii(): dump() cannot meet bad UTF-8
}

Result<UploadJournal> parse_upload_journal(std::string_view text) {
  const Json j = Json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return fail(damaged("not JSON"));
  if (!j.is_object()) return fail(damaged("not a JSON object"));
  const auto format = j.find("format");
  if (format == j.end() || *format != kFormat) {
    return fail(Error::usage("the file is not an s3fcp upload journal"));
  }
  const auto version = j.find("version");
  if (version == j.end() || !version->is_number_integer()) return fail(damaged("no \"version\""));
  if (*version != kFormatVersion) {
    return fail(Error::usage(fmt::format("the upload journal has format version {}, this s3fcp reads {}",
                                         version->dump(), kFormatVersion)));
  }

  UploadJournal out;
  UploadBinding& b = out.binding;
  for (auto [name, target] :
       {std::pair{"bucket", &b.bucket}, std::pair{"key", &b.key}, std::pair{"upload_id", &out.upload_id},
        std::pair{"source", &b.source_path}, std::pair{"options_digest", &b.options_digest}}) {
    auto value = string_field(j, name);
    if (!value) return fail(value.error());
    *target = std::move(*value);
  }
  const auto size = unsigned_field(j, "size");
  if (!size) return fail(size.error());
  const auto part_size = unsigned_field(j, "part_size");
  if (!part_size) return fail(part_size.error());
  const auto mtime = signed_field(j, "mtime_ns");
  if (!mtime) return fail(mtime.error());
  b.size = *size;
  b.part_size = *part_size;
  b.mtime_ns = *mtime;

  const auto checksum = field(j, "checksum");
  if (!checksum) return fail(checksum.error());
  if (!(*checksum)->is_null()) {
    const auto algorithm = (*checksum)->is_string()
                               ? parse_checksum_algorithm((*checksum)->get_ref<const std::string&>())
                               : std::nullopt;
    if (!algorithm) return fail(damaged("\"checksum\" is not an algorithm"));
    b.checksum = *algorithm;
  }
  if (out.upload_id.empty()) return fail(damaged("empty \"upload_id\""));
  if (b.part_size == 0) return fail(damaged("\"part_size\" is 0"));
  return out;
}

Result<std::optional<UploadJournal>> load_upload_journal(const std::string& path) {
  Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (fd.get() < 0) {
    if (errno == ENOENT) return std::optional<UploadJournal>{};
    return fail(io_error("cannot read", path, errno));
  }
  std::string text;
  char buffer[16 * 1024];
  for (;;) {
    const ssize_t n = ::read(fd.get(), buffer, sizeof buffer);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return fail(io_error("cannot read", path, errno));
    if (n == 0) break;
    text.append(buffer, static_cast<std::size_t>(n));
  }
  auto journal = parse_upload_journal(text);
  if (!journal) {
    return fail(prefixed(journal.error(), path));
  }
  return std::optional<UploadJournal>(std::move(*journal));
}

Result<void> save_upload_journal(const std::string& path, const UploadJournal& journal) {
  const std::size_t slash = path.rfind('/');
  const std::string dir = slash == std::string::npos ? "." : path.substr(0, slash == 0 ? 1 : slash);
  if (auto made = make_directories(dir, 0700); !made) return fail(made.error());  // the journals are private

  std::string temp = path + ".XXXXXX";
  Fd fd(::mkostemp(temp.data(), O_CLOEXEC));  // mode 0600
  if (fd.get() < 0) return fail(io_error("cannot create a file in", dir, errno));
  auto written = write_all(fd.get(), format_upload_journal(journal), temp);
  if (written && ::fsync(fd.get()) != 0) written = fail(io_error("cannot sync", temp, errno));
  if (written && ::rename(temp.c_str(), path.c_str()) != 0)
    written = fail(io_error("cannot rename to", path, errno));
  if (!written) {
    ::unlink(temp.c_str());
    return written;
  }
  // The rename itself must reach the disk too.
  Fd dir_fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (dir_fd.get() < 0 || ::fsync(dir_fd.get()) != 0) return fail(io_error("cannot sync", dir, errno));
  return {};
}

Result<void> remove_upload_journal(const std::string& path) {
  if (::unlink(path.c_str()) != 0 && errno != ENOENT) return fail(io_error("cannot remove", path, errno));
  return {};
}

Result<void> check_upload_journal(const UploadJournal& journal, const UploadBinding& now) {
  const UploadBinding& was = journal.binding;
  const auto refuse = [](std::string_view why) {
    return fail(Error::usage(fmt::format("cannot continue the upload: {}", why)));
  };
  const auto checksum_name = [](const std::optional<ChecksumAlgorithm>& a) {
    return a ? std::string(checksum_algorithm_name(*a)) : std::string("none");
  };
  if (was.bucket != now.bucket || was.key != now.key) {
    return refuse(fmt::format("the journal is of an upload to s3://{}/{}, not s3://{}/{}", was.bucket,
                              was.key, now.bucket, now.key));
  }
  if (was.source_path != now.source_path) {
    return refuse(fmt::format("the journal is of an upload of {}, not {}", was.source_path, now.source_path));
  }
  if (was.size != now.size) {
    return refuse(fmt::format("{} changed since the upload began: it was {} bytes, now {}", now.source_path,
                              was.size, now.size));
  }
  if (was.mtime_ns != now.mtime_ns) {
    return refuse(fmt::format("{} changed since the upload began (its modification time)", now.source_path));
  }
  if (was.part_size != now.part_size) {
    return refuse(
        fmt::format("the upload has parts of {} bytes, this run would make {}: give the same --chunk-size",
                    was.part_size, now.part_size));
  }
  if (was.checksum != now.checksum) {
    return refuse(fmt::format("the upload was begun with checksum {}, this run asks for {}",
                              checksum_name(was.checksum), checksum_name(now.checksum)));
  }
  if (was.options_digest != now.options_digest) {
    return refuse(
        "the upload was begun with other object options (metadata, tags, content type, storage class...)");
  }
  return {};
}

}  // namespace s3fcp
