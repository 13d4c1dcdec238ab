#!/usr/bin/env bash
# Some items fail, the rest complete. A listed object answered 403, 404 (gone since the listing), 500 until the
# attempts run out, a large object (ranged path) answered 403: each reported on its own line naming it, its JSON line
# with its exit code (4, 3, 6, 4), no file and no temporary file left for it, exit 11; every other object byte-exact,
# one reset on the way retried. Uploads the same: a PUT and a multipart part answered 403 fail those two files only,
# and no multipart upload is left open. The run as a whole failing: NoSuchBucket (exit 3), AccessDenied on the listing
# (exit 4): one line, no summary, no directory made.
source "$(dirname "$0")/common.sh"
source "$(dirname "$0")/fault_common.sh"
source "$(dirname "$0")/many_common.sh"
MiB=1048576

mkdir -p "$FAULT_DATA/fl/p"
for i in $(seq -w 0 39); do head -c $((RANDOM % 20000)) /dev/urandom >"$FAULT_DATA/fl/p/f$i"; done
head -c $((9 * MiB)) /dev/urandom >"$FAULT_DATA/fl/p/big-denied.bin"
head -c $((9 * MiB + 7)) /dev/urandom >"$FAULT_DATA/fl/p/big-ok.bin"
start_fault_server '{"rules": [
  {"match": {"key": "p/f03"}, "fault": "status", "status": 403, "code": "AccessDenied", "times": -1},
  {"match": {"key": "p/f07"}, "fault": "status", "status": 404, "code": "NoSuchKey", "times": -1},
  {"match": {"key": "p/f11"}, "fault": "status", "status": 500, "code": "InternalError", "times": -1},
  {"match": {"key": "p/big-denied.bin"}, "fault": "status", "status": 403, "code": "AccessDenied", "times": -1},
  {"match": {"key": "p/f19"}, "reset_after": 10, "times": 1}
]}'
DEST=$TMP/dest
expect_exit 11 s3fcp -r s3://fl/p/ "$DEST" --max-attempts 2 --stats json
assert_failures 4
assert_contains "$TMP/failures" "AccessDenied: Access Denied (s3://fl/p/f03"
assert_contains "$TMP/failures" "NoSuchKey"
assert_contains "$TMP/failures" "(s3://fl/p/f07"
assert_contains "$TMP/failures" "s3://fl/p/f11"
assert_contains "$TMP/failures" "s3://fl/p/big-denied.bin"
failed_codes() { echo "{i['source'].split('/')[-1]: i['exit_code'] for i in items if i['result'] == 'failed'}"; }
assert_items "$(failed_codes) == {'f03': 4, 'f07': 3, 'f11': 6, 'big-denied.bin': 4}"
assert_items "summary['copied'] == 38 and summary['failed'] == 4 and summary['exit_code'] == 11"
cp -a "$FAULT_DATA/fl/p" "$TMP/want"
rm "$TMP/want/f03" "$TMP/want/f07" "$TMP/want/f11" "$TMP/want/big-denied.bin"
assert_same_tree "$TMP/want" "$DEST"  # also: no temporary file, nothing of the failed ones
assert_requests -eq 2 "key == 'p/f11'"
assert_requests -eq 2 "key == 'p/f19'"
assert_requests -eq 1 "key == 'p/f07'"

# The same with -q: the failure lines, no summary.
rm -r "$DEST"
expect_exit 11 s3fcp -r s3://fl/p/ "$DEST" --max-attempts 2 -q
assert_failures 4
[[ $(wc -l <"$STDERR") == 4 ]]
assert_same_tree "$TMP/want" "$DEST"

# Uploads: one PUT and one part of a multipart upload denied; the other files stored, no upload left open.
SRC=$TMP/src
make_tree "$SRC" 20 31 $((9 * MiB)) $((9 * MiB + 1))
start_fault_server '{"rules": [
  {"match": {"key": "up/plain", "op": "put"}, "fault": "status", "status": 403, "code": "AccessDenied", "times": -1},
  {"match": {"key": "up/big/object 1.bin", "op": "part", "part_number": 2}, "fault": "status", "status": 403,
   "code": "AccessDenied", "times": -1}
]}'
expect_exit 11 s3fcp -r "$SRC/" s3://fl/up/ --stats json
assert_failures 2
assert_contains "$TMP/failures" "plain"
assert_contains "$TMP/failures" "big/object 1.bin"
assert_items "summary['copied'] == 20 and summary['failed'] == 2"
cp -a "$SRC" "$TMP/want-up"
rm "$TMP/want-up/plain" "$TMP/want-up/big/object 1.bin"
assert_same_tree "$TMP/want-up" "$FAULT_DATA/fl/up"
[[ -z $(ls -A "$FAULT_DATA/.uploads") ]] || { say "uploads left open: $(ls "$FAULT_DATA/.uploads")"; exit 1; }
assert_requests -eq 1 "op == 'abort' and key == 'up/big/object 1.bin'"

# The run as a whole: no bucket, or the listing denied. One line, the exit code of the cause, nothing made.
start_fault_server '{"rules": [{"match": {"op": "list", "path_contains": "/fl?"}, "fault": "status", "status": 403,
  "code": "AccessDenied", "times": -1}]}'
expect_exit 3 s3fcp -r s3://no-such-bucket/p/ "$TMP/none"
assert_one_line "$STDERR"
assert_contains "$STDERR" "NoSuchBucket"
expect_exit 4 s3fcp -r s3://fl/p/ "$TMP/none" --stats json
grep -v '^{' "$STDERR" >"$TMP/lines"
assert_one_line "$TMP/lines"
assert_contains "$TMP/lines" "AccessDenied"
assert_items "summary['exit_code'] == 4 and summary['copied'] == 0 and items == []"
[[ ! -e $TMP/none ]] || { say "a failed listing made $TMP/none"; exit 1; }
say "ok"
