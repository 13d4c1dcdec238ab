#!/usr/bin/env bash
# Wrong region: S3 answers 301 PermanentRedirect (or 400 AuthorizationHeaderMalformed) naming the bucket's region
# in x-amz-bucket-region or <Region>. s3fcp follows once, re-signed for that region, says so under -v, and the
# download is exact. A second redirect is not followed forever. --request-payer and SSE-C headers reach the server.
source "$(dirname "$0")/common.sh"
source "$(dirname "$0")/fault_common.sh"
fault_obj geo k.bin $((2 * 65536 + 5))

start_fault_server '{"rules": [
  {"match": {"nth": 1}, "fault": "status", "status": 301, "code": "PermanentRedirect",
   "headers": {"x-amz-bucket-region": "eu-west-3"}},
  {"match": {"nth": 2}, "fault": "status", "status": 301, "code": "PermanentRedirect",
   "headers": {"x-amz-bucket-region": "eu-west-3"}}]}'
expect_exit 0 s3fcp s3://geo/k.bin --region us-west-2 --chunk-size 64KiB -c 2 -v
assert_sha "$STDOUT" "$OBJ"
assert_contains "$STDERR" "the bucket is in eu-west-3, not us-west-2"
# 400 AuthorizationHeaderMalformed naming a region, on every request: followed once, never in a loop; exit 4.
start_fault_server '{"rules": [{"match": {}, "fault": "status", "status": 400, "code": "AuthorizationHeaderMalformed",
                                "headers": {"x-amz-bucket-region": "ap-south-1"}, "times": -1}]}'
expect_exit 4 s3fcp s3://geo/k.bin --region us-west-2 --max-attempts 3
assert_one_line "$STDERR"
n=$(wc -l <"$TMP/requests.jsonl")
((n <= 6)) || { say "expected a handful of requests, got $n"; false; }

# Requester Pays and SSE-C: the headers are sent (and signed); the key never appears on stderr, even with -v.
start_fault_server ''
key=0123456789abcdef0123456789abcdef
expect_exit 0 s3fcp s3://geo/k.bin --request-payer requester --sse-c-key "$key" -v --chunk-size 64KiB
assert_sha "$STDOUT" "$OBJ"
assert_not_contains "$STDERR" "$key"
assert_not_contains "$STDERR" "$(printf %s "$key" | base64)"
python3 - "$TMP/requests.jsonl" "$key" <<'PY'
import base64, hashlib, json, sys
key = sys.argv[2].encode()
for r in (json.loads(l) for l in open(sys.argv[1])):
    h = {k.lower(): v for k, v in r["headers"].items()}
    assert h["x-amz-request-payer"] == "requester", h
    assert h["x-amz-server-side-encryption-customer-algorithm"] == "AES256", h
    assert h["x-amz-server-side-encryption-customer-key"] == base64.b64encode(key).decode(), h
    assert h["x-amz-server-side-encryption-customer-key-md5"] == base64.b64encode(hashlib.md5(key).digest()).decode()
PY
expect_exit 2 s3fcp s3://geo/k.bin --sse-c-key short
assert_one_line "$STDERR"
assert_not_contains "$STDERR" short
