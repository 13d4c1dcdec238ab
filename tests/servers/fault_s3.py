#!/usr/bin/env python3
"""Fault-injecting S3-compatible test server (Python 3 stdlib; crcmod's C extension is used when importable).

    python3 fault_s3.py --data-dir DIR [--port 0] [--port-file FILE] [--plan PLAN.json] [--log LOG.jsonl] [--seed N]
        [--access-key ID --secret-key SECRET [--session-token T] [--region R]] [--clock-offset S]
        [--min-part-size BYTES]

Listens on 127.0.0.1 (HTTP/1.1, keep-alive). With --port 0 a free port is bound; --port-file receives the number
(written to a temp name, then renamed) once the socket is listening. SIGTERM / SIGINT stop it with exit status 0.
Modules beside this file: s3_ops.py (the operations), s3_store.py (objects, sidecars, listing; its docstring has the
on-disk layout), s3_uploads.py (multipart), s3_sigv4.py (the verifier), s3_checksums.py, s3_common.py.

Objects (path-style):
  GET/HEAD /BUCKET/KEY serves DIR/BUCKET/KEY. KEY is percent-decoded and may contain '/', spaces, unicode; a key
                       with a '..' segment gets 400 InvalidURI.
  ?versionId=V         serves DIR/BUCKET/KEY.versions/V, 404 NoSuchVersion when that file does not exist.
  Headers: ETag (quoted MD5 of the content, or the one stored at upload), Last-Modified, Date, Accept-Ranges,
                       x-amz-request-id (unique), the stored metadata; with x-amz-checksum-mode: ENABLED and no
                       Range, the stored x-amz-checksum-<alg> and x-amz-checksum-type.
  Range bytes=a-b | a- | -n   -> 206 + Content-Range: bytes a-b/TOTAL. Unsatisfiable (start >= size; any range on
                       an empty object; -0) -> 416 InvalidRange, <ActualObjectSize>, Content-Range: bytes */TOTAL.
                       A malformed or multi-range header is ignored (200, whole object), as S3 does.
  If-Match != ETag     -> 412 PreconditionFailed.  Missing file -> 404 NoSuchKey; missing bucket dir -> NoSuchBucket.
  GET ?tagging         Tagging XML of the tags set at upload.
  PUT /BUCKET/KEY      PutObject: body by Content-Length (chunked -> 501 NotImplemented, no length -> 411), stored
                       atomically; Content-Type, Cache-Control, Content-Encoding/-Disposition/-Language, Expires,
                       x-amz-meta-*, x-amz-tagging, x-amz-storage-class, x-amz-acl, SSE and SSE-C headers and the
                       checksum are kept. ETag = quoted MD5. If-None-Match: * -> 412 when the key exists.
  DELETE /BUCKET/KEY   204, also when missing.    PUT /BUCKET: creates the bucket.    HEAD /BUCKET: 200 / 404.
  GET /BUCKET?list-type=2   ListObjectsV2: prefix, delimiter, max-keys, continuation-token, start-after,
                       encoding-type=url; keys in UTF-8 byte order.
  Multipart: POST ?uploads (x-amz-checksum-algorithm / -type remembered), PUT ?partNumber=N&uploadId=U, POST
  ?uploadId=U (Complete: ascending parts -> else InvalidPartOrder, ETags -> InvalidPart, all but the last part
  >= --min-part-size (default 5 MiB) -> EntityTooSmall, declared checksum on every part -> InvalidRequest, a
  full-object checksum header is checked -> BadDigest; If-None-Match: * -> 412), DELETE ?uploadId=U (Abort),
  GET ?uploadId=U (ListParts: max-parts, part-number-marker), GET /BUCKET?uploads (ListMultipartUploads: prefix,
  max-uploads, key-marker). ETag of a multipart object: "md5(part md5s)-N".
  Always checked on every request, as S3 does: a hex x-amz-content-sha256 against the body
  (XAmzContentSHA256Mismatch; STREAMING-* -> 501), Content-MD5 (BadDigest; malformed -> InvalidDigest), and on PUT /
  UploadPart one x-amz-checksum-crc32|crc32c|crc64nvme|sha1|sha256 (BadDigest; malformed -> InvalidRequest). The
  body is read in full before any answer (faults that cut it aside). Expect: 100-continue is answered when the
  server starts reading the body.
  SigV4 (with --access-key/--secret-key; otherwise Authorization is ignored): every request needs a valid
  AWS4-HMAC-SHA256 Authorization header: AccessDenied (none, unsigned x-amz-* headers), InvalidAccessKeyId,
  AuthorizationHeaderMalformed (bad shape; a scope region other than --region), RequestTimeTooSkewed (> 15 min from
  the server clock, which --clock-offset moves, along with every Date header), SignatureDoesNotMatch (with the
  StringToSign and CanonicalRequest the server computed), InvalidToken (with --session-token, a different
  x-amz-security-token). Other methods get 405 MethodNotAllowed; other operations 501 NotImplemented.

Fault plan (--plan; a missing file means no faults):
  {"rules": [{"match": {...}, "fault": NAME, "times": N, ...params}, ...]}
  Each request is checked against the rules in order. The first rule that matches and has "times" left (default 1,
  -1 = forever) is used up by one and applied; requests no rule takes are served normally. "fault" may be left out
  when exactly one key of the rule names a fault: {"short_body": 10} == {"fault": "short_body", "short_body": 10}.
  Any rule may carry "delay": seconds, waited (after the request body is read) before the fault is applied.

  match (all optional, all must hold):
    "nth": K               the K-th request received (1-based, every method counts)
    "op": "part"           the operation: get, head, put, create, part, complete, abort, list_parts, list_uploads,
                           list, delete, get_tagging, create_bucket, head_bucket, other
    "part_number": N       the partNumber query parameter is N
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
                           Retry-After header; "date_offset": s moves the Date header (for RequestTimeTooSkewed);
                           "early": true answers before reading the request body (no 100 Continue), then closes.
                           Nothing is stored.
    "no_such_upload"       status 404 NoSuchUpload.
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
    "reset_body": N        read N bytes of the request body, then a TCP reset; no answer, nothing stored.
    "stall_body"           read "after" bytes of the request body (default 0), stop reading for "seconds" (default
                           30), then close (unread data makes that a reset); no answer, nothing stored.
    "lost_response"        do the operation in full (store, complete, ...), then reset instead of answering.
    "complete_error"       (op complete) 200 OK with an <Error> body: "code" (default InternalError), "message";
                           "then_complete": true completes the upload first (else it stays open); "whitespace": true
                           streams (chunked) the XML declaration and blank space first, for "seconds" (default 0).
    "complete_whitespace"  (op complete) 200 OK, chunked: XML declaration and blank space for "seconds" (default
                           0), then the real outcome (a result, or an <Error> body), as S3 does on long completes.

  Example:
    {"rules": [
      {"match": {"nth": 1}, "fault": "status", "status": 503, "code": "SlowDown", "retry_after": 1},
      {"match": {"range_start": 8388608, "has_if_match": true}, "reset_after": 4096, "times": 2},
      {"match": {"key": "big.bin", "probability": 0.02}, "fault": "stall", "after": 1024, "seconds": 5, "times": -1},
      {"match": {"op": "part", "part_number": 3}, "reset_body": 65536},
      {"match": {"op": "complete"}, "complete_error": true, "then_complete": true, "whitespace": true}
    ]}

Log (--log): one JSON line per request: n, conn (one id per TCP connection), method, op, path (raw, without query),
key (decoded), query, upload_id, part_number, range, if_match, headers (Authorization value "<redacted>"), sig
("off", "ok", "bad"), body_bytes (request body bytes read), status, fault (name or null), bytes_sent, request_id. A
complete response is logged just before its last body bytes go out, a faulted one before its reset / stall / close:
once a client has seen the end of a response, its line is in the log.
"""
import argparse
import base64
import binascii
import fcntl
import io
import json
import os
import random
import re
import secrets
import socket
import struct
import sys
import termios
import threading
import time
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import unquote

