#!/usr/bin/env bash
# Sourced after common.sh by the fault, signal, soak and slow-consumer tests. Runs tests/servers/fault_s3.py (the
# fault-injecting S3 endpoint; see tests/servers/README.md) and reads its JSON-lines request log.
#
#   start_fault_server [PLAN_JSON]   fault server on a free 127.0.0.1 port serving $FAULT_DATA, with PLAN_JSON (empty:
#                                    no faults) as its plan and $REQUEST_LOG as its log (truncated); exports ENDPOINT;
#                                    stopped on exit. FAULT_SEED (default 0) is its --seed for "probability" rules.
#   stop_fault_server                stops the server the last start_fault_server started (the next start does too)
#   fault_obj BUCKET KEY SIZE        random SIZE-byte object in $FAULT_DATA; its local copy (kept intact when the
#                                    server's change_object rewrites the served file) is $OBJ and local_path BUCKET KEY
#   restore_obj BUCKET KEY           serves the local copy again (after a change_object)
#   request_count [FILTER]           number of logged requests for which the Python expression FILTER holds (all when
#                                    omitted); see log_eval for the names FILTER can use
#   log_eval EXPR [FILTER]           prints EXPR for each logged request FILTER selects, one line each, in log order
#   log_dump [FILTER]                the selected log lines, compact (for diagnostics)
#   assert_requests OP N [FILTER]    request_count FILTER is OP N (OP as in test(1): -eq -ne -lt -le -gt -ge)
#   assert_prefix OUT FULL           OUT is a byte-exact prefix of FULL (possibly empty)
#   assert_short_prefix OUT FULL     ... and strictly shorter than FULL (the download did not complete)
#   part_range I CHUNK SIZE          "START END" of part I (0-based) of a SIZE-byte object in CHUNK-byte parts
#   start_blackhole                  a TCP server that accepts and never answers; exports BLACKHOLE_PORT
#   etag_of FILE                     the quoted MD5 the fault server sends as the ETag of FILE
#   ms_now                           milliseconds since the epoch
#   run_timed CODE CMD...            expect_exit CODE CMD..., with the elapsed milliseconds in ELAPSED_MS
#   assert_grep FILE ERE             FILE matches the extended regex ERE (case-insensitive)
#   soft CHECK... / soft_fail MSG / finish [NOTE]
#                                    count a failed check and go on; finish fails the test if any did, else says ok
#   wait_for_log MIN FILTER [S]      polls the log until MIN requests match FILTER (deadline S, default 20 s)
#   start_bg OUT ERR ARGS...         s3fcp ARGS in the background with SIGINT/SIGTERM at their defaults; pid in BG_PID
#   signal_and_reap SIG WANT [S]     sends SIG to BG_PID, fails unless it exits WANT within S s (default 10)
#   interrupt_cases SIG WANT         the scenarios of signal_sigint.sh / signal_sigterm.sh
#
# Names a FILTER / EXPR can use: every field of a log line (n, method, path, key, query, range, if_match, headers,
# status, fault, bytes_sent, request_id), r (the whole line), start / end (the Range's first / last byte, None when
# absent or open) and hdr("name") (a request header, case-insensitive). Example:
#   request_count 'start == 65536 and if_match is not None and status == 206'
#
# s3fcp runs under a 60 s hang guard here (S3FCP_TIMEOUT): every fault test is meant to end in seconds.
# NO_HEDGE is (--no-hedge) when the binary has that flag, else empty.

# run-all runs every *.sh but common.sh: executed on its own, this helper is a no-op that passes.
if [[ ${BASH_SOURCE[0]} == "$0" ]]; then
  echo "fault_common.sh: helpers for the fault tests (sourced after common.sh); nothing to run on its own"
  exit 0
fi
if [[ -z ${E2E_ROOT:-} || -z ${TMP:-} ]]; then
  echo "fault_common.sh: source common.sh first" >&2
  return 1
fi

