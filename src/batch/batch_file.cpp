// s5cmd's run-file format and --files-from lists. See batch_file.h for the rules; split_words follows
// go-shellquote's unquote.go state by state (raw, escape, single, double). Its special characters are all
// ASCII, so working on bytes gives the same words as its rune loop, for any UTF-8 and for bytes that are not.
#include "batch/batch_file.h"

#include <algorithm>

#include <fmt/format.h>

#include "util/strings.h"

namespace s3fcp {

namespace {

constexpr std::string_view kSplitChars = " \n\t";
constexpr std::string_view kDoubleEscapes = "$`\"\n\\";

bool is_split(char c) { return kSplitChars.find(c) != std::string_view::npos; }

// Takes the first line of `text` off into `line` (without its LF); false when nothing is left.
bool next_line(std::string_view& text, std::string_view& line) {
  if (text.empty()) return false;
  const size_t lf = text.find('\n');
  line = text.substr(0, lf);
  text.remove_prefix(lf == std::string_view::npos ? text.size() : lf + 1);
  return true;
}

}  // namespace

Result<std::vector<std::string>> split_words(std::string_view input) {
  std::vector<std::string> words;
  size_t i = 0;
  const size_t n = input.size();
  while (i < n) {
    // Between words: split characters and backslash-newlines are skipped.
    if (is_split(input[i])) {
      ++i;
      continue;
    }
    if (input[i] == '\\') {
      if (i + 1 == n) return fail(Error::usage("unterminated backslash-escape"));
      if (input[i + 1] == '\n') {
        i += 2;
        continue;
      }
    }
    std::string word;
    bool ended = false;
    while (i < n && !ended) {
      const char c = input[i++];
      if (is_split(c)) {
        ended = true;
      } else if (c == '\\') {
        if (i == n) return fail(Error::usage("unterminated backslash-escape"));
        if (input[i] != '\n') word += input[i];
        ++i;
      } else if (c == '\'') {
        const size_t close = input.find('\'', i);
        if (close == std::string_view::npos) return fail(Error::usage("unterminated single-quoted string"));
        word.append(input.substr(i, close - i));
        i = close + 1;
      } else if (c == '"') {
        for (;;) {
          if (i == n) return fail(Error::usage("unterminated double-quoted string"));
          const char d = input[i++];
          if (d == '"') break;
          if (d == '\\' && i < n && kDoubleEscapes.find(input[i]) != std::string_view::npos) {
            if (input[i] != '\n') word += input[i];
            ++i;
          } else {
            word += d;
          }
        }
      } else {
        word += c;
      }
    }
    words.push_back(std::move(word));
  }
  return words;
}

std::string quote_run_word(std::string_view word) {
  const auto plain = [](char c) {
    return static_cast<unsigned char>(c) >= 0x80 || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
           (c >= '0' && c <= '9') || std::string_view("/._-+:=@%,^").find(c) != std::string_view::npos;
  };
  if (!word.empty() && std::all_of(word.begin(), word.end(), plain)) return std::string(word);
  std::string out = "'";
  for (const char c : word) {
    if (c == '\'') out += "'\"'\"'";
    else if (c == '\n') out += "\\n";
    else out += c;
  }
  return out + "'";
}

std::vector<BatchLine> parse_batch_file(std::string_view text) {
  std::vector<BatchLine> out;
  std::string_view raw;
  for (size_t number = 1; next_line(text, raw); ++number) {
    const std::string_view line = trim(raw);  // Go's strings.TrimSpace, ASCII only
    if (line.empty() || line.front() == '#') continue;
    auto words = split_words(line);
    if (!words) {
      out.push_back({number, {}, words.error().message});
      continue;
    }
    if (words->empty()) continue;
    if ((*words)[0] != "cp") {
      std::string why = fmt::format("'{}' is not supported (only cp)", (*words)[0]);
      out.push_back({number, std::move(*words), std::move(why)});
      continue;
    }
    out.push_back({number, std::move(*words), {}});
  }
  return out;
}

bool has_wildcard(std::string_view s) { return s.find_first_of("*?") != std::string_view::npos; }

std::string wildcard_glob(std::string_view pattern) {
  std::string out;
  for (const char c : pattern) {
    if (c == '[') out += "[[]";
    else out += c;
  }
  return out;
}

std::vector<ListedName> parse_files_from(std::string_view text) {
  std::vector<ListedName> out;
  std::string_view line;
  for (size_t number = 1; next_line(text, line); ++number) {
    if (line.ends_with('\r')) line.remove_suffix(1);
    if (line.find_first_not_of(" \t") == std::string_view::npos) continue;
    out.push_back({number, std::string(line)});
  }
  return out;
}

}  // namespace s3fcp