import s3_checksums as cks
import s3_sigv4 as sigv4
from s3_common import BLOCK, Reply, S3Error, bytes_reply, error_xml
from s3_ops import DEFAULT_ERRORS, S3Ops, parse_range
from s3_store import Store
from s3_uploads import Uploads
from serving import serve

FAULTS = ("status", "reset_after", "stall", "short_body", "short_length", "full_200", "wrong_content_range",
          "change_object", "etag_header", "delay", "headers", "answer", "reset_body", "stall_body", "lost_response",
          "complete_error", "complete_whitespace", "no_such_upload")
MATCH_KEYS = ("nth", "range_start", "has_if_match", "key", "path_contains", "method", "probability", "op",
              "part_number")
OPS = ("get", "head", "put", "copy", "create", "part", "part_copy", "complete", "abort", "list_parts", "list_uploads",
       "list", "delete", "get_tagging", "create_bucket", "head_bucket", "other")
MAX_STALL = 600.0


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
            match = rule.get("match", {})
            bad = set(match) - set(MATCH_KEYS)
            if bad:
                raise ValueError(f"rule {i}: unknown match keys {sorted(bad)}")
            if "op" in match and match["op"] not in OPS:
                raise ValueError(f"rule {i}: unknown op {match['op']!r} (one of {', '.join(OPS)})")
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
        if any(name in m and m[name] != req[name]
               for name in ("nth", "range_start", "has_if_match", "key", "op", "part_number")):
            return False
        if "path_contains" in m and m["path_contains"] not in req["raw"] + "\n" + req["path"]:
            return False
        if "method" in m and m["method"].upper() != req["method"]:
            return False
        return "probability" not in m or self.rng.random() < float(m["probability"])


