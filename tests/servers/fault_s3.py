#!/usr/bin/env python3
"""Fault-injecting S3-compatible test server (Python 3 stdlib only).

    python3 fault_s3.py --data-dir DIR [--port 0] [--port-file FILE] [--plan PLAN.json] [--log LOG.jsonl] [--seed N]

Listens on 127.0.0.1 (HTTP/1.1, keep-alive). With --port 0 a free port is bound; --port-file receives the number
(written to a temp name, then renamed) once the socket is listening. SIGTERM / SIGINT stop it with exit status 0.

Objects (path-style, GET and HEAD):
  /BUCKET/KEY          serves DIR/BUCKET/KEY. KEY is percent-decoded and may contain '/', spaces, unicode; a key
                       whose path would leave DIR/BUCKET ('..') gets 400 InvalidURI.
  ?versionId=V         serves DIR/BUCKET/KEY.versions/V, 404 NoSuchVersion when that file does not exist.
  Headers: ETag (quoted MD5 of the content), Last-Modified, Date, Accept-Ranges, x-amz-request-id (unique).
  Range bytes=a-b | a- | -n   -> 206 + Content-Range: bytes a-b/TOTAL. Unsatisfiable (start >= size; any range on
                       an empty object; -0) -> 416 InvalidRange, <ActualObjectSize>, Content-Range: bytes */TOTAL.
                       A malformed or multi-range header is ignored (200, whole object), as S3 does.
  If-Match != ETag     -> 412 PreconditionFailed.  Missing file -> 404 NoSuchKey; missing bucket dir -> NoSuchBucket.
  Authorization is ignored; other query parameters are ignored; other methods get 405 MethodNotAllowed.

Fault plan (--plan; a missing file means no faults):
  {"rules": [{"match": {...}, "fault": NAME, "times": N, ...params}, ...]}
  Each request is checked against the rules in order. The first rule that matches and has "times" left (default 1,
  -1 = forever) is used up by one and applied; requests no rule takes are served normally. "fault" may be left out
  when exactly one key of the rule names a fault: {"short_body": 10} == {"fault": "short_body", "short_body": 10}.
  Any rule may carry "delay": seconds, waited before the fault is applied.

  match (all optional, all must hold):
    "nth": K               the K-th request received (1-based, every method counts)
    "range_start": B       the Range header asks for bytes=B-... (suffix ranges -n never match)
    "has_if_match": bool   an If-Match header is present / absent
    "key": "k"             the decoded key is exactly k
    "path_contains": "s"   s occurs in the raw request target (path and query) or in the decoded path
    "method": "GET"
    "probability": p       true with probability p; RNG seeded by --seed (default 0) and drawn only when all other
                           conditions hold, so the same request sequence gets the same faults
  faults:
    "status"               answer "status" with S3 error XML "code" and "message" (defaults by status: 503 SlowDown,
                           500 InternalError, 403 AccessDenied, 400 RequestTimeout, ...); "retry_after": s adds a
                           Retry-After header; "date_offset": s moves the Date header (for RequestTimeTooSkewed).
    "reset_after": N       right headers, N body bytes, then a TCP reset (SO_LINGER 0 + close), not a FIN.
    "stall"                headers and "after" body bytes (default 0), then silence for "seconds" (default 30, at most
                           600, cut short when the server stops), then close.
    "short_body": N        headers with the full Content-Length, all but the last N body bytes, then a clean close.
    "short_length": N      Content-Range claims the whole requested range; Content-Length and body are N bytes
                           fewer. The response is valid HTTP, so the connection stays usable.
    "full_200"             ignore Range: 200 with the whole object.
    "wrong_content_range"  206, right body, Content-Range start/end moved by "shift" (default 1); with "total": T
                           only the total is replaced by T.
    "change_object"        first rewrite the object file: append "append" (default "CHANGED") or, with
                           "content_seed": S, new random content of the same size; then answer normally, so an
                           If-Match with the old ETag (in this request or later ones) gets 412.
    "etag_header": "\\"x\\""  answer normally but send this ETag header (the real ETag still governs If-Match).
    "delay": s             wait s seconds before the headers (time to first byte), then answer normally.
    "headers": {...}       answer normally with these extra (or replaced) response headers, e.g. a checksum;
                           also a parameter of "status" (e.g. x-amz-bucket-region on a 301).
    "answer"               a scripted answer whatever the object: "status" (default 200), "headers" {...},
                           "content_length" (default: the body's length), "body" (text, default empty), then
                           "then": "stall" (default: silence for "seconds", the connection left open), "close" or
                           "keep" (a normal end). Reproduces servers that claim a body they never send.

  Example:
    {"rules": [
      {"match": {"nth": 1}, "fault": "status", "status": 503, "code": "SlowDown", "retry_after": 1},
      {"match": {"range_start": 8388608, "has_if_match": true}, "reset_after": 4096, "times": 2},
      {"match": {"key": "big.bin", "probability": 0.02}, "fault": "stall", "after": 1024, "seconds": 5, "times": -1},
      {"match": {"nth": 3}, "fault": "status", "status": 403, "code": "RequestTimeTooSkewed", "date_offset": 3600},
      {"match": {"nth": 5}, "change_object": true}
    ]}

Log (--log): one JSON line per request: n, method, path (raw, without query), key (decoded), query, range, if_match,
headers (Authorization value "<redacted>"), status, fault (name or null), bytes_sent, request_id. A complete response
is logged just before its last body bytes go out, a faulted one before its reset / stall / close: once a client has
seen the end of a response, its line is in the log.
"""
import argparse
import fcntl
import hashlib
import io
import json
import os
import random
import re
import secrets
import socket
import stat
import struct
import sys
import termios
import threading
import time
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, unquote
from xml.sax.saxutils import escape

