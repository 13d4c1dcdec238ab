#!/usr/bin/env bash
# --files-from: one name a line, relative to the prefix (down) or to DIR (up), taken literally: spaces at either end
# kept, a leading '#' is a name, CRLF accepted, blank lines skipped; from a file or stdin. A missing key or file, an
# unsafe name, a directory: one "line N:" line each, exit 11, the rest copied byte-exact; no request for a refused
# name. A key of unknown size larger than one GET's limit (8 MiB) is handed from the whole GET to ranged GETs.
source "$(dirname "$0")/common.sh"
source "$(dirname "$0")/fault_common.sh"
source "$(dirname "$0")/many_common.sh"
MiB=1048576

for k in a.txt 'with space' ' lead and trail ' '#hash-start' dir/b.txt; do fault_obj ff "p/$k" $((RANDOM % 5000)); done
fault_obj ff p/big.bin $((9 * MiB + 5))
start_fault_server ""
printf '%s\n' a.txt '' 'with space' ' lead and trail ' '#hash-start' $'dir/b.txt\r' big.bin missing.txt ../escape \
  '   ' 'dir//c' /abs >"$TMP/keys"

check_download() { # DIR: the six objects, byte for byte; nothing else
  local dir=$1 k
  for k in a.txt 'with space' ' lead and trail ' '#hash-start' dir/b.txt big.bin; do
    assert_sha "$dir/$k" "$(local_path ff "p/$k")"
  done
  (($(file_count "$dir") == 6)) || { say "$dir holds $(find "$dir" -type f)"; return 1; }
  assert_no_temp "$dir"
}

expect_exit 11 s3fcp --files-from "$TMP/keys" s3://ff/p/ "$TMP/down" --stats json
check_download "$TMP/down"
assert_failures 4
for n in 8 9 11 12; do assert_contains "$TMP/failures" "line $n: "; done
assert_contains "$TMP/failures" "line 8: NoSuchKey"
assert_items "summary['copied'] == 6 and summary['failed'] == 4 and summary['exit_code'] == 11"
assert_items "sorted(i['line'] for i in items if i['result'] == 'failed') == [8, 9, 11, 12]"
assert_items "[i['exit_code'] for i in items if i.get('line') == 8] == [3]"
# Requests: one GET per listed safe key; big.bin's first GET asks for all of it, then ranges follow.
get_keys | uniq >"$TMP/gets"
printf '%s\n' 'p/ lead and trail ' 'p/#hash-start' p/a.txt p/big.bin p/dir/b.txt p/missing.txt 'p/with space' |
  sort >"$TMP/want-gets"
cmp -s "$TMP/gets" "$TMP/want-gets" || { say "GET keys:"; diff "$TMP/want-gets" "$TMP/gets" >&9 || true; exit 1; }
assert_requests -eq 1 "key == 'p/big.bin' and range is None"
assert_requests -ge 2 "key == 'p/big.bin' and range is not None and status == 206"

# From stdin, the prefix without its '/': the same.
expect_exit 11 s3fcp --files-from - s3://ff/p "$TMP/stdin" -q <"$TMP/keys"
check_download "$TMP/stdin"
assert_failures 4

# With --include: only the listed names that match.
expect_exit 11 s3fcp --files-from "$TMP/keys" s3://ff/p/ "$TMP/inc" --include '*.txt' -q
[[ $(cd "$TMP/inc" && find . -type f | sort | tr '\n' ' ') == "./a.txt ./dir/b.txt " ]]
assert_failures 1  # missing.txt
expect_exit 2 s3fcp --files-from "$TMP/nonexistent" s3://ff/p/ "$TMP/none"
assert_contains "$STDERR" "cannot read $TMP/nonexistent"

# Up: paths relative to DIR; a missing file and a directory fail on their lines.
UP=$TMP/up
mkdir -p "$UP/sub"
for f in x.txt sub/y.txt 'with space.txt' ' lead'; do head -c $((RANDOM)) /dev/urandom >"$UP/$f"; done
printf '%s\n' x.txt sub/y.txt 'with space.txt' ' lead' nope.txt sub >"$TMP/paths"
start_fault_server ""
expect_exit 11 s3fcp --files-from "$TMP/paths" "$UP" s3://ff/up/ --stats json
assert_failures 2
assert_contains "$TMP/failures" "line 5: "
assert_contains "$TMP/failures" "line 6: "
for f in x.txt sub/y.txt 'with space.txt' ' lead'; do assert_sha "$FAULT_DATA/ff/up/$f" "$UP/$f"; done
[[ $(log_eval key "op == 'put'" | sort | tr '\n' '|') == "up/ lead|up/sub/y.txt|up/with space.txt|up/x.txt|" ]] ||
  { log_dump >&9; exit 1; }
say "ok"
