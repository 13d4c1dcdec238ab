#!/usr/bin/env bash
# Every object option shows on the stored object, for a single PUT and for a multipart upload (where the options go
# on CreateMultipartUpload): on moto, read back with aws-cli (head-object, get-object-tagging, get-object-acl):
# --content-type, --cache-control, --content-encoding, --content-disposition, --content-language, --expires (ISO 8601
# in, an HTTP date stored), --website-redirect, --metadata (repeatable, '=' in a value; or JSON), --tagging (URL-encoded),
# --storage-class, --acl, --sse AES256, --sse aws:kms --sse-kms-key-id. --no-clobber on moto: an
# existing key is exit 10 and stays as it was. On the fault server (its log shows what was sent; every request
# SigV4-checked): the default Content-Type from /etc/mime.types by the file's extension (case-insensitive; none,
# unknown or a dot file: application/octet-stream; stdin and --no-guess-mime-type: application/octet-stream), SSE-C (--sse-c-key and
# --sse-c-key-file) on every request that carries or completes the bytes, readable back only with the key,
# --request-payer on every request, --expected-size (a stream cut like a file of that size), --print-checksum,
# and -v never printing a secret.
source "$(dirname "$0")/common.sh"
source "$(dirname "$0")/upload_common.sh"

mkfile small.txt 1000
SMALL=$F
mkfile big.txt $((5 * MiB + 7))
BIG=$F
ALL=(--content-type 'text/x-custom; charset=utf-8' --cache-control 'max-age=60, public' --content-encoding gzip
  --metadata 'Mixed-Case=a value' --metadata 'eq=a=b' --tagging 'k1=v1&k%202=a%2Bb%3Dc&sp=x+y' --storage-class STANDARD_IA
  --acl public-read --sse AES256 --content-disposition 'attachment; filename="r.txt"' --content-language de-CH
  --expires 2027-01-31T12:00:00+01:00 --website-redirect /elsewhere.html)

# check_head BUCKET KEY PYTHON_EXPR: EXPR over h (head-object), t (the tag set as a dict) and g (the ACL's grants),
# the last two fetched only when EXPR names them (aws-cli takes a while to start).
check_head() {
  echo '{"TagSet": []}' >"$TMP/tags.json"
  echo '{"Grants": []}' >"$TMP/acl.json"
  awsl s3api head-object --bucket "$1" --key "$2" --output json >"$TMP/head.json"
  [[ $3 != *"t =="* ]] || awsl s3api get-object-tagging --bucket "$1" --key "$2" --output json >"$TMP/tags.json"
  [[ $3 != *"in g"* ]] || awsl s3api get-object-acl --bucket "$1" --key "$2" --output json >"$TMP/acl.json"
  python3 - "$3" "$TMP/head.json" "$TMP/tags.json" "$TMP/acl.json" <<'PY'
import json, sys
h, tags, acl = (json.load(open(p)) for p in sys.argv[2:5])
t = {x["Key"]: x["Value"] for x in tags["TagSet"]}
g = [(x["Grantee"].get("URI", x["Grantee"].get("ID")), x["Permission"]) for x in acl["Grants"]]
if not eval("(" + sys.argv[1] + ")"):
    sys.exit(f"not [{sys.argv[1]}]:\n  head {h}\n  tags {t}\n  grants {g}")
PY
}
ALL_SEEN="h['ContentType'] == 'text/x-custom; charset=utf-8' and h['CacheControl'] == 'max-age=60, public'
  and h['ContentEncoding'] == 'gzip' and h['Metadata'] == {'mixed-case': 'a value', 'eq': 'a=b'}
  and t == {'k1': 'v1', 'k 2': 'a+b=c', 'sp': 'x y'} and h['StorageClass'] == 'STANDARD_IA' and h['ServerSideEncryption'] == 'AES256'
  and ('http://acs.amazonaws.com/groups/global/AllUsers', 'READ') in g
  and h['ContentDisposition'] == 'attachment; filename=\"r.txt\"' and h['ContentLanguage'] == 'de-CH'
  and h.get('ExpiresString', h.get('Expires')) == 'Sun, 31 Jan 2027 11:00:00 GMT'
  and h['WebsiteRedirectLocation'] == '/elsewhere.html'"

