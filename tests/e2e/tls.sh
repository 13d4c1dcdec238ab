#!/usr/bin/env bash
# https end to end: moto behind TLS with a certificate from a CA of the test's own, which no system trusts.
# - Without being told the CA, s3fcp refuses the endpoint (exit 1, one line naming the ways to trust a CA).
# - The CA is taken, as the AWS CLI takes it, from --ca-bundle, else AWS_CA_BUNDLE, else the profile's ca_bundle;
#   a CA that did not sign the certificate is refused, and so is the right CA for a host the certificate does not
#   name. A bundle that cannot be read is a usage error before any request.
# - --no-verify-ssl connects anyway, with a warning line.
# - Downloads (ranged, in parallel), uploads (multipart) and many objects all go over the same TLS settings, and so
#   does the library (s3fcp_config.ca_bundle), with its mixed workload.
# - The credential calls trust the same CAs: STS AssumeRole over https.
# shellcheck source=SCRIPTDIR/common.sh
source "$(dirname "$0")/common.sh"
# shellcheck source=SCRIPTDIR/creds_common.sh
source "$(dirname "$0")/creds_common.sh"

command -v openssl >/dev/null || { say "openssl not in PATH"; exit 1; }
PKI=$TMP/pki
mkdir -p "$PKI"
# make_ca NAME: a self-signed CA, NAME.pem and NAME.key.
make_ca() {
  openssl req -x509 -newkey rsa:2048 -nodes -keyout "$PKI/$1.key" -out "$PKI/$1.pem" -days 2 \
    -subj "/CN=s3fcp e2e $1" 2>/dev/null
}
make_ca ca
make_ca other
openssl req -newkey rsa:2048 -nodes -keyout "$PKI/server.key" -out "$PKI/server.csr" -subj "/CN=127.0.0.1" 2>/dev/null
echo "subjectAltName=IP:127.0.0.1" >"$PKI/ext"  # 127.0.0.1 only: "localhost" is a name it does not carry
openssl x509 -req -in "$PKI/server.csr" -CA "$PKI/ca.pem" -CAkey "$PKI/ca.key" -CAcreateserial \
  -out "$PKI/server.pem" -days 2 -extfile "$PKI/ext" 2>/dev/null

# wait_http over TLS, trusting the test's CA.
wait_https() {
  local url=$1 pid=$2 deadline=$((SECONDS + 30))
  until curl -s -o /dev/null --max-time 2 --cacert "$PKI/ca.pem" "$url"; do
    kill -0 "$pid" 2>/dev/null || return 1
    ((SECONDS < deadline)) || { say "no answer from $url within 30 s"; return 1; }
    sleep 0.05
  done
}

start_tls_moto() {
  local attempt port log pid
  for attempt in 1 2 3; do
    port=$(free_port)
    log=$TMP/moto-tls-$port.log
    moto_server -H 127.0.0.1 -p "$port" -c "$PKI/server.pem" -k "$PKI/server.key" >"$log" 2>&1 &
    pid=$!
    SERVER_PIDS+=("$pid")
    SERVER_LOGS+=("$log")
    if wait_https "https://127.0.0.1:$port/moto-api/" "$pid"; then
      export ENDPOINT=https://127.0.0.1:$port PORT=$port
      return 0
    fi
    say "moto_server (TLS) on port $port did not come up (attempt $attempt)"
    kill "$pid" 2>/dev/null || true
  done
  return 1
}
start_tls_moto
CA=$PKI/ca.pem
awsl() { aws --endpoint-url "$ENDPOINT" --ca-bundle "$CA" "$@"; }
mkbucket tls
mkobj tls big.bin $((3 * 1024 * 1024 + 5))
mkobj tls dir/a.txt 1000
mkobj tls dir/b.txt 0

# No CA given: the system's CAs do not know this one.
expect_exit 1 s3fcp s3://tls/big.bin
assert_empty "$STDOUT"
assert_one_line "$STDERR"
assert_contains "$STDERR" "certificate"
assert_contains "$STDERR" "--ca-bundle FILE, AWS_CA_BUNDLE or the profile's ca_bundle"

# --ca-bundle: a ranged download in parallel, byte for byte.
fetch_ok tls big.bin --ca-bundle "$CA" --chunk-size 1MiB -c 4 -q
assert_empty "$STDERR"

# AWS_CA_BUNDLE, as the AWS CLI reads it.
AWS_CA_BUNDLE=$CA expect_exit 0 s3fcp s3://tls/dir/a.txt -q
assert_sha "$STDOUT" "$(local_path tls dir/a.txt)"

# The profile's ca_bundle, for a many-object download.
printf '[default]\nca_bundle = %s\n' "$CA" >"$AWS_CONFIG_FILE"
expect_exit 0 s3fcp -r s3://tls/dir/ "$TMP/many/" -q
assert_sha "$TMP/many/a.txt" "$(local_path tls dir/a.txt)"
assert_sha "$TMP/many/b.txt" "$(local_path tls dir/b.txt)"
# AWS_CA_BUNDLE wins over the profile, and --ca-bundle over both: each names the wrong CA in turn.
AWS_CA_BUNDLE=$PKI/other.pem expect_exit 1 s3fcp s3://tls/dir/a.txt -q
assert_contains "$STDERR" "certificate"
AWS_CA_BUNDLE=$CA expect_exit 1 s3fcp s3://tls/dir/a.txt -q --ca-bundle "$PKI/other.pem"
assert_contains "$STDERR" "certificate"
: >"$AWS_CONFIG_FILE"