from serving import serve

FAULTS = ("status", "reset_after", "stall", "short_body", "short_length", "full_200", "wrong_content_range",
          "change_object", "etag_header", "delay", "headers", "answer")
MATCH_KEYS = ("nth", "range_start", "has_if_match", "key", "path_contains", "method", "probability")
DEFAULT_ERRORS = {400: ("RequestTimeout", "Your socket connection to the server was not read from or written to "
                        "within the timeout period."),
                  403: ("AccessDenied", "Access Denied"),
                  429: ("SlowDown", "Please reduce your request rate."),
                  500: ("InternalError", "We encountered an internal error. Please try again."),
                  502: ("BadGateway", "Bad Gateway"),
                  503: ("SlowDown", "Please reduce your request rate."),
                  504: ("GatewayTimeout", "Gateway Timeout")}
MAX_STALL = 600.0
BLOCK = 256 * 1024


class Plan:
    """The fault rules; take() picks and uses up the rule for one request (thread-safe)."""

    def __init__(self, rules, seed):
        self.rules, self.rng, self.lock = [], random.Random(seed), threading.Lock()
        for i, rule in enumerate(rules):
            rule = dict(rule)
            name = rule.get("fault")
            if name is None:
                named = [k for k in FAULTS if k in rule]
                named = [k for k in named if k != "delay"] if len(named) > 1 else named
                if len(named) != 1:
                    raise ValueError(f"rule {i}: cannot tell the fault (give \"fault\")")
                name = named[0]
            bad = set(rule.get("match", {})) - set(MATCH_KEYS)
            if bad:
                raise ValueError(f"rule {i}: unknown match keys {sorted(bad)}")
            if name not in FAULTS:
                raise ValueError(f"rule {i}: unknown fault {name!r}")
            rule["fault"], rule["left"], rule["fired"] = name, int(rule.get("times", 1)), 0
            self.rules.append(rule)

    def take(self, req):
        with self.lock:
            for rule in self.rules:
                if rule["left"] != 0 and self._matches(rule.get("match", {}), req):
                    rule["left"] -= 1 if rule["left"] > 0 else 0
                    rule["fired"] += 1
                    return rule
        return None

    def _matches(self, m, req):
        if any(name in m and m[name] != req[name] for name in ("nth", "range_start", "has_if_match", "key")):
            return False
        if "path_contains" in m and m["path_contains"] not in req["raw"] + "\n" + req["path"]:
            return False
        if "method" in m and m["method"].upper() != req["method"]:
            return False
        return "probability" not in m or self.rng.random() < float(m["probability"])


class State:
    """Everything the handlers share."""

    def __init__(self, root, plan, log_file):
        self.root, self.plan, self.log_file = os.path.realpath(root), plan, log_file
        self.stop = threading.Event()
        self.lock = threading.Lock()
        self.count = 0
        self.etags = {}

    def next_n(self):
        with self.lock:
            self.count += 1
            return self.count

    def etag(self, f, st):
        ident = (st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns)
        with self.lock:
            if ident in self.etags:
                return self.etags[ident]
        md5 = hashlib.md5()
        f.seek(0)
        for block in iter(lambda: f.read(BLOCK), b""):
            md5.update(block)
        with self.lock:
            self.etags[ident] = f'"{md5.hexdigest()}"'
            return self.etags[ident]

    def log(self, entry):
        with self.lock:
            if self.log_file:
                self.log_file.write(json.dumps(entry, ensure_ascii=False) + "\n")
                self.log_file.flush()


