#!/usr/bin/env bash
# S3 access points named by their ARN, as the AWS CLI takes them in place of a bucket
# (s3://arn:aws:s3:REGION:ACCOUNT:accesspoint/NAME/KEY): every request goes to the access point's own host name
# (here NAME-ACCOUNT.localhost, below the custom endpoint http://localhost:PORT, which curl resolves to the loopback)
# with the key as the whole path, signed for the ARN's region (the fault server's verifier accepts no other), not
# the configured one. A download, an upload, -r (ListObjectsV2 on the access point), a run line's wildcard upload,
# a copy from it
# (x-amz-copy-source ARN/object/KEY); ARNs s3fcp cannot reach, and path-style addressing, are usage errors.
source "$(dirname "$0")/common.sh"
source "$(dirname "$0")/fault_common.sh"
AP=arn:aws:s3:eu-north-1:123456789012:accesspoint/data-ap
LABEL=data-ap-123456789012
fault_obj "$LABEL" dir/a.bin 300001
A=$OBJ
fault_obj "$LABEL" dir/b.txt 10
mkdir -p "$FAULT_DATA/other"
start_fault_server "" --access-key "$AWS_ACCESS_KEY_ID" --secret-key "$AWS_SECRET_ACCESS_KEY" --region eu-north-1
ENDPOINT=${ENDPOINT/127.0.0.1/localhost}
export AWS_REGION=us-east-1  # the configured region: the ARN's wins

expect_exit 0 s3fcp "s3://$AP/dir/a.bin" "$TMP/a.bin" --chunk-size 64KiB
assert_sha "$TMP/a.bin" "$A"
assert_requests -gt 1 "key == 'dir/a.bin' and hdr('Host') == '$LABEL.${ENDPOINT#http://}' and path == '/dir/a.bin'"
assert_requests -eq 0 "sig != 'ok'"

expect_exit 0 s3fcp "$A" "s3://$AP/up/a.bin" -q
assert_sha "$FAULT_DATA/$LABEL/up/a.bin" "$A"

expect_exit 0 s3fcp -r "s3://$AP/dir/" "$TMP/tree/" -q
assert_sha "$TMP/tree/a.bin" "$A"
[[ -f $TMP/tree/b.txt ]]
assert_requests -eq 1 "op == 'list' and hdr('Host').startswith('$LABEL.')"

# A run line's wildcard upload below the access point's prefix (the ARN's '/' is not the key's first).
mkdir -p "$TMP/many"
cp "$A" "$TMP/many/x.bin"
cp "$A" "$TMP/many/y.bin"
echo "cp $TMP/many/*.bin s3://$AP/w/" >"$TMP/ops.txt"
expect_exit 0 s3fcp run "$TMP/ops.txt" -q
assert_sha "$FAULT_DATA/$LABEL/w/x.bin" "$A"
assert_sha "$FAULT_DATA/$LABEL/w/y.bin" "$A"

# (The destination is a bucket of the server's one region: named, so that no request goes to the wrong one first.)
expect_exit 0 s3fcp "s3://$AP/dir/a.bin" s3://other/copied.bin -q --region eu-north-1
assert_sha "$FAULT_DATA/other/copied.bin" "$A"
source_header=arn%3Aaws%3As3%3Aeu-north-1%3A123456789012%3Aaccesspoint/data-ap/object/dir/a.bin
assert_requests -eq 1 "op == 'copy' and hdr('x-amz-copy-source') == '$source_header'"
assert_requests -eq 0 "sig != 'ok'"

for bad in s3://arn:aws:s3::123456789012:accesspoint/mrap.x/k s3://arn:aws:s3:eu-north-1:1234:accesspoint/ap/k \
  s3://arn:aws:s3-object-lambda:eu-north-1:123456789012:accesspoint/ol/k \
  s3://arn:aws:s3:eu-north-1:123456789012:bucket/b/k; do
  expect_exit 2 s3fcp "$bad" -
  assert_one_line "$STDERR"
done
expect_exit 2 s3fcp "s3://$AP/dir/a.bin" - --addressing-style path
assert_contains "$STDERR" "addressed by its host name"
say "ok"
