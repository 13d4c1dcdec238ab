// --include / --exclude: which keys (or, for uploads, which relative local paths) a many-object copy takes.
//
// Patterns are fnmatch(3) globs matched against the name *below the prefix* (the relative path), with the
// flags the AWS CLI's filters amount to (it uses Python's fnmatch):
//   - no FNM_PATHNAME: '*' and '?' cross '/', so `*.log` selects logs/2024/a.log;
//   - no FNM_PERIOD: '*' matches a leading dot;
//   - FNM_NOESCAPE: '\' is an ordinary character (keys may hold one); write a literal '*', '?' or '[' as
//     `[*]`, `[?]`, `[[]`;
//   - matched in the C.UTF-8 locale, so '?' and a bracket expression take one UTF-8 character, not one byte
//     (a name that is not valid UTF-8 falls back to matching its bytes).
// The rule, unlike the AWS CLI's (where the last matching filter wins): a name is selected when it matches no
// --exclude, and there are no --include patterns or it matches at least one. Exclude wins; order does not
// matter. So the AWS CLI's `--exclude '*' --include X` would select nothing: it is a Usage error that says so.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "util/error.h"

namespace s3fcp {

class KeyFilter {
 public:
  // An empty pattern is a Usage error naming its option.
  static Result<KeyFilter> create(std::vector<std::string> includes, std::vector<std::string> excludes);
  KeyFilter() = default;  // selects everything

  bool selects(std::string_view relative) const;
  bool selects_all() const { return m_includes.empty() && m_excludes.empty(); }

 private:
  std::vector<std::string> m_includes;
  std::vector<std::string> m_excludes;
};

// One glob against one name, by the rules above. Exposed for tests and for whoever needs the same matching.
bool glob_matches(const std::string& pattern, const std::string& name);

}  // namespace s3fcp
