#!/usr/bin/env bash
# --range bytes=A-B | A- | -N: exactly those bytes, fetched in parallel, to stdout and to a file. Edge cases: the
# first byte, the last byte, one byte past a chunk boundary, a range larger than the object (clamped), a suffix
# larger than one chunk (its first request is cut after one chunk), a suffix larger than the object; past the end →
# exit 9 with one line and nothing on stdout; an empty object. Requests: the first asks for the range's first chunk,
# the others carry If-Match and stay inside the range. A server that ignores Range: the object is read as one stream,
# the bytes before the range skipped and the stream cut after it. --continue of a ranged file download fetches only
# the missing chunks and refuses another --range. --stats json reports the range.
source "$(dirname "$0")/common.sh"
source "$(dirname "$0")/fault_common.sh"
CHUNK=65536 SIZE=$((3 * 65536 + 17))
fault_obj rng k.bin "$SIZE"
K=$OBJ
fault_obj rng empty.bin 0
ARGS=(--chunk-size 64KiB -c 4 -q)
start_fault_server ""

# s3fcp without the fault tests' --checksum off: the checksum options are under test here.
s3fcp_auto() { timeout -k 5 60 "$S3FCP_BIN" --endpoint-url "$ENDPOINT" "$@"; }

# expect_range SPEC FIRST LAST [RUN]: stdout holds bytes FIRST..LAST (inclusive) of the object.
expect_range() {
  local spec=$1 first=$2 last=$3 run=${4:-s3fcp}
  expect_exit 0 "$run" s3://rng/k.bin --range "$spec" "${ARGS[@]}"
  head -c $((last + 1)) "$K" | tail -c $((last - first + 1)) >"$TMP/want"
  assert_sha "$STDOUT" "$TMP/want"
  assert_empty "$STDERR"
}

expect_range bytes=0-0 0 0                                           # the first byte
expect_range bytes=$((SIZE - 1))-$((SIZE - 1)) $((SIZE - 1)) $((SIZE - 1))  # the last byte
expect_range bytes=$((SIZE - 1))- $((SIZE - 1)) $((SIZE - 1))
expect_range bytes=-1 $((SIZE - 1)) $((SIZE - 1))
expect_range $((CHUNK - 1))-$((CHUNK)) $((CHUNK - 1)) $CHUNK         # across a boundary, without "bytes="
expect_range bytes=100-$((2 * CHUNK + 50)) 100 $((2 * CHUNK + 50))
expect_range bytes=1000- 1000 $((SIZE - 1))
expect_range bytes=0-$((SIZE + 5000)) 0 $((SIZE - 1))                # past the end: clamped, as S3 does
expect_range bytes=-$((SIZE + 5000)) 0 $((SIZE - 1))

# The first request asks for the range's first chunk; the rest carry If-Match and stay inside the range.
start_fault_server ""
expect_range bytes=100-$((2 * CHUNK + 150)) 100 $((2 * CHUNK + 150)) s3fcp_auto
assert_requests -eq 3 "method == 'GET'"
assert_requests -eq 1 "range == 'bytes=100-$((CHUNK + 99))' and if_match is None"
assert_requests -eq 1 "range == 'bytes=$((CHUNK + 100))-$((2 * CHUNK + 99))' and if_match == '$(etag_of "$K")'"
assert_requests -eq 1 "range == 'bytes=$((2 * CHUNK + 100))-$((2 * CHUNK + 150))' and if_match == '$(etag_of "$K")'"
assert_requests -eq 0 "method == 'HEAD'"  # no checksum HEAD: a full-object checksum cannot check a part

# A suffix longer than a chunk: the first request asks for all of it and is cut after one chunk.
start_fault_server ""
expect_range bytes=-$((2 * CHUNK + 5)) $((SIZE - 2 * CHUNK - 5)) $((SIZE - 1))
assert_requests -eq 1 "range == 'bytes=-$((2 * CHUNK + 5))'"
assert_requests -eq 3 "method == 'GET'"

# Past the end: exit 9, one line naming the range and the size, nothing on stdout; the same into a file.
for spec in bytes=$SIZE- bytes=$SIZE-$((SIZE + 10)); do
  expect_exit 9 s3fcp s3://rng/k.bin --range "$spec" "${ARGS[@]}"
  assert_one_line "$STDERR"
  assert_contains "$STDERR" "--range $spec starts past the end of the object ($SIZE bytes)"
  assert_empty "$STDOUT"
done
mkdir -p "$TMP/out"
expect_exit 9 s3fcp s3://rng/k.bin "$TMP/out/f" --range bytes=$((SIZE + 1))- "${ARGS[@]}"
[[ -z $(ls -A "$TMP/out") ]] || { say "left after exit 9: $(ls -A "$TMP/out")"; false; }

