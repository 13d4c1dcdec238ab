#!/usr/bin/env bash
# Integrity of what is sent, on the fault server with its SigV4 verifier on (which also checks the payload hash,
# Content-MD5 and x-amz-checksum-* against every body): for --checksum CRC64NVME (the default), CRC32C, CRC32,
# SHA256, SHA1, MD5 and off, a single PUT and a 3-part upload (file) and a 2-part upload (pipe):
#   - every request is signed right, none is chunked (a Content-Length equal to the body the server read);
#   - each body carries exactly its algorithm's header (Content-MD5 for MD5, nothing for off), create declares the
#     algorithm and its type (FULL_OBJECT for the CRCs, COMPOSITE for SHA), Complete carries the full-object CRC;
#   - --stats json reports the value crcmod / hashlib compute ("verified" when the server named the same);
#   - the object is the file, byte for byte, and s3fcp downloads it with its own checksum verified.
# A server whose answer names another checksum than ours (it stored other bytes) is exit 7, for a PUT and for a
# part; the multipart upload is then aborted.
source "$(dirname "$0")/common.sh"
source "$(dirname "$0")/upload_common.sh"
up_server ""
fault_bucket v
P=$((5 * MiB))
mkfile single.bin 100000
SINGLE=$F
mkfile multi.bin $((2 * P + 12345))
MULTI=$F
mkfile piped.bin $((P + 999))
PIPED=$F

# header_of ALG: the request header that carries a body's checksum.
header_of() {
  case $1 in
    MD5) echo Content-MD5 ;;
    off) echo none ;;
    *) echo "x-amz-checksum-${1,,}" ;;
  esac
}
ANY_SUM="any(k.lower().startswith('x-amz-checksum-') and k.lower() not in ('x-amz-checksum-type', 'x-amz-checksum-algorithm') or k.lower() == 'content-md5' for k in headers)"

for alg in CRC64NVME CRC32C CRC32 SHA256 SHA1 MD5 off; do
  hdr=$(header_of $alg)
  for what in single multi piped; do
    key=$alg/$what
    case $what in
      single) src=$SINGLE parts=1 ;;
      multi) src=$MULTI parts=3 ;;
      piped) src=$PIPED parts=2 ;;
    esac
    if [[ $what == piped ]]; then
      expect_exit 0 s3fcp - "s3://v/$key" --checksum $alg --chunk-size 5MiB -q --stats json <"$src"
    else
      expect_exit 0 s3fcp "$src" "s3://v/$key" --checksum $alg --chunk-size 5MiB -q --stats json
    fi
    assert_stats "s['parts'] == $parts and s['bytes'] == $(stat -c %s "$src")"
    body_ops="key == '$key' and op in ('put', 'part')"
    if [[ $alg == off ]]; then
      assert_requests -eq "$parts" "$body_ops"
      assert_requests -eq 0 "key == '$key' and $ANY_SUM"
      assert_stats "s['checksum'] == {'algorithm': None, 'value': None, 'server': None, 'result': 'off'}"
    else
      # Each body: its algorithm's header and no other checksum header.
      assert_requests -eq "$parts" "$body_ops and hdr('$hdr') is not None and sum(k.lower().startswith('x-amz-checksum-') or k.lower() == 'content-md5' for k in headers) == 1"
      part_size=0
      ((parts == 1)) || part_size=$P
      want=$(expected_checksum $alg "$src" $part_size)
      if [[ -n $want ]]; then
        assert_stats "s['checksum']['algorithm'] == '$alg' and s['checksum']['value'] == '$want'"
      else  # MD5 multipart: S3 has no MD5 of the whole
        assert_stats "s['checksum']['value'] is None"
      fi
      if [[ $alg != MD5 ]]; then
        assert_stats "s['checksum']['result'] in ('verified', 'sent') and s['checksum']['server'] in (None, '$want')"
      fi
    fi
    if ((parts > 1)); then
      case $alg in
        CRC*)
          assert_requests -eq 2 "key == '$key' and (op == 'create' and hdr('x-amz-checksum-algorithm') == '$alg' and hdr('x-amz-checksum-type') == 'FULL_OBJECT' or op == 'complete' and hdr('$hdr') == '$want' and hdr('x-amz-checksum-type') == 'FULL_OBJECT')"
          assert_stats "s['checksum']['result'] == 'verified'"
          ;;
        SHA*) assert_requests -eq 1 "key == '$key' and op == 'create' and hdr('x-amz-checksum-algorithm') == '$alg' and hdr('x-amz-checksum-type') == 'COMPOSITE'" ;;
        *) assert_requests -eq 0 "key == '$key' and op == 'create' and hdr('x-amz-checksum-algorithm') is not None" ;;
      esac
    fi
    # Read back by s3fcp, its own checksum verification on (auto: whichever the object has).
    expect_exit 0 s3fcp "s3://v/$key" - -q --print-checksum
    assert_sha "$STDOUT" "$src"
  done
  say "--checksum $alg: single PUT, 3 parts, a pipe in 2 parts"
done
assert_all_signed
assert_plain_bodies

# The server answers with another checksum than ours (as if it stored other bytes): exit 7, one line; for a part,
# the upload is aborted and nothing is left.
BAD='"x-amz-checksum-crc64nvme": "AAAAAAAAAAA="'
up_server '{"rules": [{"match": {"op": "put"}, "headers": {'"$BAD"'}}]}'
expect_exit 7 s3fcp "$SINGLE" s3://v/echo-single -q --stats json
grep -v '^{' "$STDERR" >"$TMP/lines"
assert_one_line "$TMP/lines"
assert_contains "$STDERR" "stored other bytes"
up_server '{"rules": [{"match": {"op": "part", "part_number": 2}, "headers": {'"$BAD"'}, "times": -1}]}'
expect_exit 7 s3fcp "$MULTI" s3://v/echo-multi -q --chunk-size 5MiB --stats json
assert_contains "$STDERR" "stored other bytes"
assert_stats "s['aborted'] is True and s['exit_code'] == 7"
assert_requests -eq 1 "op == 'abort' and status == 204"
assert_requests -eq 0 "op == 'complete'"
assert_no_mpu v
assert_all_signed
say "ok"