class State:
    """Everything the handlers share."""

    def __init__(self, root, plan, log_file, args=None):
        self.store = Store(root)
        self.root, self.plan, self.log_file = self.store.root, plan, log_file
        self.uploads = Uploads(self.store, getattr(args, "min_part_size", 5 * 1024 * 1024))
        self.credentials = {args.access_key: args.secret_key} if getattr(args, "access_key", None) else {}
        self.region = getattr(args, "region", None)
        self.session_token = getattr(args, "session_token", None)
        self.clock_offset = getattr(args, "clock_offset", 0.0)
        self.stop = threading.Event()
        self.lock = threading.Lock()
        self.count = self.conns = 0

    def next_n(self):
        with self.lock:
            self.count += 1
            return self.count

    def next_conn(self):
        with self.lock:
            self.conns += 1
            return self.conns

    def now(self):
        return time.time() + self.clock_offset

    def log(self, entry):
        with self.lock:
            if self.log_file:
                self.log_file.write(json.dumps(entry, ensure_ascii=False) + "\n")
                self.log_file.flush()


class Request:
    """What one request's handling carries around."""

    def __init__(self, **kw):
        self.__dict__.update(kw)
        self.tmp = None  # a received body's temp file, until it is stored
        self.body = b""  # a small request body kept in memory (CompleteMultipartUpload)
        self.meta = self.upload = self.checksum = self.content_md5 = self.sha256 = None
        self.extra_algorithms = ()


def query_params(query):
    """The decoded query parameters (first value of each name; '+' stays '+')."""
    params = {}
    for part in query.split("&"):
        if part:
            name, _, value = part.partition("=")
            params.setdefault(unquote(name), unquote(value))
    return params


