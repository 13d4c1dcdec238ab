#!/usr/bin/env bash
# Answers whose Content-Range contradicts itself. One S3-compatible server answers a ranged GET of a 0-byte object
# with 206, "Content-Range: bytes 0-0/0", "Content-Length: 1" and then no body, the connection left open: the total
# proves the object empty, so s3fcp must finish at once (exit 0, nothing written) instead of waiting out read timeouts
# — to stdout, to a file, with --range and from an http(s) source, with the checksum HEAD on and off. The read
# timeout is 60 s and the hang guard 20 s, so a client that waits for the body fails here. A span outside its total
# ("bytes 5-9/3") proves nothing: it is asked once more, then one clear line and exit 1.
source "$(dirname "$0")/common.sh"
source "$(dirname "$0")/fault_common.sh"
export S3FCP_TIMEOUT=20
mkdir -p "$FAULT_DATA/q" && : >"$FAULT_DATA/q/empty"
fault_obj q small.bin 1000

quirk='{"rules": [{"match": {"key": "empty", "method": "GET"}, "fault": "answer", "status": 206,
                    "headers": {"Content-Range": "bytes 0-0/0", "ETag": "\"d41d8cd98f00b204e9800998ecf8427e\""},
                    "content_length": 1, "seconds": 120, "times": -1}]}'
start_fault_server "$quirk"

expect_exit 0 s3fcp s3://q/empty --read-timeout 60
assert_empty "$STDOUT"
assert_empty "$STDERR"
assert_requests -eq 1 "method == 'GET'"

expect_exit 0 s3fcp s3://q/empty "$TMP/out.bin" --read-timeout 60
[[ -f $TMP/out.bin && ! -s $TMP/out.bin ]] || { say "no empty file written"; exit 1; }
assert_empty "$STDOUT"

expect_exit 0 s3fcp s3://q/empty --range bytes=0- --read-timeout 60
assert_empty "$STDOUT"
expect_exit 9 s3fcp s3://q/empty --range bytes=5-9 --read-timeout 60
assert_one_line "$STDERR"
assert_empty "$STDOUT"

expect_exit 0 "$S3FCP_BIN" "$ENDPOINT/q/empty" --read-timeout 60
assert_empty "$STDOUT"

# With the checksum HEAD beside the probe (the default outside these fault tests).
expect_exit 0 "$S3FCP_BIN" --endpoint-url "$ENDPOINT" s3://q/empty --read-timeout 60 --stats json
assert_empty "$STDOUT"
assert_contains "$STDERR" '"exit_code":0'

# A span outside its total, on the first request: asked twice in all, then exit 1 naming the header.
start_fault_server '{"rules": [{"match": {"key": "small.bin", "method": "GET"}, "fault": "answer", "status": 206,
                                 "headers": {"Content-Range": "bytes 5-9/3"}, "content_length": 5, "body": "abcde",
                                 "then": "keep", "times": -1}]}'
expect_exit 1 s3fcp s3://q/small.bin --read-timeout 60
assert_one_line "$STDERR"
assert_contains "$STDERR" "malformed Content-Range 'bytes 5-9/3'"
assert_empty "$STDOUT"
assert_requests -eq 2 "method == 'GET'"

# ... and the same for a later part (If-Match set): never written, exit 1, a correct prefix before it.
CHUNK=65536
fault_obj q big.bin $((4 * CHUNK))
read -r S _ < <(part_range 2 $CHUNK $((4 * CHUNK)))
start_fault_server '{"rules": [{"match": {"key": "big.bin", "range_start": '"$S"'}, "fault": "answer", "status": 206,
                                 "headers": {"Content-Range": "bytes '"$S"'-'"$((S + CHUNK - 1))"'/0"},
                                 "content_length": '"$CHUNK"', "seconds": 120, "times": -1}]}'
expect_exit 1 s3fcp s3://q/big.bin --chunk-size 64KiB -c 2 "${NO_HEDGE[@]}" --read-timeout 60
assert_one_line "$STDERR"
assert_short_prefix "$STDOUT" "$OBJ"
assert_requests -eq 2 "start == $S"
say "ok"
