#!/usr/bin/env bash
# A copy between buckets larger than its part size (--chunk-size here; 5 GiB by default) is a multipart copy:
# CreateMultipartUpload with the source's metadata and tags, UploadPartCopy of each range, CompleteMultipartUpload.
# On moto: the bytes, the metadata and the tags come along (and what --metadata names is changed). On the fault
# server: a source with a full-object CRC64NVME is copied with it declared FULL_OBJECT, every part's CRC and the
# source's value sent with Complete; a 503 on a part is retried; a Complete whose answer was lost is checked with a
# HEAD (exit 0), also when, under --no-clobber, it meets its own object with 412 (shown by the source's checksum, or
# by the ETag computed from the parts'; another writer's object is exit 10). A source that changed is exit 5,
# a Complete that S3 refuses for its checksum exit 7, --no-clobber onto an existing key exit 10, SIGINT exit 130:
# each time the upload is aborted and none is left.
source "$(dirname "$0")/common.sh"
MiB=$((1024 * 1024))

start_moto
mkbucket src
mkbucket dst
mkobj src big.bin $((12 * MiB + 3)) --content-type text/x-big --cache-control max-age=9 --metadata k=v \
  --tagging 't1=a&t2=b'
BIG=$OBJ
expect_exit 0 s3fcp s3://src/big.bin s3://dst/big.bin --chunk-size 5MiB -q --stats json
python3 -c 'import json, sys; s = json.loads(open(sys.argv[1]).read()); assert s["parts"] == 3 and s["multipart"], s' \
  "$STDERR"
expect_exit 0 s3fcp s3://dst/big.bin "$TMP/got"
assert_sha "$TMP/got" "$BIG"
head_is dst big.bin "h['ContentType'] == 'text/x-big' and h['CacheControl'] == 'max-age=9' and
  h['Metadata'] == {'k': 'v'} and t == {'t1': 'a', 't2': 'b'} and h['ETag'].endswith('-3\"')"
expect_exit 0 s3fcp s3://src/big.bin s3://dst/meta.bin --chunk-size 5MiB --metadata new=1 --tagging x=y -q
head_is dst meta.bin "h['ContentType'] == 'text/x-big' and h['Metadata'] == {'new': '1'} and t == {'x': 'y'}"
assert_no_mpu dst
stop_servers

source "$(dirname "$0")/fault_common.sh"
fault_obj fb raw.bin 1
mkdir -p "$FAULT_DATA/fb2"
head -c $((11 * MiB + 5)) /dev/urandom >"$TMP/src.bin"
start_fault_server
expect_exit 0 "$S3FCP_BIN" --endpoint-url "$ENDPOINT" "$TMP/src.bin" s3://fb/src.bin -q  # with its CRC64NVME
sum=$(log_eval "hdr('x-amz-checksum-crc64nvme')" "op == 'complete'")
[[ -n $sum && $sum != None ]]

# Parts of 5 MiB: 3 parts, the second failing once with 503.
start_fault_server '{"rules": [{"match": {"op": "part_copy", "part_number": 2}, "fault": "status", "status": 503}]}'
expect_exit 0 "$S3FCP_BIN" --endpoint-url "$ENDPOINT" s3://fb/src.bin s3://fb2/dst.bin --chunk-size 5MiB \
  --print-checksum
assert_contains "$STDERR" "checksum CRC64NVME $sum OK"
assert_sha "$FAULT_DATA/fb2/dst.bin" "$TMP/src.bin"
full="hdr('x-amz-checksum-type') == 'FULL_OBJECT'"
assert_requests -eq 1 "op == 'create' and hdr('x-amz-checksum-algorithm') == 'CRC64NVME' and $full"
assert_requests -eq 4 "op == 'part_copy'"
assert_requests -eq 2 "op == 'part_copy' and part_number == 2"
assert_requests -eq 1 "op == 'part_copy' and hdr('x-amz-copy-source-range') == 'bytes=10485760-11534340'"
assert_requests -eq 1 "op == 'complete' and hdr('x-amz-checksum-crc64nvme') == '$sum' and status == 200"

# Tags come along through GetObjectTagging and CreateMultipartUpload, except AWS's own ("aws:..."), which nobody
# may set.
awsl s3api put-object --bucket fb --key tagged.bin --body "$TMP/src.bin" \
  --tagging 'aws:cloudformation:stack-name=s1&team=a%20b' >/dev/null
expect_exit 0 s3fcp s3://fb/tagged.bin s3://fb2/tagged.bin --chunk-size 5MiB -q
assert_sha "$FAULT_DATA/fb2/tagged.bin" "$TMP/src.bin"
assert_requests -eq 1 "op == 'get_tagging' and key == 'tagged.bin'"
assert_requests -eq 1 "op == 'create' and hdr('x-amz-tagging') == 'team=a%20b'"

# The source replaced after its HEAD: every part is refused (412), the copy is exit 5 and aborted.
start_fault_server '{"rules": [
  {"match": {"op": "head"}, "fault": "etag_header", "etag_header": "\"0123456789abcdef0123456789abcdef\""}]}'
expect_exit 5 s3fcp s3://fb/src.bin s3://fb2/changed.bin --chunk-size 5MiB
assert_one_line "$STDERR"
assert_contains "$STDERR" "changed after its HEAD"
assert_requests -eq 1 "op == 'abort' and status == 204"
assert_requests -eq 0 "op == 'complete'"
assert_no_mpu fb2

# Complete refused because the parts do not add up to the source's checksum: exit 7, aborted.
start_fault_server '{"rules": [{"match": {"op": "complete"}, "fault": "status", "status": 400, "code": "BadDigest",
  "message": "The CRC64NVME you specified did not match the calculated checksum."}]}'
