#!/usr/bin/env bash
# -r both ways against moto, byte-exact, with another tool on the other side: ~300 files of 0 B to 20 MiB with
# hostile but safe names (spaces, '+', '%', '?', '#', quotes, tabs, control bytes, NFC and NFD, 255-byte names,
# deep paths, names that look like s3fcp's temporary files), and objects across the whole-GET / ranged-GET boundary
# (8 MiB, 8 MiB + 1) and the single-PUT / multipart boundary.
#   up:   s3fcp -r SRC/ s3://…/up/, read back with `aws s3 cp --recursive`
#   down: `aws s3 cp --recursive` SRC/ s3://…/aws/, then s3fcp -r into a new directory
#   s3fcp both ways: moto stores a bogus 4-byte CRC64NVME for multipart objects, which s3fcp refuses (exit 7 for
#   those items, exit 11 for the run, nothing of them written); a rerun with --checksum off --skip-existing fetches
#   just those and skips the rest.
source "$(dirname "$0")/common.sh"
source "$(dirname "$0")/many_common.sh"
start_moto
mkbucket many-rt
MiB=1048576
BIG=($((20 * MiB)) $((8 * MiB + 1)) $((8 * MiB)) $((3 * MiB)))
SRC=$TMP/src
make_tree "$SRC" 300 7 --safe-for-moto "${BIG[@]}"
N=$(file_count "$SRC")
TOTAL=$(find "$SRC" -type f -printf '%s\n' | awk '{ s += $1 } END { print s }')
((N == 304)) || { say "the fixture has $N files, not 304"; exit 1; }

# Up with s3fcp, down with aws-cli.
expect_exit 0 s3fcp -r "$SRC/" s3://many-rt/up/ --stats json
assert_empty "$STDOUT"
assert_items "summary['copied'] == $N and summary['failed'] == 0 and summary['bytes'] == $TOTAL"
assert_items "summary['exit_code'] == 0"
assert_items "len(items) == $N and all(i['result'] == 'copied' for i in items)"
assert_items "sorted(i['destination'] for i in items) == sorted(set(i['destination'] for i in items))"
assert_contains "$STDERR" "s3fcp: $N copied, 0 skipped, 0 failed"
awsl s3 cp --recursive --only-show-errors s3://many-rt/up/ "$TMP/by-aws/"
assert_same_tree "$SRC" "$TMP/by-aws"
assert_no_mpu many-rt

# Up with aws-cli, down with s3fcp (checksums as aws-cli stored them, verified).
awsl s3 cp --recursive --only-show-errors "$SRC/" s3://many-rt/aws/
expect_exit 0 s3fcp -r s3://many-rt/aws/ "$TMP/by-s3fcp"
assert_empty "$STDOUT"
assert_one_line "$STDERR"
assert_contains "$STDERR" "s3fcp: $N copied, 0 skipped, 0 failed"
assert_same_tree "$SRC" "$TMP/by-s3fcp"

# s3fcp both ways. The two multipart objects fail closed on moto's CRC64NVME: each reported on its own line, exit 7
# in its JSON line, no file and no temporary file left; everything else is there.
OUT=$TMP/both
expect_exit 11 s3fcp -r s3://many-rt/up "$OUT" --stats json
assert_failures 2
assert_contains "$TMP/failures" "(s3://many-rt/up/big/object 0.bin)"
assert_contains "$TMP/failures" "(s3://many-rt/up/big/object 1.bin)"
MULTIPART="['s3://many-rt/up/big/object 0.bin', 's3://many-rt/up/big/object 1.bin']"
assert_items "sorted(i['source'] for i in items if i['result'] == 'failed') == $MULTIPART"
assert_items "all(i['exit_code'] == 7 for i in items if i['result'] == 'failed')"
assert_items "summary['copied'] == $N - 2 and summary['failed'] == 2 and summary['exit_code'] == 11"
[[ ! -e "$OUT/big/object 0.bin" && ! -e "$OUT/big/object 1.bin" ]] || { say "a failed object was written"; exit 1; }
(($(file_count "$OUT") == N - 2)) || { say "$(file_count "$OUT") files in $OUT, want $((N - 2))"; exit 1; }
expect_exit 0 s3fcp -r s3://many-rt/up/ "$OUT/" --checksum off --skip-existing --stats json
assert_items "summary['copied'] == 2 and summary['skipped'] == $N - 2 and summary['failed'] == 0"
assert_items "sorted(i['source'] for i in items if i['result'] == 'copied') == $MULTIPART"
assert_same_tree "$SRC" "$OUT"
say "ok ($N files, $TOTAL bytes)"
