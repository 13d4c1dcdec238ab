#!/usr/bin/env bash
# REQUIRES THE LEAD'S INTEGRATION (the default chain in main): see creds_common.sh.
# EC2 IMDSv2: token PUT, role name, role credentials, all from fake_aws.py via AWS_EC2_METADATA_SERVICE_ENDPOINT;
# IMDS also supplies the region when nothing else does. AWS_EC2_METADATA_DISABLED=true turns it off.
source "$(dirname "$0")/common.sh"
source "$(dirname "$0")/creds_common.sh"
start_moto
start_fake_aws --region us-east-1
mkbucket creds
mkobj creds obj.bin $((2 * 1024 * 1024 + 1))
drop_env_keys
unset AWS_DEFAULT_REGION

unset AWS_EC2_METADATA_DISABLED
export AWS_EC2_METADATA_SERVICE_ENDPOINT=$FAKE_AWS
fetch_ok creds obj.bin -q
assert_fake_count 1 'r["path"] == "/latest/meta-data/iam/security-credentials/s3fcp-imds-role" and r["status"] == 200'
assert_fake_count 0 'r["service"] == "imds" and r["status"] == 401'  # every GET carried the session token

export AWS_EC2_METADATA_DISABLED=true
expect_exit 4 s3fcp s3://creds/obj.bin -q
assert_contains "$STDERR" "IMDS (disabled)"
assert_contains "$STDERR" "no credentials found: tried"
say "ok"
