#!/usr/bin/env bash
# End-to-end checksums: a HEAD with checksum mode beside the first GET reads the object's full-object checksum and
# the bytes are verified in order while written. A wrong checksum header → exit 7 with one line; a right one → 0;
# --checksum off skips the check; --checksum SHA256 on an object that has none → exit 7 before any byte. A file
# finished by --continue is verified whole: a byte damaged in the part the first run wrote → exit 7, no file left.
source "$(dirname "$0")/common.sh"
FAULT_CHECKSUM=on
source "$(dirname "$0")/fault_common.sh"
fault_obj ck k.bin $((3 * 65536 + 17))
# The CRC64NVME of the object, as S3 would send it, computed independently of s3fcp by python.
good=$(python3 - "$OBJ" <<'PY'
import base64, sys
poly, crc = 0x9A6C9329AC4BC9B5, 0xFFFFFFFFFFFFFFFF
table = []
for i in range(256):
    c = i
    for _ in range(8):
        c = (c >> 1) ^ poly if c & 1 else c >> 1
    table.append(c)
for b in open(sys.argv[1], "rb").read():
    crc = table[(crc ^ b) & 0xFF] ^ (crc >> 8)
print(base64.b64encode((crc ^ 0xFFFFFFFFFFFFFFFF).to_bytes(8, "big")).decode())
PY
)

start_fault_server '{"rules": [{"match": {"method": "HEAD"}, "headers": {"x-amz-checksum-crc64nvme": "'"$good"'"},
                                "times": -1}]}'
expect_exit 0 s3fcp s3://ck/k.bin --no-sign-request --chunk-size 64KiB -c 4 --stats json
assert_sha "$STDOUT" "$OBJ"
python3 - "$STDERR" "$good" <<'PY'
import json, sys
stats = json.loads(open(sys.argv[1]).read().strip().splitlines()[-1])
assert stats["checksum"] == {"algorithm": "CRC64NVME", "expected": sys.argv[2], "computed": sys.argv[2],
                             "result": "ok"}, stats
assert stats["exit_code"] == 0 and stats["bytes"] == 3 * 65536 + 17, stats
PY

start_fault_server '{"rules": [{"match": {"method": "HEAD"}, "headers": {"x-amz-checksum-crc64nvme": "AAAAAAAAAAA="},
                                "times": -1}]}'
expect_exit 7 s3fcp s3://ck/k.bin --no-sign-request --chunk-size 64KiB -c 4
assert_one_line "$STDERR"
assert_contains "$STDERR" "checksum mismatch: CRC64NVME expected AAAAAAAAAAA="
expect_exit 0 s3fcp s3://ck/k.bin --no-sign-request --chunk-size 64KiB -c 4 --checksum off
assert_sha "$STDOUT" "$OBJ"

# The fault server's ETag is the MD5 of the content: auto falls back to it when no checksum header exists, and a
# required algorithm the object does not have fails before any byte is written.
start_fault_server ''
expect_exit 0 s3fcp s3://ck/k.bin --no-sign-request --chunk-size 64KiB --print-checksum
assert_contains "$STDERR" "checksum MD5 $(md5sum <"$OBJ" | cut -d' ' -f1) OK"
expect_exit 7 s3fcp s3://ck/k.bin --no-sign-request --checksum SHA256
assert_one_line "$STDERR"
assert_empty "$STDOUT"

# --continue verifies the whole file, the bytes of the interrupted run included. The first run stops with chunk 2
# failing (-c 1: chunks 0 and 1 are in the file and journaled); a byte of chunk 0 is then damaged on disk.
mkdir -p "$TMP/out"
DEST=$TMP/out/k.bin
PARTIAL=$TMP/out/.k.bin.s3fcp-partial
ck_interrupt() {
  rm -rf "$TMP/out" && mkdir -p "$TMP/out"
  start_fault_server '{"rules": [{"match": {"range_start": 131072}, "fault": "status", "status": 500, "times": -1}]}'
  expect_exit 6 s3fcp s3://ck/k.bin "$DEST" --no-sign-request --chunk-size 64KiB -c 1 --max-attempts 1 "${NO_HEDGE[@]}"
  [[ -f $PARTIAL ]] || { say "no partial file: $(ls -A "$TMP/out")"; return 1; }
  start_fault_server ''
}
ck_interrupt
expect_exit 0 s3fcp s3://ck/k.bin "$DEST" --no-sign-request --chunk-size 64KiB --continue --print-checksum
assert_sha "$DEST" "$OBJ"
assert_contains "$STDERR" "checksum MD5 $(md5sum <"$OBJ" | cut -d' ' -f1) OK"
assert_requests -eq 1 "method == 'HEAD'"
assert_requests -eq 0 "method == 'GET' and start is not None and start < 131072"  # chunks 0, 1 not fetched again
ck_interrupt
python3 -c 'import sys
with open(sys.argv[1], "r+b") as f:
    f.seek(100); b = f.read(1); f.seek(100); f.write(bytes([b[0] ^ 0xFF]))' "$PARTIAL"
expect_exit 7 s3fcp s3://ck/k.bin "$DEST" --no-sign-request --chunk-size 64KiB --continue
assert_one_line "$STDERR"
assert_contains "$STDERR" "checksum mismatch: MD5"
[[ -z $(ls -A "$TMP/out") ]] || { say "left after a mismatch: $(ls -A "$TMP/out")"; false; }
say "ok"
