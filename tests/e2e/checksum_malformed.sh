#!/usr/bin/env bash
# A checksum header that does not decode is not a reason to skip verification: x-amz-checksum-crc32 of 8 bytes
# (or any x-amz-checksum-* that is not base64 of its algorithm's size, or an unknown x-amz-checksum-type) → exit 7
# with one line naming the header and its value, no byte on stdout, no file left, --stats json "result":
# "malformed". Before this, s3fcp fell back to the ETag's MD5 and said "MD5 OK". --checksum off is the way out.
source "$(dirname "$0")/common.sh"
FAULT_CHECKSUM=on
source "$(dirname "$0")/fault_common.sh"
fault_obj ck k.bin $((3 * 65536 + 17))

head_rule() { echo '{"rules": [{"match": {"method": "HEAD"}, "headers": {'"$1"'}, "times": -1}]}'; }

start_fault_server "$(head_rule '"x-amz-checksum-crc32": "AAAAAAAAAAA="')"
expect_exit 7 s3fcp s3://ck/k.bin --no-sign-request --chunk-size 64KiB -c 4 --stats json --print-checksum
assert_empty "$STDOUT"
grep -v '^{' "$STDERR" >"$TMP/lines"
assert_one_line "$TMP/lines"
assert_contains "$TMP/lines" "x-amz-checksum-crc32: 'AAAAAAAAAAA='"
assert_not_contains "$STDERR" "MD5"
python3 - "$STDERR" <<'PY'
import json, sys
stats = json.loads(open(sys.argv[1]).read().strip().splitlines()[-1])
assert stats["checksum"]["result"] == "malformed", stats
assert stats["checksum"]["expected"] == "AAAAAAAAAAA=" and stats["checksum"]["algorithm"] == "CRC32", stats
assert stats["exit_code"] == 7, stats
PY

expect_exit 7 s3fcp s3://ck/k.bin "$TMP/k.bin" --no-sign-request --chunk-size 64KiB -c 4
assert_one_line "$STDERR"
[[ -z $(find "$TMP" -maxdepth 1 -name '*k.bin*') ]] || { say "a file was left: $(ls -a "$TMP")"; exit 1; }

expect_exit 0 s3fcp s3://ck/k.bin --no-sign-request --chunk-size 64KiB -c 4 --checksum off
assert_sha "$STDOUT" "$OBJ"

for header in '"x-amz-checksum-crc64nvme": "sKjDzQ=="' '"x-amz-checksum-sha256": "not base64"' \
  '"x-amz-checksum-type": "PER_PART"'; do
  start_fault_server "$(head_rule "$header")"
  expect_exit 7 s3fcp s3://ck/k.bin --no-sign-request --chunk-size 64KiB -c 4
  assert_one_line "$STDERR"
  assert_contains "$STDERR" "$(echo "{$header}" | python3 -c 'import json,sys; k,v=next(iter(json.load(sys.stdin).items())); print(f"{k}: '"'"'{v}'"'"'")')"
  assert_empty "$STDOUT"
done
say "ok"