# An empty object: "bytes=0-" and a suffix are all of it (nothing); a later start is past its end.
expect_exit 0 s3fcp s3://rng/empty.bin --range bytes=0- "${ARGS[@]}"
assert_empty "$STDOUT"
expect_exit 0 s3fcp s3://rng/empty.bin --range bytes=-5 "${ARGS[@]}"
assert_empty "$STDOUT"
expect_exit 9 s3fcp s3://rng/empty.bin --range bytes=1- "${ARGS[@]}"
assert_one_line "$STDERR"

# Bad specs: exit 2 before any request.
start_fault_server ""
for spec in bytes=5-4 bytes=-0 bytes=1-2,4-5 five; do
  expect_exit 2 s3fcp s3://rng/k.bin --range "$spec"
  assert_one_line "$STDERR"
  assert_contains "$STDERR" "bytes=FIRST-LAST"
done
expect_exit 2 s3fcp_auto s3://rng/k.bin --range 0-9 --checksum SHA256
assert_contains "$STDERR" "not a --range"
assert_requests -eq 0

# --stats json: the range in object offsets, the object's size, the bytes of the range.
expect_exit 0 s3fcp_auto s3://rng/k.bin --range bytes=10-19 "${ARGS[@]}" --stats json
python3 - "$STDERR" "$SIZE" <<'PY'
import json, sys
s = json.loads(open(sys.argv[1]).read())
assert s["range"] == {"spec": "bytes=10-19", "first": 10, "last": 19}, s
assert s["object_size"] == int(sys.argv[2]) and s["bytes"] == 10 and s["exit_code"] == 0, s
assert s["checksum"]["result"] == "not-verified", s
PY

# A server that ignores Range: one stream; the bytes before the range are skipped, the stream is cut after it.
start_fault_server '{"rules": [{"match": {}, "fault": "full_200", "times": -1}]}'
expect_range bytes=1000-$((CHUNK + 7)) 1000 $((CHUNK + 7))
expect_range bytes=-10 $((SIZE - 10)) $((SIZE - 1))
expect_exit 9 s3fcp s3://rng/k.bin --range bytes=$SIZE- "${ARGS[@]}"

# An http(s) source takes --range too.
start_fault_server ""
expect_exit 0 "$S3FCP_BIN" "$ENDPOINT/rng/k.bin" --range bytes=5-$((CHUNK + 5)) "${ARGS[@]}"
head -c $((CHUNK + 6)) "$K" | tail -c $((CHUNK + 1)) >"$TMP/want"
assert_sha "$STDOUT" "$TMP/want"

# A file destination, interrupted (one chunk keeps failing, --max-attempts 1; -c 1, so the chunks before it are
# done), then --continue: only the missing chunk is fetched; another --range does not continue it.
DEST=$TMP/out/part.bin
FIRST=1000
BAD=$((FIRST + 2 * CHUNK))  # the range's third chunk
start_fault_server '{"rules": [{"match": {"range_start": '"$BAD"'}, "fault": "status", "status": 500, "times": -1}]}'
expect_exit 6 s3fcp s3://rng/k.bin "$DEST" --range bytes=$FIRST- --chunk-size 64KiB -q -c 1 --max-attempts 1 "${NO_HEDGE[@]}"
assert_contains "$STDERR" "rerun with --continue"
assert_contains "$STDERR" "bytes $BAD-"  # the error names object offsets
[[ ! -e $DEST && -f $TMP/out/.part.bin.s3fcp-journal ]] || { say "after exit 6: $(ls -A "$TMP/out")"; false; }
grep -qx "range bytes=$FIRST-" "$TMP/out/.part.bin.s3fcp-journal" || { say "journal: $(cat "$TMP/out/.part.bin.s3fcp-journal")"; false; }
start_fault_server ""
expect_exit 2 s3fcp s3://rng/k.bin "$DEST" --range bytes=$((FIRST + 1))- "${ARGS[@]}" --continue
assert_contains "$STDERR" "it is of --range bytes=$FIRST-, not --range bytes=$((FIRST + 1))-"
expect_exit 2 s3fcp s3://rng/k.bin "$DEST" "${ARGS[@]}" --continue
assert_contains "$STDERR" "not the whole object"
expect_exit 0 s3fcp s3://rng/k.bin "$DEST" --range bytes=$FIRST- "${ARGS[@]}" --continue
tail -c +$((FIRST + 1)) "$K" >"$TMP/want"
assert_sha "$DEST" "$TMP/want"
assert_requests -eq 1 "method == 'GET'"
assert_requests -eq 1 "range == 'bytes=$BAD-$((SIZE - 1))'"
[[ $(ls -A "$TMP/out") == part.bin ]] || { say "left after --continue: $(ls -A "$TMP/out")"; false; }
say "ok"