class Reply:
    def __init__(self, status, headers, body, offset, length, span=None):
        self.status, self.headers, self.body, self.offset, self.length = status, headers, body, offset, length
        self.span = span  # (start, end, total) of a 206
        self.send_len, self.after = length, None


def error_xml(code, message, resource, request_id, extra=()):
    fields = [("Code", code), ("Message", message), *extra, ("Resource", resource), ("RequestId", request_id)]
    inner = "".join(f"<{k}>{escape(str(v))}</{k}>" for k, v in fields)
    return f'<?xml version="1.0" encoding="UTF-8"?>\n<Error>{inner}</Error>'.encode()


def parse_range(value):
    """bytes=a-b | a- | -n  ->  (a, b|None) or (None, n); None when absent or malformed."""
    m = re.fullmatch(r"\s*bytes\s*=\s*(\d*)\s*-\s*(\d*)\s*", value or "")
    if not m or m.group(1) == m.group(2) == "":
        return None
    if m.group(1) == "":
        return None, int(m.group(2))
    start, end = int(m.group(1)), int(m.group(2)) if m.group(2) else None
    return None if end is not None and end < start else (start, end)


def resolve_range(rng, size):
    """(start, end) inclusive within size, or None when unsatisfiable."""
    start, end = rng
    if start is None:
        return (max(0, size - end), size - 1) if end > 0 and size > 0 else None
    if start >= size:
        return None
    return start, size - 1 if end is None else min(end, size - 1)


