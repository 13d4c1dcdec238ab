#!/usr/bin/env bash
# Sourced after common.sh (and fault_common.sh, for the fault-server tests) by the many-object tests
# (tests/e2e/many_*.sh: -r, --files-from, --manifest, run). Fixtures and checks over trees and --stats json lines;
# the Python behind them is tests/e2e/many_tool.py.
#
#   many_tool ARGS...               tests/e2e/many_tool.py ARGS (see its docstring)
#   make_tree DIR COUNT SEED [--safe-for-moto] [SIZE...]
#                                   COUNT small files with hostile but safe names under DIR, plus one file per SIZE
#                                   under DIR/big/ (random bytes from SEED)
#   fault_tree BUCKET PREFIX COUNT SEED [--safe-for-moto] [SIZE...]
#                                   the same, served by the fault server as objects BUCKET/PREFIX... (PREFIX ends
#                                   in '/' or is empty)
#   odd_key BUCKET KEY [TEXT]       an object with any key at all (`..` segments, `//`, NUL, a trailing '/'),
#                                   stored where the fault server keeps keys without a faithful path; KEY and TEXT
#                                   take Python escapes (\x00, \n, \\); TEXT is its body (default: the key)
#   assert_same_tree A B            A and B hold the same files, byte for byte, and nothing else
#   file_count DIR                  regular files under DIR
#   assert_items EXPR               the Python EXPR holds over the --stats json lines in $STDERR: `items` (one dict
#                                   per item), `summary` (the summary line's dict) and `text` (the other lines)
#   failure_lines                   the lines of $STDERR that are neither JSON nor the summary line, to $TMP/failures
#   assert_failures N               failure_lines has exactly N lines
#   assert_no_temp DIR [REF]        no temporary file (.NAME.s3fcp-tmp-XXXXXX) left anywhere under DIR (but those
#                                   with a namesake in the tree REF: objects named so)
#   get_keys                        the keys of the logged GETs (fault server), sorted, one a line

if [[ ${BASH_SOURCE[0]} == "$0" ]]; then
  echo "many_common.sh: helpers for the many-object tests (sourced after common.sh); nothing to run on its own"
  exit 0
fi
if [[ -z ${E2E_ROOT:-} || -z ${TMP:-} ]]; then
  echo "many_common.sh: source common.sh first" >&2
  return 1
fi

MANY_TOOL=$E2E_ROOT/tests/e2e/many_tool.py

many_tool() { python3 "$MANY_TOOL" "$@"; }

make_tree() { many_tool fixture "$@"; }

fault_tree() {
  local bucket=$1 prefix=$2
  shift 2
  mkdir -p "$FAULT_DATA/$bucket"
  make_tree "$FAULT_DATA/$bucket/$prefix" "$@"
}

odd_key() { many_tool odd-key "$FAULT_DATA" "$@"; }

assert_same_tree() { many_tool same "$1" "$2" 2>&9; }

file_count() { many_tool count "$1"; }

assert_items() { many_tool stats "$STDERR" "$1" 2>&9; }

failure_lines() {
  grep -a -v -e '^{' -e '^s3fcp: \(dry run: \)\?[0-9]* copied, ' "$STDERR" >"$TMP/failures" || true
}

assert_failures() {
  local n
  failure_lines
  n=$(wc -l <"$TMP/failures")
  if ((n != $1)); then
    say "expected $1 failure line(s) on stderr, got $n:"
    head -n 20 "$TMP/failures" >&9
    return 1
  fi
}

assert_no_temp() {
  local left=() f
  while IFS= read -r -d '' f; do
    [[ -n ${2:-} && -f $2/$f ]] || left+=("$f")  # a file of that name in REF is an object, not a leftover
  done < <(cd "$1" 2>/dev/null && find . -name '.*.s3fcp-tmp-??????' -print0)
  ((${#left[@]} == 0)) || { say "temporary files left under $1: ${left[*]:0:5}"; return 1; }
}

get_keys() { log_eval "key" "op == 'get'" | sort; }
