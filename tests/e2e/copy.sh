#!/usr/bin/env bash
# s3fcp s3://a/KEY s3://b/KEY2: S3 copies the object itself (a HEAD of the source, then CopyObject pinned to its ETag).
# On moto, read back with aws-cli: the bytes, the source's metadata and tags kept; DEST s3://b/ and s3://b/PREFIX/
# taking the key's last segment; --version-id copying that version; --metadata / --content-type changing what they
# name and keeping the rest; --tagging and --storage-class applied; a multipart source; a missing source or
# destination bucket (exit 3, nothing made); usage errors (the same object, options that do not apply); -r between
# buckets and run lines that copy. (Copies in parts: copy_multipart.sh.)
# On the fault server: a late failure in a 200 answer (<Error> body) and 503s are retried; a source whose ETag
# changed after its HEAD is exit 5 (412 on x-amz-copy-source-if-match); --no-clobber onto an existing key is exit
# 10, but not onto the copy's own object when its answer was lost; a copy whose checksum differs from the source's
# is exit 7.
source "$(dirname "$0")/common.sh"

start_moto
mkbucket src --versioned
mkbucket dst
mkobj src dir/a.bin $((3 * 1024 * 1024 + 5)) --content-type text/x-a --cache-control max-age=7 \
  --metadata k=v,k2=v2 --tagging 't=1'
A=$OBJ A_V1=$OBJ_VERSION

same_bytes() {  # same_bytes BUCKET KEY FILE
  expect_exit 0 s3fcp "s3://$1/$2" "$TMP/got" -f
  assert_sha "$TMP/got" "$3"
}
KEPT="h['ContentType'] == 'text/x-a' and h['CacheControl'] == 'max-age=7' and h['Metadata'] == {'k': 'v', 'k2': 'v2'}"

# DEST s3://dst/ and s3://dst/p/ take the key's name; an explicit key is used as it is.
expect_exit 0 s3fcp s3://src/dir/a.bin s3://dst/ -q
assert_empty "$STDOUT"
assert_empty "$STDERR"
same_bytes dst a.bin "$A"
head_is dst a.bin "$KEPT and t == {'t': '1'}"
expect_exit 0 s3fcp s3://src/dir/a.bin s3://dst/p/ -q --stats json
python3 - "$STDERR" "$(awsl s3api head-object --bucket dst --key p/a.bin --query ETag --output text)" <<'PY'
import json, sys
s = json.loads(open(sys.argv[1]).read())
assert s["exit_code"] == 0 and s["bytes"] == 3 * 1024 * 1024 + 5 and s["destination"] == "s3://dst/p/a.bin", s
assert s["etag"] == sys.argv[2] and s["source_etag"] == s["etag"] and s["requests"] == 2, s
PY
expect_exit 0 s3fcp s3://src/dir/a.bin s3://dst/renamed.bin -q
same_bytes dst renamed.bin "$A"

# A version: the key's newer bytes are not what is copied.
mkobj src dir/a.bin 1000
expect_exit 0 s3fcp s3://src/dir/a.bin s3://dst/v1.bin --version-id "$A_V1" -q
same_bytes dst v1.bin "$A"

# Changing what is named keeps the rest.
expect_exit 0 s3fcp s3://dst/a.bin s3://dst/meta.bin --metadata new=1 -q
head_is dst meta.bin \
  "h['ContentType'] == 'text/x-a' and h['CacheControl'] == 'max-age=7' and h['Metadata'] == {'new': '1'}"
expect_exit 0 s3fcp s3://dst/a.bin s3://dst/type.bin --content-type text/plain -q
head_is dst type.bin "h['ContentType'] == 'text/plain' and h['Metadata'] == {'k': 'v', 'k2': 'v2'} and t == {'t': '1'}"
expect_exit 0 s3fcp s3://dst/a.bin s3://dst/tags.bin --tagging 'x=y' --storage-class STANDARD_IA -q
head_is dst tags.bin "$KEPT and t == {'x': 'y'} and h['StorageClass'] == 'STANDARD_IA'"
same_bytes dst tags.bin "$A"
# Onto itself, with a change: allowed (S3 refuses only a copy onto itself that changes nothing).
expect_exit 0 s3fcp s3://dst/type.bin s3://dst/type.bin --content-type text/csv -q
head_is dst type.bin "h['ContentType'] == 'text/csv'"