def etag_matches(header, etag):
    tags = [t.strip().strip('"') for t in header.split(",")]
    return "*" in tags or etag.strip('"') in tags


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True
    server_version = "AmazonS3"
    sys_version = ""
    date_offset = 0

    def log_message(self, fmt, *args):
        pass

    def version_string(self):
        return self.server_version

    def date_time_string(self, timestamp=None):
        return formatdate((time.time() if timestamp is None else timestamp) + self.date_offset, usegmt=True)

    def do_GET(self):
        self.handle_s3()

    do_HEAD = do_PUT = do_POST = do_DELETE = do_PATCH = do_GET

    def handle_s3(self):
        state = self.server.state
        self.date_offset = 0
        n = state.next_n()
        request_id = f"{n:08X}{secrets.token_hex(4).upper()}"
        raw_path, _, query = self.path.partition("?")
        bucket, _, key = raw_path.lstrip("/").partition("/")
        bucket, key = unquote(bucket), unquote(key)
        rng = parse_range(self.headers.get("Range"))
        if_match = self.headers.get("If-Match")
        req = {"nth": n, "method": self.command, "raw": self.path, "path": unquote(raw_path), "key": key,
               "range_start": rng[0] if rng else None, "has_if_match": if_match is not None}
        rule = state.plan.take(req)
        fault = rule["fault"] if rule else None
        entry = {"n": n, "method": self.command, "path": raw_path, "key": key, "query": query,
                 "range": self.headers.get("Range"), "if_match": if_match,
                 "headers": {k: ("<redacted>" if k.lower() == "authorization" else v)
                             for k, v in self.headers.items()},
                 "status": None, "fault": fault, "bytes_sent": 0, "request_id": request_id}
        if self.command not in ("GET", "HEAD"):
            self.close_connection = True  # we do not read request bodies
        self.logged = False
        reply = None
        try:
            if rule and "delay" in rule:
                state.stop.wait(float(rule["delay"]))
            reply = self.build(state, bucket, key, query, rule, request_id)
            self.apply_fault(reply, rule)
            entry["status"] = reply.status
            self.send(reply, request_id, entry)
        except OSError:  # the client went away
            self.close_connection = True
            if reply is not None:
                reply.after = None
        finally:
            if reply is not None and reply.body is not None:
                reply.body.close()
            self.log_once(entry)
        if reply is not None and reply.after == "reset":
            self.reset_connection(state)
        elif reply is not None and reply.after == "stall":
            state.stop.wait(min(float(rule.get("seconds", 30)), MAX_STALL))
            self.close_connection = True
        elif reply is not None and reply.after == "close":
            self.close_connection = True

    def log_once(self, entry):
        if not self.logged:
            self.logged = True
            self.server.state.log(entry)

    def s3_error(self, status, code, message, resource, request_id, extra=(), headers=None):
        body = error_xml(code, message, resource, request_id, extra)
        return Reply(status, {"Content-Type": "application/xml", **(headers or {})}, io.BytesIO(body), 0, len(body))

    def build(self, state, bucket, key, query, rule, request_id):
        fault = rule["fault"] if rule else None
        resource = f"/{bucket}/{key}" if key else f"/{bucket}"
        if fault == "status":
            status = int(rule["status"])
            code, message = DEFAULT_ERRORS.get(status, ("InternalError", "Injected error"))
            self.date_offset = float(rule.get("date_offset", 0))
            headers = {"Retry-After": str(rule["retry_after"])} if "retry_after" in rule else {}
            headers.update(rule.get("headers", {}))
            return self.s3_error(status, rule.get("code", code), rule.get("message", message), resource, request_id,
                                 headers=headers)
        if fault == "answer":
            body = str(rule.get("body", "")).encode()
            reply = Reply(int(rule.get("status", 200)), dict(rule.get("headers", {})), io.BytesIO(body), 0,
                          int(rule.get("content_length", len(body))))
            reply.send_len = min(len(body), reply.length)
            then = rule.get("then", "stall")
            reply.after = None if then == "keep" else then
            return reply
        if self.command not in ("GET", "HEAD"):
            return self.s3_error(405, "MethodNotAllowed", "The specified method is not allowed against this resource.",
                                 resource, request_id, headers={"Allow": "GET, HEAD"})
        bucket_dir = os.path.join(state.root, bucket)
        if bucket in ("", ".", "..") or "/" in bucket or not os.path.isdir(bucket_dir):
            return self.s3_error(404, "NoSuchBucket", "The specified bucket does not exist", resource, request_id,
                                 extra=[("BucketName", bucket)])
        path = os.path.realpath(os.path.join(bucket_dir, key))
        inside = path.startswith(os.path.realpath(bucket_dir) + os.sep)
        if not key or "\0" in key or ".." in key.split("/") or not inside:
            return self.s3_error(400, "InvalidURI", "Couldn't parse the specified URI.", resource, request_id)
        if fault == "change_object":
            change_object(path, rule)
        version = parse_qs(query, keep_blank_values=True).get("versionId", [None])[0]
        if version is not None:
            if version in ("", ".", "..") or "/" in version:
                return self.s3_error(400, "InvalidArgument", "Invalid version id specified", resource, request_id)
            path = os.path.join(path + ".versions", version)
        try:
            f = open(path, "rb")
            st = os.fstat(f.fileno())
            if not stat.S_ISREG(st.st_mode):
                f.close()
                raise IsADirectoryError(path)
        except OSError:
            if version is not None:
                return self.s3_error(404, "NoSuchVersion", "The specified version does not exist.", resource,
                                     request_id, extra=[("Key", key), ("VersionId", version)])
            return self.s3_error(404, "NoSuchKey", "The specified key does not exist.", resource, request_id,
                                 extra=[("Key", key)])
        size, etag = st.st_size, state.etag(f, st)
        headers = {"ETag": etag, "Last-Modified": formatdate(st.st_mtime, usegmt=True), "Accept-Ranges": "bytes",
                   "Content-Type": "binary/octet-stream"}
        if version is not None:
            headers["x-amz-version-id"] = version
        if_match = self.headers.get("If-Match")
        if if_match is not None and not etag_matches(if_match, etag):
            f.close()
            return self.s3_error(412, "PreconditionFailed", "At least one of the pre-conditions you specified did not "
                                 "hold", resource, request_id, extra=[("Condition", "If-Match")])
        rng = None if fault == "full_200" else parse_range(self.headers.get("Range"))
        if rng is None:
            return Reply(200, headers, f, 0, size)
        span = resolve_range(rng, size)
        if span is None:
            f.close()
            return self.s3_error(416, "InvalidRange", "The requested range is not satisfiable", resource, request_id,
                                 extra=[("RangeRequested", self.headers.get("Range")), ("ActualObjectSize", size)],
                              headers={"Content-Range": f"bytes */{size}"})
        start, end = span
        headers["Content-Range"] = f"bytes {start}-{end}/{size}"
        return Reply(206, headers, f, start, end - start + 1, span=(start, end, size))

    @staticmethod
    def apply_fault(reply, rule):
        fault = rule["fault"] if rule else None
        if fault == "reset_after":
            reply.send_len, reply.after = min(reply.length, int(rule["reset_after"])), "reset"
        elif fault == "stall":
            reply.send_len, reply.after = min(reply.length, int(rule.get("after", 0))), "stall"
        elif fault == "short_body":
            reply.send_len, reply.after = max(0, reply.length - int(rule["short_body"])), "close"
        elif fault == "short_length":
            reply.length = reply.send_len = max(0, reply.length - int(rule["short_length"]))
        elif fault == "etag_header":
            reply.headers["ETag"] = rule["etag_header"]
        elif fault == "headers":
            reply.headers.update(rule["headers"])
        elif fault == "wrong_content_range" and reply.span:
            start, end, total = reply.span
            if "total" in rule:
                total = int(rule["total"])
            else:
                shift = int(rule.get("shift", 1))
                start, end = start + shift, end + shift
            reply.headers["Content-Range"] = f"bytes {start}-{end}/{total}"

    def send(self, reply, request_id, entry):
        """Send the reply. A complete one is logged just before its last bytes go out, so a client that has read
        a whole response always finds its log line (and lines appear in the order a sequential client sees)."""
        self.send_response(reply.status)
        for name, value in reply.headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(reply.length))
        self.send_header("x-amz-request-id", request_id)
        self.send_header("x-amz-id-2", secrets.token_urlsafe(24))
        todo = 0 if self.command == "HEAD" else reply.send_len
        complete = reply.after is None
        if complete and todo == 0:
            self.log_once(entry)
        self.end_headers()
        reply.body.seek(reply.offset)
        sent = 0
        while sent < todo:
            block = reply.body.read(min(BLOCK, todo - sent))
            if not block:  # the file shrank under us: the response is broken anyway
                reply.after = reply.after or "close"
                break
            sent += len(block)
            if not self.logged:
                entry["bytes_sent"] = sent
                if complete and sent == todo:
                    self.log_once(entry)
            self.wfile.write(block)

    def reset_connection(self, state):
        """Abort with RST: wait (bounded) until the peer has our bytes, then close with SO_LINGER 0."""
        sock = self.connection
        deadline = time.monotonic() + 5
        try:
            while time.monotonic() < deadline:
                unsent = struct.unpack("i", fcntl.ioctl(sock.fileno(), termios.TIOCOUTQ, b"\0" * 4))[0]
                if unsent == 0 or state.stop.wait(0.002):
                    break
        except OSError:
            pass
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.rfile.close()  # drop makefile's reference so close() really closes the fd
        sock.close()
        self.close_connection = True


