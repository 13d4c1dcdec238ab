#!/usr/bin/env bash
# Memory stays bounded by the reorder window when the consumer is slower than the network: a 256 MiB object read
# through a reader that takes 1 MiB every ~20 ms (about 50 MiB/s, well below what the fault server delivers), with
# -c 8 --chunk-size 1MiB --window 8. Exit 0, sha-exact, and the peak RSS of s3fcp (ru_maxrss from wait4 on the
# process itself: exact, no sampling race) exceeds the peak of the same download of a 1 MiB object (the binary, its
# libraries, the threads, the connections: whatever does not grow with the object; under AddressSanitizer also its
# runtime) by less than window x chunk + 24 MiB, far below the object size.
#
# The 24 MiB allowance: libcurl's per-connection receive buffers and connection cache, the chunks being written to
# the pipe and the parts in flight beyond the window's, with a generous margin. A build that buffered completed
# chunks beyond the window (a bounded channel into an unbounded map) would hold hundreds of MiB here, since the
# network outruns this reader for most of the 256 MiB.
source "$(dirname "$0")/common.sh"
source "$(dirname "$0")/fault_common.sh"
export S3FCP_TIMEOUT=120
# Under AddressSanitizer (S3FCP_BIN=build-asan/s3fcp) freed memory waits in a quarantine of 256 MiB by default, which
# would be measured as ours: keep it small so the bound still means something there (no effect on other builds).
export ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}quarantine_size_mb=1:thread_local_quarantine_size_kb=64
SIZE=$((256 * 1024 * 1024)) WINDOW=8 CHUNK=$((1024 * 1024)) ALLOWANCE_MIB=24
fault_obj slow small.bin $CHUNK
fault_obj slow big.bin $SIZE
want=$(sha256sum <"$OBJ" | cut -d' ' -f1)
start_fault_server ""

# consume CMD...: runs CMD (stderr to $STDERR) with its stdout read at ~1 MiB per 20 ms (by reading: the pacing
# sleeps only between reads), hashing what arrives; prints "EXIT MAXRSS_KIB BYTES SHA256 SECONDS". A watchdog kills
# CMD after $S3FCP_TIMEOUT s (the exit is then 137).
consume() {
  python3 - "$STDERR" "$S3FCP_TIMEOUT" "$@" <<'PY'
import hashlib, os, subprocess, sys, threading, time
p = subprocess.Popen(sys.argv[3:], stdout=subprocess.PIPE, stderr=open(sys.argv[1], "wb"))
threading.Timer(float(sys.argv[2]), p.kill).start()
h, n, t0 = hashlib.sha256(), 0, time.monotonic()
step, rate = 1 << 20, 50 << 20  # bytes per read, bytes per second
while True:
    b = p.stdout.read(step)
    if not b:
        break
    h.update(b)
    n += len(b)
    ahead = n / rate - (time.monotonic() - t0)
    if ahead > 0:
        time.sleep(ahead)
_, status, ru = os.wait4(p.pid, 0)
code = os.waitstatus_to_exitcode(status)
print(code if code >= 0 else 128 - code, ru.ru_maxrss, n, h.hexdigest(), f"{time.monotonic() - t0:.1f}", flush=True)
os._exit(0)  # do not wait for the watchdog timer
PY
}

flags=(--endpoint-url "$ENDPOINT" --checksum off -c 8 --chunk-size 1MiB --window $WINDOW)
read -r code base_rss bytes sha secs < <(consume "$S3FCP_BIN" "${flags[@]}" s3://slow/small.bin)
((code == 0 && bytes == CHUNK)) || { say "the 1 MiB download: exit $code, $bytes bytes: $(head -c 1000 "$STDERR")"; false; }
read -r code rss bytes sha secs < <(consume "$S3FCP_BIN" "${flags[@]}" s3://slow/big.bin)
rss_mib=$((rss / 1024)) base_mib=$((base_rss / 1024))
limit_mib=$((base_mib + WINDOW * CHUNK / 1024 / 1024 + ALLOWANCE_MIB))
say "exit $code, $bytes bytes in $secs s, peak RSS $rss_mib MiB (1 MiB object: $base_mib MiB; limit $limit_mib MiB)," \
  "$(request_count) requests"
((code == 0)) || { say "s3fcp exited $code: $(head -c 1000 "$STDERR")"; false; }
[[ $bytes == "$SIZE" && $sha == "$want" ]] || { say "got $bytes bytes, sha $sha; want $SIZE bytes, $want"; false; }
if ((rss_mib >= limit_mib)); then
  say "peak RSS $rss_mib MiB is not below the 1 MiB object's $base_mib MiB + window x chunk + $ALLOWANCE_MIB MiB"
  false
fi
(((rss_mib - base_mib) * 4 < SIZE / 1024 / 1024)) || { say "peak RSS $rss_mib MiB is not far below the object size"; false; }
say "ok"
