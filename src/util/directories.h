// mkdir -p, remembering what it made, so that a caller that fails can take its directories back.
#pragma once

#include <sys/types.h>

#include <string>
#include <utility>
#include <vector>

#include "util/error.h"

namespace s3fcp {

// Creates `dir` and its missing parents with `mode` (less the umask), following the path as given (a symlink in it
// is the user's to use). Returns the directories it created, outermost first; none when `dir` existed. An Io error
// names the part that could not be made, or that exists and is not a directory.
Result<std::vector<std::string>> make_directories(const std::string& dir, mode_t mode);

// Directories a run made for its output: removed again (innermost first, each only while empty) unless kept, so that
// a download that ends with nothing in place leaves no empty folders behind.
class MadeDirectories {
 public:
  MadeDirectories() = default;
  explicit MadeDirectories(std::vector<std::string> made) : m_made(std::move(made)) {}
  MadeDirectories(const MadeDirectories&) = delete;
  MadeDirectories& operator=(const MadeDirectories&) = delete;
  ~MadeDirectories();
  void keep() { m_made.clear(); }

 private:
  std::vector<std::string> m_made;
};

}  // namespace s3fcp
