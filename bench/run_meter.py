#!/usr/bin/env python3
"""Run a command (an upload) and print one JSON line: wall time, exit code, the peak RSS and CPU seconds of the
command (wait4 of the direct child, so run the tool itself, not a shell around it), the bytes fed, the tail of its
output, and whether it hit the cap.
  --stdin FILE  the command's stdin is a pipe that a thread of this process feeds FILE into (splice: the page cache's
                pages go into the pipe without a copy, so the feeder costs little CPU next to the tool); the pipe keeps
                its default size, as a producer such as tar or zstd leaves it. Without --stdin, stdin is /dev/null.
  --cap S       kill the command after S seconds (SIGTERM, then SIGKILL 5 s later); timed_out says so.
SIGINT and SIGTERM to this process are passed on to the command.
usage: run_meter.py [--stdin FILE] [--cap S] -- CMD ARGS..."""
import json, os, signal, subprocess, sys, tempfile, threading, time

args = sys.argv[1:]
src, cap = None, None
while args and args[0] != "--":
    if args[0] == "--stdin" and len(args) > 1:
        src, args = args[1], args[2:]
    elif args[0] == "--cap" and len(args) > 1:
        cap, args = float(args[1]), args[2:]
    else:
        sys.exit(__doc__)
cmd = args[1:]
if not cmd:
    sys.exit(__doc__)

out = tempfile.TemporaryFile()
t0 = time.monotonic()
p = subprocess.Popen(cmd, stdin=subprocess.PIPE if src else subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT)
fed = [0]


def feed():
    fd = p.stdin.fileno()
    try:
        with open(src, "rb") as f:
            while True:
                n = os.splice(f.fileno(), fd, 1 << 20)
                if n == 0:
                    break
                fed[0] += n
    except (BrokenPipeError, OSError):
        pass  # the tool went away early: its exit code says why
    try:
        p.stdin.close()
    except OSError:
        pass


feeder = threading.Thread(target=feed, daemon=True) if src else None
if feeder:
    feeder.start()
timed_out, reaped, timers = threading.Event(), threading.Event(), []


def kill(sig):
    if not reaped.is_set():  # never signal a pid that may have been reused
        os.kill(p.pid, sig)


def on_cap():
    timed_out.set()
    kill(signal.SIGTERM)
    timers.append(threading.Timer(5, kill, (signal.SIGKILL,)))
    timers[-1].start()


if cap:
    timers.append(threading.Timer(cap, on_cap))
    timers[-1].start()
for sig in (signal.SIGINT, signal.SIGTERM):
    signal.signal(sig, lambda s, _frame: kill(s))
while True:
    try:
        _, status, ru = os.wait4(p.pid, 0)
        break
    except InterruptedError:
        continue
wall = time.monotonic() - t0
reaped.set()
p.returncode = os.waitstatus_to_exitcode(status)
for t in list(timers):
    t.cancel()
if feeder:
    feeder.join(5)
out.seek(0)
tail = out.read()[-600:].decode(errors="replace")
print(json.dumps({"wall_s": wall, "rc": p.returncode, "peak_rss_mib": ru.ru_maxrss / 1024,
                  "cpu_s": ru.ru_utime + ru.ru_stime, "fed_bytes": fed[0] if src else None,
                  "timed_out": timed_out.is_set(), "output": tail}))