# A multipart object (moto's CRC64NVME of it is not a real one: nothing to compare, the copy goes on).
head -c $((6 * 1024 * 1024 + 3)) /dev/urandom >"$TMP/mp.bin"
expect_exit 0 s3fcp "$TMP/mp.bin" s3://src/mp.bin --chunk-size 5MiB -q --checksum off
expect_exit 0 s3fcp s3://src/mp.bin s3://dst/mp.bin -q
same_bytes dst mp.bin "$TMP/mp.bin"

# Failures: one line, the right code, nothing made.
expect_exit 3 s3fcp s3://src/missing s3://dst/missing
assert_one_line "$STDERR"
assert_contains "$STDERR" "NoSuchKey"
expect_exit 3 s3fcp s3://src/dir/a.bin s3://nobucket/x
assert_one_line "$STDERR"
assert_contains "$STDERR" "nobucket"
expect_exit 2 s3fcp s3://dst/a.bin s3://dst/a.bin
assert_contains "$STDERR" "the same object"
for bad in "--range bytes=0-1" "--window 4" "--checksum CRC32" "--expected-size 10" "--skip-existing"; do
  # shellcheck disable=SC2086 # each is an option and its value
  expect_exit 2 s3fcp s3://dst/a.bin s3://dst/b.bin $bad
  assert_one_line "$STDERR"
done
if awsl s3api head-object --bucket dst --key missing >/dev/null 2>&1; then say "dst/missing was made"; false; fi

# Many: -r between buckets (the same names below the new prefix, --exclude applied, folder markers skipped), and a
# run file mixing copies with an upload and lines that cannot run (each its own failed line, the rest copied).
mkbucket many
for k in data/a.bin data/sub/b.bin data/skip.tmp database.csv; do mkobj many "$k" $((RANDOM % 5000 + 1)); done
awsl s3api put-object --bucket many --key data/folder/ >/dev/null
expect_exit 0 s3fcp -r s3://many/data s3://dst/copied/ --exclude '*.tmp' -q
awsl s3api list-objects-v2 --bucket dst --prefix copied/ --query 'Contents[].Key' --output text | tr '\t' '\n' |
  sort >"$TMP/keys"
printf '%s\n' copied/a.bin copied/sub/b.bin | diff - "$TMP/keys"
same_bytes dst copied/sub/b.bin "$(local_path many data/sub/b.bin)"
expect_exit 2 s3fcp -r s3://many/ s3://many/data/again/
assert_contains "$STDERR" "lies inside"
{
  echo "cp s3://many/data/a.bin s3://dst/run/a.bin"
  echo "cp --content-type text/x-run s3://many/database.csv s3://dst/run/"
  echo "cp s3://many/missing s3://dst/run/missing"
  echo "cp s3://many/data/* s3://dst/run/w/"
  echo "cp -s s3://many/data/a.bin s3://dst/run/n.bin"
  echo "cp $A s3://dst/run/up.bin"
} >"$TMP/ops.txt"
expect_exit 11 s3fcp run "$TMP/ops.txt" --chunk-size 8MiB
for line in 3 4 5; do assert_contains "$STDERR" "line $line: "; done
assert_contains "$STDERR" "3 copied, 0 skipped, 3 failed"
same_bytes dst run/a.bin "$(local_path many data/a.bin)"
same_bytes dst run/up.bin "$A"
head_is dst run/database.csv "h['ContentType'] == 'text/x-run'"
stop_servers

# The fault server: what is sent, and answers that fail.
source "$(dirname "$0")/fault_common.sh"
fault_obj fb src.bin 700001
mkdir -p "$FAULT_DATA/fb2"
start_fault_server '{"rules": [
  {"match": {"op": "copy"}, "fault": "answer", "status": 200,
   "body": "<?xml version=\"1.0\"?>\n<Error><Code>InternalError</Code><Message>late</Message></Error>",
   "then": "keep"},
  {"match": {"op": "copy"}, "fault": "status", "status": 503}
]}'
expect_exit 0 s3fcp s3://fb/src.bin s3://fb2/dst.bin -q
assert_sha "$FAULT_DATA/fb2/dst.bin" "$OBJ"
assert_requests -eq 1 "op == 'head'"
assert_requests -eq 3 "op == 'copy'"
pinned="hdr('x-amz-copy-source-if-match') == '$(etag_of "$OBJ")'"
assert_requests -eq 3 "op == 'copy' and hdr('x-amz-copy-source') == 'fb/src.bin' and $pinned"

# The source replaced between its HEAD and the copy: the HEAD's ETag no longer matches.
start_fault_server '{"rules": [
  {"match": {"op": "head"}, "fault": "etag_header", "etag_header": "\"0123456789abcdef0123456789abcdef\""}]}'
