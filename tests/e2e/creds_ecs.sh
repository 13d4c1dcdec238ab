#!/usr/bin/env bash
# REQUIRES THE LEAD'S INTEGRATION (the default chain in main): see creds_common.sh.
# ECS / EKS Pod Identity: AWS_CONTAINER_CREDENTIALS_FULL_URI on loopback with the Authorization token from
# AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE (preferred) or _TOKEN; a wrong token stops the chain without printing it;
# a non-local http host is refused before any request.
source "$(dirname "$0")/common.sh"
source "$(dirname "$0")/creds_common.sh"
start_moto
start_fake_aws --ecs-token ecs-token-value-42
mkbucket creds
mkobj creds obj.bin $((2 * 1024 * 1024 + 3))
drop_env_keys

export AWS_CONTAINER_CREDENTIALS_FULL_URI=$FAKE_AWS/ecs/auth/v1/credentials
printf 'ecs-token-value-42' >"$TMP/token"
export AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE=$TMP/token
export AWS_CONTAINER_AUTHORIZATION_TOKEN=wrong-token-value
fetch_ok creds obj.bin -q
assert_fake_count 1 'r["service"] == "ecs" and r["status"] == 200'

unset AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE
expect_exit 4 s3fcp s3://creds/obj.bin -q
assert_contains "$STDERR" "HTTP 401"
assert_not_contains "$STDERR" "wrong-token-value"

export AWS_CONTAINER_CREDENTIALS_FULL_URI=http://credentials.example.com/creds
expect_exit 4 s3fcp s3://creds/obj.bin -q
assert_contains "$STDERR" "is not allowed"
say "ok"
