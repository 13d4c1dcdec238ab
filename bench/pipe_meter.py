#!/usr/bin/env python3
"""Run a command with stdout on a pipe that this process drains; print one JSON line with time to first byte,
wall time, bytes, MB/s, exit code, and the peak RSS and CPU seconds of the command (wait4 of the direct child,
so run the tool itself, not a shell around it).
usage: pipe_meter.py [--sha] -- CMD ARGS..."""
import hashlib, json, os, subprocess, sys, time

args = sys.argv[1:]
want_sha = args[:1] == ["--sha"]
if want_sha:
    args = args[1:]
if args[:1] == ["--"]:
    args = args[1:]
t0 = time.monotonic()
p = subprocess.Popen(args, stdout=subprocess.PIPE, bufsize=0)
h = hashlib.sha256() if want_sha else None
first, n, fd = None, 0, p.stdout.fileno()
while True:
    b = os.read(fd, 1 << 20)
    if not b:
        break
    if first is None:
        first = time.monotonic() - t0
    n += len(b)
    if h:
        h.update(b)
_, status, ru = os.wait4(p.pid, 0)
t = time.monotonic() - t0
print(json.dumps({"ttfb_s": first, "wall_s": t, "bytes": n, "mb_s": n / t / 1e6,
                  "rc": os.waitstatus_to_exitcode(status), "peak_rss_mib": ru.ru_maxrss / 1024,
                  "cpu_s": ru.ru_utime + ru.ru_stime, "sha256": h.hexdigest() if h else None}))
