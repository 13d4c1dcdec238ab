#!/usr/bin/env bash
# REQUIRES THE LEAD'S INTEGRATION (--profile, the default chain, endpoint/region from the profile): see creds_common.sh.
# Static keys from ~/.aws/credentials [NAME] and ~/.aws/config [profile NAME], chosen by --profile or AWS_PROFILE;
# the profile's endpoint_url (top-level and [services] s3) and addressing_style; a missing profile is an error.
source "$(dirname "$0")/common.sh"
source "$(dirname "$0")/creds_common.sh"
start_moto
mkbucket creds
mkobj creds obj.bin $((3 * 1024 * 1024 + 7))
drop_env_keys

cat >"$AWS_SHARED_CREDENTIALS_FILE" <<INI
[dev]
aws_access_key_id = AKIDPROFILEDEV
aws_secret_access_key = dev-secret-value
INI
cat >"$AWS_CONFIG_FILE" <<INI
[profile cfg]
aws_access_key_id = AKIDPROFILECFG ; inline comment
aws_secret_access_key = cfg-secret-value
region = us-east-1

[profile local]
aws_access_key_id = AKIDLOCAL
aws_secret_access_key = local-secret-value
endpoint_url = $ENDPOINT
s3 =
  addressing_style = path

[profile svc]
aws_access_key_id = AKIDSVC
aws_secret_access_key = svc-secret-value
services = moto

[services moto]
s3 =
  endpoint_url = $ENDPOINT
INI

fetch_ok creds obj.bin --profile dev -q --chunk-size 1MiB
fetch_ok creds obj.bin --profile cfg -q
AWS_PROFILE=dev fetch_ok creds obj.bin -q

# The endpoint comes from the profile when no --endpoint-url / AWS_ENDPOINT_URL* is given.
expect_exit 0 s3fcp_bare s3://creds/obj.bin --profile local -q
assert_sha "$STDOUT" "$(local_path creds obj.bin)"
expect_exit 0 s3fcp_bare s3://creds/obj.bin --profile svc -q
assert_sha "$STDOUT" "$(local_path creds obj.bin)"

# A profile named explicitly must exist; the message names it and never a key.
expect_exit 4 s3fcp s3://creds/obj.bin --profile nope -q
assert_contains "$STDERR" "profile 'nope'"
assert_not_contains "$STDERR" "secret-value"
say "ok"