# The right CA, but a host name the certificate does not carry: refused (the host is checked, not only the chain).
expect_exit 1 "$S3FCP_BIN" --endpoint-url "https://localhost:$PORT" s3://tls/dir/a.txt -q --ca-bundle "$CA"
assert_one_line "$STDERR"
assert_contains "$STDERR" "localhost"

# A bundle that cannot be read: one usage error, before any request.
expect_exit 2 s3fcp s3://tls/dir/a.txt --ca-bundle "$PKI/missing.pem"
assert_one_line "$STDERR"
assert_contains "$STDERR" "cannot read the CA bundle $PKI/missing.pem"
expect_exit 2 s3fcp s3://tls/dir/a.txt --ca-bundle "$CA" --no-verify-ssl
assert_contains "$STDERR" "not both"

# --no-verify-ssl: connects, and says so (not with -q).
expect_exit 0 s3fcp s3://tls/dir/a.txt --no-verify-ssl
assert_sha "$STDOUT" "$(local_path tls dir/a.txt)"
assert_contains "$STDERR" "warning: --no-verify-ssl"
expect_exit 0 s3fcp s3://tls/dir/a.txt --no-verify-ssl -q
assert_empty "$STDERR"

# An upload over TLS: a multipart upload of a file, then a stream, both read back with aws-cli.
head -c $((11 * 1024 * 1024)) /dev/urandom >"$TMP/up.bin"
expect_exit 0 s3fcp "$TMP/up.bin" s3://tls/up.bin --ca-bundle "$CA" --chunk-size 5MiB -q
awsl s3 cp s3://tls/up.bin "$TMP/up.back" --quiet
assert_sha "$TMP/up.back" "$TMP/up.bin"
expect_exit 0 s3fcp - s3://tls/stream.bin --ca-bundle "$CA" -q <"$TMP/up.bin"
awsl s3 cp s3://tls/stream.bin "$TMP/stream.back" --quiet
assert_sha "$TMP/stream.back" "$TMP/up.bin"
assert_no_mpu tls

# run: the CA is the run's to give; a line that gives one is refused on its own.
printf 'cp s3://tls/dir/a.txt %s/run/a.txt\ncp --ca-bundle %s s3://tls/dir/b.txt %s/run/b.txt\n' \
  "$TMP" "$CA" "$TMP" >"$TMP/ops.txt"
expect_exit 11 s3fcp run "$TMP/ops.txt" --ca-bundle "$CA" -q
assert_sha "$TMP/run/a.txt" "$(local_path tls dir/a.txt)"
assert_contains "$STDERR" "--ca-bundle applies to the whole run"
[[ ! -e $TMP/run/b.txt ]] || { say "a refused run line was copied"; false; }

# STS over https (AssumeRole for a profile's role_arn) trusts what S3 trusts.
start_fake_aws --known-key AKIDBASE:base-secret-value --tls-cert "$PKI/server.pem" --tls-key "$PKI/server.key"
[[ $FAKE_AWS == https://* ]] || { say "fake_aws is not on https: $FAKE_AWS"; false; }
printf '[base]\naws_access_key_id = AKIDBASE\naws_secret_access_key = base-secret-value\n' \
  >"$AWS_SHARED_CREDENTIALS_FILE"
printf '[profile role]\nrole_arn = arn:aws:iam::123456789012:role/reader\nsource_profile = base\n' >"$AWS_CONFIG_FILE"
AWS_ENDPOINT_URL_STS=$FAKE_AWS expect_exit 0 s3fcp s3://tls/dir/a.txt --profile role --ca-bundle "$CA" -q
assert_sha "$STDOUT" "$(local_path tls dir/a.txt)"
assert_fake_count 1 'r["action"] == "AssumeRole" and r["status"] == 200 and r["sig_ok"]'
AWS_ENDPOINT_URL_STS=$FAKE_AWS expect_exit 4 s3fcp s3://tls/dir/a.txt --profile role --no-verify-ssl -q
assert_contains "$STDERR" "certificate"
assert_fake_count 1 'r["action"] == "AssumeRole"'
: >"$AWS_CONFIG_FILE"
: >"$AWS_SHARED_CREDENTIALS_FILE"

# The library: s3fcp_config.ca_bundle, else AWS_CA_BUNDLE.
BIN_DIR=$(dirname "$S3FCP_BIN")
[[ -x $BIN_DIR/lib_mixed ]] || { say "no lib_mixed in $BIN_DIR"; exit 1; }
expect_exit 0 "$BIN_DIR/lib_mixed" "$ENDPOINT" tls --ops 40 --threads 2 --max-size 200000 --ca-bundle "$CA"
assert_contains "$STDOUT" '"wrong": 0'
assert_contains "$STDOUT" '"failures": 0'
AWS_CA_BUNDLE=$CA expect_exit 0 "$BIN_DIR/lib_mixed" "$ENDPOINT" tls --ops 20 --threads 2 --max-size 200000
assert_contains "$STDOUT" '"failures": 0'
expect_exit 1 "$BIN_DIR/lib_mixed" "$ENDPOINT" tls --ops 20 --threads 2 --max-size 200000
assert_contains "$STDERR" "certificate"
say "ok"