expect_exit 7 "$S3FCP_BIN" --endpoint-url "$ENDPOINT" s3://fb/src.bin s3://fb2/bad.bin --chunk-size 5MiB
assert_one_line "$STDERR"
assert_contains "$STDERR" "do not add up to the source's CRC64NVME"
assert_requests -eq 1 "op == 'abort' and status == 204"
assert_no_mpu fb2
[[ ! -e $FAULT_DATA/fb2/bad.bin ]]

# Complete carried out but its answer lost (a reset): sent again, it finds the upload gone (NoSuchUpload). That
# alone does not fail the copy: a HEAD of the destination shows the object is the one completed, exit 0. (curl may
# send it again itself, on a new connection, without counting an attempt: the HEAD is asked either way.)
start_fault_server '{"rules": [{"match": {"op": "complete"}, "fault": "lost_response"}]}'
expect_exit 0 s3fcp s3://fb/src.bin s3://fb2/lost.bin --chunk-size 5MiB -q
assert_sha "$FAULT_DATA/fb2/lost.bin" "$TMP/src.bin"
assert_requests -eq 1 "op == 'complete' and fault == 'lost_response'"
assert_requests -eq 1 "op == 'complete' and status == 404"
assert_requests -eq 1 "op == 'head' and key == 'lost.bin' and status == 200"
assert_no_mpu fb2

# The same under --no-clobber, where the Complete sent again meets its own object with 412 (-c 1: the Complete goes
# on a reused connection, which curl may replace without s3fcp counting an attempt). The destination shows the
# source's CRC64NVME, on as many parts, written since the copy began: exit 0.
start_fault_server '{"rules": [{"match": {"op": "complete"}, "fault": "lost_response"},
  {"match": {"op": "complete"}, "fault": "status", "status": 412}]}'
expect_exit 0 "$S3FCP_BIN" --endpoint-url "$ENDPOINT" s3://fb/src.bin s3://fb2/lost412.bin --chunk-size 5MiB -c 1 \
  --no-clobber -q
assert_sha "$FAULT_DATA/fb2/lost412.bin" "$TMP/src.bin"
assert_requests -eq 1 "op == 'complete' and status == 412"
assert_requests -eq 1 "op == 'head' and key == 'lost412.bin' and status == 200"
assert_no_mpu fb2
# The same from a source without a checksum (a multipart upload with --checksum off): the ETag S3 computes from the
# parts' ETags (the MD5 of their MD5s) shows the copy is ours, exit 0. Another writer's object of the same size in
# as many parts is not: exit 10, the object kept.
start_fault_server
expect_exit 0 "$S3FCP_BIN" --endpoint-url "$ENDPOINT" "$TMP/src.bin" s3://fb/plain.bin --chunk-size 5MiB \
  --checksum off -q
head -c $((11 * MiB + 5)) /dev/urandom >"$TMP/other.bin"
expect_exit 0 "$S3FCP_BIN" --endpoint-url "$ENDPOINT" "$TMP/other.bin" s3://fb2/other.bin --chunk-size 5MiB \
  --checksum off -q
start_fault_server '{"rules": [{"match": {"op": "complete"}, "fault": "lost_response"},
  {"match": {"op": "complete"}, "fault": "status", "status": 412}]}'
expect_exit 0 "$S3FCP_BIN" --endpoint-url "$ENDPOINT" s3://fb/plain.bin s3://fb2/lost412-plain.bin \
  --chunk-size 5MiB -c 1 --no-clobber -q
assert_sha "$FAULT_DATA/fb2/lost412-plain.bin" "$TMP/src.bin"
meta=$FAULT_DATA/.meta/fb/plain.bin.json
[[ -f $meta ]] && ! grep -qi 'x-amz-checksum-' "$meta" || { say "plain.bin has a checksum: $(cat "$meta")"; exit 1; }
assert_requests -eq 1 "op == 'complete' and status == 412"
assert_requests -eq 1 "op == 'head' and key == 'lost412-plain.bin' and status == 200"
start_fault_server
expect_exit 10 "$S3FCP_BIN" --endpoint-url "$ENDPOINT" s3://fb/plain.bin s3://fb2/other.bin --chunk-size 5MiB \
  --no-clobber -q
assert_one_line "$STDERR"
assert_requests -eq 1 "op == 'head' and key == 'other.bin' and status == 200"
assert_sha "$FAULT_DATA/fb2/other.bin" "$TMP/other.bin"
assert_no_mpu fb2

# --no-clobber onto an existing key: If-None-Match: * on Complete, whose 412 is exit 10; the upload aborted, the key
# as it was.
echo kept >"$FAULT_DATA/fb2/kept.bin"
start_fault_server
expect_exit 10 s3fcp s3://fb/src.bin s3://fb2/kept.bin --chunk-size 5MiB --no-clobber
assert_one_line "$STDERR"
assert_contains "$STDERR" "exists: nothing was copied"
assert_requests -eq 1 "op == 'complete' and hdr('If-None-Match') == '*' and status == 412"
assert_requests -eq 1 "op == 'abort' and status == 204"
assert_no_mpu fb2
[[ $(cat "$FAULT_DATA/fb2/kept.bin") == kept ]]

# SIGINT while parts are out (they stall): exit 130, the upload aborted.
start_fault_server '{"rules": [{"match": {"op": "part_copy"}, "fault": "stall", "after": 0, "seconds": 30,
  "times": -1}]}'
start_bg "$STDOUT" "$STDERR" s3://fb/src.bin s3://fb2/int.bin --chunk-size 5MiB
wait_for_log 1 "op == 'create' and status == 200"
signal_and_reap INT 130
assert_requests -eq 1 "op == 'abort' and status == 204"
assert_no_mpu fb2
say "ok"
