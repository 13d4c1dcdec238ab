#!/usr/bin/env bash
# REQUIRES THE LEAD'S INTEGRATION (--profile, the default chain): see creds_common.sh.
# credential_process: run through /bin/sh -c, JSON Version 1 on stdout; a failing process stops the chain (exit 4).
source "$(dirname "$0")/common.sh"
source "$(dirname "$0")/creds_common.sh"
start_moto
mkbucket creds
mkobj creds obj.bin $((2 * 1024 * 1024))
drop_env_keys

cat >"$TMP/creds.sh" <<SH
#!/bin/sh
touch "$TMP/process-ran"
echo "credential helper says hi" >&2
printf '%s' '{"Version": 1, "AccessKeyId": "AKIDPROCESS", "SecretAccessKey": "process-secret-value",
  "SessionToken": "process-token-value", "Expiration": "2099-01-01T00:00:00Z"}'
SH
cat >"$AWS_CONFIG_FILE" <<INI
[profile proc]
credential_process = /bin/sh "$TMP/creds.sh" --arg=with=equals
[profile broken]
credential_process = /bin/sh -c 'exit 7'
[profile badjson]
credential_process = echo '{"Version": 2}'
INI

fetch_ok creds obj.bin --profile proc -q
[[ -e $TMP/process-ran ]]
expect_exit 4 s3fcp s3://creds/obj.bin --profile broken -q
assert_contains "$STDERR" "credential_process exited with status 7"
expect_exit 4 s3fcp s3://creds/obj.bin --profile badjson -q
assert_contains "$STDERR" "only 1 is supported"
say "ok"