FAULT_SERVER_PY=$E2E_ROOT/tests/servers/fault_s3.py
FAULT_DATA=$TMP/faultdata
REQUEST_LOG=$TMP/requests.jsonl
FAULT_SERVER_PID=""
FAULT_SERVER_ERRLOG=""
FAULT_SERVER_COUNT=0
export S3FCP_TIMEOUT=${S3FCP_TIMEOUT:-60}
# Tests that count requests per range pass "${NO_HEDGE[@]}": a hedge (a second request racing a crawling head
# chunk, which a loaded machine can trigger anywhere) would make those counts timing-dependent. fault_hedge.sh and
# the soak run with hedging on.
NO_HEDGE=()
# shellcheck disable=SC2034 # used by the tests
[[ $("$S3FCP_BIN" --help 2>/dev/null || true) != *--no-hedge* ]] || NO_HEDGE=(--no-hedge)
# The checksum HEAD goes out beside the first GET, so which of the two is request 1 is a race: plans here match
# requests by position ("nth") and tests count requests. So s3fcp runs with --checksum off here, unless a test
# sets FAULT_CHECKSUM=on before sourcing this file (checksum_verify.sh, which tests the HEAD itself).
if [[ ${FAULT_CHECKSUM:-off} != on ]]; then
  s3fcp() {
    timeout -k 5 "${S3FCP_TIMEOUT:-120}" "$S3FCP_BIN" --endpoint-url "$ENDPOINT" --checksum off "$@"
  }
fi
mkdir -p "$FAULT_DATA"
: >"$REQUEST_LOG"

# wait_port_file FILE PID WHAT: waits (deadline 20 s) until FILE holds a port; fails early if PID dies.
wait_port_file() {
  local file=$1 pid=$2 what=$3 deadline=$((SECONDS + 20))
  until [[ -s $file ]]; do
    if ! kill -0 "$pid" 2>/dev/null; then
      say "$what (pid $pid) died before it listened"
      return 1
    fi
    if ((SECONDS >= deadline)); then
      say "$what (pid $pid) did not write $file within 20 s"
      return 1
    fi
    sleep 0.02
  done
}

# A test shell killed by a signal (a closed stderr pipe, SIGKILL) runs no EXIT trap: the helpers it starts ask the
# kernel for SIGTERM when their parent dies (PR_SET_PDEATHSIG), so they never outlive it.
# shellcheck disable=SC2016 # Python, not shell
DIE_WITH_PARENT_PY='import ctypes, os, signal, sys
ctypes.CDLL(None).prctl(1, int(signal.SIGTERM))  # PR_SET_PDEATHSIG
if os.getppid() != int(sys.argv[1]):  # the parent died before prctl
    sys.exit(1)
os.execvp(sys.argv[2], sys.argv[2:])'

