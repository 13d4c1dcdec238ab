#!/usr/bin/env bash
# REQUIRES THE LEAD'S INTEGRATION (--profile, the default chain): see creds_common.sh.
# SSO: [sso-session] and legacy profiles, the token from ~/.aws/sso/cache/<sha1>.json, GetRoleCredentials at
# AWS_ENDPOINT_URL_SSO; an expired token says "run aws sso login" and makes no request.
source "$(dirname "$0")/common.sh"
source "$(dirname "$0")/creds_common.sh"
start_moto
start_fake_aws --sso-token sso-token-value-3
mkbucket creds
mkobj creds obj.bin $((1024 * 1024 + 11))
drop_env_keys
export AWS_ENDPOINT_URL_SSO=$FAKE_AWS

sso_home=$TMP/home
mkdir -p "$sso_home/.aws/sso/cache"
cache_file() { echo "$sso_home/.aws/sso/cache/$(printf '%s' "$1" | sha1sum | cut -d' ' -f1).json"; }
cat >"$AWS_CONFIG_FILE" <<INI
[profile new]
sso_session = corp
sso_account_id = 111122223333
sso_role_name = Reader
[sso-session corp]
sso_start_url = https://corp.awsapps.com/start
sso_region = eu-west-1
[profile legacy]
sso_start_url = https://legacy.awsapps.com/start
sso_region = us-east-1
sso_account_id = 111122223333
sso_role_name = Admin
INI
echo '{"accessToken": "sso-token-value-3", "expiresAt": "2099-01-01T00:00:00Z"}' >"$(cache_file corp)"
echo '{"accessToken": "sso-token-value-3", "expiresAt": "2099-01-01T00:00:00Z"}' \
  >"$(cache_file https://legacy.awsapps.com/start)"

HOME=$sso_home fetch_ok creds obj.bin --profile new -q
HOME=$sso_home fetch_ok creds obj.bin --profile legacy -q
assert_fake_count 2 'r["service"] == "sso" and r["status"] == 200'

echo '{"accessToken": "sso-token-value-3", "expiresAt": "2020-01-01T00:00:00Z"}' >"$(cache_file corp)"
HOME=$sso_home expect_exit 4 s3fcp s3://creds/obj.bin --profile new -q
assert_contains "$STDERR" "SSO token expired: run aws sso login --profile new"
assert_not_contains "$STDERR" "sso-token-value-3"
assert_fake_count 2 'r["service"] == "sso"'
say "ok"
