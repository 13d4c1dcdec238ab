#!/usr/bin/env bash
# Runs the Go backend plan's benchmarks (objstore/bench_test.go) with each case and each backend in a process of
# its own, so that the peak RSS and CPU time measured are that backend's alone, alternating the backends run after
# run, and prints every run's line and then a table of medians (bench_table.py).
#   bindings/go/bench.sh [BUILD_DIR]
# The endpoints come from the environment, as bench_test.go documents (S3FCP_BENCH_ENDPOINT,
# S3FCP_BENCH_UPLOAD_ENDPOINT, ...); cases without their endpoint are skipped. Also:
#   S3FCP_BENCH_RUNS      runs per case and backend (default 3)
#   S3FCP_BENCH_CASES     the cases, space-separated (default: all, as below)
#   S3FCP_BENCH_BACKENDS  default "aws-sdk-v2 s3fcp"
#   S3FCP_BENCH_UPLOAD_DATA  the upload endpoint's data folder (bench/sink.sh's DATA_DIR), if it is to be emptied of
#                         this script's objects and parts after every run (they would fill the tmpfs otherwise)
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
go_setup "${1:-}"
runs=${S3FCP_BENCH_RUNS:-3}
cases=${S3FCP_BENCH_CASES:-Upload1GiB UploadStream1GiB Download1GiB DownloadStream1GiB ManyPut1MiB ManyGet1MiB Mixed}
backends=${S3FCP_BENCH_BACKENDS:-aws-sdk-v2 s3fcp}
export AWS_EC2_METADATA_DISABLED=true

(cd "$go_pkg_dir" && go test -c -o "$go_tmp/objstore.test" s3fcp/objstore)

clean_sink() {
  [[ -n ${S3FCP_BENCH_UPLOAD_DATA:-} ]] || return 0
  local bucket=${S3FCP_BENCH_UPLOAD_BUCKET:-${S3FCP_BENCH_BUCKET:-bench}}
  rm -rf "${S3FCP_BENCH_UPLOAD_DATA:?}/$bucket/go-bench"
  find "$S3FCP_BENCH_UPLOAD_DATA/.mpu" -mindepth 1 -maxdepth 1 -exec rm -rf {} + 2>/dev/null || true
  # A completed multipart upload stays as its parts under .completed/<id>, with its bucket/key in `key`.
  local done
  for done in "$S3FCP_BENCH_UPLOAD_DATA"/.completed/*/; do
    [[ -f $done/key && $(<"$done/key") == "$bucket/go-bench/"* ]] && rm -rf "$done"
  done
  return 0
}

results=$go_tmp/results.txt
failed=0
: >"$results"
for c in $cases; do
  for ((run = 1; run <= runs; run++)); do
    for be in $backends; do
      clean_sink
      # -test.benchtime 1x: one 1 GiB transfer, one batch of 1000 objects, one mixed batch per run.
      status=0
      "$go_tmp/objstore.test" -test.run '^$' -test.bench "^Benchmark$c\$/^$be\$" -test.benchtime 1x \
        >"$go_tmp/run.txt" 2>&1 || status=$?
      cat "$go_tmp/run.txt" >>"$results"
      if ((status != 0)); then
        failed=1
        echo "$c/$be run $run failed (exit $status):"
        cat "$go_tmp/run.txt"
      elif grep -q -- '--- SKIP' "$go_tmp/run.txt"; then
        grep -m 1 -E '^\s+bench_test.go' "$go_tmp/run.txt" | sed "s|^\s*|$c/$be skipped: |"
        continue 2
      else
        grep -E '^Benchmark' "$go_tmp/run.txt"
      fi
    done
  done
done
clean_sink
echo
python3 "$here/bench_table.py" <"$results"
exit "$failed"