start_fault_server() {
  # start_fault_server [PLAN_JSON [SERVER_ARGS...]]: SERVER_ARGS go to fault_s3.py, e.g. --access-key ID --secret-key
  # S (the SigV4 verifier), --min-part-size 5MiB, --clock-offset S. It runs under /usr/bin/python3 when there is one
  # (Debian's python3-crcmod gives it a fast CRC32C / CRC64NVME), else python3.
  local plan=${1:-} n plan_file port_file errlog pid me=$BASHPID py=python3 # ($BASHPID: here, not in the child)
  shift $(($# ? 1 : 0))
  if [[ -x /usr/bin/python3 ]]; then py=/usr/bin/python3; fi
  stop_fault_server # one at a time: the log belongs to the newest
  FAULT_SERVER_COUNT=$((FAULT_SERVER_COUNT + 1))
  n=$FAULT_SERVER_COUNT
  plan_file=$TMP/plan-$n.json
  port_file=$TMP/fault-port-$n
  errlog=$TMP/fault-server-$n.log
  # An empty plan still gets a file, so a typo in a test cannot silently mean "no faults".
  printf '%s\n' "${plan:-"{\"rules\": []}"}" >"$plan_file"
  : >"$REQUEST_LOG"
  "$py" -c "$DIE_WITH_PARENT_PY" "$me" "$py" "$FAULT_SERVER_PY" --data-dir "$FAULT_DATA" --port 0 \
    --port-file "$port_file" --plan "$plan_file" --log "$REQUEST_LOG" --seed "${FAULT_SEED:-0}" "$@" 2>"$errlog" &
  pid=$!
  SERVER_PIDS+=("$pid")
  SERVER_LOGS+=("$errlog")
  FAULT_SERVER_ERRLOG=$errlog
  if ! wait_port_file "$port_file" "$pid" "fault server"; then
    cat "$errlog" >&9
    return 1
  fi
  FAULT_SERVER_PID=$pid
  ENDPOINT=http://127.0.0.1:$(<"$port_file")
  export ENDPOINT
}

stop_fault_server() {
  local pid=$FAULT_SERVER_PID i
  [[ -n $pid ]] || return 0
  kill "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  for i in "${!SERVER_PIDS[@]}"; do
    [[ ${SERVER_PIDS[i]} == "$pid" ]] && unset "SERVER_PIDS[i]"
  done
  SERVER_PIDS=("${SERVER_PIDS[@]}")
  for i in "${!SERVER_LOGS[@]}"; do
    [[ ${SERVER_LOGS[i]} == "$FAULT_SERVER_ERRLOG" ]] && unset "SERVER_LOGS[i]"
  done
  SERVER_LOGS=("${SERVER_LOGS[@]}")
  FAULT_SERVER_PID=""
}

# shellcheck disable=SC2034 # OBJ_VERSION and LOCAL_FILES belong to common.sh (mkobj, local_path)
fault_obj() {
  local bucket=$1 key=$2 size=$3 served
  served=$FAULT_DATA/$bucket/$key
  mkdir -p "$(dirname "$served")"
  OBJ_COUNT=$((OBJ_COUNT + 1))
  OBJ=$TMP/obj-$OBJ_COUNT.bin
  head -c "$size" /dev/urandom >"$OBJ"
  cp "$OBJ" "$served"
  OBJ_VERSION=""
  LOCAL_FILES["$bucket/$key"]=$OBJ
}

# restore_obj BUCKET KEY: serves the local copy again (after a change_object rewrote the served file).
restore_obj() {
  local served=$FAULT_DATA/$1/$2 src
  src=$(local_path "$1" "$2")
  cp "$src" "$served.restore" && mv -f "$served.restore" "$served"
}

etag_of() { echo "\"$(md5sum <"$1" | cut -d' ' -f1)\""; }

ms_now() { date +%s%3N; }

# log_query MODE EXPR FILTER: MODE count | eval | dump | conns (distinct "conn" values: TCP connections).
# Upload fields a FILTER can use too: op ("put", "part", "complete", ...), conn, upload_id, part_number, body_bytes,
# sig ("off", "ok", "bad"). Example: conn_count "op == 'part'" (connections that carried parts).
_LOG_QUERY_PY='
import json, re, signal, sys
signal.signal(signal.SIGPIPE, signal.SIG_DFL)  # log_dump | head
mode, expr, flt, path = sys.argv[1:5]
def names(r):
    m = re.fullmatch(r"\s*bytes=(\d*)-(\d*)\s*", r.get("range") or "")
    start = int(m.group(1)) if m and m.group(1) else None
    end = int(m.group(2)) if m and m.group(2) else None
    hs = {k.lower(): v for k, v in (r.get("headers") or {}).items()}
    return dict(r, r=r, start=start, end=end, hdr=lambda name: hs.get(name.lower()))
count, conns = 0, set()
with open(path, encoding="utf-8") as f:
    for line in f:
        if not line.strip():
            continue
        r = json.loads(line)
        env = names(r)
        if flt and not eval(flt, {"__builtins__": __builtins__}, env):
            continue
        count += 1
        if mode == "eval":
            print(eval(expr, {"__builtins__": __builtins__}, env))
        elif mode == "dump":
            print("  n={n} c={conn} {method} {op} {key!r}{part} range={range} if_match={if_match} -> {status} "
                  "fault={fault} got={body_bytes} sent={bytes_sent} sig={sig} id={request_id}".format(
                      **dict(r, part="" if r.get("part_number") is None else " part=%s" % r.get("part_number"))))
        elif mode == "conns":
            conns.add(r.get("conn"))
if mode == "count":
    print(count)
elif mode == "conns":
    print(len(conns))
'
request_count() { python3 -I -S -c "$_LOG_QUERY_PY" count "" "${1:-}" "$REQUEST_LOG"; }
log_eval() { python3 -I -S -c "$_LOG_QUERY_PY" eval "$1" "${2:-}" "$REQUEST_LOG"; }
log_dump() { python3 -I -S -c "$_LOG_QUERY_PY" dump "" "${1:-}" "$REQUEST_LOG"; }
# conn_count [FILTER]: the number of distinct TCP connections among the logged requests FILTER selects.
conn_count() { python3 -I -S -c "$_LOG_QUERY_PY" conns "" "${1:-}" "$REQUEST_LOG"; }

assert_requests() {
  local op=$1 want=$2 filter=${3:-} got
  got=$(request_count "$filter")
  case $op in
    -eq | -ne | -lt | -le | -gt | -ge) ;;
    *) say "assert_requests: bad operator '$op'"; return 1 ;;
  esac
  if ! test "$got" "$op" "$want"; then
    say "expected $op $want logged requests${filter:+ matching [$filter]}, got $got:"
    log_dump "$filter" | head -n 12 >&9
    return 1
  fi
}

assert_prefix() {
  local out=$1 full=$2 n m
  n=$(stat -c %s "$out") m=$(stat -c %s "$full")
  if ((n > m)); then
    say "$out has $n bytes, more than the $m of $full: not a prefix"
    return 1
  fi
  if ! cmp -s -n "$n" "$out" "$full"; then
    say "$out ($n bytes) is not a prefix of $full: $(cmp -n "$n" "$out" "$full" 2>&1 | head -n 1)"
    return 1
  fi
}

