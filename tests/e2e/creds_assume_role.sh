#!/usr/bin/env bash
# REQUIRES THE LEAD'S INTEGRATION (--profile, the default chain): see creds_common.sh.
# role_arn + source_profile: STS AssumeRole at AWS_ENDPOINT_URL_STS, SigV4-signed with the source profile's keys
# (fake_aws.py verifies the signature); AccessDenied stops with exit 4. Short-lived keys are refreshed, but not on
# every request of a many-chunk download.
source "$(dirname "$0")/common.sh"
source "$(dirname "$0")/creds_common.sh"
start_moto
start_fake_aws --known-key AKIDBASE:base-secret-value --expiry-seconds 120
mkbucket creds
mkobj creds obj.bin $((8 * 1024 * 1024 + 5))
drop_env_keys

cat >"$AWS_SHARED_CREDENTIALS_FILE" <<INI
[base]
aws_access_key_id = AKIDBASE
aws_secret_access_key = base-secret-value
INI
cat >"$AWS_CONFIG_FILE" <<INI
[profile dev]
role_arn = arn:aws:iam::123456789012:role/reader
source_profile = base
role_session_name = e2e-session
[profile denied]
role_arn = arn:aws:iam::123456789012:role/denied
source_profile = base
INI
export AWS_ENDPOINT_URL_STS=$FAKE_AWS

# 64 chunks with keys that are inside the 5-minute refresh margin from the start: a few STS calls, not 64.
fetch_ok creds obj.bin --profile dev -q --chunk-size 128KiB -c 4
assert_fake_count 0 'r["action"] == "AssumeRole" and r["status"] != 200'
calls=$(fake_calls 'r["action"] == "AssumeRole"' | wc -l)
((calls >= 1 && calls <= 5)) || { say "expected 1..5 AssumeRole calls, got $calls"; false; }
assert_fake_count "$calls" 'r["signed_by"] == "AKIDBASE" and r["sig_ok"] and r["role_session_name"] == "e2e-session"'

expect_exit 4 s3fcp s3://creds/obj.bin --profile denied -q
assert_contains "$STDERR" "AccessDenied"
assert_not_contains "$STDERR" "base-secret-value"
say "ok"