start_moto
mkbucket opts
expect_exit 0 s3fcp "$SMALL" s3://opts/single "${ALL[@]}" -q --stats json
assert_stats "s['parts'] == 1 and not s['multipart']"
check_head opts single "$ALL_SEEN"
expect_exit 0 s3fcp "$BIG" s3://opts/multi "${ALL[@]}" -q --stats json --chunk-size 5MiB
assert_stats "s['parts'] == 2 and s['multipart']"
check_head opts multi "$ALL_SEEN and h['ETag'].endswith('-2\"')"
assert_object opts multi "$BIG"
for what in single multi; do
  src=$SMALL
  [[ $what == single ]] || src=$BIG
  expect_exit 0 s3fcp "$src" "s3://opts/kms-$what" -q --chunk-size 5MiB --sse aws:kms --sse-kms-key-id 'key/e2e-1'
  check_head opts "kms-$what" "h['ServerSideEncryption'] == 'aws:kms' and h['SSEKMSKeyId'] == 'key/e2e-1'
    and h['ContentType'] == 'text/plain'"
done

# --sse alone is AES256, as in the AWS CLI; an operand taken for its value is a usage error that says so.
expect_exit 0 s3fcp "$SMALL" s3://opts/sse-alone -q --sse
check_head opts sse-alone "h['ServerSideEncryption'] == 'AES256'"
expect_exit 2 s3fcp --sse "$SMALL" s3://opts/sse-swallowed
assert_one_line "$STDERR"
assert_contains "$STDERR" "--sse alone, after the operands, is AES256"

# --metadata as the AWS CLI's JSON.
expect_exit 0 s3fcp "$SMALL" s3://opts/meta-json -q --metadata '{"a": "1", "b": "x,c=d"}'
check_head opts meta-json "h['Metadata'] == {'a': '1', 'b': 'x,c=d'}"

# --expires takes ISO 8601 or an HTTP date; anything else is a usage error before any request.
expect_exit 0 s3fcp "$SMALL" s3://opts/expires-http -q --expires 'Sun, 31 Jan 2027 11:00:00 GMT'
check_head opts expires-http "h.get('ExpiresString', h.get('Expires')) == 'Sun, 31 Jan 2027 11:00:00 GMT'"
expect_exit 2 s3fcp "$SMALL" s3://opts/expires-bad -q --expires 'next tuesday'
assert_one_line "$STDERR"
assert_contains "$STDERR" "--expires takes a date-time"

# --no-clobber: a new key is written; an existing one is exit 10 and keeps its bytes (single PUT and multipart).
expect_exit 0 s3fcp "$SMALL" s3://opts/fresh --no-clobber -q
for what in single multi; do
  expect_exit 10 s3fcp "$BIG" "s3://opts/$what" --no-clobber -q --chunk-size 5MiB
  assert_one_line "$STDERR"
  assert_contains "$STDERR" "exists"
  expect_exit 10 s3fcp "$SMALL" "s3://opts/$what" --no-clobber -q
done
assert_object opts single "$SMALL"
assert_object opts multi "$BIG"
assert_object opts fresh "$SMALL"
assert_no_mpu opts

# --- on the fault server: what is sent ---------------------------------------------------------------------------
up_server ""
fault_bucket fs
mkdir -p "$TMP/ct"
declare -A CT=([a.json]=application/json [B.HTML]=text/html [c.tar.gz]=application/gzip [noext]=application/octet-stream
  [.bashrc]=application/octet-stream [d.unknownext]=application/octet-stream [e.TxT]=text/plain)
for name in "${!CT[@]}"; do
  echo "$name" >"$TMP/ct/$name"
  expect_exit 0 s3fcp "$TMP/ct/$name" "s3://fs/ct/$name" -q
done
expect_exit 0 s3fcp - s3://fs/ct/stdin.json -q <"$TMP/ct/a.json"
expect_exit 0 s3fcp - s3://fs/ct/stdin-typed -q --content-type text/csv <"$TMP/ct/a.json"
expect_exit 0 s3fcp "$TMP/ct/a.json" s3://fs/ct/unguessed.json -q --no-guess-mime-type
CT[stdin.json]=application/octet-stream
CT[stdin-typed]=text/csv
CT[unguessed.json]=application/octet-stream
for name in "${!CT[@]}"; do
  assert_requests -eq 1 "op == 'put' and key == 'ct/$name' and hdr('Content-Type') == '${CT[$name]}' and status == 200"
done

