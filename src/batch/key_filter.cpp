// --include / --exclude with fnmatch(3). See key_filter.h for the rules.
//
// fnmatch reads the calling thread's LC_CTYPE to decide whether '?' takes a byte or a character. s3fcp never
// calls setlocale, so the process runs in the "C" locale; each match switches just this thread to C.UTF-8
// with uselocale(3) and back, which changes nothing for other threads.
#include "batch/key_filter.h"

#include <fnmatch.h>
#include <locale.h>

#include <algorithm>

#include <fmt/format.h>

namespace s3fcp {

namespace {

// C.UTF-8, built into glibc since 2.35; (locale_t)0 where it is missing, and then matching is by bytes.
locale_t utf8_locale() {
  static const locale_t locale = ::newlocale(LC_CTYPE_MASK, "C.UTF-8", static_cast<locale_t>(0));
  return locale;
}

Result<void> check_patterns(const std::vector<std::string>& patterns, std::string_view option) {
  for (const std::string& p : patterns) {
    if (p.empty()) return fail(Error::usage(fmt::format("{}: the pattern is empty", option)));
  }
  return {};
}

}  // namespace

bool glob_matches(const std::string& pattern, const std::string& name) {
  constexpr int kFlags = FNM_NOESCAPE;
  if (const locale_t utf8 = utf8_locale()) {
    const locale_t previous = ::uselocale(utf8);
    const int rc = ::fnmatch(pattern.c_str(), name.c_str(), kFlags);
    ::uselocale(previous);
    if (rc == 0 || rc == FNM_NOMATCH) return rc == 0;
    // Anything else is fnmatch giving up on the multibyte conversion: match the bytes instead.
  }
  return ::fnmatch(pattern.c_str(), name.c_str(), kFlags) == 0;
}

Result<KeyFilter> KeyFilter::create(std::vector<std::string> includes, std::vector<std::string> excludes) {
  if (auto ok = check_patterns(includes, "--include"); !ok) return fail(ok.error());
  if (auto ok = check_patterns(excludes, "--exclude"); !ok) return fail(ok.error());
  // The AWS CLI's idiom for "only these" (its last matching filter wins) would select nothing here, without a word.
  if (!includes.empty() && std::ranges::find(excludes, "*") != excludes.end()) {
    return fail(Error::usage(fmt::format(
        "--exclude '*' leaves nothing for --include to select: exclude wins here, whatever the order (the AWS CLI's "
        "--exclude '*' --include '{}' is --include '{}' alone)",
        includes.front(), includes.front())));
  }
  KeyFilter filter;
  filter.m_includes = std::move(includes);
  filter.m_excludes = std::move(excludes);
  return filter;
}

bool KeyFilter::selects(std::string_view relative) const {
  if (selects_all()) return true;
  const std::string name(relative);  // fnmatch wants a NUL-terminated string
  for (const std::string& p : m_excludes) {
    if (glob_matches(p, name)) return false;
  }
  if (m_includes.empty()) return true;
  for (const std::string& p : m_includes) {
    if (glob_matches(p, name)) return true;
  }
  return false;
}

}  // namespace s3fcp
