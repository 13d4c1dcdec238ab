#!/usr/bin/env bash
# s3fcp run FILE|-: s5cmd's format, `cp [options] SOURCE DEST` a line, both directions mixed in one file, comments,
# blank lines and leading blanks skipped, shell quoting. A line's options apply to it (--version-id, --content-type,
# --no-clobber), run's options to every line; run-wide options on a line (--endpoint-url, -c, --dry-run, --shard),
# other operations, bad quoting, stdout as DEST: that line fails with "line N:", the others run. An upload's
# Content-Type comes from its file's name. Larger than one GET / one PUT: ranged GETs / a multipart upload.
source "$(dirname "$0")/common.sh"
source "$(dirname "$0")/fault_common.sh"
source "$(dirname "$0")/many_common.sh"
MiB=1048576

fault_obj run k1 3000
K1=$OBJ
fault_obj run 'with space' 100
SPACE=$OBJ
fault_obj run big.bin $((9 * MiB + 3))
BIG=$OBJ
fault_obj run ver 50
mkdir -p "$FAULT_DATA/run/ver.versions"
echo "version one" >"$FAULT_DATA/run/ver.versions/v1"
L=$TMP/l
D=$TMP/dest
mkdir -p "$L"
echo '<p>hi</p>' >"$L/page.html"
echo text >"$L/local.txt"
head -c $((9 * MiB + 1)) /dev/urandom >"$L/big.up"
start_fault_server ""

cat >"$TMP/ops" <<EOF
# a comment, then a blank line

   cp s3://run/k1 $D/k1
cp 's3://run/with space' "$D/with space"
cp s3://run/k1 $D/sub/
cp s3://run/big.bin $D/big.bin
cp --version-id v1 s3://run/ver $D/ver.v1
cp $L/page.html s3://run/up/page
cp --content-type text/x-test $L/local.txt s3://run/up/typed
cp $L/big.up s3://run/up/big.up
cp --endpoint-url http://example.invalid s3://run/k1 $D/bad1
cp -c 4 s3://run/k1 $D/bad2
mv s3://run/k1 $D/bad3
cp 'unterminated $D/bad4
cp s3://run/missing $D/missing
cp s3://run/k1 -
cp --dry-run s3://run/k1 $D/bad5
cp --shard 0/2 s3://run/k1 $D/bad6
EOF
expect_exit 11 s3fcp run "$TMP/ops" --stats json
assert_empty "$STDOUT"
assert_failures 8
for n in 11 12 13 14 15 16 17 18; do assert_contains "$TMP/failures" "line $n: "; done
assert_contains "$TMP/failures" "line 11: --endpoint-url applies to the whole run"
assert_contains "$TMP/failures" "line 13: 'mv' is not supported"
assert_contains "$TMP/failures" "line 14: unterminated single-quoted string (cp 'unterminated $D/bad4)"
assert_contains "$TMP/failures" "line 15: NoSuchKey"
assert_contains "$TMP/failures" "line 17: --dry-run applies to the whole run"
assert_contains "$TMP/failures" "line 18: --shard applies to the whole run"
assert_items "summary['copied'] == 8 and summary['failed'] == 8"
assert_items "sorted(i['line'] for i in items if i['result'] == 'copied') == [3, 4, 5, 6, 7, 8, 9, 10]"
assert_sha "$D/k1" "$K1"
assert_sha "$D/with space" "$SPACE"
assert_sha "$D/sub/k1" "$K1"
assert_sha "$D/big.bin" "$BIG"
[[ $(cat "$D/ver.v1") == "version one" ]]
[[ $(find "$D" -type f | wc -l) == 5 ]] || { say "in $D: $(find "$D" -type f)"; exit 1; }
assert_sha "$FAULT_DATA/run/up/page" "$L/page.html"
assert_sha "$FAULT_DATA/run/up/typed" "$L/local.txt"
assert_sha "$FAULT_DATA/run/up/big.up" "$L/big.up"
assert_requests -eq 1 "op == 'put' and key == 'up/page' and hdr('content-type') == 'text/html'"
assert_requests -eq 1 "op == 'put' and key == 'up/typed' and hdr('content-type') == 'text/x-test'"
assert_requests -eq 1 "op == 'complete' and key == 'up/big.up' and status == 200"
assert_requests -eq 1 "key == 'ver' and query == 'versionId=v1'"
assert_requests -eq 2 "op == 'get' and key == 'k1'"  # lines 3 and 5: the refused lines sent nothing
assert_requests -eq 0 "op == 'get' and key == 'missing' and status != 404"

# Options given to run apply to every line; from stdin ("-", or no FILE at all).
printf 'cp %s s3://run/all/a\ncp %s s3://run/all/b\ncp s3://run/k1 %s\n' "$L/page.html" "$L/local.txt" "$D/stdin" \
  >"$TMP/ops2"
start_fault_server ""
expect_exit 0 s3fcp --content-type text/x-all run - <"$TMP/ops2"
assert_requests -eq 2 "op == 'put' and hdr('content-type') == 'text/x-all'"
assert_sha "$D/stdin" "$K1"
rm "$D/stdin"
expect_exit 0 s3fcp run <"$TMP/ops2"
assert_sha "$D/stdin" "$K1"
assert_requests -eq 4 "op == 'put'"

# --dry-run given to run: the lines that would run, as cp lines, and nothing sent.
rm "$D/stdin"
: >"$REQUEST_LOG"
expect_exit 0 s3fcp --dry-run run "$TMP/ops2"
printf 'cp %s s3://run/all/a\ncp %s s3://run/all/b\ncp s3://run/k1 %s\n' "$L/page.html" "$L/local.txt" "$D/stdin" \
  >"$TMP/want"
cmp -s "$STDOUT" "$TMP/want" || { say "dry run:"; diff "$TMP/want" "$STDOUT" >&9 || true; exit 1; }
assert_requests -eq 0
[[ ! -e $D/stdin ]]

# A FIFO named on a line is refused, not waited on (the hang guard would end the test).
mkfifo "$L/fifo"
echo "cp $L/fifo s3://run/up/fifo" >"$TMP/ops3"
expect_exit 11 s3fcp run "$TMP/ops3"
assert_contains "$STDERR" "line 1: $L/fifo is not a regular file"

# --include / --exclude select names below a prefix: a run has none.
expect_exit 2 s3fcp --include '*.txt' run "$TMP/ops2"
assert_contains "$STDERR" "not for run"
expect_exit 2 s3fcp run "$TMP/nonexistent"
say "ok"
