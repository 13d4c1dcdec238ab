#!/usr/bin/env bash
# --if-source-newer (s5cmd's -u): what exists is copied again only when its source is newer, in whole seconds.
# - Down: a file s3fcp wrote has its object's Last-Modified (the fault server's is its file's mtime), so a second
#   -r copies nothing and sends no GET; an object touched later, or a file touched earlier, is copied again; a file
#   newer than its object stays, whatever its bytes. From a key list (no listing tells the time): a HEAD first.
# - With --skip-existing as well: aws s3 sync's rule, copy what differs or is newer.
# - Up: a HEAD per file; a file newer than its key is sent, one older is not.
# - On a run line: -u, and --if-source-newer given to run.
source "$(dirname "$0")/common.sh"
source "$(dirname "$0")/fault_common.sh"
source "$(dirname "$0")/many_common.sh"

KEYS=(a.txt b.txt sub/c.txt sub/d.txt)
for k in "${KEYS[@]}"; do
  mkdir -p "$(dirname "$FAULT_DATA/nw/p/$k")"
  echo "object $k" >"$FAULT_DATA/nw/p/$k"
  touch -d '2020-01-01 00:00:00 UTC' "$FAULT_DATA/nw/p/$k"
done
start_fault_server ""
DEST=$TMP/dest

expect_exit 0 s3fcp -r s3://nw/p/ "$DEST" -q
: >"$REQUEST_LOG"
expect_exit 0 s3fcp -r s3://nw/p/ "$DEST" --if-source-newer --stats json
assert_items "summary['copied'] == 0 and summary['skipped'] == 4"
assert_requests -eq 0 "op == 'get'"

touch -d '2021-01-01 00:00:00 UTC' "$FAULT_DATA/nw/p/a.txt"  # the object is newer
touch -d '2019-01-01 00:00:00 UTC' "$DEST/b.txt"               # the file is older
echo "mine, newer" >"$DEST/sub/c.txt"                         # the file is newer: kept, whatever its bytes
: >"$REQUEST_LOG"
expect_exit 0 s3fcp -r s3://nw/p/ "$DEST" --if-source-newer --stats json
assert_items "sorted(i['source'] for i in items if i['result'] == 'copied') == ['s3://nw/p/a.txt', 's3://nw/p/b.txt']"
[[ $(get_keys | tr '\n' ' ') == "p/a.txt p/b.txt " ]] || soft_fail "GETs: $(get_keys)"
[[ $(cat "$DEST/sub/c.txt") == "mine, newer" ]] || soft_fail "a newer file was replaced"
[[ $(stat -c %Y "$DEST/a.txt") == $(date -d '2021-01-01 00:00:00 UTC' +%s) ]] || soft_fail "a.txt's time"

# With --skip-existing too: the newer file whose bytes differ is copied (sync's rule); the rest stay.
: >"$REQUEST_LOG"
expect_exit 0 s3fcp -r s3://nw/p/ "$DEST" --if-source-newer --skip-existing --stats json
assert_items "[i['source'] for i in items if i['result'] == 'copied'] == ['s3://nw/p/sub/c.txt']"
assert_same_tree "$FAULT_DATA/nw/p" "$DEST"

# From a key list: a HEAD for each existing file (the listing's time is not there), a GET where the object is newer.
printf '%s\n' "${KEYS[@]}" >"$TMP/keys.txt"
touch -d '2022-01-01 00:00:00 UTC' "$FAULT_DATA/nw/p/sub/d.txt"
rm "$DEST/b.txt"
: >"$REQUEST_LOG"
expect_exit 0 s3fcp --files-from "$TMP/keys.txt" s3://nw/p/ "$DEST" --if-source-newer --stats json
assert_items "sorted(i['source'] for i in items if i['result'] == 'copied') == ['s3://nw/p/b.txt', 's3://nw/p/sub/d.txt']"
assert_requests -eq 3 "method == 'HEAD'"
[[ $(get_keys | tr '\n' ' ') == "p/b.txt p/sub/d.txt " ]] || soft_fail "GETs: $(get_keys)"

# A run line: -u, and --if-source-newer given to run for every line.
touch -d '2023-01-01 00:00:00 UTC' "$FAULT_DATA/nw/p/a.txt"
printf '%s\n' "cp -u s3://nw/p/a.txt $DEST/a.txt" "cp -u s3://nw/p/b.txt $DEST/b.txt" >"$TMP/ops"
expect_exit 0 s3fcp run "$TMP/ops" --stats json
assert_items "[i['result'] for i in sorted(items, key=lambda i: i['line'])] == ['copied', 'skipped']"
echo "cp s3://nw/p/a.txt $DEST/a.txt" >"$TMP/ops2"
expect_exit 0 s3fcp --if-source-newer run "$TMP/ops2" --stats json
assert_items "[i['result'] for i in items] == ['skipped']"

# Up: a HEAD per file; the keys were written now, so the files are older, except one touched into the future.
SRC=$TMP/src
mkdir -p "$SRC/sub"
for k in "${KEYS[@]}"; do echo "file $k" >"$SRC/$k"; done
expect_exit 0 s3fcp -r "$SRC/" s3://nw/up/ -q
: >"$REQUEST_LOG"
expect_exit 0 s3fcp -r "$SRC/" s3://nw/up/ --if-source-newer --stats json
assert_items "summary['copied'] == 0 and summary['skipped'] == 4"
assert_requests -eq 4 "method == 'HEAD'"
assert_requests -eq 0 "op == 'put'"
echo "file a.txt, edited" >"$SRC/a.txt"
touch -d '2099-01-01 00:00:00 UTC' "$SRC/a.txt"
: >"$REQUEST_LOG"
expect_exit 0 s3fcp -r "$SRC/" s3://nw/up/ --if-source-newer --stats json
assert_items "[i['source'] for i in items if i['result'] == 'copied'] == ['$SRC/a.txt']"
[[ $(log_eval key "op == 'put'") == up/a.txt ]] || soft_fail "PUTs: $(log_eval key "op == 'put'")"
cmp -s "$FAULT_DATA/nw/up/a.txt" "$SRC/a.txt" || soft_fail "up/a.txt was not replaced"
finish
