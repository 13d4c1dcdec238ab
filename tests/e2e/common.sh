# shellcheck shell=bash
# Sourced by every tests/e2e/*.sh. Gives each test strict mode, an error trap that names the failing command and
# line, a private temp dir, an isolated AWS environment, and helpers to run moto_server and s3fcp:
#
#   start_moto                  moto_server on a free 127.0.0.1 port; exports ENDPOINT; stopped on exit
#   awsl ARGS...                aws-cli against $ENDPOINT (dummy credentials, us-east-1)
#   mkbucket BUCKET [--versioned]
#   mkobj BUCKET KEY SIZE [put-object args...]
#                               random SIZE-byte file uploaded as BUCKET/KEY; its local copy is $OBJ and
#                               local_path BUCKET KEY; the version id (if any) is $OBJ_VERSION
#   s3fcp ARGS...               $S3FCP_BIN --endpoint-url $ENDPOINT ARGS (killed after $S3FCP_TIMEOUT s, 120)
#   expect_exit CODE CMD...     runs CMD with stdout in $STDOUT and stderr in $STDERR, fails unless it exits CODE
#   fetch_ok BUCKET KEY ARGS... expect_exit 0 s3fcp s3://BUCKET/KEY ARGS, then sha256-compare with the local copy
#   assert_sha A B · assert_one_line F · assert_empty F · assert_contains F TEXT · assert_not_contains F TEXT
#   head_is BUCKET KEY EXPR     the Python expression EXPR holds over h (head-object's JSON) and t (the object's tags as
#                               a dict), both read with aws-cli
#   mpu_count BUCKET            multipart uploads in progress in BUCKET (ListMultipartUploads through aws-cli; works
#                               against moto and the fault server)
#   assert_no_mpu BUCKET        fails unless mpu_count BUCKET is 0, naming the uploads left
#
# S3FCP_BIN selects the binary (default build/s3fcp; relative paths are taken from the repo root), so the same
# scripts run against build-asan/s3fcp. S3FCP_E2E_KEEP=1 keeps the temp dir of a failed test.

set -euo pipefail
set -o errtrace

E2E_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
TEST_NAME=$(basename "$0" .sh)

