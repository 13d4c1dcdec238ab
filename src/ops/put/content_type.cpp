// mime.types parsing and lookup (content_type.h). The file is read whole and split on whitespace; the table
// is small (about 1,500 extensions on Debian 12) and built once per upload.
#include "ops/put/content_type.h"

#include <fstream>
#include <sstream>

#include "util/strings.h"

namespace s3fcp {

namespace {

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f'; }

}  // namespace

MimeTypes MimeTypes::parse(std::string_view text) {
  MimeTypes table;
  while (!text.empty()) {
    const std::size_t end = text.find('\n');
    std::string_view line = text.substr(0, end);
    text.remove_prefix(end == std::string_view::npos ? text.size() : end + 1);

    std::string_view type;
    while (true) {
      while (!line.empty() && is_space(line.front())) line.remove_prefix(1);
      if (line.empty() || line.front() == '#') break;
      std::size_t n = 0;
      while (n < line.size() && !is_space(line[n])) ++n;
      const std::string_view field = line.substr(0, n);
      line.remove_prefix(n);
      if (type.empty()) {
        type = field;
      } else {
        table.m_types[to_lower(field)] = std::string(type);
      }
    }
  }
  return table;
}

MimeTypes MimeTypes::load(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return {};
  std::ostringstream text;
  text << in.rdbuf();
  return parse(text.str());
}

std::optional<std::string_view> MimeTypes::find(std::string_view extension) const {
  const auto it = m_types.find(to_lower(extension));
  if (it == m_types.end()) return std::nullopt;
  return it->second;
}

std::string_view MimeTypes::content_type(std::string_view file_name) const {
  const std::size_t slash = file_name.rfind('/');
  const std::string_view base = slash == std::string_view::npos ? file_name : file_name.substr(slash + 1);
  const std::size_t dot = base.rfind('.');
  if (dot == std::string_view::npos || dot == 0) return kDefaultContentType;
  return find(base.substr(dot + 1)).value_or(kDefaultContentType);
}

}  // namespace s3fcp
