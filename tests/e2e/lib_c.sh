#!/usr/bin/env bash
# libs3fcp from C, built beside the binary under test (so the ASan+UBSan run checks the library with LeakSanitizer
# too): the example (put from a buffer and a callback, get to a new buffer, through a callback and into the caller's
# buffer, one too small and a max_size that refuse with the object's size, head, list, a copy by S3 read back, a
# missing key, a cancelled call, delete) against moto, at a size read in ranges, one read in one GET and 0 bytes; then the mixed workload
# (60 % reads, 40 % writes from four threads on one client, every byte checked) against moto and against the fault
# server with its strict SigV4 verifier (every request must verify), where each read of an object of at most 6 MB
# is one GET.
source "$(dirname "$0")/common.sh"
source "$(dirname "$0")/fault_common.sh"
BIN_DIR=$(dirname "$S3FCP_BIN")
[[ -x $BIN_DIR/s3fcp_example && -x $BIN_DIR/lib_mixed ]] || { say "no s3fcp_example / lib_mixed in $BIN_DIR"; exit 1; }

start_moto
mkbucket lib
expect_exit 0 "$BIN_DIR/s3fcp_example" "$ENDPOINT" lib $((12 * 1024 * 1024 + 5))
assert_contains "$STDOUT" " ok"
expect_exit 0 "$BIN_DIR/s3fcp_example" "$ENDPOINT" lib 70000
assert_contains "$STDOUT" " ok"
expect_exit 0 "$BIN_DIR/s3fcp_example" "$ENDPOINT" lib 0
expect_exit 0 "$BIN_DIR/lib_mixed" "$ENDPOINT" lib --ops 300 --threads 4 --max-size 200000
assert_contains "$STDOUT" '"wrong": 0'

mkdir -p "$FAULT_DATA/lib"
start_fault_server "" --access-key "$AWS_ACCESS_KEY_ID" --secret-key "$AWS_SECRET_ACCESS_KEY"
expect_exit 0 "$BIN_DIR/lib_mixed" "$ENDPOINT" lib --ops 300 --threads 4 --max-size 6000000
assert_contains "$STDOUT" '"failures": 0'
assert_requests -eq 0 "sig != 'ok'"
assert_requests -gt 300
# A whole object up to 8 MiB is one GET (no probe, no second range, no HEAD): as many GETs as reads.
reads=$(python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["reads"])' "$STDOUT")
assert_requests -eq "$reads" "op == 'get'"
say "ok ($(cat "$STDOUT"))"