def change_object(path, rule):
    """Rewrite the object file atomically (open readers keep the old content)."""
    try:
        with open(path, "rb") as f:
            data = f.read()
    except OSError:
        return
    if "content_seed" in rule:
        new = random.Random(f"{rule['content_seed']}:{rule['fired']}").randbytes(len(data))
        data = new if new != data else data + b"\0"
    else:
        data += str(rule.get("append", "CHANGED")).encode()
    tmp = f"{path}.tmp-{secrets.token_hex(4)}"
    with open(tmp, "wb") as f:
        f.write(data)
    os.replace(tmp, path)


class Server(ThreadingHTTPServer):
    daemon_threads = True  # stalled and idle keep-alive connections do not hold up the exit

    def handle_error(self, request, client_address):
        if not isinstance(sys.exc_info()[1], OSError):
            super().handle_error(request, client_address)


def main(argv=None):
    ap = argparse.ArgumentParser(description="Fault-injecting S3-compatible test server (see the docstring).")
    ap.add_argument("--data-dir", required=True)
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--port-file")
    ap.add_argument("--plan")
    ap.add_argument("--log")
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args(argv)

    rules = []
    if args.plan and os.path.exists(args.plan):
        with open(args.plan, encoding="utf-8") as f:
            rules = json.load(f).get("rules", [])
    try:
        plan = Plan(rules, args.seed)
    except (ValueError, TypeError) as e:
        ap.error(f"bad plan {args.plan}: {e}")
    log_file = open(args.log, "a", encoding="utf-8") if args.log else None
    server = Server(("127.0.0.1", args.port), Handler)
    server.state = State(args.data_dir, plan, log_file)
    serve(server, "fault_s3", args.port_file, on_stop=server.state.stop.set)
    if log_file:
        with server.state.lock:
            log_file.close()
            server.state.log_file = None
    return 0


if __name__ == "__main__":
    sys.exit(main())
