#!/usr/bin/env bash
# REQUIRES THE LEAD'S INTEGRATION (--profile, the default chain): see creds_common.sh.
# AssumeRoleWithWebIdentity (unsigned) from AWS_WEB_IDENTITY_TOKEN_FILE + AWS_ROLE_ARN (EKS IRSA style) and from a
# profile's role_arn + web_identity_token_file; a token STS rejects stops with exit 4 and is never printed.
source "$(dirname "$0")/common.sh"
source "$(dirname "$0")/creds_common.sh"
start_moto
start_fake_aws --web-identity-token jwt-token-value-7
mkbucket creds
mkobj creds obj.bin $((1024 * 1024 + 9))
drop_env_keys
export AWS_ENDPOINT_URL_STS=$FAKE_AWS

printf 'jwt-token-value-7' >"$TMP/token"
export AWS_WEB_IDENTITY_TOKEN_FILE=$TMP/token AWS_ROLE_ARN=arn:aws:iam::1:role/irsa AWS_ROLE_SESSION_NAME=irsa-e2e
fetch_ok creds obj.bin -q
assert_fake_count 1 'r["action"] == "AssumeRoleWithWebIdentity" and r["role_session_name"] == "irsa-e2e" and r["status"] == 200'
unset AWS_WEB_IDENTITY_TOKEN_FILE AWS_ROLE_ARN AWS_ROLE_SESSION_NAME

cat >"$AWS_CONFIG_FILE" <<INI
[profile wi]
role_arn = arn:aws:iam::1:role/from-profile
web_identity_token_file = $TMP/token
INI
fetch_ok creds obj.bin --profile wi -q
assert_fake_count 1 'r["role_arn"] == "arn:aws:iam::1:role/from-profile" and r["status"] == 200'

printf 'forged-token-value' >"$TMP/token"
expect_exit 4 s3fcp s3://creds/obj.bin --profile wi -q
assert_contains "$STDERR" "InvalidIdentityToken"
assert_not_contains "$STDERR" "forged-token-value"
say "ok"
