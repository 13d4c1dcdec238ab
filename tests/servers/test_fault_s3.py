#!/usr/bin/env python3
"""Self-test of fault_s3.py: starts it as a subprocess and checks the S3 behaviour and every fault type.

Run from the repository root:  python3 -m unittest tests/servers/test_fault_s3.py
                           or:  python3 tests/servers/test_fault_s3.py
"""
import email.utils
import hashlib
import http.client
import json
import os
import random
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import unittest
from urllib.parse import quote

SERVER = os.path.join(os.path.dirname(os.path.abspath(__file__)), "fault_s3.py")
DEADLINE = 10.0


def poll(predicate, what, timeout=DEADLINE):
    """Return predicate()'s first truthy value, polling until the deadline."""
    end = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > end:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.01)


class FaultServer:
    """One fault_s3.py process on a free port, with its own log."""

    def __init__(self, data_dir, plan=None, plan_path=None, seed=None, extra=()):
        self.tmp = tempfile.mkdtemp(prefix="fault_s3_srv_")
        self.port_file = os.path.join(self.tmp, "port")
        self.log_path = os.path.join(self.tmp, "log.jsonl")
        args = [sys.executable, SERVER, "--data-dir", data_dir, "--port", "0", "--port-file", self.port_file,
                "--log", self.log_path, *extra]
        if plan is not None:
            plan_path = os.path.join(self.tmp, "plan.json")
            with open(plan_path, "w") as f:
                json.dump(plan, f)
        if plan_path is not None:
            args += ["--plan", plan_path]
        if seed is not None:
            args += ["--seed", str(seed)]
        self.stderr = open(os.path.join(self.tmp, "stderr"), "w+")
        self.proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=self.stderr)

        def read_port():
            if self.proc.poll() is not None:
                self.stderr.seek(0)
                raise AssertionError(f"server exited {self.proc.returncode}: {self.stderr.read()}")
            try:
                with open(self.port_file) as f:
                    return int(f.read())
            except (FileNotFoundError, ValueError):
                return None

        try:
            self.port = poll(read_port, "the port file")
        except BaseException:
            self.stop()
            raise

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        try:
            return self.proc.wait(timeout=DEADLINE)
        finally:
            if self.proc.poll() is None:
                self.proc.kill()
                self.proc.wait()
            self.stderr.close()
            shutil.rmtree(self.tmp, ignore_errors=True)

    def conn(self):
        return http.client.HTTPConnection("127.0.0.1", self.port, timeout=DEADLINE)

    def request(self, method, path, headers=None, conn=None, body=None):
        c = conn or self.conn()
        c.request(method, path, body=body, headers=headers or {})
        resp = c.getresponse()
        body = resp.read()
        if conn is None:
            c.close()
        return resp, body

    def get(self, path, **headers):
        return self.request("GET", path, {k.replace("_", "-"): v for k, v in headers.items()})

    def log(self):
        if not os.path.exists(self.log_path):
            return []
        with open(self.log_path, encoding="utf-8") as f:
            return [json.loads(line) for line in f if line.endswith("\n")]

    def log_for(self, key, count):
        """The log entries of `key`. Not polled: the server logs a response before its last byte (or before a
        fault's reset / stall / close), so a client that has seen the end already finds the line."""
        found = [e for e in self.log() if e["key"] == key]
        assert len(found) == count, f"expected {count} log lines for {key}, got {found}"
        return found

    def raw(self, path, extra_headers=""):
        """Open a raw socket and send a GET; the test reads the answer itself."""
        s = socket.create_connection(("127.0.0.1", self.port), timeout=DEADLINE)
        s.sendall(f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n{extra_headers}\r\n".encode())
        return s


def read_head(sock):
    """Read up to the end of the headers; return (head text, first body bytes)."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        if not chunk:
            raise AssertionError(f"EOF before the end of the headers: {data!r}")
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    return head.decode(), body


def md5_etag(data):
    return f'"{hashlib.md5(data).hexdigest()}"'


def error_code(body):
    m = re.fullmatch(rb'<\?xml version="1.0" encoding="UTF-8"\?>\n<Error><Code>([^<]+)</Code><Message>[^<]*</Message>'
                     rb'(?:<[A-Za-z0-9-]+>[^<]*</[A-Za-z0-9-]+>)*<Resource>[^<]*</Resource>'
                     rb'<RequestId>([^<]+)</RequestId></Error>', body)
    if not m:
        raise AssertionError(f"not S3 error XML: {body!r}")
    return m.group(1).decode()


class Fixture:
    def __init__(self):
        self.dir = tempfile.mkdtemp(prefix="fault_s3_data_")
        self.rng = random.Random(1234)
        self.files = {}

    def put(self, key, data, bucket="b"):
        path = os.path.join(self.dir, bucket, key)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb") as f:
            f.write(data)
        self.files[key] = data
        return data

    def random(self, key, size):
        return self.put(key, self.rng.randbytes(size))


PLAN = {"rules": [
    {"match": {"key": "f-503"}, "fault": "status", "status": 503, "code": "SlowDown", "retry_after": 2, "times": 2},
    {"match": {"key": "f-skew"}, "status": 403, "code": "RequestTimeTooSkewed", "date_offset": 3600},
    {"match": {"key": "f-forever"}, "status": 500, "times": -1},
    {"match": {"key": "f-no-ifm", "has_if_match": False}, "status": 500, "times": -1},
    {"match": {"key": "f-reset"}, "reset_after": 1000},
    {"match": {"key": "f-reset-http"}, "reset_after": 1000},
    {"match": {"key": "f-stall"}, "fault": "stall", "after": 100, "seconds": 1},
    {"match": {"key": "f-short-body"}, "short_body": 10},
    {"match": {"key": "f-short-body-raw"}, "short_body": 10},
    {"match": {"key": "f-short-length", "range_start": 100}, "short_length": 7},
    {"match": {"key": "f-full-200"}, "full_200": True},
    {"match": {"key": "f-wcr"}, "wrong_content_range": True, "shift": 3},
    {"match": {"key": "f-wcr-total"}, "fault": "wrong_content_range", "total": 5},
    {"match": {"key": "f-change", "has_if_match": True}, "change_object": True},
    {"match": {"key": "f-change-seed", "has_if_match": True}, "change_object": True, "content_seed": 7},
    {"match": {"key": "f-etag"}, "etag_header": '"0123456789abcdef0123456789abcdef"'},
    {"match": {"key": "f-delay"}, "delay": 0.4},
    {"match": {"path_contains": "f-contains"}, "status": 500},
    {"match": {"key": "f-answer"}, "fault": "answer", "status": 206, "headers": {"Content-Range": "bytes 0-0/0"},
     "content_length": 1, "seconds": 1},
    {"match": {"key": "f-answer-keep"}, "fault": "answer", "status": 200, "body": "hello", "then": "keep"},
]}


class FaultS3Test(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.fx = Fixture()
        cls.obj = cls.fx.random("obj", 1000)
        cls.fx.put("empty", b"")
        cls.unicode_key = "dir/with space/ünï €.bin"
        cls.fx.random(cls.unicode_key, 300)
        cls.fx.random("ver", 50)
        cls.fx.put("ver.versions/v1", b"the first version")
        cls.fx.put("secret", b"outside the bucket", bucket="other")
        for rule in PLAN["rules"]:
            key = rule["match"].get("key", "f-contains")
            cls.fx.random(key, 256 * 1024 if key.startswith("f-reset") else 4000)
        cls.srv = FaultServer(cls.fx.dir, PLAN)

    @classmethod
    def tearDownClass(cls):
        rc = cls.srv.stop()
        shutil.rmtree(cls.fx.dir, ignore_errors=True)
        assert rc == 0, f"server exit status {rc}"

    # ---- plain S3 behaviour -------------------------------------------------------------------------------------

    def test_plain_get_and_keep_alive(self):
        c = self.srv.conn()
        r1, b1 = self.srv.request("GET", "/b/obj", conn=c)
        sock = c.sock
        r2, b2 = self.srv.request("GET", "/b/obj", conn=c)
        self.assertIs(c.sock, sock, "second request did not reuse the keep-alive connection")
        c.close()
        for r, b in ((r1, b1), (r2, b2)):
            self.assertEqual(r.status, 200)
            self.assertEqual(b, self.obj)
            self.assertEqual(r.getheader("ETag"), md5_etag(self.obj))
            self.assertEqual(r.getheader("Content-Length"), "1000")
            self.assertEqual(r.getheader("Accept-Ranges"), "bytes")
            self.assertIsNone(r.getheader("Content-Range"))
            self.assertIsNotNone(email.utils.parsedate_to_datetime(r.getheader("Last-Modified")))
            self.assertIsNotNone(email.utils.parsedate_to_datetime(r.getheader("Date")))
        self.assertTrue(r1.getheader("x-amz-request-id"))
        self.assertNotEqual(r1.getheader("x-amz-request-id"), r2.getheader("x-amz-request-id"))

    def test_head(self):
        r, body = self.srv.request("HEAD", "/b/obj")
        self.assertEqual((r.status, body), (200, b""))
        self.assertEqual(r.getheader("Content-Length"), "1000")
        self.assertEqual(r.getheader("ETag"), md5_etag(self.obj))

    def test_ranges(self):
        cases = {"bytes=10-19": (10, 19), "bytes=990-": (990, 999), "bytes=-5": (995, 999),
                 "bytes=0-5000": (0, 999), "bytes=-5000": (0, 999), "bytes=999-999": (999, 999)}
        for rng, (start, end) in cases.items():
            with self.subTest(rng):
                r, body = self.srv.get("/b/obj", Range=rng)
                self.assertEqual(r.status, 206)
                self.assertEqual(r.getheader("Content-Range"), f"bytes {start}-{end}/1000")
                self.assertEqual(r.getheader("Content-Length"), str(end - start + 1))
                self.assertEqual(body, self.obj[start:end + 1])
                self.assertEqual(r.getheader("ETag"), md5_etag(self.obj))

    def test_malformed_range_is_ignored(self):
        for rng in ("bytes=5-2", "items=0-1", "bytes=0-1,5-6", "bytes=-"):
            with self.subTest(rng):
                r, body = self.srv.get("/b/obj", Range=rng)
                self.assertEqual((r.status, body), (200, self.obj))

    def test_416_empty_object(self):
        for rng in ("bytes=0-0", "bytes=0-", "bytes=-1"):
            with self.subTest(rng):
                r, body = self.srv.get("/b/empty", Range=rng)
                self.assertEqual(r.status, 416)
                self.assertEqual(error_code(body), "InvalidRange")
                self.assertIn(b"<ActualObjectSize>0</ActualObjectSize>", body)
                self.assertEqual(r.getheader("Content-Range"), "bytes */0")
                self.assertEqual(r.getheader("Content-Type"), "application/xml")
        r, body = self.srv.get("/b/empty")
        self.assertEqual((r.status, body, r.getheader("Content-Length")), (200, b"", "0"))
        self.assertEqual(r.getheader("ETag"), md5_etag(b""))

    def test_416_past_end(self):
        for rng in ("bytes=1000-", "bytes=1000-2000", "bytes=-0"):
            with self.subTest(rng):
                r, body = self.srv.get("/b/obj", Range=rng)
                self.assertEqual(r.status, 416)
                self.assertEqual(error_code(body), "InvalidRange")
                self.assertIn(b"<ActualObjectSize>1000</ActualObjectSize>", body)
                self.assertEqual(r.getheader("Content-Range"), "bytes */1000")

    def test_if_match(self):
        etag = md5_etag(self.obj)
        for value in (etag, etag.strip('"'), "*"):
            r, body = self.srv.get("/b/obj", Range="bytes=0-9", If_Match=value)
            self.assertEqual((r.status, body), (206, self.obj[:10]), value)
        r, body = self.srv.get("/b/obj", Range="bytes=0-9", If_Match='"0000"')
        self.assertEqual(r.status, 412)
        self.assertEqual(error_code(body), "PreconditionFailed")
        self.assertEqual(r.getheader("Content-Type"), "application/xml")

    def test_not_found_errors(self):
        cases = {"/b/nokey": "NoSuchKey", "/nobucket/obj": "NoSuchBucket", "/b/dir": "NoSuchKey",
                 "/b/obj?versionId=nope": "NoSuchVersion", "/b/ver?versionId=v2": "NoSuchVersion"}
        for path, code in cases.items():
            with self.subTest(path):
                r, body = self.srv.get(path)
                self.assertEqual(r.status, 404)
                self.assertEqual(r.getheader("Content-Type"), "application/xml")
                self.assertEqual(error_code(body), code)
                self.assertIn(f"<RequestId>{r.getheader('x-amz-request-id')}</RequestId>".encode(), body)
                self.assertIn(f"<Resource>{path.split('?')[0]}</Resource>".encode(), body)

    def test_version_id(self):
        r, body = self.srv.get("/b/ver?versionId=v1")
        self.assertEqual((r.status, body), (200, b"the first version"))
        self.assertEqual(r.getheader("ETag"), md5_etag(b"the first version"))
        self.assertEqual(r.getheader("x-amz-version-id"), "v1")
        r, body = self.srv.get("/b/ver?versionId=v1", Range="bytes=4-8")
        self.assertEqual((r.status, body, r.getheader("Content-Range")), (206, b"first", "bytes 4-8/17"))
        r, body = self.srv.get("/b/ver")
        self.assertEqual((r.status, body), (200, self.fx.files["ver"]))

    def test_unicode_key(self):
        r, body = self.srv.get("/b/" + quote(self.unicode_key))
        self.assertEqual((r.status, body), (200, self.fx.files[self.unicode_key]))
        entry = self.srv.log_for(self.unicode_key, 1)[0]
        self.assertEqual(entry["path"], "/b/" + quote(self.unicode_key))

    def test_dotdot_rejected(self):
        for path in ("/b/..%2Fother%2Fsecret", "/b/../other/secret", "/b/x/../../other/secret", "/b/..%2F..%2Fetc",
                     "/b/dir/../obj"):
            with self.subTest(path):
                r, body = self.srv.get(path)
                self.assertEqual(r.status, 400)
                self.assertNotIn(b"outside the bucket", body)

    def test_authorization_ignored_and_redacted_in_log(self):
        secret = "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/x, Signature=deadbeefsecret"
        r, body = self.srv.request("GET", "/b/obj?x-test=auth", {"Authorization": secret, "X-Amz-Date": "20250101"})
        self.assertEqual((r.status, body), (200, self.obj))
        entry = next(e for e in self.srv.log() if e["query"] == "x-test=auth")
        self.assertEqual(entry["headers"]["Authorization"], "<redacted>")
        self.assertEqual(entry["headers"]["X-Amz-Date"], "20250101")
        with open(self.srv.log_path, encoding="utf-8") as f:
            self.assertNotIn("deadbeefsecret", f.read())
        for field in ("n", "method", "path", "query", "range", "if_match", "headers", "status", "fault", "bytes_sent"):
            self.assertIn(field, entry)
        self.assertEqual((entry["method"], entry["status"], entry["bytes_sent"], entry["fault"]),
                         ("GET", 200, 1000, None))

    def test_other_methods(self):
        r, body = self.srv.request("PATCH", "/b/obj")
        self.assertEqual((r.status, error_code(body)), (405, "MethodNotAllowed"))
        self.assertEqual(self.srv.get("/b/obj")[1], self.obj)

    # ---- faults -------------------------------------------------------------------------------------------------

    def test_fault_status_503_twice_then_ok(self):
        for _ in range(2):
            r, body = self.srv.get("/b/f-503", Range="bytes=0-9")
            self.assertEqual(r.status, 503)
            self.assertEqual(error_code(body), "SlowDown")
            self.assertEqual(r.getheader("Retry-After"), "2")
            self.assertIn(f"<RequestId>{r.getheader('x-amz-request-id')}</RequestId>".encode(), body)
        r, body = self.srv.get("/b/f-503", Range="bytes=0-9")
        self.assertEqual((r.status, body), (206, self.fx.files["f-503"][:10]))
        self.assertEqual([e["fault"] for e in self.srv.log_for("f-503", 3)], ["status", "status", None])

    def test_fault_status_forever_with_default_code(self):
        for _ in range(3):
            r, body = self.srv.get("/b/f-forever")
            self.assertEqual((r.status, error_code(body)), (500, "InternalError"))

    def test_fault_status_skewed_date(self):
        r, body = self.srv.get("/b/f-skew")
        self.assertEqual((r.status, error_code(body)), (403, "RequestTimeTooSkewed"))
        skew = email.utils.parsedate_to_datetime(r.getheader("Date")).timestamp() - time.time()
        self.assertAlmostEqual(skew, 3600, delta=60)
        r, _ = self.srv.get("/b/f-skew")
        skew = email.utils.parsedate_to_datetime(r.getheader("Date")).timestamp() - time.time()
        self.assertEqual(r.status, 200)
        self.assertAlmostEqual(skew, 0, delta=60)

    def test_match_has_if_match_false(self):
        etag = md5_etag(self.fx.files["f-no-ifm"])
        self.assertEqual(self.srv.get("/b/f-no-ifm", If_Match=etag)[0].status, 200)
        self.assertEqual(self.srv.get("/b/f-no-ifm")[0].status, 500)

    def test_match_path_contains(self):
        self.assertEqual(self.srv.get("/b/f-contains")[0].status, 500)
        self.assertEqual(self.srv.get("/b/f-contains")[0].status, 200)

    def test_fault_reset_after_raw_socket(self):
        data = self.fx.files["f-reset"]
        s = self.srv.raw("/b/f-reset")
        head, body = read_head(s)
        self.assertIn("Content-Length: %d" % len(data), head)
        with self.assertRaises(ConnectionResetError, msg="expected a TCP reset, not a clean EOF"):
            while True:
                chunk = s.recv(65536)
                if not chunk:
                    break
                body += chunk
        s.close()
        self.assertEqual(body, data[:1000])
        entry = self.srv.log_for("f-reset", 1)[0]
        self.assertEqual((entry["fault"], entry["bytes_sent"], entry["status"]), ("reset_after", 1000, 200))

    def test_fault_reset_after_http_client(self):
        c = self.srv.conn()
        c.request("GET", "/b/f-reset-http", headers={"Range": "bytes=0-199999"})
        r = c.getresponse()
        self.assertEqual((r.status, r.getheader("Content-Range")), (206, f"bytes 0-199999/{256 * 1024}"))
        with self.assertRaises((ConnectionError, http.client.IncompleteRead)):
            r.read()
        c.close()

    def test_fault_stall(self):
        data = self.fx.files["f-stall"]
        s = self.srv.raw("/b/f-stall")
        head, body = read_head(s)
        self.assertIn("Content-Length: %d" % len(data), head)
        while len(body) < 100:
            chunk = s.recv(65536)
            self.assertTrue(chunk, "EOF before the first 100 body bytes")
            body += chunk
        started = time.monotonic()
        self.assertEqual(body, data[:100])
        s.settimeout(0.3)
        with self.assertRaises(socket.timeout, msg="the server kept sending during the stall"):
            s.recv(65536)
        s.settimeout(DEADLINE)
        self.assertEqual(s.recv(65536), b"", "the stalled connection was not closed")
        self.assertGreater(time.monotonic() - started, 0.8)
        s.close()

    def test_fault_answer_claims_a_body_it_never_sends(self):
        s = self.srv.raw("/b/f-answer")
        head, body = read_head(s)
        self.assertTrue(head.startswith("HTTP/1.1 206"), head)
        self.assertIn("Content-Range: bytes 0-0/0", head)
        self.assertIn("Content-Length: 1", head)
        self.assertEqual(body, b"")
        s.settimeout(0.3)
        with self.assertRaises(socket.timeout, msg="the server sent a body it should only have claimed"):
            s.recv(65536)
        s.close()

    def test_fault_answer_keep(self):
        c = self.srv.conn()
        resp, body = self.srv.request("GET", "/b/f-answer-keep", conn=c)
        self.assertEqual((resp.status, body), (200, b"hello"))
        resp, body = self.srv.request("GET", "/b/obj", conn=c)  # the connection is still usable
        self.assertEqual((resp.status, body), (200, self.obj))
        c.close()

    def test_fault_short_body_http_client(self):
        data = self.fx.files["f-short-body"]
        c = self.srv.conn()
        c.request("GET", "/b/f-short-body")
        r = c.getresponse()
        self.assertEqual(r.getheader("Content-Length"), str(len(data)))
        with self.assertRaises(http.client.IncompleteRead) as cm:
            r.read()
        self.assertEqual(cm.exception.partial, data[:-10])
        c.close()

    def test_fault_short_body_clean_eof(self):
        data = self.fx.files["f-short-body-raw"]
        s = self.srv.raw("/b/f-short-body-raw")
        head, body = read_head(s)
        while True:
            chunk = s.recv(65536)  # a reset would raise here
            if not chunk:
                break
            body += chunk
        s.close()
        self.assertIn("Content-Length: %d" % len(data), head)
        self.assertEqual(body, data[:-10])

    def test_fault_short_length(self):
        data = self.fx.files["f-short-length"]
        c = self.srv.conn()
        r, body = self.srv.request("GET", "/b/f-short-length", {"Range": "bytes=0-99"}, conn=c)
        self.assertEqual((r.status, body), (206, data[:100]))  # range_start 0 does not match the rule
        r, body = self.srv.request("GET", "/b/f-short-length", {"Range": "bytes=100-199"}, conn=c)
        self.assertEqual(r.status, 206)
        self.assertEqual(r.getheader("Content-Range"), f"bytes 100-199/{len(data)}")
        self.assertEqual(r.getheader("Content-Length"), "93")
        self.assertEqual(body, data[100:193])
        sock = c.sock
        r, body = self.srv.request("GET", "/b/f-short-length", {"Range": "bytes=100-199"}, conn=c)
        self.assertEqual((r.status, body), (206, data[100:200]))
        self.assertIs(c.sock, sock, "connection not reusable after short_length")
        c.close()

    def test_fault_full_200(self):
        data = self.fx.files["f-full-200"]
        r, body = self.srv.get("/b/f-full-200", Range="bytes=100-199")
        self.assertEqual((r.status, body, r.getheader("Content-Range")), (200, data, None))
        r, body = self.srv.get("/b/f-full-200", Range="bytes=100-199")
        self.assertEqual((r.status, body), (206, data[100:200]))

    def test_fault_wrong_content_range_shift(self):
        data = self.fx.files["f-wcr"]
        r, body = self.srv.get("/b/f-wcr", Range="bytes=10-19")
        self.assertEqual((r.status, body), (206, data[10:20]))
        self.assertEqual(r.getheader("Content-Range"), f"bytes 13-22/{len(data)}")

    def test_fault_wrong_content_range_total(self):
        data = self.fx.files["f-wcr-total"]
        r, body = self.srv.get("/b/f-wcr-total", Range="bytes=10-19")
        self.assertEqual((r.status, body, r.getheader("Content-Range")), (206, data[10:20], "bytes 10-19/5"))

    def _check_change(self, key):
        old = self.fx.files[key]
        r, body = self.srv.get(f"/b/{key}", Range="bytes=0-9")
        etag = r.getheader("ETag")
        self.assertEqual((r.status, body, etag), (206, old[:10], md5_etag(old)))
        r, body = self.srv.get(f"/b/{key}", Range="bytes=10-19", If_Match=etag)
        self.assertEqual((r.status, error_code(body)), (412, "PreconditionFailed"))
        r, new = self.srv.get(f"/b/{key}")
        self.assertEqual(r.status, 200)
        self.assertNotEqual(new, old)
        self.assertNotEqual(r.getheader("ETag"), etag)
        self.assertEqual(r.getheader("ETag"), md5_etag(new))
        r, _ = self.srv.get(f"/b/{key}", Range="bytes=10-19", If_Match=etag)
        self.assertEqual(r.status, 412, "a later If-Match with the old ETag must fail too")
        return old, new

    def test_fault_change_object_append(self):
        old, new = self._check_change("f-change")
        self.assertEqual(new, old + b"CHANGED")

    def test_fault_change_object_seed(self):
        old, new = self._check_change("f-change-seed")
        self.assertEqual(len(new), len(old))

    def test_fault_etag_header(self):
        data = self.fx.files["f-etag"]
        r, body = self.srv.get("/b/f-etag", Range="bytes=0-9")
        self.assertEqual((r.status, body), (206, data[:10]))
        self.assertEqual(r.getheader("ETag"), '"0123456789abcdef0123456789abcdef"')
        r, body = self.srv.get("/b/f-etag", Range="bytes=10-19", If_Match=md5_etag(data))
        self.assertEqual((r.status, body, r.getheader("ETag")), (206, data[10:20], md5_etag(data)))

    def test_fault_delay(self):
        started = time.monotonic()
        r, body = self.srv.get("/b/f-delay")
        self.assertGreaterEqual(time.monotonic() - started, 0.35)
        self.assertEqual((r.status, body), (200, self.fx.files["f-delay"]))
        self.assertEqual(self.srv.log_for("f-delay", 1)[0]["fault"], "delay")


class SeparateServersTest(unittest.TestCase):
    """Behaviour that needs a fresh server: request numbering, RNG, plan loading, shutdown."""

    @classmethod
    def setUpClass(cls):
        cls.fx = Fixture()
        cls.obj = cls.fx.random("obj", 1000)

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.fx.dir, ignore_errors=True)

    def server(self, **kw):
        srv = FaultServer(self.fx.dir, **kw)
        self.addCleanup(srv.stop)
        return srv

    def test_match_nth(self):
        srv = self.server(plan={"rules": [{"match": {"nth": 2}, "status": 500}, {"match": {"nth": 4}, "status": 503}]})
        self.assertEqual([srv.get("/b/obj")[0].status for _ in range(5)], [200, 500, 200, 503, 200])
        self.assertEqual([(e["n"], e["status"]) for e in srv.log()], [(1, 200), (2, 500), (3, 200), (4, 503), (5, 200)])

    def test_log_line_is_there_when_the_response_is(self):
        srv = self.server()
        c = srv.conn()
        with open(srv.log_path, encoding="utf-8") as log:
            for n in range(1, 1001):
                rng = f"bytes={n % 900}-{n % 900 + 9}"
                r, body = srv.request("HEAD" if n % 3 == 0 else "GET", "/b/obj", {"Range": rng}, conn=c)
                self.assertEqual(r.status, 206)
                line = log.readline()
                self.assertTrue(line.endswith("\n"), f"the log line of finished response {n} is missing")
                entry = json.loads(line)
                self.assertEqual((entry["n"], entry["range"], entry["bytes_sent"]), (n, rng, len(body)))
        c.close()

    def test_match_probability_is_seeded(self):
        plan = {"rules": [{"match": {"probability": 0.5}, "status": 503, "times": -1}]}
        patterns = []
        for _ in range(2):
            srv = self.server(plan=plan, seed=42)
            patterns.append([srv.get("/b/obj")[0].status for _ in range(40)])
        self.assertEqual(patterns[0], patterns[1], "same seed, same requests -> same faults")
        self.assertTrue(5 < patterns[0].count(503) < 35, patterns[0])

    def test_missing_plan_means_no_faults(self):
        srv = self.server(plan_path=os.path.join(self.fx.dir, "no-such-plan.json"))
        r, body = srv.get("/b/obj", Range="bytes=0-9")
        self.assertEqual((r.status, body), (206, self.obj[:10]))

    def test_bad_plan_is_rejected(self):
        with self.assertRaises(AssertionError):
            FaultServer(self.fx.dir, plan={"rules": [{"match": {"nht": 1}, "status": 500}]})

    def test_sigterm_exits_promptly_despite_stall_and_idle_connection(self):
        srv = FaultServer(self.fx.dir, plan={"rules": [{"match": {"nth": 2}, "fault": "stall", "seconds": 30}]})
        idle = srv.conn()
        r, body = srv.request("GET", "/b/obj", conn=idle)  # request 1; the keep-alive connection stays open
        self.assertEqual((r.status, body), (200, self.obj))
        s = srv.raw("/b/obj")
        head, _ = read_head(s)  # request 2: its handler is now stalling
        self.assertIn("200 OK", head)
        started = time.monotonic()
        rc = srv.stop()
        self.assertEqual(rc, 0)
        self.assertLess(time.monotonic() - started, 5)
        s.close()
        idle.close()


def load_tests(loader, tests, pattern):
    """This file also runs test_upload_s3.py's cases (scripts/test runs only this file); discovery (a pattern)
    finds that file by itself."""
    if pattern is None:
        here = os.path.dirname(os.path.abspath(__file__))
        if here not in sys.path:
            sys.path.insert(0, here)
        import test_upload_s3
        tests.addTests(loader.loadTestsFromModule(test_upload_s3))
    return tests


if __name__ == "__main__":
    unittest.main()