assert_short_prefix() {
  assert_prefix "$1" "$2"
  if (($(stat -c %s "$1") >= $(stat -c %s "$2"))); then
    say "$1 holds the whole of $2, but the download was meant to fail before the end"
    return 1
  fi
}

part_range() {
  local i=$1 chunk=$2 size=$3 start end
  start=$((i * chunk))
  end=$((start + chunk - 1))
  ((end < size)) || end=$((size - 1))
  echo "$start $end"
}

# A server that accepts connections, reads and discards what arrives, and never answers.
start_blackhole() {
  local port_file=$TMP/blackhole-port pid
  python3 - "$port_file" <<'EOF' &
import ctypes, os, signal, socket, sys, threading
ctypes.CDLL(None).prctl(1, int(signal.SIGTERM))  # PR_SET_PDEATHSIG: never outlive the test
srv = socket.socket()
srv.bind(("127.0.0.1", 0))
srv.listen(64)
tmp = sys.argv[1] + ".tmp"
with open(tmp, "w") as f:
    f.write(f"{srv.getsockname()[1]}\n")
os.replace(tmp, sys.argv[1])
held = []
def drain(c):
    try:
        while c.recv(65536):
            pass
    except OSError:
        pass
while True:
    c, _ = srv.accept()
    held.append(c)  # never closed, never answered
    threading.Thread(target=drain, args=(c,), daemon=True).start()
EOF
  pid=$!
  SERVER_PIDS+=("$pid")
  wait_port_file "$port_file" "$pid" "black-hole server"
  BLACKHOLE_PORT=$(<"$port_file")
  export BLACKHOLE_PORT
}

# run_timed CODE CMD...: expect_exit CODE CMD..., leaving the elapsed milliseconds in ELAPSED_MS.
ELAPSED_MS=0
# shellcheck disable=SC2034 # ELAPSED_MS is for the caller
run_timed() {
  local code=$1 t0
  shift
  t0=$(ms_now)
  expect_exit "$code" "$@"
  ELAPSED_MS=$(($(ms_now) - t0))
}

# On failure, show the tail of the request log in compact form, then let common.sh's on_exit clean up.
fault_on_exit() {
  local status=$?
  if ((status != 0)) && [[ -s $REQUEST_LOG ]]; then
    echo "---- last requests (of $(request_count 2>/dev/null || echo '?')) ----" >&9
    log_dump 2>/dev/null | tail -n 25 >&9 || true
  fi
  trap - ERR
  set +e
  (exit "$status")
  on_exit
}
trap fault_on_exit EXIT

# soft CMD...: runs a check; when it fails, counts the failure and goes on, so one test reports every independent
# scenario it covers. finish [NOTE]: fails when any soft check failed, else says ok.
SOFT_FAILURES=0
soft() {
  if ! "$@"; then
    SOFT_FAILURES=$((SOFT_FAILURES + 1))
    say "(check failed: $*; continuing)"
  fi
}
finish() {
  if ((SOFT_FAILURES)); then
    say "$SOFT_FAILURES check(s) failed"
    return 1
  fi
  say "ok${1:+ ($1)}"
}

# --- signals ------------------------------------------------------------------------------------------------------
# wait_for_log MIN FILTER [SECONDS]: polls the request log until request_count FILTER >= MIN (deadline, default 20 s).
wait_for_log() {
  local min=$1 filter=$2 limit=${3:-20} deadline got
  deadline=$((SECONDS + limit))
  while :; do
    got=$(request_count "$filter")
    ((got >= min)) && return 0
    if ((SECONDS >= deadline)); then
      say "the log never showed $min requests matching [$filter] (got $got within ${limit} s)"
      return 1
    fi
    sleep 0.05
  done
}

# start_bg OUT ERR ARGS...: starts s3fcp ARGS in the background (stdout OUT, stderr ERR) with SIGINT and SIGTERM at
# their defaults (a non-interactive shell starts background jobs with SIGINT ignored); its pid is in BG_PID.
start_bg() {
  local out=$1 err=$2
  shift 2
  env --default-signal=INT,TERM "$S3FCP_BIN" --endpoint-url "$ENDPOINT" --checksum off "$@" >"$out" 2>"$err" &
  BG_PID=$!
}

