#!/usr/bin/env bash
# Connection failures are retried, then end with exit 6 and one stderr line, in bounded time (60 s hang guard, not
# a speed assertion): (1) connection refused (a port that is bound but not listening, so no other test can take
# it), (2) a connect that never completes (a listener whose accept queue is full drops our SYNs) with
# --connect-timeout 1. Nothing is written to stdout.
source "$(dirname "$0")/common.sh"
source "$(dirname "$0")/fault_common.sh"

# hold_port MODE: a python helper holding a 127.0.0.1 port; MODE closed (bound, not listening) or full (listening
# with a full accept queue). Prints nothing; the port is in $HELD_PORT.
hold_port() {
  local port_file=$TMP/held-port-$1 pid
  python3 - "$1" "$port_file" <<'PY' &
import ctypes, os, signal, socket, sys, time
ctypes.CDLL(None).prctl(1, int(signal.SIGTERM))  # PR_SET_PDEATHSIG: never outlive the test
mode, port_file = sys.argv[1], sys.argv[2]
srv = socket.socket()
srv.bind(("127.0.0.1", 0))
port = srv.getsockname()[1]
held = []
if mode == "full":
    srv.listen(0)
    for _ in range(8):  # fill the accept queue; later SYNs are dropped, so connect() hangs
        c = socket.socket()
        c.setblocking(False)
        try:
            c.connect(("127.0.0.1", port))
        except BlockingIOError:
            pass
        held.append(c)
    time.sleep(0.3)
with open(port_file + ".tmp", "w") as f:
    f.write(f"{port}\n")
os.replace(port_file + ".tmp", port_file)
while True:
    time.sleep(3600)
PY
  pid=$!
  SERVER_PIDS+=("$pid")
  wait_port_file "$port_file" "$pid" "port holder ($1)"
  HELD_PORT=$(<"$port_file")
}

hold_port closed
ENDPOINT=http://127.0.0.1:$HELD_PORT
run_timed 6 s3fcp s3://b/k --max-attempts 3
assert_one_line "$STDERR"
assert_empty "$STDOUT"
say "refused: $ELAPSED_MS ms: $(cat "$STDERR")"

hold_port full
ENDPOINT=http://127.0.0.1:$HELD_PORT
# Sanity: the port really does not complete a connection within 2 s (else this case would test nothing).
if curl -s -o /dev/null --connect-timeout 2 "$ENDPOINT/"; then
  say "the full-queue listener accepted a connection; the connect-timeout case is void"
  false
fi
run_timed 6 s3fcp s3://b/k --max-attempts 2 --connect-timeout 1
assert_one_line "$STDERR"
assert_empty "$STDOUT"
grep -qiE 'connect|time' "$STDERR" || { say "the message does not say connect/timeout: $(cat "$STDERR")"; false; }
say "connect timeout: $ELAPSED_MS ms: $(cat "$STDERR")"
say "ok"