S3FCP_BIN=${S3FCP_BIN:-build/s3fcp}
[[ $S3FCP_BIN == /* ]] || S3FCP_BIN=$E2E_ROOT/$S3FCP_BIN
export S3FCP_BIN

# fd 9 is the test's real stderr: helper diagnostics go there even while the caller redirects fd 2.
exec 9>&2

TMP=$(mktemp -d "${TMPDIR:-/tmp}/s3fcp-e2e-$TEST_NAME.XXXXXX")
STDOUT=$TMP/stdout
STDERR=$TMP/stderr
SERVER_PIDS=()
SERVER_LOGS=()
declare -A LOCAL_FILES=()
OBJ=""
OBJ_VERSION=""
OBJ_COUNT=0

say() { echo "[$TEST_NAME] $*" >&9; }

on_err() {
  local status=$1 line=$2 cmd=$3 file=${BASH_SOURCE[1]} text
  # $BASH_COMMAND is only the last simple command ("return 1" for a failed assertion): show the source line too.
  text=$(sed -n "${line}{s/^[[:space:]]*//;p}" "$file" 2>/dev/null || true)
  # A failure inside $(...) reports there; the outer shell then reports the command substitution too.
  echo "[$TEST_NAME] FAILED (status $status) at ${file##*/}:$line: ${text:-$cmd}" >&9
  [[ -z $text || $text == *"$cmd"* ]] || echo "    last command: $cmd" >&9
  local i
  for ((i = 1; i < ${#FUNCNAME[@]} - 1; i++)); do
    echo "    from ${FUNCNAME[i]}() at ${BASH_SOURCE[i + 1]##*/}:${BASH_LINENO[i]}" >&9
  done
}
trap 'on_err $? $LINENO "$BASH_COMMAND"' ERR

on_exit() {
  local status=$?
  stop_servers
  if ((status != 0)); then
    local log
    for log in "${SERVER_LOGS[@]}"; do
      [[ -s $log ]] || continue
      echo "---- last lines of ${log##*/} ----" >&9
      tail -n 15 "$log" >&9
    done
  fi
  if ((status != 0)) && [[ ${S3FCP_E2E_KEEP:-} == 1 ]]; then
    echo "[$TEST_NAME] kept $TMP" >&9
  else
    rm -rf "$TMP"
  fi
  exit "$status"
}
trap on_exit EXIT

# --- an AWS environment that cannot reach anything real ----------------------------------------------------------
unset AWS_PROFILE AWS_DEFAULT_PROFILE AWS_SESSION_TOKEN AWS_SECURITY_TOKEN AWS_ENDPOINT_URL AWS_ENDPOINT_URL_S3 \
  AWS_REGION AWS_ROLE_ARN AWS_WEB_IDENTITY_TOKEN_FILE AWS_CONTAINER_CREDENTIALS_RELATIVE_URI \
  AWS_CONTAINER_CREDENTIALS_FULL_URI AWS_CONTAINER_AUTHORIZATION_TOKEN AWS_CA_BUNDLE
export AWS_ACCESS_KEY_ID=AKIDE2ETEST AWS_SECRET_ACCESS_KEY=e2e-test-secret AWS_DEFAULT_REGION=us-east-1
export AWS_CONFIG_FILE=$TMP/aws-config AWS_SHARED_CREDENTIALS_FILE=$TMP/aws-credentials
# Never let the credential chain try EC2 instance metadata: that is not a loopback address.
export AWS_EC2_METADATA_DISABLED=true
export NO_PROXY='*' no_proxy='*'
unset http_proxy https_proxy HTTP_PROXY HTTPS_PROXY ALL_PROXY all_proxy
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

# --- servers ------------------------------------------------------------------------------------------------------
free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# wait_http URL PID: polls URL until anything answers; fails if PID dies or 30 s pass.
wait_http() {
  local url=$1 pid=$2 deadline=$((SECONDS + 30))
  until curl -s -o /dev/null --max-time 2 "$url"; do
    kill -0 "$pid" 2>/dev/null || return 1
    if ((SECONDS >= deadline)); then
      say "no answer from $url within 30 s"
      return 1
    fi
    sleep 0.05
  done
}

start_moto() {
  command -v moto_server >/dev/null || { say "moto_server not in PATH (see scripts/setup)"; return 1; }
  local attempt port log pid
  # A free port can be taken by a parallel test before moto binds it: try again on another one.
  for attempt in 1 2 3; do
    port=$(free_port)
    log=$TMP/moto-$port.log
    moto_server -H 127.0.0.1 -p "$port" >"$log" 2>&1 &
    pid=$!
    SERVER_PIDS+=("$pid")
    SERVER_LOGS+=("$log")
    if wait_http "http://127.0.0.1:$port/moto-api/" "$pid"; then
      export ENDPOINT=http://127.0.0.1:$port
      return 0
    fi
    say "moto_server on port $port did not come up (attempt $attempt):"
    tail -n 5 "$log" >&9
    kill "$pid" 2>/dev/null || true
  done
  return 1
}

stop_servers() {
  local pid
  for pid in "${SERVER_PIDS[@]}"; do
    kill "$pid" 2>/dev/null || true
  done
  for pid in "${SERVER_PIDS[@]}"; do
    wait "$pid" 2>/dev/null || true
  done
  SERVER_PIDS=()
}

# --- fixtures -----------------------------------------------------------------------------------------------------
awsl() { aws --endpoint-url "$ENDPOINT" "$@"; }

mkbucket() {
  awsl s3api create-bucket --bucket "$1" >/dev/null
  if [[ ${2:-} == --versioned ]]; then
    awsl s3api put-bucket-versioning --bucket "$1" --versioning-configuration Status=Enabled
  fi
}

mkobj() {
  local bucket=$1 key=$2 size=$3
  shift 3
  OBJ_COUNT=$((OBJ_COUNT + 1))
  OBJ=$TMP/obj-$OBJ_COUNT.bin
  head -c "$size" /dev/urandom >"$OBJ"
  OBJ_VERSION=$(awsl s3api put-object --bucket "$bucket" --key "$key" --body "$OBJ" "$@" \
    --query VersionId --output text)
  [[ $OBJ_VERSION != None ]] || OBJ_VERSION=""
  LOCAL_FILES["$bucket/$key"]=$OBJ
}

head_is() {
  awsl s3api head-object --bucket "$1" --key "$2" --output json >"$TMP/head.json"
  awsl s3api get-object-tagging --bucket "$1" --key "$2" --output json >"$TMP/tags.json"
  python3 - "$3" "$TMP/head.json" "$TMP/tags.json" <<'PY'
import json, sys
h, tags = (json.load(open(p)) for p in sys.argv[2:4])
t = {x["Key"]: x["Value"] for x in tags["TagSet"]}
if not eval("(" + sys.argv[1] + ")"):
    sys.exit(f"not [{sys.argv[1]}]:\n  head {h}\n  tags {t}")
PY
}

local_path() {
  local p=${LOCAL_FILES["$1/$2"]:-}
  [[ -n $p ]] || { say "no local copy of $1/$2"; return 1; }
  echo "$p"
}

# mpu_count BUCKET: the multipart uploads in progress (one line each, "KEY UPLOAD_ID", on fd 9 with MPU_VERBOSE=1).
mpu_count() {
  local listing
  listing=$(awsl s3api list-multipart-uploads --bucket "$1" --output text \
    --query 'Uploads[].[Key, UploadId]') || return 1
  [[ $listing == None ]] && listing=""
  [[ -z ${MPU_VERBOSE:-} || -z $listing ]] || echo "$listing" >&9
  grep -c . <<<"$listing" || true
}

assert_no_mpu() {
  local n
  n=$(MPU_VERBOSE=1 mpu_count "$1")
  ((n == 0)) || { say "$n multipart upload(s) left in $1 (listed above)"; return 1; }
}

# --- running s3fcp ------------------------------------------------------------------------------------------------
s3fcp() {
  # A hang guard: the slowest download here (100 MiB from moto under ASan) takes well under a minute.
  timeout -k 5 "${S3FCP_TIMEOUT:-120}" "$S3FCP_BIN" --endpoint-url "$ENDPOINT" "$@"
}

expect_exit() {
  local want=$1 got=0
  shift
  "$@" >"$STDOUT" 2>"$STDERR" || got=$?
  if ((got != want)); then
    local hint=""
    ((got != 124)) || hint=" (124: killed by the ${S3FCP_TIMEOUT:-120} s hang guard, S3FCP_TIMEOUT)"
    say "expected exit $want, got $got$hint: $*"
    say "stderr: $(head -c 2000 "$STDERR")"
    say "stdout: $(stat -c %s "$STDOUT") bytes"
    return 1
  fi
}

fetch_ok() {
  local bucket=$1 key=$2
  shift 2
  expect_exit 0 s3fcp "s3://$bucket/$key" "$@"
  assert_sha "$STDOUT" "$(local_path "$bucket" "$key")"
}

# --- assertions ---------------------------------------------------------------------------------------------------
assert_sha() {
  local a b
  a=$(sha256sum <"$1") b=$(sha256sum <"$2")
  if [[ $a != "$b" ]]; then
    say "sha256 differs: $1 ($(stat -c %s "$1") bytes) vs $2 ($(stat -c %s "$2") bytes)"
    cmp "$1" "$2" 2>&1 | head -n 1 >&9 || true
    return 1
  fi
}

assert_empty() {
  if [[ -s $1 ]]; then
    say "expected $1 to be empty, it has $(stat -c %s "$1") bytes: $(head -c 500 "$1")"
    return 1
  fi
}

assert_one_line() {
  local lines
  lines=$(wc -l <"$1")
  if [[ $lines != 1 || $(tail -c 1 "$1" | od -An -c | tr -d ' ') != '\n' || $(head -n 1 "$1") == "" ]]; then
    say "expected exactly one non-empty line in $1, got $lines:"
    head -c 2000 "$1" >&9
    return 1
  fi
}

assert_contains() {
  if ! grep -qF -- "$2" "$1"; then
    say "expected $1 to contain '$2'; it has: $(head -c 1000 "$1")"
    return 1
  fi
}

assert_not_contains() {
  if grep -qiF -- "$2" "$1"; then
    say "expected $1 not to contain '$2' (case-insensitive); found: $(grep -iF -- "$2" "$1" | head -n 3)"
    return 1
  fi
}

[[ -x $S3FCP_BIN ]] || { say "binary $S3FCP_BIN not found or not executable (scripts/build first)"; exit 1; }
