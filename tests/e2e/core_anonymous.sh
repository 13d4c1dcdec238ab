#!/usr/bin/env bash
# --no-sign-request sends no credentials; -v never prints a secret, a session token or a signature.
#
# moto does not verify SigV4 signatures (any signed request passes), but it does tell anonymous requests from
# signed ones: an object without a public ACL answers an unsigned GET with 403. That makes "no Authorization
# header was sent" observable: the private object below must fail with exit 4 under --no-sign-request.
# shellcheck source=SCRIPTDIR/common.sh
source "$(dirname "$0")/common.sh"
start_moto
mkbucket anon
mkobj anon public.bin $((200 * 1024 + 3)) --acl public-read
mkobj anon private.bin 1000

fetch_ok anon public.bin --no-sign-request --chunk-size 64KiB -c 4 -q
assert_empty "$STDERR"

# No credentials in the environment at all: --no-sign-request must not need any.
without_credentials() { (unset AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY AWS_SESSION_TOKEN && "$@"); }
expect_exit 0 without_credentials s3fcp s3://anon/public.bin --no-sign-request -q
assert_sha "$STDOUT" "$(local_path anon public.bin)"

expect_exit 4 s3fcp s3://anon/private.bin --no-sign-request
assert_empty "$STDOUT"
assert_one_line "$STDERR"

# -v logs requests on stderr; the object bytes on stdout stay exact.
export AWS_SECRET_ACCESS_KEY=SENTINELSECRET AWS_SESSION_TOKEN=SENTINELTOKEN
fetch_ok anon public.bin --no-sign-request --chunk-size 64KiB -c 4 -v
[[ -s $STDERR ]] || { say "-v printed nothing"; false; }
assert_not_contains "$STDERR" "authorization:"
assert_not_contains "$STDERR" SENTINELSECRET
assert_not_contains "$STDERR" SENTINELTOKEN

# Signed, with a session token: the secret, the token and the signature never appear.
fetch_ok anon private.bin -v
[[ -s $STDERR ]] || { say "-v printed nothing"; false; }
assert_not_contains "$STDERR" SENTINELSECRET
assert_not_contains "$STDERR" SENTINELTOKEN
assert_not_contains "$STDERR" "Signature="
say "ok"
