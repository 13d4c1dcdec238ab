# shellcheck shell=bash
# Sourced by tests/e2e/creds_*.sh after common.sh (run-all skips *common.sh files).
#
# REQUIRES THE LEAD'S INTEGRATION: these scripts drive the intended CLI: `s3fcp --profile NAME`, the default
# credential chain (make_default_chain in src/resolve/providers.h) in main, and region / endpoint_url /
# addressing_style read from the selected profile. Until that lands they fail at the first s3fcp call.
#
#   start_fake_aws [fake_aws.py args...]   tests/servers/fake_aws.py on a free port; exports FAKE_AWS (its URL,
#                                          https:// with --tls-cert)
#                                          and FAKE_AWS_LOG (its JSON-lines request log); stopped on exit
#   drop_env_keys                          unsets AWS_ACCESS_KEY_ID & co., so the source under test must supply keys
#   fake_calls FILTER                      prints the logged requests matching a Python expression over `r`
#                                          (one JSON object per line), e.g. fake_calls 'r["action"] == "AssumeRole"'
#   assert_fake_count N FILTER             exactly N logged requests match FILTER
#   s3fcp_bare ARGS...                     $S3FCP_BIN ARGS without the --endpoint-url that s3fcp() adds

unset AWS_ENDPOINT_URL_STS AWS_ENDPOINT_URL_SSO AWS_ROLE_SESSION_NAME AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE \
  AWS_EC2_METADATA_SERVICE_ENDPOINT AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE AWS_IGNORE_CONFIGURED_ENDPOINT_URLS
# HOME stays as it is: python3, aws and moto_server may be pyenv shims that need it. Only creds_sso.sh points
# s3fcp (alone) at a private HOME for ~/.aws/sso/cache.

start_fake_aws() {
  local port_file=$TMP/fake_aws.port pid deadline=$((SECONDS + 15))
  FAKE_AWS_LOG=$TMP/fake_aws.jsonl
  python3 "$E2E_ROOT/tests/servers/fake_aws.py" --port-file "$port_file" --log "$FAKE_AWS_LOG" "$@" \
    >"$TMP/fake_aws.stderr" 2>&1 &
  pid=$!
  SERVER_PIDS+=("$pid")
  SERVER_LOGS+=("$TMP/fake_aws.stderr")
  until [[ -s $port_file ]]; do
    kill -0 "$pid" 2>/dev/null || { say "fake_aws.py exited"; return 1; }
    ((SECONDS < deadline)) || { say "fake_aws.py did not start within 15 s"; return 1; }
    sleep 0.05
  done
  local scheme=http
  [[ " $* " != *" --tls-cert "* ]] || scheme=https
  FAKE_AWS=$scheme://127.0.0.1:$(<"$port_file")
  export FAKE_AWS FAKE_AWS_LOG
}

drop_env_keys() {
  unset AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY AWS_SESSION_TOKEN AWS_SECURITY_TOKEN
}

fake_calls() {
  python3 - "$FAKE_AWS_LOG" "$1" <<'PY'
import json, sys
path, expr = sys.argv[1], sys.argv[2]
try:
    lines = open(path, encoding="utf-8").read().splitlines()
except FileNotFoundError:
    lines = []
for line in lines:
    r = json.loads(line)
    if eval(expr, {}, {"r": r}):
        print(line)
PY
}

assert_fake_count() {
  local want=$1 got
  got=$(fake_calls "$2" | wc -l)
  if ((got != want)); then
    say "expected $want fake_aws requests matching [$2], got $got; the log:"
    cat "$FAKE_AWS_LOG" >&9 2>/dev/null || true
    return 1
  fi
}

s3fcp_bare() {
  timeout -k 5 "${S3FCP_TIMEOUT:-300}" "$S3FCP_BIN" "$@"
}
