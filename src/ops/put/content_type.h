// The Content-Type of an upload, guessed from the source file's name with the system's /etc/mime.types
// (Debian's media-types package), as aws-cli guesses it (Python's mimetypes reads the same file). The file
// maps a media type to extensions, one type a line: "text/html  html htm shtml"; '#' starts a comment (also
// mid-line, as Go's mime package reads it); an extension listed twice takes the last type, as Python and Go
// take it. Lookups use the name's last extension, case-insensitively; no extension, or none known, gives
// application/octet-stream.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

namespace s3fcp {

inline constexpr std::string_view kDefaultContentType = "application/octet-stream";
inline constexpr std::string_view kSystemMimeTypesPath = "/etc/mime.types";

class MimeTypes {
 public:
  MimeTypes() = default;

  // The table in a mime.types text.
  static MimeTypes parse(std::string_view text);
  // The table in the file at `path`. A missing or unreadable file gives an empty table: every upload is then
  // application/octet-stream, which is what S3 would store without a Content-Type anyway.
  static MimeTypes load(const std::string& path = std::string(kSystemMimeTypesPath));

  // The type for an extension without its dot ("json", "TAR"), if the table has one.
  std::optional<std::string_view> find(std::string_view extension) const;
  // The type for a file name or path by its last extension ("a/b.tar.GZ" → "gz"); a leading dot alone
  // (".bashrc") is not an extension. kDefaultContentType when there is none or it is unknown.
  std::string_view content_type(std::string_view file_name) const;

  std::size_t size() const { return m_types.size(); }

 private:
  std::unordered_map<std::string, std::string> m_types;  // lowercase extension → media type
};

}  // namespace s3fcp