expect_exit 5 s3fcp s3://fb/src.bin s3://fb2/changed.bin
assert_one_line "$STDERR"
assert_contains "$STDERR" "changed after its HEAD"
[[ ! -e $FAULT_DATA/fb2/changed.bin ]]
assert_requests -eq 1 "op == 'copy'"

# --no-clobber: If-None-Match: * on the copy. Onto a new key it copies; onto an existing one S3's 412 is told apart
# from a changed source by the source's HEAD: exit 10 and the key as it was. A run line's -n skips it.
start_fault_server
expect_exit 0 s3fcp s3://fb/src.bin s3://fb2/nc.bin --no-clobber -q
assert_sha "$FAULT_DATA/fb2/nc.bin" "$OBJ"
assert_requests -eq 1 "op == 'copy' and hdr('If-None-Match') == '*' and status == 200"
echo kept >"$FAULT_DATA/fb2/keep.txt"
expect_exit 10 s3fcp s3://fb/src.bin s3://fb2/keep.txt --no-clobber
assert_one_line "$STDERR"
assert_contains "$STDERR" "exists: nothing was copied"
[[ $(cat "$FAULT_DATA/fb2/keep.txt") == kept ]]
assert_requests -eq 1 "op == 'copy' and key == 'keep.txt' and status == 412"
assert_requests -eq 3 "op == 'head' and key == 'src.bin'"  # the first copy's; this one's, then its check
echo "cp -n s3://fb/src.bin s3://fb2/keep.txt" >"$TMP/nc.txt"
expect_exit 0 s3fcp run "$TMP/nc.txt"
assert_contains "$STDERR" "0 copied, 1 skipped, 0 failed"
[[ $(cat "$FAULT_DATA/fb2/keep.txt") == kept ]]
start_fault_server '{"rules": [
  {"match": {"op": "head"}, "fault": "etag_header", "etag_header": "\"0123456789abcdef0123456789abcdef\""}]}'
expect_exit 5 s3fcp s3://fb/src.bin s3://fb2/other.bin --no-clobber
assert_contains "$STDERR" "changed after its HEAD"
# The copy carried out but its answer lost (a reset): sent again (by s3fcp, or by curl on a new connection without
# counting an attempt), it gets 412 from its own object. The source unchanged, the destination's HEAD shows the
# source's bytes written since the copy began: exit 0. The same bytes there from before (an hour older): exit 10.
start_fault_server '{"rules": [{"match": {"op": "copy"}, "fault": "lost_response"}]}'
expect_exit 0 s3fcp s3://fb/src.bin s3://fb2/lost.bin --no-clobber -q
assert_sha "$FAULT_DATA/fb2/lost.bin" "$OBJ"
assert_requests -eq 1 "op == 'copy' and key == 'lost.bin' and status == 412"
assert_requests -eq 1 "op == 'head' and key == 'lost.bin' and status == 200"
cp "$OBJ" "$FAULT_DATA/fb2/older.bin"
touch -d '-1 hour' "$FAULT_DATA/fb2/older.bin"
expect_exit 10 s3fcp s3://fb/src.bin s3://fb2/older.bin --no-clobber
assert_contains "$STDERR" "exists: nothing was copied"
assert_requests -eq 1 "op == 'head' and key == 'older.bin' and status == 200"

# A copy whose checksum is not the source's: exit 7. (The source is put with its CRC64NVME first.)
start_fault_server
expect_exit 0 "$S3FCP_BIN" --endpoint-url "$ENDPOINT" "$OBJ" s3://fb/summed.bin -q
start_fault_server '{"rules": [{"match": {"op": "copy"}, "fault": "answer", "status": 200,
   "body": "<CopyObjectResult><ETag>\"x\"</ETag><ChecksumCRC64NVME>AAAAAAAAAAA=</ChecksumCRC64NVME></CopyObjectResult>",
   "then": "keep"}]}'
expect_exit 7 "$S3FCP_BIN" --endpoint-url "$ENDPOINT" s3://fb/summed.bin s3://fb2/summed.bin
assert_one_line "$STDERR"
assert_contains "$STDERR" "CRC64NVME"
assert_requests -eq 1 "op == 'copy' and hdr('x-amz-checksum-algorithm') == 'CRC64NVME'"
start_fault_server
expect_exit 0 "$S3FCP_BIN" --endpoint-url "$ENDPOINT" s3://fb/summed.bin s3://fb2/summed.bin --print-checksum
assert_contains "$STDERR" "checksum CRC64NVME"
assert_sha "$FAULT_DATA/fb2/summed.bin" "$OBJ"
say "ok"