# signal_and_reap SIG WANT [SECONDS]: sends SIG to BG_PID, waits (deadline, default 10 s; then SIGKILL and fail) and
# checks that it exited WANT.
signal_and_reap() {
  local sig=$1 want=$2 limit=${3:-10} deadline st=0 t0 bin
  # Not before the background job has become s3fcp: until env execs it, the forked shell ignores SIGINT (as a
  # non-interactive shell's background job does), and a signal sent then is lost.
  bin=$(readlink -f "$S3FCP_BIN")
  deadline=$((SECONDS + 10))
  while [[ $(readlink "/proc/$BG_PID/exe" 2>/dev/null) != "$bin" ]] && kill -0 "$BG_PID" 2>/dev/null &&
    ((SECONDS < deadline)); do
    sleep 0.01
  done
  t0=$(ms_now)
  kill -s "$sig" "$BG_PID"
  deadline=$((SECONDS + limit))
  while kill -0 "$BG_PID" 2>/dev/null; do
    if ((SECONDS >= deadline)); then
      say "s3fcp (pid $BG_PID) still running ${limit} s after SIG$sig: it hangs"
      kill -KILL "$BG_PID" 2>/dev/null || true
      wait "$BG_PID" 2>/dev/null || true
      return 1
    fi
    sleep 0.02
  done
  wait "$BG_PID" || st=$?
  REAP_MS=$(($(ms_now) - t0))
  if ((st != want)); then
    say "after SIG$sig s3fcp exited $st, want $want; stderr: $(head -c 1000 "$STDERR")"
    return 1
  fi
}

# interrupt_cases SIG WANT: the two signal scenarios shared by signal_sigint.sh and signal_sigterm.sh.
interrupt_cases() {
  local sig=$1 want=$2 CHUNK=65536 SIZE=$((4 * 1024 * 1024 + 10))
  fault_obj sig k.bin "$SIZE"

  # (1) Transfers stalled mid-body: the probe succeeds, every later part sends 1000 bytes and then nothing for 60 s.
  start_fault_server '{"rules": [{"match": {"has_if_match": true}, "fault": "stall", "after": 1000, "seconds": 60,
    "times": -1}]}'
  start_bg "$STDOUT" "$STDERR" s3://sig/k.bin --chunk-size 64KiB -c 4 --read-timeout 60
  wait_for_log 4 "fault == 'stall'"
  signal_and_reap "$sig" "$want"
  assert_prefix "$STDOUT" "$OBJ"
  (($(stat -c %s "$STDOUT") >= CHUNK)) || { say "the probe's chunk was not written before SIG$sig"; return 1; }
  say "SIG$sig with stalled transfers: exit $want after ${REAP_MS} ms, $(stat -c %s "$STDOUT") bytes written," \
    "stderr: $(head -c 300 "$STDERR")"

  # (2) Blocked on stdout: a FIFO whose reader takes 64 KiB every 100 ms, so the writer waits on a full pipe and the
  # window fills behind it. After the signal the reader drains the FIFO to EOF; what it got is a correct prefix.
  start_fault_server ""
  local fifo=$TMP/fifo got=$TMP/fifo-got reader
  rm -f "$fifo" "$got"
  mkfifo "$fifo"
  python3 -c '
import sys, time
with open(sys.argv[1], "rb") as f, open(sys.argv[2], "wb") as out:
    while True:
        b = f.read(65536)
        if not b:
            break
        out.write(b)
        out.flush()
        time.sleep(0.1)
' "$fifo" "$got" &
  reader=$!
  start_bg "$fifo" "$STDERR" s3://sig/k.bin --chunk-size 64KiB -c 4 --window 4
  wait_for_log 6 "status == 206"
  signal_and_reap "$sig" "$want"
  local deadline=$((SECONDS + 20))
  while kill -0 "$reader" 2>/dev/null; do
    if ((SECONDS >= deadline)); then
      say "the FIFO reader did not see EOF: s3fcp's stdout is still open somewhere"
      return 1
    fi
    sleep 0.02
  done
  wait "$reader"
  assert_short_prefix "$got" "$OBJ"
  say "SIG$sig while blocked on stdout: exit $want after ${REAP_MS} ms, reader got $(stat -c %s "$got") bytes," \
    "stderr: $(head -c 300 "$STDERR")"
}

# assert_grep FILE ERE: FILE has a line matching the extended regex ERE (case-insensitive).
assert_grep() {
  grep -qiE -- "$2" "$1" && return 0
  say "expected $1 to match /$2/; it has: $(head -c 1000 "$1")"
  return 1
}

# soft_fail MESSAGE: a failed soft check (see soft).
soft_fail() {
  say "$*"
  SOFT_FAILURES=$((SOFT_FAILURES + 1))
}