# SSE-C: the key, its algorithm and MD5 on create, every part and complete (and on a PUT); the object is read back
# with the key and not without it. -v never shows the key, the secret or a signature.
SSEC_RAW=0123456789abcdef0123456789ABCDEF
printf '%s' "$SSEC_RAW" >"$TMP/ssec.key"
SSEC_B64=$(printf '%s' "$SSEC_RAW" | base64)
SSEC_MD5=$(printf '%s' "$SSEC_RAW" | openssl dgst -md5 -binary | base64)
: >"$REQUEST_LOG"
expect_exit 0 s3fcp "$BIG" s3://fs/ssec-multi --sse-c-key "$SSEC_B64" --chunk-size 5MiB -v
for s in "$SSEC_RAW" "$SSEC_B64" "$AWS_SECRET_ACCESS_KEY" Signature= Credential=; do assert_not_contains "$STDERR" "$s"; done
expect_exit 0 s3fcp "$SMALL" s3://fs/ssec-single --sse-c-key-file "$TMP/ssec.key" -q
assert_requests -eq 5  # create, 2 parts, complete; the PUT
assert_requests -eq 5 "(hdr('x-amz-server-side-encryption-customer-algorithm') == 'AES256'
  and hdr('x-amz-server-side-encryption-customer-key') == '$SSEC_B64'
  and hdr('x-amz-server-side-encryption-customer-key-MD5') == '$SSEC_MD5' and status == 200)"
expect_exit 0 s3fcp s3://fs/ssec-multi - --sse-c-key-file "$TMP/ssec.key" --checksum off -q
assert_sha "$STDOUT" "$BIG"
expect_exit 0 s3fcp s3://fs/ssec-single - --sse-c-key "$SSEC_B64" -q
assert_sha "$STDOUT" "$SMALL"
expect_exit 1 s3fcp s3://fs/ssec-single - --checksum off -q  # 400 without the key
assert_empty "$STDOUT"
# The AWS CLI's spelling: --sse-c AES256 --sse-c-key fileb://FILE, both ways.
: >"$REQUEST_LOG"
expect_exit 0 s3fcp "$SMALL" s3://fs/ssec-cli --sse-c AES256 --sse-c-key "fileb://$TMP/ssec.key" -q
assert_requests -eq 1 "hdr('x-amz-server-side-encryption-customer-key') == '$SSEC_B64' and status == 200"
expect_exit 0 s3fcp s3://fs/ssec-cli - --sse-c AES256 --sse-c-key "fileb://$TMP/ssec.key" -q
assert_sha "$STDOUT" "$SMALL"

# --checksum-algorithm (the AWS CLI v2's name for --checksum on uploads) and --checksum-mode ENABLED (on anyway).
: >"$REQUEST_LOG"
expect_exit 0 s3fcp "$SMALL" s3://fs/sha256 --checksum-algorithm SHA256 -q
assert_requests -eq 1 "op == 'put' and hdr('x-amz-checksum-sha256') != '' and status == 200"
expect_exit 0 s3fcp s3://fs/sha256 - --checksum-mode ENABLED -q
assert_sha "$STDOUT" "$SMALL"

# --request-payer on every request, single and multipart.
: >"$REQUEST_LOG"
expect_exit 0 s3fcp "$SMALL" s3://fs/payer-single --request-payer requester -q
expect_exit 0 s3fcp "$BIG" s3://fs/payer-multi --request-payer requester -q --chunk-size 5MiB
assert_requests -eq 5
assert_requests -eq 5 "hdr('x-amz-request-payer') == 'requester' and status == 200"

# --expected-size: a 12 MiB stream said to be 100 GiB is cut as a 100 GiB file would be: 10,000 parts of 10.24 MB
# rounded up to 11 MiB; without it, the stream's first parts are the 5 MiB asked for.
mkfile stream.bin $((12 * MiB))
: >"$REQUEST_LOG"
expect_exit 0 s3fcp - s3://fs/expected -q --chunk-size 5MiB --expected-size 100GiB <"$F"
assert_requests -eq 1 "op == 'part' and part_number == 1 and body_bytes == $((11 * MiB))"
assert_requests -eq 1 "op == 'part' and part_number == 2 and body_bytes == $((1 * MiB))"
: >"$REQUEST_LOG"
expect_exit 0 s3fcp - s3://fs/unexpected -q --chunk-size 5MiB <"$F"
assert_requests -eq 2 "op == 'part' and body_bytes == $((5 * MiB))"
assert_requests -eq 1 "op == 'part' and part_number == 3 and body_bytes == $((2 * MiB))"
assert_object fs expected "$F"

# --print-checksum: the checksum we sent, as the server confirmed it.
expect_exit 0 s3fcp "$BIG" s3://fs/printed -q --chunk-size 5MiB --print-checksum
assert_one_line "$STDERR"
assert_contains "$STDERR" "checksum CRC64NVME $(expected_checksum CRC64NVME "$BIG") OK"
assert_all_signed
assert_plain_bodies
say "ok"
