#!/usr/bin/env bash
# The one large case: 100 MiB. From a pipe to the fault server with -c 2 and 8 MiB parts: 13 parts of 8 MiB but the
# last, the object byte-exact and its CRC64NVME verified, and peak RSS within (concurrency + 2) x part size + 32 MiB
# (64 MiB here: memory is bounded by the part buffers, not by the stream). With --max-memory 16MiB and 5 MiB parts
# the bound is 3 buffers: 15 MiB + 32 MiB. From a file to moto, read back with aws-cli. (Under ASan the bound gets
# ASan's own overhead on top, 96 MiB: the runtime, its shadow memory and its quarantine.)
# Not here: a stream past 1,000 parts, where parts double (5 GB at 5 MiB parts: minutes); the plan is unit-tested.
source "$(dirname "$0")/common.sh"
source "$(dirname "$0")/upload_common.sh"
SIZE=$((100 * MiB))
mkfile big.bin $SIZE
BIG=$F
SLACK=$((32 * MiB))
# Not `ldd | grep -q`: under pipefail, grep leaving early can kill ldd with SIGPIPE and fail the test as not ASan.
if [[ $(ldd "$S3FCP_BIN" 2>/dev/null) == *libasan* ]]; then SLACK=$((SLACK + 96 * MiB)); fi

# peak_kib ARGS...: s3fcp ARGS with stdin from a pipe (cat BIG); the peak RSS in KiB in PEAK_KIB, --stats in STDERR.
peak_kib() {
  cat "$BIG" | /usr/bin/time -f '%M' -o "$TMP/rss" timeout -k 5 120 "$S3FCP_BIN" --endpoint-url "$ENDPOINT" \
    "$@" >"$STDOUT" 2>"$STDERR" || { say "exit $?: $(cat "$STDERR")"; return 1; }
  PEAK_KIB=$(tail -n 1 "$TMP/rss")
}

up_server ""
fault_bucket big
peak_kib - s3://big/piped -c 2 --chunk-size 8MiB -q --stats json
BOUND=$(((2 + 2) * 8 * MiB + SLACK))
((PEAK_KIB * 1024 <= BOUND)) || { say "peak RSS $((PEAK_KIB / 1024)) MiB > bound $((BOUND / MiB)) MiB"; false; }
say "-c 2, 8 MiB parts: peak RSS $((PEAK_KIB / 1024)) MiB (bound $((BOUND / MiB)) MiB)"
assert_stored big piped "$BIG"
assert_stats "s['bytes'] == $SIZE and s['parts'] == 13 and s['checksum']['result'] == 'verified'"
assert_stats "s['checksum']['value'] == '$(expected_checksum CRC64NVME "$BIG")'"
assert_requests -eq 12 "op == 'part' and body_bytes == $((8 * MiB))"
assert_requests -eq 1 "op == 'part' and part_number == 13 and body_bytes == $((4 * MiB))"

peak_kib - s3://big/capped -c 4 --chunk-size 5MiB --max-memory 16MiB -q --stats json
BOUND=$((3 * 5 * MiB + SLACK))
((PEAK_KIB * 1024 <= BOUND)) || { say "peak RSS $((PEAK_KIB / 1024)) MiB > bound $((BOUND / MiB)) MiB"; false; }
say "--max-memory 16MiB, 5 MiB parts: peak RSS $((PEAK_KIB / 1024)) MiB (bound $((BOUND / MiB)) MiB)"
assert_stored big capped "$BIG"
assert_stats "s['parts'] == 20"
assert_all_signed
assert_plain_bodies

start_moto
mkbucket bigger
expect_exit 0 s3fcp "$BIG" s3://bigger/file.bin -q --stats json
assert_stats "s['parts'] == 13"
assert_object bigger file.bin "$BIG"
assert_no_mpu bigger
say "ok"
