#!/usr/bin/env bash
# --no-clobber with many objects: what exists is skipped, whatever its size or bytes. Down: an existing local file is
# kept and not even fetched (no GET); up: an existing key is kept (If-None-Match: *, its 412 counted as skipped, not
# failed); in a run file, on a line (also as s5cmd's -n) or given to run, either direction.
source "$(dirname "$0")/common.sh"
source "$(dirname "$0")/fault_common.sh"
source "$(dirname "$0")/many_common.sh"

fault_tree nc p/ 30 11
start_fault_server ""
DEST=$TMP/dest
mkdir -p "$DEST/-dash"
echo "mine" >"$DEST/plain"
echo "mine too" >"$DEST/-dash/hash#frag"

expect_exit 0 s3fcp -r s3://nc/p/ "$DEST" --no-clobber --stats json
assert_items "summary['copied'] == 28 and summary['skipped'] == 2 and summary['failed'] == 0"
assert_items "sorted(i['source'] for i in items if i['result'] == 'skipped') == \
  ['s3://nc/p/-dash/hash#frag', 's3://nc/p/plain']"
[[ $(cat "$DEST/plain") == mine && $(cat "$DEST/-dash/hash#frag") == "mine too" ]]
assert_requests -eq 0 "op == 'get' and key in ('p/plain', 'p/-dash/hash#frag')"
assert_requests -eq 28 "op == 'get'"
cp "$FAULT_DATA/nc/p/plain" "$DEST/plain"
cp "$FAULT_DATA/nc/p/-dash/hash#frag" "$DEST/-dash/hash#frag"
assert_same_tree "$FAULT_DATA/nc/p" "$DEST"

# Up: two keys exist; their 412s are skips. The server's copies keep their bytes.
SRC=$TMP/src
make_tree "$SRC" 10 12
: >"$REQUEST_LOG"
mkdir -p "$FAULT_DATA/nc/up"
echo theirs >"$FAULT_DATA/nc/up/plain"
mkdir -p "$FAULT_DATA/nc/up/sub" && echo theirs >"$FAULT_DATA/nc/up/sub/with space"
expect_exit 0 s3fcp -r "$SRC/" s3://nc/up/ --no-clobber --stats json
assert_items "summary['copied'] == 8 and summary['skipped'] == 2 and summary['failed'] == 0"
assert_requests -eq 10 "op == 'put' and hdr('if-none-match') == '*'"
assert_requests -eq 2 "op == 'put' and status == 412"
[[ $(cat "$FAULT_DATA/nc/up/plain") == theirs && $(cat "$FAULT_DATA/nc/up/sub/with space") == theirs ]]

# run: --no-clobber on a line (download or upload), or given to run for every line.
echo "mine" >"$DEST/plain"
cat >"$TMP/ops" <<EOF
cp --no-clobber s3://nc/p/plain $DEST/plain
cp --no-clobber $SRC/plain s3://nc/up/plain
cp s3://nc/p/plain $DEST/replaced
cp -n s3://nc/p/plain $DEST/plain
EOF
: >"$REQUEST_LOG"
expect_exit 0 s3fcp run "$TMP/ops" --stats json
assert_items "[i['result'] for i in sorted(items, key=lambda i: i['line'])] == ['skipped', 'skipped', 'copied', 'skipped']"
[[ $(cat "$DEST/plain") == mine && $(cat "$FAULT_DATA/nc/up/plain") == theirs ]]
echo "cp s3://nc/p/plain $DEST/plain" >"$TMP/ops2"
expect_exit 0 s3fcp --no-clobber run "$TMP/ops2" --stats json
assert_items "[i['result'] for i in items] == ['skipped']"
[[ $(cat "$DEST/plain") == mine ]]
say "ok"
