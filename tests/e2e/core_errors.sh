#!/usr/bin/env bash
# Not-found errors exit 3, usage errors exit 2; each says so in exactly one stderr line and writes nothing to stdout.
# shellcheck source=SCRIPTDIR/common.sh
source "$(dirname "$0")/common.sh"
start_moto
mkbucket errs
mkbucket verrs --versioned
mkobj verrs k 1000

expect_not_found() { # CODE ARGS...: exit 3, one line naming the S3 error code, nothing on stdout
  local code=$1
  shift
  expect_exit 3 s3fcp "$@"
  assert_empty "$STDOUT"
  assert_one_line "$STDERR"
  assert_contains "$STDERR" "$code"
}

expect_not_found NoSuchKey s3://errs/k
assert_contains "$STDERR" "s3://errs/k"
assert_contains "$STDERR" "request id" # moto sends one in the error XML (<RequestId>)
expect_not_found NoSuchKey s3://errs/dir/missing.bin -c 1 --chunk-size 1MiB
expect_not_found NoSuchBucket s3://no-such-bucket-e2e/k
# moto answers a versionId that does not exist with 404 NoSuchVersion (real S3 says 400 InvalidArgument for an id
# that is not even well-formed, NoSuchVersion for a well-formed unknown one).
expect_not_found NoSuchVersion s3://verrs/k --version-id bogus-version-id

expect_usage() { # ARGS...: exit 2, one line, nothing on stdout
  expect_exit 2 s3fcp "$@"
  assert_empty "$STDOUT"
  assert_one_line "$STDERR"
}
expect_usage http-nope
expect_usage s3://
expect_usage s3://bucket
expect_usage s3://bucket/
assert_contains "$STDERR" "-r copies every object under a prefix"
expect_usage s3://errs/k --chunk-size 0
expect_usage s3://errs/k --chunk-size banana
expect_usage s3://errs/k --chunk-size 8XB
expect_usage s3://errs/k -c 0
expect_usage s3://errs/k --no-such-flag
expect_usage # no SOURCE at all

# --help and --version go to stdout and succeed.
expect_exit 0 "$S3FCP_BIN" --help
assert_empty "$STDERR"
grep -qiE 'exit (codes|status)' "$STDOUT" || { say "--help does not document exit codes"; false; }
for code in 0 1 2 3 4 5 6 7 8 130 141; do
  grep -qE "(^|[^0-9])$code([^0-9]|$)" "$STDOUT" || { say "--help does not mention exit code $code"; false; }
done
expect_exit 0 "$S3FCP_BIN" --version
assert_one_line "$STDOUT"
grep -qE '[0-9]+\.[0-9]+' "$STDOUT" || { say "--version prints no version number: $(cat "$STDOUT")"; false; }
say "ok"
