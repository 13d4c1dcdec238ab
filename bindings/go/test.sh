#!/usr/bin/env bash
# Vets and tests the Go bindings (package s3fcp/objstore, both backends) against libs3fcp as installed from a build:
#   bindings/go/test.sh [BUILD_DIR [GO_TEST_FLAGS...]]      BUILD_DIR: a configured and built tree (default build)
# The library is installed into a temporary prefix (cmake --install) and the package built in GOPATH mode with
# Debian's Go sources (env.sh). The tests start moto_server (on PATH) unless S3FCP_TEST_ENDPOINT names an S3
# endpoint. GOCACHE defaults to ~/.cache/s3fcp-go, so that a rerun compiles only this package. Go's own output is
# printed; the exit status is go vet's or go test's.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
go_setup "${1:-}"
shift $(($# > 0 ? 1 : 0))
if [[ -z ${S3FCP_TEST_ENDPOINT:-} ]] && ! command -v moto_server >/dev/null; then
  fail "moto_server not found in PATH and S3FCP_TEST_ENDPOINT not set: the tests need an S3 endpoint"
fi
cd "$go_pkg_dir"
go vet s3fcp/objstore
go test -count=1 -timeout 20m "$@" s3fcp/objstore
