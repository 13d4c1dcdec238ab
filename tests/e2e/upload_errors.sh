#!/usr/bin/env bash
# Bad input to an upload is one line on stderr, exit 2, and not a single request (the fault server's log stays
# empty): a directory, a missing file, a FIFO or a device as the source; a destination without a key; both sides
# local, both remote; stdin to a prefix ending in '/'; --continue with stdin; download-only options (--range,
# --version-id, --window, --no-hedge, --force) on an upload and upload-only ones on a download; --expected-size with
# a file; malformed --metadata, --tagging, --sse, --sse-kms-key-id without aws:kms, --sse with an SSE-C key; a
# part size over the option's limit; a bad --max-memory or --expected-size (the message names the option). Server
# errors: a missing bucket is exit 3 (single PUT and multipart, nothing left), wrong keys are exit 4 with one line
# that shows no secret; nobody listening, or a server that never answers: exit 6 after the retries.
source "$(dirname "$0")/common.sh"
source "$(dirname "$0")/upload_common.sh"
up_server ""
fault_bucket e
mkfile f.bin 1000
FILE=$F
mkfile big.bin $((5 * MiB + 1))
BIG=$F
mkdir -p "$TMP/dir"
mkfifo "$TMP/fifo"

# bad TEXT ARGS...: s3fcp ARGS exits 2 with one line containing TEXT, and nothing reached the server.
bad() {
  local text=$1
  shift
  expect_exit 2 s3fcp "$@" </dev/null
  assert_one_line "$STDERR"
  assert_contains "$STDERR" "$text"
  assert_empty "$STDOUT"
}

bad "is a directory" "$TMP/dir" s3://e/k
bad "names no file" "$TMP/dir/" s3://e/prefix/
bad "cannot read" "$TMP/missing.bin" s3://e/k
bad "not a regular file" "$TMP/fifo" s3://e/k
bad "not a regular file" /dev/null s3://e/k
bad "s3://e has no key and stdin names no file" - s3://e
bad "s3://" "$FILE" s3://
bad "one side of a copy must be S3" "$FILE" "$TMP/other"
bad "an http(s) SOURCE is downloaded" https://example.com/a s3://e/b
bad "names no file" - s3://e/prefix/
bad "--continue needs a file" - s3://e/k --continue
for opt in "--range bytes=0-9" "--version-id v1" "--window 4" --no-hedge --force; do
  # shellcheck disable=SC2086 # the option and its value
  bad "applies to downloads" "$FILE" s3://e/k $opt
done
for opt in --no-clobber "--metadata a=b" "--tagging a=b" "--content-type x/y" "--expected-size 10" "--sse AES256" \
  "--storage-class STANDARD_IA" "--acl private" "--cache-control no-cache"; do
  # shellcheck disable=SC2086
  bad "applies to" s3://e/k "$TMP/out" $opt
done
bad "--expected-size applies to an upload from stdin" "$FILE" s3://e/k --expected-size 1MiB
bad "--metadata takes KEY=VALUE" "$FILE" s3://e/k --metadata novalue
bad "--metadata takes KEY=VALUE" "$FILE" s3://e/k --metadata =v
bad "--metadata a=1 --metadata b=2" "$FILE" s3://e/k --metadata a=1,b=2  # the AWS CLI's shorthand: not one key
bad "is not a JSON object" "$FILE" s3://e/k --metadata '{"a":'
bad "--sse-c takes AES256" "$FILE" s3://e/k --sse-c AES128 --sse-c-key 0123456789abcdef0123456789ABCDEF
bad "--sse-c AES256 needs the key" "$FILE" s3://e/k --sse-c AES256
bad "--checksum-mode takes ENABLED" "$FILE" s3://e/k --checksum-mode yes
bad "--tagging takes" "$FILE" s3://e/k --tagging 'a=1&&b=2'
bad "--tagging takes" "$FILE" s3://e/k --tagging 'a=%zz'
bad "--sse takes" "$FILE" s3://e/k --sse AES128
bad "--sse-kms-key-id needs --sse aws:kms" "$FILE" s3://e/k --sse-kms-key-id k1
bad "not both" "$FILE" s3://e/k --sse AES256 --sse-c-key 0123456789abcdef0123456789ABCDEF
bad "--chunk-size must be between" "$FILE" s3://e/k --chunk-size 6GiB
bad "--chunk-size must be between" - s3://e/k --chunk-size 6GiB
bad "max-memory" "$FILE" s3://e/k --max-memory lots
bad "expected-size" - s3://e/k --expected-size lots
assert_requests -eq 0
say "bad input: exit 2, one line, nothing sent"

# A missing bucket: exit 3, one line naming it; for a multipart upload CreateMultipartUpload fails, nothing is left.
expect_exit 3 s3fcp "$FILE" s3://nobucket/k -q
assert_one_line "$STDERR"
assert_contains "$STDERR" "NoSuchBucket"
expect_exit 3 s3fcp "$BIG" s3://nobucket/k -q --chunk-size 5MiB
assert_one_line "$STDERR"
expect_exit 3 s3fcp - s3://nobucket/k -q --chunk-size 5MiB <"$BIG"
assert_one_line "$STDERR"
assert_requests -eq 0 "op in ('part', 'complete')"
assert_no_upload_dirs

# Wrong keys: 403 SignatureDoesNotMatch, exit 4, one line without the secret.
for src in "$FILE" "$BIG"; do
  AWS_SECRET_ACCESS_KEY=not-the-secret-e2e expect_exit 4 s3fcp "$src" s3://e/k -q --chunk-size 5MiB
  assert_one_line "$STDERR"
  assert_contains "$STDERR" "SignatureDoesNotMatch"
  assert_not_contains "$STDERR" "not-the-secret-e2e"
done
assert_requests -eq 2 "sig == 'bad'"
assert_requests -eq 0 "op in ('part', 'complete')"
assert_no_upload_dirs
assert_not_stored e k

# Nobody listening (connection refused), or a server that accepts and never answers (--read-timeout 1): retried,
# then exit 6 with one line; nothing was created, so nothing is left.
PORT=$(free_port)
for src in "$FILE" "$BIG"; do
  expect_exit 6 "$S3FCP_BIN" --endpoint-url "http://127.0.0.1:$PORT" "$src" s3://e/k -q --max-attempts 2 \
    --chunk-size 5MiB
  assert_one_line "$STDERR"
done
start_blackhole
for src in "$FILE" "$BIG"; do
  expect_exit 6 "$S3FCP_BIN" --endpoint-url "http://127.0.0.1:$BLACKHOLE_PORT" "$src" s3://e/k -q --max-attempts 2 \
    --read-timeout 1 --connect-timeout 2 --chunk-size 5MiB
  assert_one_line "$STDERR"
done
say "ok"
