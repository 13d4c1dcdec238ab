#include "util/directories.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include <fmt/format.h>

namespace s3fcp {

Result<std::vector<std::string>> make_directories(const std::string& dir, mode_t mode) {
  std::vector<std::string> made;
  for (size_t end = dir.find('/', 1);; end = dir.find('/', end + 1)) {
    const std::string part = dir.substr(0, end);
    if (!part.empty() && part.back() != '/') {  // "a//b": the empty part between is not a directory to make
      if (::mkdir(part.c_str(), mode) == 0) {
        made.push_back(part);
      } else if (errno != EEXIST) {
        return fail(ErrorKind::Io, fmt::format("cannot create directory {}: {}", part, std::strerror(errno)));
      } else if (struct stat st {}; ::stat(part.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) {
        return fail(ErrorKind::Io, fmt::format("cannot create directory {}: {} is not a directory", dir, part));
      }
    }
    if (end == std::string::npos) return made;
  }
}

MadeDirectories::~MadeDirectories() {
  for (auto it = m_made.rbegin(); it != m_made.rend(); ++it) {
    if (::rmdir(it->c_str()) != 0) break;  // not empty (or gone): its parents are not either
  }
}

}  // namespace s3fcp
