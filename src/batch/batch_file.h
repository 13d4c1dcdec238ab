// `s3fcp run ops.txt` and `--files-from keys.txt`: lists of work read from a file.
//
// The run file is s5cmd's format (peak/s5cmd command/run.go): one operation a line; each line is trimmed of
// leading and trailing whitespace, skipped when then empty or starting with '#', and split into words by
// github.com/kballard/go-shellquote's Split, whose /bin/sh-like rules are mirrored here exactly:
//   - words are separated by runs of space, tab or newline (not other whitespace: a CR inside a line is
//     data);
//   - 'single quotes' keep everything up to the next ' literally (no escapes inside);
//   - "double quotes" keep everything, except that a backslash before $ ` " \ or newline stands for that
//     character (a backslash-newline for nothing); before any other character the backslash stays;
//   - outside quotes a backslash makes the next character literal (a backslash-newline is dropped);
//   - quoted parts and plain parts join into one word (a"b"'c' is abc); '' is an empty word;
//   - '#' after the start of the line is an ordinary character (no trailing comments);
//   - an unclosed quote or a trailing backslash is an error.
// Differences from s5cmd: line numbers count from 1 (s5cmd's messages count from 0), and the trim is ASCII
// whitespace only (Go's also trims U+0085 and U+00A0, which a key may end with). The first word is the
// operation: only `cp` is supported; any other, `run` included, makes that line an error.
//
// --files-from: one key (or local path) a line, taken literally — no quoting, no comments (a key may start
// with '#'), leading and trailing spaces kept —; a CR before the LF is dropped; lines of only spaces and tabs
// are skipped.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "util/error.h"

namespace s3fcp {

struct BatchLine {
  size_t line = 0;                 // 1-based
  std::vector<std::string> words;  // words[0] is the operation, "cp"
  std::string error;               // why the line cannot run (bad quoting, another operation); empty when it can
  bool operator==(const BatchLine&) const = default;
};

// go-shellquote's Split. Usage error ("unterminated single-quoted string", ...) on bad quoting.
Result<std::vector<std::string>> split_words(std::string_view line);

// A word as a run line writes it, so that split_words reads it back: as it is when plain, else in single quotes (a '
// inside as '"'"'). Only LF cannot be written in a run line (it ends the line): it is shown as \n, and such a word
// does not read back. A dry run's `cp SOURCE DEST` lines are made of these.
std::string quote_run_word(std::string_view word);

// Every operation of a run file, in order. A line that cannot run is still listed, with its `error`: one bad line
// fails that line, not the file.
std::vector<BatchLine> parse_batch_file(std::string_view text);

// s5cmd's wildcards in a run line's SOURCE: '*' (any run of characters, '/' included) and '?' (one character);
// anything else, a '[' too, stands for itself. A line's --raw takes them literally.
bool has_wildcard(std::string_view s);
// The same pattern for glob_matches (batch/key_filter.h: fnmatch, FNM_NOESCAPE): each '[' written as "[[]".
std::string wildcard_glob(std::string_view pattern);

struct ListedName {
  size_t line = 0;  // 1-based
  std::string name;
  bool operator==(const ListedName&) const = default;
};

// Every name of a --files-from list.
std::vector<ListedName> parse_files_from(std::string_view text);

}  // namespace s3fcp