def classify(method, key, params, headers):
    """The S3 operation a request is (see OPS)."""
    if "uploadId" in params and key:
        if method == "PUT" and headers.get("x-amz-copy-source") is not None:
            return "part_copy"
        return {"PUT": "part", "POST": "complete", "DELETE": "abort", "GET": "list_parts"}.get(method, "other")
    if not key:
        if method == "GET":
            return "list_uploads" if "uploads" in params else "list" if params.get("list-type") == "2" else "other"
        return {"PUT": "create_bucket", "HEAD": "head_bucket"}.get(method, "other") if not params else "other"
    if method == "POST":
        return "create" if "uploads" in params else "other"
    if method == "GET" and "tagging" in params:
        return "get_tagging"
    if method == "PUT" and headers.get("x-amz-copy-source") is not None and not params:
        return "copy"
    if method == "PUT" and (headers.get("x-amz-copy-source") is not None
                            or set(params) & {"tagging", "acl", "retention", "legal-hold", "partNumber"}):
        return "other"
    return {"GET": "get", "HEAD": "head", "PUT": "put", "DELETE": "delete"}.get(method, "other")


def int_or_none(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


class Handler(S3Ops, BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True
    server_version = "AmazonS3"
    sys_version = ""
    date_offset = 0

    def setup(self):
        super().setup()
        self.conn_id = self.server.state.next_conn()

    def log_message(self, fmt, *args):
        pass

    def version_string(self):
        return self.server_version

    def date_time_string(self, timestamp=None):
        return formatdate((self.server.state.now() if timestamp is None else timestamp) + self.date_offset,
                          usegmt=True)

    def handle_expect_100(self):
        return True  # the 100 Continue goes out when the body is first read (read_body), not before the checks

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
        # Virtual-hosted addressing below "localhost" (curl takes *.localhost as the loopback): an access point's
        # NAME-ACCOUNT.localhost:PORT is the bucket NAME-ACCOUNT, the whole path its key.
        host = (self.headers.get("Host") or "").rsplit(":", 1)[0]
        if host.endswith(".localhost"):
            bucket, key = host[:-len(".localhost")], raw_path[1:]
        bucket, key = unquote(bucket), unquote(key)
        params = query_params(query)
        op = classify(self.command, key, params, self.headers)
        part_number = int_or_none(params.get("partNumber"))
        rng = parse_range(self.headers.get("Range"))
        if_match = self.headers.get("If-Match")
        req = {"nth": n, "method": self.command, "raw": self.path, "path": unquote(raw_path), "key": key,
               "range_start": rng[0] if rng else None, "has_if_match": if_match is not None, "op": op,
               "part_number": part_number}
        rule = state.plan.take(req)
        fault = rule["fault"] if rule else None
        entry = {"n": n, "conn": self.conn_id, "method": self.command, "op": op, "path": raw_path, "key": key,
                 "query": query, "upload_id": params.get("uploadId"), "part_number": part_number,
                 "range": self.headers.get("Range"), "if_match": if_match,
                 "headers": {k: ("<redacted>" if k.lower() == "authorization" else v)
                             for k, v in self.headers.items()},
                 "sig": "off", "body_bytes": 0, "status": None, "fault": fault, "bytes_sent": 0,
                 "request_id": request_id}
        self.req = Request(bucket=bucket, key=key, raw_path=raw_path, query=query, params=params, op=op,
                           request_id=request_id, resource=f"/{bucket}/{key}" if key else f"/{bucket}", rule=rule,
                           fault=fault, entry=entry, part_number=part_number, upload_id=params.get("uploadId"))
        self.sent_100 = False
        self.sink = None
        self.logged = False
        reply = None
        try:
            reply = self.process(state, rule)
            if not reply.silent:
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
            self.drop_tmp()
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

    def drop_tmp(self):
        if self.req.tmp is not None:
            try:
                os.unlink(self.req.tmp)
            except OSError:
                pass
            self.req.tmp = None

    # ---- the request, up to the operation ------------------------------------------------------------------------

    def process(self, state, rule):
        """Auth, body (and the faults that cut it), payload checks, delay, injected answers, then the operation."""
        r, fault = self.req, self.req.fault
        auth_error = None
        if state.credentials:
            try:
                sigv4.verify(self.command, r.raw_path, r.query, self.headers.items(), state.credentials, state.now(),
                             state.region, state.session_token)
                r.entry["sig"] = "ok"
            except S3Error as e:
                r.entry["sig"], auth_error = "bad", e
        length = int_or_none(self.headers.get("Content-Length"))
        chunked = "chunked" in (self.headers.get("Transfer-Encoding") or "").lower()
        if fault in ("reset_body", "stall_body"):
            limit = int(rule["reset_body"]) if fault == "reset_body" else int(rule.get("after", 0))
            self.read_body(None, None, limit if chunked else min(limit, length or 0))
            reply = bytes_reply(0)
            reply.silent, reply.after = True, "reset" if fault == "reset_body" else "stall"
            return reply
        if fault in ("status", "no_such_upload") and rule.get("early"):
            self.close_connection = True
            reply = self.fault_reply(rule)
            reply.headers["Connection"] = "close"
            return reply
        injected = fault in ("status", "no_such_upload", "answer")
        error = auth_error
        digests = None
        try:
            if chunked:
                self.drain_chunked()
                raise S3Error(501, "NotImplemented", "A header you provided implies functionality that is not "
                              "implemented", [("Header", "Transfer-Encoding")])
            if length is None and r.op in ("put", "part"):
                error = error or S3Error(411, "MissingContentLength", "You must provide the Content-Length HTTP "
                                         "header.")
            if error is None:
                self.plan_payload(state)
                if not injected:
                    self.prepare_target(state, length or 0)
        except S3Error as e:
            error = error or e
            self.drop_tmp()
        if not chunked:
            algorithms = set()
            if r.tmp is not None:  # a PUT or a part: its checksum header's algorithm, or the one declared
                algorithms = ({r.checksum[0]} if r.checksum else set()) | set(r.extra_algorithms)
            digests = cks.BodyDigests(md5=r.tmp is not None or r.content_md5 is not None,
                                      sha256=r.sha256 is not None, algorithms=sorted(algorithms))
            try:
                self.read_body(self.sink, digests, length or 0)
            finally:
                if self.sink is not None:
                    self.sink.close()
        if rule and "delay" in rule:
            state.stop.wait(float(rule["delay"]))
        if injected:
            self.drop_tmp()
            return self.fault_reply(rule)
        try:
            if error is not None:
                raise error
            self.check_payload(digests)
            reply = self.run_op(state, digests)
        except S3Error as e:
            self.drop_tmp()
            reply = self.error_reply(e)
        if fault == "lost_response":
            reply.silent, reply.after = True, "reset"
            r.entry["status"] = reply.status
        return reply

    def plan_payload(self, state):
        """Checks the payload headers before the body is read and notes what must be computed while it is."""
        r, h = self.req, self.headers
        sha = h.get("x-amz-content-sha256")
        if sha is not None:
            sha = sha.strip()
            if sha.startswith("STREAMING-"):
                raise S3Error(501, "NotImplemented", "A header you provided implies functionality that is not "
                              "implemented (aws-chunked streaming uploads are not supported here)",
                              [("Header", "x-amz-content-sha256")])
            if re.fullmatch(r"[0-9a-fA-F]{64}", sha):
                r.sha256 = sha.lower()
            elif sha != "UNSIGNED-PAYLOAD" and state.credentials:
                raise S3Error(400, "InvalidArgument", "x-amz-content-sha256 must be UNSIGNED-PAYLOAD, "
                              "STREAMING-AWS4-HMAC-SHA256-PAYLOAD, or a valid sha256 value.",
                              [("ArgumentName", "x-amz-content-sha256"), ("ArgumentValue", sha)])
        if h.get("x-amz-trailer") is not None or "aws-chunked" in (h.get("Content-Encoding") or ""):
            raise S3Error(501, "NotImplemented", "A header you provided implies functionality that is not "
                          "implemented (aws-chunked bodies and trailers are not supported here)",
                          [("Header", "x-amz-trailer" if h.get("x-amz-trailer") is not None else "Content-Encoding")])
        md5 = h.get("Content-MD5")
        if md5 is not None:
            try:
                r.content_md5 = base64.b64decode(md5.strip(), validate=True)
            except (binascii.Error, ValueError):
                r.content_md5 = b""
            if len(r.content_md5) != 16:
                raise S3Error(400, "InvalidDigest", "The Content-MD5 you specified was invalid.",
                              [("Content-MD5", md5)])
        if r.op in ("put", "part"):
            r.checksum = cks.request_checksum(h)

    def check_payload(self, digests):
        """The body against x-amz-content-sha256, Content-MD5 and the checksum header (400 errors as S3's)."""
        r = self.req
        if r.sha256 is not None and digests.sha256.hexdigest() != r.sha256:
            raise S3Error(400, "XAmzContentSHA256Mismatch", "The provided 'x-amz-content-sha256' header does not "
                          "match what was computed.", [("ClientComputedContentSHA256", r.sha256),
                                                       ("S3ComputedContentSHA256", digests.sha256.hexdigest())])
        if r.content_md5 is not None and digests.md5.digest() != r.content_md5:
            raise S3Error(400, "BadDigest", "The Content-MD5 you specified did not match what we received.",
                          [("ExpectedDigest", base64.b64encode(r.content_md5).decode()),
                           ("CalculatedDigest", base64.b64encode(digests.md5.digest()).decode())])
        if r.checksum is not None and r.tmp is not None and digests.checksum(r.checksum[0]) != r.checksum[1]:
            raise cks.mismatch(r.checksum[0])

    # ---- the wire ------------------------------------------------------------------------------------------------

    def read_body(self, sink, digests, length):
        """Reads `length` request body bytes (sending 100 Continue first if the client waits for it)."""
        entry = self.req.entry
        if length > 0:
            self.send_100()
        while entry["body_bytes"] < length:
            block = self.rfile.read(min(BLOCK, length - entry["body_bytes"]))
            if not block:
                raise ConnectionError("EOF in the request body")
            entry["body_bytes"] += len(block)
            if digests is not None:
                digests.update(block)
            if sink is not None:
                sink.write(block)

    def drain_chunked(self):
        """Reads and discards a chunked request body (to answer 501 on a connection that stays in sync)."""
        self.send_100()
        entry = self.req.entry
        while True:
            line = self.rfile.readline(65537)
            if not line:
                raise ConnectionError("EOF in a chunked request body")
            try:
                size = int(line.split(b";")[0].strip(), 16)
            except ValueError:
                raise ConnectionError("malformed chunk size in a chunked request body") from None
            if size == 0:
                break
            while size:
                block = self.rfile.read(min(BLOCK, size))
                if not block:
                    raise ConnectionError("EOF in a chunked request body")
                size -= len(block)
                entry["body_bytes"] += len(block)
            self.rfile.readline(65537)
        while self.rfile.readline(65537) not in (b"\r\n", b"\n", b""):
            pass

    def send_100(self):
        if not self.sent_100 and (self.headers.get("Expect") or "").lower() == "100-continue" \
                and self.request_version >= "HTTP/1.1":
            self.sent_100 = True
            self.wfile.write(b"HTTP/1.1 100 Continue\r\n\r\n")

    def s3_error(self, status, code, message, resource, request_id, extra=(), headers=None):
        body = error_xml(code, message, resource, request_id, extra)
        return bytes_reply(status, body, {"Content-Type": "application/xml", **(headers or {})})

    def error_reply(self, e):
        return self.s3_error(e.status, e.code, e.message, self.req.resource, self.req.request_id, e.extra, e.headers)

    def fault_reply(self, rule):
        """The answer of a "status" / "no_such_upload" / "answer" fault."""
        if rule["fault"] == "answer":
            body = str(rule.get("body", "")).encode()
            reply = Reply(int(rule.get("status", 200)), dict(rule.get("headers", {})), io.BytesIO(body),
                          0, int(rule.get("content_length", len(body))))
            reply.send_len = min(len(body), reply.length)
            then = rule.get("then", "stall")
            reply.after = None if then == "keep" else then
            return reply
        status = 404 if rule["fault"] == "no_such_upload" else int(rule["status"])
        code, message = DEFAULT_ERRORS.get(status, ("InternalError", "Injected error"))
        if rule["fault"] == "no_such_upload":
            code, message = "NoSuchUpload", ("The specified upload does not exist. The upload ID may be invalid, or "
                                             "the upload may have been aborted or completed.")
        self.date_offset = float(rule.get("date_offset", 0))
        headers = {"Retry-After": str(rule["retry_after"])} if "retry_after" in rule else {}
        headers.update(rule.get("headers", {}))
        return self.s3_error(status, rule.get("code", code), rule.get("message", message), self.req.resource,
                             self.req.request_id, headers=headers)

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
        if reply.status != 204:
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

    def send_chunked(self, status, headers, first, wait, last):
        """A chunked answer: `first`, then blank space every 0.2 s for `wait` seconds, then last() (called then,
        so the work it does happens while the client waits). Logged before the final chunk."""
        entry, state = self.req.entry, self.server.state
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Transfer-Encoding", "chunked")
        self.send_header("x-amz-request-id", self.req.request_id)
        self.send_header("x-amz-id-2", secrets.token_urlsafe(24))
        self.end_headers()

        def chunk(data):
            entry["bytes_sent"] += len(data)
            self.wfile.write(b"%X\r\n%s\r\n" % (len(data), data))

        chunk(first)
        end = time.monotonic() + wait
        while not state.stop.is_set() and time.monotonic() < end:
            state.stop.wait(min(0.2, max(0.0, end - time.monotonic())))
            chunk(b" \n")
        body = last()
        entry["status"] = status
        entry["bytes_sent"] += len(body)
        self.log_once(entry)
        self.wfile.write(b"%X\r\n%s\r\n0\r\n\r\n" % (len(body), body))
        reply = bytes_reply(status)
        reply.silent = True
        return reply

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


class Server(ThreadingHTTPServer):
    daemon_threads = True  # stalled and idle keep-alive connections do not hold up the exit
    request_queue_size = 128  # many clients connecting at once must not wait for SYN retries

    def handle_error(self, request, client_address):
        if not isinstance(sys.exc_info()[1], OSError):
            super().handle_error(request, client_address)


def size_arg(text):
    m = re.fullmatch(r"(\d+)\s*(|[KMG]i?B?)", text.strip(), re.I)
    if not m:
        raise argparse.ArgumentTypeError(f"not a size: {text!r}")
    unit = m.group(2).upper()[:1]
    return int(m.group(1)) * {"": 1, "K": 1 << 10, "M": 1 << 20, "G": 1 << 30}[unit]


def main(argv=None):
    ap = argparse.ArgumentParser(description="Fault-injecting S3-compatible test server (see the docstring).")
    ap.add_argument("--data-dir", required=True)
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--port-file")
    ap.add_argument("--plan")
    ap.add_argument("--log")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--access-key", help="turn the SigV4 verifier on with this access key id")
    ap.add_argument("--secret-key")
    ap.add_argument("--session-token", help="with the verifier: require this x-amz-security-token")
    ap.add_argument("--region", help="with the verifier: the only region a signature's scope may name")
    ap.add_argument("--clock-offset", type=float, default=0.0, help="seconds added to the server clock")
    ap.add_argument("--min-part-size", type=size_arg, default=5 * 1024 * 1024)
    args = ap.parse_args(argv)
    if bool(args.access_key) != bool(args.secret_key):
        ap.error("--access-key and --secret-key go together")

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
    server.state = State(args.data_dir, plan, log_file, args)
    serve(server, "fault_s3", args.port_file, on_stop=server.state.stop.set)
    if log_file:
        with server.state.lock:
            log_file.close()
            server.state.log_file = None
    return 0


if __name__ == "__main__":
    sys.exit(main())
