#!/usr/bin/env bash
# libs3fcp under valgrind --leak-check=full: the C example and 1,000 mixed operations (reads, writes from buffers and
# callbacks, head, list, delete) from several threads, against the fault server: zero leaks, zero errors. Only for
# a build without sanitizers (valgrind and ASan do not mix); skipped with a message otherwise.
source "$(dirname "$0")/common.sh"
source "$(dirname "$0")/fault_common.sh"
BIN_DIR=$(dirname "$S3FCP_BIN")
if [[ $BIN_DIR == *asan* || $BIN_DIR == *tsan* ]]; then
  say "skipped under a sanitizer build ($BIN_DIR)"
  exit 0
fi
command -v valgrind >/dev/null || { say "valgrind not installed (scripts/setup)"; exit 1; }
export S3FCP_TIMEOUT=600
mkdir -p "$FAULT_DATA/lib"
start_fault_server
vg() { valgrind --quiet --leak-check=full --show-leak-kinds=definite,indirect,possible --errors-for-leak-kinds=definite,indirect,possible --error-exitcode=99 "$@"; }
expect_exit 0 vg "$BIN_DIR/s3fcp_example" "$ENDPOINT" lib $((6 * 1024 * 1024 + 1))
expect_exit 0 vg "$BIN_DIR/lib_mixed" "$ENDPOINT" lib --ops 1000 --threads 4 --max-size 65536
assert_contains "$STDOUT" '"wrong": 0'
say "ok ($(cat "$STDOUT"))"
