#!/usr/bin/env python3
"""Self-test of fault_s3.py as an upload target: PutObject, metadata, multipart, ListObjectsV2, the payload checks,
the SigV4 verifier, the checksums and the upload faults. test_fault_s3.py runs these too (load_tests there).

Run from the repository root:  python3 tests/servers/test_upload_s3.py   (or /usr/bin/python3, which has crcmod)
"""
import base64
import calendar
import hashlib
import hmac
import http.client
import json
import os
import random
import re
import shutil
import socket
import sys
import tempfile
import time
import unittest
import xml.etree.ElementTree as ET
import zlib
from email.utils import formatdate
from urllib.parse import quote, unquote

HERE = os.path.dirname(os.path.abspath(__file__))
if HERE not in sys.path:
    sys.path.insert(0, HERE)

import s3_checksums as cks  # noqa: E402
import s3_sigv4  # noqa: E402
from test_fault_s3 import DEADLINE, FaultServer, Fixture, error_code, md5_etag, read_head  # noqa: E402

MIN_PART = 64 * 1024
KEY_ID, SECRET, TOKEN = "AKIDFAULTS3TEST", "fault/s3+secret/KEY", "session-token/with+odd=chars"
HOSTILE_KEYS = ["sp ace/plus+equals=amp&q?hash#pct%25/ü €/semi;colon:at@",
                "tilde~star*paren()excl!dollar$comma,quote'",
                "trailing/slash/"]


def email_date(ts):
    return formatdate(ts, usegmt=True)


def b64(raw):
    return base64.b64encode(raw).decode()


def checksum_value(alg, data):
    return b64(cks.digest(alg, data))


def xml(body):
    """Parsed S3 XML with the namespace stripped from every tag."""
    root = ET.fromstring(body.strip())
    for el in root.iter():
        el.tag = el.tag.rsplit("}", 1)[-1]
    return root


def complete_body(parts, checksums=None):
    """CompleteMultipartUpload XML for [(number, etag)] (+ {number: {alg: value}})."""
    out = []
    for number, etag in parts:
        extra = "".join(f"<Checksum{a}>{v}</Checksum{a}>" for a, v in (checksums or {}).get(number, {}).items())
        out.append(f"<Part><PartNumber>{number}</PartNumber><ETag>{etag}</ETag>{extra}</Part>")
    return ('<CompleteMultipartUpload xmlns="http://s3.amazonaws.com/doc/2006-03-01/">' + "".join(out)
            + "</CompleteMultipartUpload>").encode()


def sign(method, path, query="", headers=None, body=b"", host="127.0.0.1", key_id=KEY_ID, secret=SECRET,
         region="us-east-1", amz_date=None, payload=None, token=TOKEN, signed=None):
    """A small independent SigV4 signer: returns the headers with x-amz-date, x-amz-content-sha256, the token and
    Authorization. `signed` overrides the SignedHeaders list (in the given order)."""
    headers = dict(headers or {})
    amz_date = amz_date or time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
    payload = payload or hashlib.sha256(body).hexdigest()
    headers.setdefault("Host", host)
    headers["x-amz-date"] = amz_date
    headers["x-amz-content-sha256"] = payload
    if token:
        headers["x-amz-security-token"] = token
    lower = {k.lower(): " ".join(str(v).split()) for k, v in headers.items()}
    names = signed or sorted(lower)

    def enc(s):
        return quote(s, safe="-_.~")

    pairs = sorted((enc(unquote(n)), enc(unquote(v)))
                   for n, _, v in (p.partition("=") for p in query.split("&") if p))
    creq = "\n".join([method, path, "&".join(f"{n}={v}" for n, v in pairs),
                      *(f"{n}:{lower.get(n, '')}" for n in names), "", ";".join(names), payload])
    scope = f"{amz_date[:8]}/{region}/s3/aws4_request"
    sts = "\n".join(["AWS4-HMAC-SHA256", amz_date, scope, hashlib.sha256(creq.encode()).hexdigest()])
    k = ("AWS4" + secret).encode()
    for part in (amz_date[:8], region, "s3", "aws4_request"):
        k = hmac.new(k, part.encode(), hashlib.sha256).digest()
    sig = hmac.new(k, sts.encode(), hashlib.sha256).hexdigest()
    headers["Authorization"] = (f"AWS4-HMAC-SHA256 Credential={key_id}/{scope}, SignedHeaders={';'.join(names)}, "
                                f"Signature={sig}")
    return headers


def read_response(sock):
    """(status, headers, body) of one response read from a raw socket (Content-Length or chunked)."""
    resp = http.client.HTTPResponse(sock)
    resp.begin()
    return resp.status, {k.lower(): v for k, v in resp.getheaders()}, resp.read()


class S3Client:
    """Requests to a FaultServer, optionally signed."""

    def __init__(self, srv, signing=False):
        self.srv, self.signing = srv, signing

    def __call__(self, method, path, body=b"", headers=None, conn=None, **sign_kw):
        raw_path, _, query = path.partition("?")
        headers = dict(headers or {})
        if self.signing:
            headers = sign(method, raw_path, query, headers, body, host=f"127.0.0.1:{self.srv.port}", **sign_kw)
        return self.srv.request(method, path, headers, conn=conn, body=body if body or method in ("PUT", "POST")
                                else None)

    def put(self, bucket, key, data, headers=None, **kw):
        return self("PUT", f"/{bucket}/{quote(key)}", data, headers, **kw)

    def get(self, bucket, key, headers=None, **kw):
        return self("GET", f"/{bucket}/{quote(key)}", b"", headers, **kw)

    def create(self, bucket, key, headers=None):
        r, body = self("POST", f"/{bucket}/{quote(key)}?uploads", b"", headers)
        assert r.status == 200, (r.status, body)
        return xml(body).findtext("UploadId")

    def part(self, bucket, key, upload_id, number, data, headers=None):
        return self("PUT", f"/{bucket}/{quote(key)}?partNumber={number}&uploadId={quote(upload_id)}", data, headers)

    def complete(self, bucket, key, upload_id, parts, checksums=None, headers=None):
        return self("POST", f"/{bucket}/{quote(key)}?uploadId={quote(upload_id)}", complete_body(parts, checksums),
                    headers)

    def abort(self, bucket, key, upload_id):
        return self("DELETE", f"/{bucket}/{quote(key)}?uploadId={quote(upload_id)}")

    def upload(self, bucket, key, parts, create_headers=None, part_alg=None):
        """Create + parts; returns (upload_id, [(number, etag)], {number: {alg: value}})."""
        upload_id = self.create(bucket, key, create_headers)
        listed, sums = [], {}
        for number, data in enumerate(parts, 1):
            headers = {cks.HEADERS[part_alg]: checksum_value(part_alg, data)} if part_alg else {}
            r, body = self.part(bucket, key, upload_id, number, data, headers)
            assert r.status == 200, (r.status, body)
            listed.append((number, r.getheader("ETag")))
            if part_alg:
                sums[number] = {part_alg: r.getheader(cks.HEADERS[part_alg])}
        return upload_id, listed, sums


class ChecksumTest(unittest.TestCase):
    CHECK = {"CRC32": 0xCBF43926, "CRC32C": 0xE3069283, "CRC64NVME": 0xAE8B14860A799888}

    def test_check_values_python_fallback(self):
        self.assertEqual(cks.PY_CRC32C(b"123456789"), self.CHECK["CRC32C"])
        self.assertEqual(cks.PY_CRC64NVME(b"123456789"), self.CHECK["CRC64NVME"])
        self.assertEqual(cks.crc32(b"123456789"), self.CHECK["CRC32"])

    @unittest.skipUnless(cks.CRCMOD, "crcmod's C extension is not importable by this interpreter")
    def test_check_values_crcmod(self):
        crc32c, crc64 = cks.CRCMOD
        self.assertEqual(crc32c(b"123456789"), self.CHECK["CRC32C"])
        self.assertEqual(crc64(b"123456789"), self.CHECK["CRC64NVME"])
        rng = random.Random(5)
        for n in (0, 1, 7, 8, 9, 63, 64, 65, 1000, 4099):
            data = rng.randbytes(n)
            self.assertEqual(crc32c(data), cks.PY_CRC32C(data), n)
            self.assertEqual(crc64(data), cks.PY_CRC64NVME(data), n)

    def test_incremental_and_lengths(self):
        rng = random.Random(6)
        for fn in (cks.PY_CRC32C, cks.PY_CRC64NVME, cks.crc32c, cks.crc64nvme):
            for n in (0, 1, 5, 8, 13, 16, 100, 1001):
                data = rng.randbytes(n)
                whole = fn(data)
                for cut in (0, 1, n // 2, n):
                    self.assertEqual(fn(data[cut:], fn(data[:cut])), whole, (fn, n, cut))
                bytewise = 0
                for i in range(n):
                    bytewise = fn(data[i:i + 1], bytewise)
                self.assertEqual(bytewise, whole)

    def test_hashers_and_composite(self):
        data = b"hello world"
        self.assertEqual(cks.digest("CRC32", data), zlib.crc32(data).to_bytes(4, "big"))
        self.assertEqual(cks.digest("SHA256", data), hashlib.sha256(data).digest())
        self.assertEqual(cks.digest("CRC64NVME", b"123456789").hex(), "ae8b14860a799888")
        parts = [cks.digest("CRC32C", b"a"), cks.digest("CRC32C", b"b")]
        self.assertEqual(cks.composite("CRC32C", parts), b64(cks.digest("CRC32C", b"".join(parts))) + "-2")

    def test_decode_value(self):
        self.assertEqual(cks.decode_value("CRC32", "AAAAAA=="), b"\0" * 4)
        for alg, bad in (("CRC32", "AAAAAAAA"), ("CRC64NVME", "AAAAAA=="), ("SHA1", "not base64!"), ("CRC32C", "")):
            with self.assertRaises(Exception) as cm:
                cks.decode_value(alg, bad)
            self.assertEqual(cm.exception.code, "InvalidRequest")


class SigV4UnitTest(unittest.TestCase):
    VECTOR_HEADERS = [("Host", "examplebucket.s3.amazonaws.com"), ("Range", "bytes=0-9"),
                      ("x-amz-content-sha256", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
                      ("x-amz-date", "20130524T000000Z")]
    VECTOR_AUTH = ("AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request,"
                   "SignedHeaders=host;range;x-amz-content-sha256;x-amz-date,"
                   "Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41")
    CREDS = {"AKIAIOSFODNN7EXAMPLE": "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"}
    NOW = calendar.timegm((2013, 5, 24, 0, 3, 0))

    def verify(self, auth=VECTOR_AUTH, headers=VECTOR_HEADERS, now=NOW, path="/test.txt", **kw):
        return s3_sigv4.verify("GET", path, "", [*headers, ("Authorization", auth)], self.CREDS, now, **kw)

    def test_aws_documentation_vector(self):
        self.assertIsNone(self.verify())
        self.assertIsNone(self.verify(region="us-east-1"))

    def test_vector_tampered(self):
        cases = {"path": dict(path="/test.txt2"), "sig": dict(auth=self.VECTOR_AUTH[:-1] + "2"),
                 "header": dict(headers=[*self.VECTOR_HEADERS[:1], ("Range", "bytes=0-10"), *self.VECTOR_HEADERS[2:]])}
        for name, kw in cases.items():
            with self.subTest(name), self.assertRaises(Exception) as cm:
                self.verify(**kw)
            self.assertEqual(cm.exception.code, "SignatureDoesNotMatch")
        with self.assertRaises(Exception) as cm:
            self.verify(now=self.NOW + 16 * 60)
        self.assertEqual(cm.exception.code, "RequestTimeTooSkewed")
        with self.assertRaises(Exception) as cm:
            self.verify(region="eu-west-1")
        self.assertEqual((cm.exception.code, cm.exception.headers["x-amz-bucket-region"]),
                         ("AuthorizationHeaderMalformed", "eu-west-1"))

    def test_canonical_query(self):
        self.assertEqual(s3_sigv4.canonical_query("uploadId=a%7Eb.c&partNumber=3"), "partNumber=3&uploadId=a~b.c")
        self.assertEqual(s3_sigv4.canonical_query("uploads"), "uploads=")
        self.assertEqual(s3_sigv4.canonical_query("prefix=a b+c%2F&delimiter=/&b=2&b=1&a="),
                         "a=&b=1&b=2&delimiter=%2F&prefix=a%20b%2Bc%2F")
        self.assertEqual(s3_sigv4.uri_encode("ü /~"), "%C3%BC%20%2F~")
        self.assertEqual(s3_sigv4.uri_encode("ü /~", keep_slash=True), "%C3%BC%20/~")

    def test_date_header_instead_of_x_amz_date(self):
        now = time.time()
        headers = [("Host", "h"), ("Date", email_date(now)), ("x-amz-content-sha256", s3_sigv4.EMPTY_SHA256)]
        signed = ["date", "host", "x-amz-content-sha256"]
        amz_date = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime(now))
        scope = f"{amz_date[:8]}/us-east-1/s3/aws4_request"
        creq = s3_sigv4.canonical_request("GET", "/b/k", "", headers, signed, s3_sigv4.EMPTY_SHA256)
        sig = s3_sigv4.sign(SECRET, amz_date, scope, s3_sigv4.string_to_sign(amz_date, scope, creq))
        auth = f"AWS4-HMAC-SHA256 Credential={KEY_ID}/{scope}, SignedHeaders={';'.join(signed)}, Signature={sig}"
        self.assertIsNone(s3_sigv4.verify("GET", "/b/k", "", headers + [("Authorization", auth)], {KEY_ID: SECRET},
                                          now))
        with self.assertRaises(Exception) as cm:
            s3_sigv4.verify("GET", "/b/k", "", headers + [("Authorization", auth)], {KEY_ID: SECRET}, now + 3600)
        self.assertEqual(cm.exception.code, "RequestTimeTooSkewed")

    def test_independent_signer_agrees(self):
        headers = sign("PUT", "/b/a%20b", "partNumber=1&uploadId=x", {"Host": "h", "x-amz-meta-a": "  1   2 "},
                       b"body", host="h")
        self.assertIsNone(s3_sigv4.verify("PUT", "/b/a%20b", "uploadId=x&partNumber=1", list(headers.items()),
                                          {KEY_ID: SECRET}, time.time()))


class UploadBase(unittest.TestCase):
    PLAN = None
    EXTRA = ()
    SIGNED = False

    @classmethod
    def setUpClass(cls):
        cls.fx = Fixture()
        for bucket in ("u", "lst", "nohand"):
            os.makedirs(os.path.join(cls.fx.dir, bucket))
        cls.hand = cls.fx.random("hand.bin", 3000)
        cls.srv = FaultServer(cls.fx.dir, cls.PLAN, extra=["--min-part-size", str(MIN_PART), *cls.EXTRA])
        cls.s3 = S3Client(cls.srv, cls.SIGNED)

    @classmethod
    def tearDownClass(cls):
        rc = cls.srv.stop()
        shutil.rmtree(cls.fx.dir, ignore_errors=True)
        assert rc == 0, f"server exit status {rc}"

    def path(self, *parts):
        return os.path.join(self.fx.dir, *parts)

    def assertError(self, resp_body, status, code):
        r, body = resp_body
        self.assertEqual((r.status, error_code(body)), (status, code), body)
        return body

    def last_log(self, **where):
        found = [e for e in self.srv.log() if all(e.get(k) == v for k, v in where.items())]
        self.assertTrue(found, f"no log line with {where}")
        return found[-1]

    def upload_ids(self, bucket="u"):
        r, body = self.s3("GET", f"/{bucket}?uploads")
        self.assertEqual(r.status, 200, body)
        return [(u.findtext("Key"), u.findtext("UploadId")) for u in xml(body).findall("Upload")]

    def uploads_on_disk(self):
        d = self.path(".uploads")
        return sorted(os.listdir(d)) if os.path.isdir(d) else []


PLAN = {"rules": [
    {"match": {"key": "f-reset-body"}, "reset_body": 50000},
    {"match": {"key": "f-stall-body"}, "fault": "stall_body", "after": 1000, "seconds": 0.5},
    {"match": {"key": "f-part-503", "op": "part", "part_number": 2}, "status": 503, "code": "SlowDown"},
    {"match": {"key": "f-nsu", "op": "complete"}, "no_such_upload": True},
    {"match": {"key": "f-put-delay", "op": "put"}, "delay": 0.4},
    {"match": {"key": "f-put-answer", "op": "put"}, "fault": "answer", "status": 500, "body": "oops", "then": "keep"},
    {"match": {"key": "f-early", "op": "put"}, "fault": "status", "status": 503, "early": True},
    {"match": {"key": "f-cerr", "op": "complete"}, "complete_error": True},
    {"match": {"key": "f-cerr-then", "op": "complete"}, "complete_error": True, "then_complete": True,
     "code": "SlowDown", "message": "Reduce your request rate."},
    {"match": {"key": "f-cerr-ws", "op": "complete"}, "complete_error": True, "whitespace": True, "seconds": 0.3},
    {"match": {"key": "f-cws", "op": "complete"}, "complete_whitespace": True, "seconds": 0.3},
    {"match": {"key": "f-lost", "op": "put"}, "lost_response": True},
    {"match": {"key": "f-list", "op": "list_parts"}, "status": 500},
    {"match": {"op": "list", "path_contains": "f-list-prefix"}, "status": 503},
    {"match": {"key": "f-delete", "op": "delete"}, "status": 500},
]}


class UploadTest(UploadBase):
    PLAN = PLAN

    # ---- PutObject -----------------------------------------------------------------------------------------------

    def test_put_round_trip(self):
        data = random.Random(1).randbytes(300000)
        r, body = self.s3.put("u", "dir/sub/obj.bin", data)
        self.assertEqual((r.status, body), (200, b""))
        self.assertEqual(r.getheader("ETag"), md5_etag(data))
        with open(self.path("u", "dir", "sub", "obj.bin"), "rb") as f:
            self.assertEqual(f.read(), data)
        self.assertTrue(os.path.exists(self.path(".meta", "u", quote("dir/sub/obj.bin", safe="") + ".json")))
        r, body = self.s3.get("u", "dir/sub/obj.bin")
        self.assertEqual((r.status, body, r.getheader("ETag")), (200, data, md5_etag(data)))
        self.assertEqual(r.getheader("Content-Type"), "binary/octet-stream")
        r, body = self.s3.get("u", "dir/sub/obj.bin", {"Range": "bytes=10-19"})
        self.assertEqual((r.status, body), (206, data[10:20]))
        r, body = self.s3("HEAD", "/u/dir/sub/obj.bin")
        self.assertEqual((r.status, r.getheader("Content-Length")), (200, "300000"))
        entry = self.last_log(op="put", key="dir/sub/obj.bin")
        self.assertEqual((entry["body_bytes"], entry["status"], entry["sig"], entry["method"]), (300000, 200, "off",
                                                                                               "PUT"))
        self.assertEqual(os.listdir(self.path(".tmp")), [], "a temp file was left behind")

    def test_copy_object(self):
        data = random.Random(7).randbytes(70000)
        headers = {"Content-Type": "text/x-src", "x-amz-meta-a": "1", "x-amz-tagging": "t=1",
                   "x-amz-checksum-crc32c": base64.b64encode(cks.digest("CRC32C", data)).decode()}
        self.assertEqual(self.s3.put("u", "cp/src.bin", data, headers)[0].status, 200)
        etag = md5_etag(data)
        # COPY: bytes, metadata, tags and the full-object checksum come along; the answer names the ETag and sum.
        r, body = self.s3("PUT", "/u/cp/dst.bin", headers={"x-amz-copy-source": "u/cp/src.bin",
                                                   "x-amz-copy-source-if-match": etag})
        self.assertEqual(r.status, 200, body)
        self.assertEqual(xml(body).findtext("ETag"), etag)
        self.assertEqual(xml(body).findtext("ChecksumCRC32C"), headers["x-amz-checksum-crc32c"])
        self.assertEqual(self.last_log(key="cp/dst.bin")["op"], "copy")
        r, got = self.s3("GET", "/u/cp/dst.bin", headers={"x-amz-checksum-mode": "ENABLED"})
        self.assertEqual((got, r.getheader("Content-Type"), r.getheader("x-amz-meta-a")), (data, "text/x-src", "1"))
        self.assertEqual(r.getheader("x-amz-checksum-crc32c"), headers["x-amz-checksum-crc32c"])
        self.assertEqual(r.getheader("x-amz-tagging-count"), "1")
        # REPLACE: the request's metadata and tags; a checksum asked for is computed.
        r, body = self.s3("PUT", "/u/cp/re.bin", headers={"x-amz-copy-source": "/u/cp%2Fsrc.bin",
                                                  "x-amz-metadata-directive": "REPLACE", "Content-Type": "text/y",
                                                  "x-amz-tagging-directive": "REPLACE",
                                                  "x-amz-checksum-algorithm": "CRC32"})
        self.assertEqual(r.status, 200, body)
        self.assertEqual(xml(body).findtext("ChecksumCRC32"), base64.b64encode(cks.digest("CRC32", data)).decode())
        r, _ = self.s3("HEAD", "/u/cp/re.bin")
        self.assertEqual((r.getheader("Content-Type"), r.getheader("x-amz-meta-a"), r.getheader("x-amz-tagging-count")),
                         ("text/y", None, None))
        # The source's ETag no longer what was asked: 412 and nothing made; a missing source: 404; onto itself
        # changing nothing: 400.
        self.assertError(self.s3("PUT", "/u/cp/no.bin", headers={"x-amz-copy-source": "u/cp/src.bin",
                                                         "x-amz-copy-source-if-match": md5_etag(b"other")}),
                         412, "PreconditionFailed")
        self.assertFalse(os.path.exists(self.path("u", "cp", "no.bin")))
        self.assertError(self.s3("PUT", "/u/cp/no.bin", headers={"x-amz-copy-source": "u/cp/missing"}), 404,
                         "NoSuchKey")
        self.assertError(self.s3("PUT", "/u/cp/src.bin", headers={"x-amz-copy-source": "u/cp/src.bin"}), 400,
                         "InvalidRequest")
        # If-None-Match: * onto an existing key: 412, the key as it was, no temporary file left.
        self.assertError(self.s3("PUT", "/u/cp/re.bin", headers={"x-amz-copy-source": "u/cp/src.bin",
                                                                  "If-None-Match": "*"}), 412, "PreconditionFailed")
        self.assertEqual(self.s3("HEAD", "/u/cp/re.bin")[0].getheader("Content-Type"), "text/y")
        self.assertEqual(os.listdir(self.path(".tmp")), [])
        r, body = self.s3("PUT", "/u/cp/new.bin", headers={"x-amz-copy-source": "u/cp/src.bin", "If-None-Match": "*"})
        self.assertEqual(r.status, 200, body)

    def test_upload_part_copy(self):
        data = random.Random(8).randbytes(MIN_PART + 1000)
        self.assertEqual(self.s3.put("u", "pc/src.bin", data)[0].status, 200)
        upload_id = self.s3.create("u", "pc/dst.bin", {"x-amz-checksum-algorithm": "CRC32C",
                                                       "x-amz-checksum-type": "FULL_OBJECT"})
        src = {"x-amz-copy-source": "u/pc/src.bin", "x-amz-copy-source-if-match": md5_etag(data)}
        parts, sums = [], {}
        for number, (start, end) in enumerate([(0, MIN_PART - 1), (MIN_PART, len(data) - 1)], 1):
            r, body = self.s3("PUT", f"/u/pc/dst.bin?partNumber={number}&uploadId={upload_id}",
                              headers={**src, "x-amz-copy-source-range": f"bytes={start}-{end}"})
            self.assertEqual(r.status, 200, body)
            self.assertEqual(self.last_log(upload_id=upload_id, part_number=number)["op"], "part_copy")
            answer = xml(body)
            self.assertEqual(answer.findtext("ETag"), md5_etag(data[start:end + 1]))
            expected = base64.b64encode(cks.digest("CRC32C", data[start:end + 1])).decode()
            self.assertEqual(answer.findtext("ChecksumCRC32C"), expected)
            parts.append((number, answer.findtext("ETag")))
            sums[number] = {"CRC32C": expected}
        whole = base64.b64encode(cks.digest("CRC32C", data)).decode()
        r, body = self.s3.complete("u", "pc/dst.bin", upload_id, parts, sums,
                                   {"x-amz-checksum-crc32c": whole, "x-amz-checksum-type": "FULL_OBJECT"})
        self.assertEqual(r.status, 200, body)
        self.assertEqual(self.s3.get("u", "pc/dst.bin")[1], data)
        # A range past the source's end, and a source that is not the one asked for.
        upload_id = self.s3.create("u", "pc/bad.bin")
        path = f"/u/pc/bad.bin?partNumber=1&uploadId={upload_id}"
        self.assertError(self.s3("PUT", path, headers={**src, "x-amz-copy-source-range": f"bytes=0-{len(data)}"}),
                         400, "InvalidArgument")
        self.assertError(self.s3("PUT", path, headers={"x-amz-copy-source": "u/pc/src.bin",
                                                       "x-amz-copy-source-if-match": md5_etag(b"x")}),
                         412, "PreconditionFailed")
        self.s3.abort("u", "pc/bad.bin", upload_id)

    def test_put_overwrite_and_empty(self):
        self.assertEqual(self.s3.put("u", "ow", b"first")[0].status, 200)
        self.assertEqual(self.s3.put("u", "ow", b"")[0].status, 200)
        r, body = self.s3.get("u", "ow")
        self.assertEqual((r.status, body, r.getheader("ETag")), (200, b"", md5_etag(b"")))

    def test_put_metadata_round_trip(self):
        headers = {"Content-Type": "text/plain; charset=utf-8", "Cache-Control": "max-age=60",
                   "Content-Encoding": "gzip", "Content-Disposition": 'attachment; filename="x.txt"',
                   "Content-Language": "de", "x-amz-meta-color": "blue", "X-Amz-Meta-Mixed-Case": "Value 2",
                   "x-amz-tagging": "project=s3fcp&empty=&sp%20ace=v%2Fx", "x-amz-storage-class": "STANDARD_IA",
                   "x-amz-acl": "bucket-owner-full-control", "x-amz-server-side-encryption": "aws:kms",
                   "x-amz-server-side-encryption-aws-kms-key-id": "arn:aws:kms:us-east-1:1:key/k"}
        r, body = self.s3.put("u", "meta.txt", b"hello", headers)
        self.assertEqual(r.status, 200, body)
        self.assertEqual(r.getheader("x-amz-server-side-encryption"), "aws:kms")
        for method in ("GET", "HEAD"):
            r, body = self.s3(method, "/u/meta.txt")
            self.assertEqual(r.status, 200)
            for name in ("Content-Type", "Cache-Control", "Content-Encoding", "Content-Disposition", "Content-Language",
                         "x-amz-server-side-encryption", "x-amz-server-side-encryption-aws-kms-key-id"):
                self.assertEqual(r.getheader(name), headers[name], name)
            self.assertEqual(r.getheader("x-amz-meta-color"), "blue")
            self.assertEqual(r.getheader("x-amz-meta-mixed-case"), "Value 2")
            self.assertEqual(r.getheader("x-amz-storage-class"), "STANDARD_IA")
            self.assertEqual(r.getheader("x-amz-tagging-count"), "3")
        r, body = self.s3("GET", "/u/meta.txt?tagging")
        self.assertEqual(r.status, 200)
        tags = [(t.findtext("Key"), t.findtext("Value")) for t in xml(body).find("TagSet")]
        self.assertEqual(tags, [("project", "s3fcp"), ("empty", ""), ("sp ace", "v/x")])
        with open(self.path(".meta", "u", "meta.txt.json"), encoding="utf-8") as f:
            meta = json.load(f)
        self.assertEqual(meta["acl"], "bucket-owner-full-control")
        r, _ = self.s3.put("u", "std", b"x", {"x-amz-storage-class": "STANDARD"})
        self.assertIsNone(self.s3("HEAD", "/u/std")[0].getheader("x-amz-storage-class"))
        self.assertError(self.s3.put("u", "bad-class", b"x", {"x-amz-storage-class": "CHEAP"}), 400,
                         "InvalidStorageClass")

    def test_put_sse_c(self):
        key = b"k" * 32
        sse = {"x-amz-server-side-encryption-customer-algorithm": "AES256",
               "x-amz-server-side-encryption-customer-key": b64(key),
               "x-amz-server-side-encryption-customer-key-MD5": b64(hashlib.md5(key).digest())}
        r, _ = self.s3.put("u", "ssec", b"secret data", sse)
        self.assertEqual(r.status, 200)
        self.assertEqual(r.getheader("x-amz-server-side-encryption-customer-algorithm"), "AES256")
        self.assertError(self.s3.get("u", "ssec"), 400, "InvalidRequest")
        other = b"o" * 32
        wrong = dict(sse, **{"x-amz-server-side-encryption-customer-key": b64(other),
                             "x-amz-server-side-encryption-customer-key-MD5": b64(hashlib.md5(other).digest())})
        self.assertError(self.s3.get("u", "ssec", wrong), 403, "AccessDenied")
        r, body = self.s3.get("u", "ssec", sse)
        self.assertEqual((r.status, body), (200, b"secret data"))
        bad_md5 = dict(sse, **{"x-amz-server-side-encryption-customer-key-MD5": b64(b"\0" * 16)})
        self.assertError(self.s3.put("u", "ssec2", b"x", bad_md5), 400, "InvalidArgument")

    def test_hand_written_objects_keep_working(self):
        r, body = self.s3.get("b", "hand.bin")
        self.assertEqual((r.status, body, r.getheader("ETag")), (200, self.hand, md5_etag(self.hand)))
        # a PUT object later replaced by hand: the stale sidecar is ignored
        self.s3.put("u", "replaced", b"through the server", {"x-amz-meta-a": "1", "Content-Type": "text/x"})
        with open(self.path("u", "replaced.tmp"), "wb") as f:
            f.write(b"by hand")
        os.replace(self.path("u", "replaced.tmp"), self.path("u", "replaced"))
        r, body = self.s3.get("u", "replaced")
        self.assertEqual((r.status, body, r.getheader("ETag")), (200, b"by hand", md5_etag(b"by hand")))
        self.assertIsNone(r.getheader("x-amz-meta-a"))
        self.assertEqual(r.getheader("Content-Type"), "binary/octet-stream")

    def test_put_errors(self):
        self.assertError(self.s3.put("nobucket", "k", b"x"), 404, "NoSuchBucket")
        for path in ("/u/..%2Fb%2Fhand.bin", "/u/a/../../b/hand.bin", "/u/x/.."):
            with self.subTest(path):
                self.assertError(self.s3("PUT", path, b"overwrite?"), 400, "InvalidURI")
        with open(self.path("b", "hand.bin"), "rb") as f:
            self.assertEqual(f.read(), self.hand)
        # A copy source is a key like any other: one that climbs out of its bucket is refused, nothing read.
        for source in ("/u/..%2Fb%2Fhand.bin", "u/x/../../b/hand.bin"):
            with self.subTest(source):
                self.assertError(self.s3.put("u", "copy", b"", {"x-amz-copy-source": source}), 400, "InvalidURI")
        self.assertFalse(os.path.exists(self.path("u", "copy")))
        self.assertError(self.s3("PUT", "/u/k?acl", b""), 501, "NotImplemented")  # PutObjectAcl: not implemented

    def test_odd_keys(self):
        self.s3.put("u", "clash", b"a file")
        keys = {"odd//double": b"1", "./dot": b"2", "dir/": b"3", "clash/inner": b"4", "x" * 300: b"5",
                "v.versions/inner": b"6"}
        for key, data in keys.items():
            with self.subTest(key):
                self.assertEqual(self.s3.put("u", key, data)[0].status, 200)
                r, body = self.s3.get("u", key)
                self.assertEqual((r.status, body), (200, data))
        r, body = self.s3("GET", "/u?list-type=2")
        listed = [c.findtext("Key") for c in xml(body).findall("Contents")]
        for key in keys:
            self.assertIn(key, listed)
        self.assertEqual(self.s3.get("u", "clash")[1], b"a file")
        self.assertEqual(self.s3("DELETE", "/u/odd//double")[0].status, 204)
        self.assertError(self.s3.get("u", "odd//double"), 404, "NoSuchKey")
        self.assertEqual(self.s3.get("u", "odd/double")[0].status, 404, "a//b must not alias a/b")

    def test_chunked_is_501_and_the_connection_stays_usable(self):
        s = socket.create_connection(("127.0.0.1", self.srv.port), timeout=DEADLINE)
        s.sendall(b"PUT /u/chunked HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
                  b"5\r\nhello\r\n6;ext=1\r\n world\r\n0\r\n\r\n")
        status, _, body = read_response(s)
        self.assertEqual((status, error_code(body)), (501, "NotImplemented"))
        self.assertIn(b"<Header>Transfer-Encoding</Header>", body)
        s.sendall(b"GET /b/hand.bin HTTP/1.1\r\nHost: x\r\n\r\n")
        status, _, body = read_response(s)
        self.assertEqual((status, body), (200, self.hand))
        s.close()
        self.assertError(self.s3.get("u", "chunked"), 404, "NoSuchKey")
        self.assertEqual(self.last_log(op="put", key="chunked")["body_bytes"], 11)

    def test_missing_content_length_is_411(self):
        s = socket.create_connection(("127.0.0.1", self.srv.port), timeout=DEADLINE)
        s.sendall(b"PUT /u/nolength HTTP/1.1\r\nHost: x\r\n\r\n")
        status, _, body = read_response(s)
        s.close()
        self.assertEqual((status, error_code(body)), (411, "MissingContentLength"))

    def test_expect_100_continue(self):
        s = socket.create_connection(("127.0.0.1", self.srv.port), timeout=DEADLINE)
        s.sendall(b"PUT /u/expect HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n")
        head, rest = read_head(s)
        self.assertEqual((head, rest), ("HTTP/1.1 100 Continue", b""))
        s.sendall(b"hello")
        status, headers, body = read_response(s)
        s.close()
        self.assertEqual((status, headers["etag"]), (200, md5_etag(b"hello")))
        self.assertEqual(self.s3.get("u", "expect")[1], b"hello")

    def test_if_none_match_put(self):
        r, _ = self.s3.put("u", "inm", b"one", {"If-None-Match": "*"})
        self.assertEqual(r.status, 200)
        body = self.assertError(self.s3.put("u", "inm", b"two", {"If-None-Match": "*"}), 412, "PreconditionFailed")
        self.assertIn(b"<Condition>If-None-Match</Condition>", body)
        self.assertEqual(self.s3.get("u", "inm")[1], b"one")
        self.assertError(self.s3.put("u", "inm", b"two", {"If-None-Match": '"abc"'}), 501, "NotImplemented")
        self.assertEqual(os.listdir(self.path(".tmp")), [])

    def test_delete(self):
        self.s3.put("u", "del/me", b"x")
        for _ in range(2):
            r, body = self.s3("DELETE", "/u/del/me")
            self.assertEqual((r.status, body, r.getheader("Content-Length")), (204, b"", None))
        self.assertError(self.s3.get("u", "del/me"), 404, "NoSuchKey")
        self.assertFalse(os.path.exists(self.path(".meta", "u", "del%2Fme.json")))
        self.assertError(self.s3("DELETE", "/nobucket/k"), 404, "NoSuchBucket")
        self.assertEqual(self.last_log(key="del/me", method="DELETE")["op"], "delete")

    def test_buckets(self):
        r, _ = self.s3("PUT", "/newbucket")
        self.assertEqual(r.status, 200)
        self.assertTrue(os.path.isdir(self.path("newbucket")))
        self.assertEqual(self.s3("HEAD", "/newbucket")[0].status, 200)
        self.assertEqual(self.s3("HEAD", "/missingbucket")[0].status, 404)
        self.assertEqual(self.s3.put("newbucket", "k", b"v")[0].status, 200)
        self.assertError(self.s3("PUT", "/.meta"), 400, "InvalidBucketName")
        self.assertError(self.s3("GET", "/.meta?list-type=2"), 404, "NoSuchBucket")
        self.assertError(self.s3("GET", "/newbucket"), 501, "NotImplemented")
        self.assertEqual([e["op"] for e in self.srv.log() if e["path"] == "/newbucket"][:2],
                         ["create_bucket", "head_bucket"])

    # ---- payload checks ------------------------------------------------------------------------------------------

    def test_put_checksums_each_algorithm(self):
        data = random.Random(2).randbytes(70001)
        for alg in cks.ALGORITHMS:
            with self.subTest(alg):
                key, value = f"ck-{alg}", checksum_value(alg, data)
                r, body = self.s3.put("u", key, data, {cks.HEADERS[alg]: value})
                self.assertEqual(r.status, 200, body)
                self.assertEqual(r.getheader(cks.HEADERS[alg]), value)
                r, body = self.s3.get("u", key, {"x-amz-checksum-mode": "ENABLED"})
                self.assertEqual((r.status, body), (200, data))
                self.assertEqual((r.getheader(cks.HEADERS[alg]), r.getheader("x-amz-checksum-type")),
                                 (value, "FULL_OBJECT"))
                r, _ = self.s3("HEAD", f"/u/{key}", headers={"x-amz-checksum-mode": "ENABLED"})
                self.assertEqual(r.getheader(cks.HEADERS[alg]), value)
                r, _ = self.s3.get("u", key)
                self.assertIsNone(r.getheader(cks.HEADERS[alg]), "checksums only with x-amz-checksum-mode")
                r, _ = self.s3.get("u", key, {"x-amz-checksum-mode": "ENABLED", "Range": "bytes=0-9"})
                self.assertIsNone(r.getheader(cks.HEADERS[alg]), "S3 sends no checksum on a range")
                r, body = self.s3("GET", f"/u?list-type=2&prefix={key}")
                self.assertEqual(xml(body).find("Contents").findtext("ChecksumAlgorithm"), alg)
        r, _ = self.s3.put("u", "ck-declared", data, {"x-amz-checksum-algorithm": "crc32"})
        self.assertEqual(r.getheader("x-amz-checksum-crc32"), checksum_value("CRC32", data))

    def test_checksum_mismatch_and_malformed(self):
        data = b"the body" * 1000
        for alg in cks.ALGORITHMS:
            with self.subTest(alg):
                wrong = checksum_value(alg, data + b"!")
                body = self.assertError(self.s3.put("u", f"bad-{alg}", data, {cks.HEADERS[alg]: wrong}), 400,
                                        "BadDigest")
                self.assertIn(f"The {alg} you specified did not match the calculated checksum.".encode(), body)
                self.assertError(self.s3.get("u", f"bad-{alg}"), 404, "NoSuchKey")
                short = b64(b"\1" * (cks.ALGORITHMS[alg] - 1))
                self.assertError(self.s3.put("u", f"bad-{alg}", data, {cks.HEADERS[alg]: short}), 400,
                                 "InvalidRequest")
                self.assertError(self.s3.put("u", f"bad-{alg}", data, {cks.HEADERS[alg]: "%%%"}), 400,
                                 "InvalidRequest")
        two = {"x-amz-checksum-crc32": checksum_value("CRC32", data),
               "x-amz-checksum-sha1": checksum_value("SHA1", data)}
        self.assertError(self.s3.put("u", "two-sums", data, two), 400, "InvalidRequest")
        self.assertEqual(os.listdir(self.path(".tmp")), [])

    def test_content_md5(self):
        data = b"md5 me" * 100
        good = b64(hashlib.md5(data).digest())
        self.assertEqual(self.s3.put("u", "md5", data, {"Content-MD5": good})[0].status, 200)
        body = self.assertError(self.s3.put("u", "md5-bad", data, {"Content-MD5": b64(hashlib.md5(b"x").digest())}),
                                400, "BadDigest")
        self.assertIn(f"<CalculatedDigest>{good}</CalculatedDigest>".encode(), body)
        self.assertError(self.s3.put("u", "md5-bad", data, {"Content-MD5": "short"}), 400, "InvalidDigest")
        self.assertError(self.s3.get("u", "md5-bad"), 404, "NoSuchKey")

    def test_payload_sha256_checked_without_sigv4(self):
        data = b"payload" * 1000
        good = hashlib.sha256(data).hexdigest()
        self.assertEqual(self.s3.put("u", "sha", data, {"x-amz-content-sha256": good})[0].status, 200)
        self.assertEqual(self.s3.put("u", "sha", data, {"x-amz-content-sha256": "UNSIGNED-PAYLOAD"})[0].status, 200)
        body = self.assertError(self.s3.put("u", "sha-bad", data, {"x-amz-content-sha256": "0" * 64}), 400,
                                "XAmzContentSHA256Mismatch")
        self.assertIn(f"<S3ComputedContentSHA256>{good}</S3ComputedContentSHA256>".encode(), body)
        self.assertError(self.s3.put("u", "sha-bad", data, {
            "x-amz-content-sha256": "STREAMING-AWS4-HMAC-SHA256-PAYLOAD"}), 501, "NotImplemented")
        self.assertError(self.s3.get("u", "sha-bad"), 404, "NoSuchKey")
        r, _ = self.s3.get("b", "hand.bin", {"x-amz-content-sha256": hashlib.sha256(b"").hexdigest()})
        self.assertEqual(r.status, 200)

    # ---- multipart -----------------------------------------------------------------------------------------------

    def parts_data(self, seed, sizes):
        rng = random.Random(seed)
        return [rng.randbytes(n) for n in sizes]

    def test_multipart_happy_path(self):
        parts = self.parts_data(10, [MIN_PART, MIN_PART + 7, 1000])
        headers = {"Content-Type": "application/x-test", "x-amz-meta-origin": "multipart",
                   "x-amz-tagging": "a=b", "x-amz-storage-class": "GLACIER_IR"}
        upload_id, listed, _ = self.s3.upload("u", "mp/happy key", parts, headers)
        self.assertIn(("mp/happy key", upload_id), self.upload_ids())
        self.assertIn(upload_id, self.uploads_on_disk())
        r, body = self.s3.complete("u", "mp/happy key", upload_id, listed)
        self.assertEqual(r.status, 200, body)
        result = xml(body)
        self.assertEqual(result.tag, "CompleteMultipartUploadResult")
        md5s = b"".join(hashlib.md5(p).digest() for p in parts)
        etag = f'"{hashlib.md5(md5s).hexdigest()}-3"'
        self.assertEqual((result.findtext("Bucket"), result.findtext("Key"), result.findtext("ETag")),
                         ("u", "mp/happy key", etag))
        self.assertEqual(result.findtext("Location"), f"http://127.0.0.1:{self.srv.port}/u/mp/happy%20key")
        self.assertIsNone(result.find("ChecksumType"))
        r, body = self.s3.get("u", "mp/happy key")
        self.assertEqual((r.status, body, r.getheader("ETag")), (200, b"".join(parts), etag))
        self.assertEqual((r.getheader("Content-Type"), r.getheader("x-amz-meta-origin"),
                          r.getheader("x-amz-storage-class"), r.getheader("x-amz-tagging-count")),
                         ("application/x-test", "multipart", "GLACIER_IR", "1"))
        self.assertEqual(self.s3.get("u", "mp/happy key", {"If-Match": etag})[0].status, 200)
        self.assertNotIn(upload_id, self.uploads_on_disk())
        self.assertNotIn(upload_id, [u for _, u in self.upload_ids()])
        self.assertError(self.s3.complete("u", "mp/happy key", upload_id, listed), 404, "NoSuchUpload")
        entries = [e for e in self.srv.log() if e["upload_id"] == upload_id and e["op"] == "part"]
        self.assertEqual([(e["op"], e["part_number"]) for e in entries[:3]],
                         [("part", 1), ("part", 2), ("part", 3)])
        self.assertEqual([e["body_bytes"] for e in entries[:3]], [len(p) for p in parts])
        self.assertEqual(self.last_log(op="create", key="mp/happy key")["upload_id"], upload_id)

    def test_multipart_full_object_crc64nvme(self):
        parts = self.parts_data(11, [MIN_PART, 5000])
        whole = b"".join(parts)
        create = {"x-amz-checksum-algorithm": "CRC64NVME", "x-amz-checksum-type": "FULL_OBJECT"}
        upload_id, listed, sums = self.s3.upload("u", "mp/crc64", parts, create, part_alg="CRC64NVME")
        wrong = {"x-amz-checksum-crc64nvme": checksum_value("CRC64NVME", whole + b"x")}
        body = self.assertError(self.s3.complete("u", "mp/crc64", upload_id, listed, sums, wrong), 400, "BadDigest")
        self.assertIn(b"The CRC64NVME you specified did not match the calculated checksum.", body)
        self.assertIn(upload_id, self.uploads_on_disk())
        value = checksum_value("CRC64NVME", whole)
        r, body = self.s3.complete("u", "mp/crc64", upload_id, listed, sums, {"x-amz-checksum-crc64nvme": value})
        self.assertEqual(r.status, 200, body)
        self.assertEqual((xml(body).findtext("ChecksumCRC64NVME"), xml(body).findtext("ChecksumType")),
                         (value, "FULL_OBJECT"))
        r, body = self.s3.get("u", "mp/crc64", {"x-amz-checksum-mode": "ENABLED"})
        self.assertEqual((body, r.getheader("x-amz-checksum-crc64nvme"), r.getheader("x-amz-checksum-type")),
                         (whole, value, "FULL_OBJECT"))

    def test_multipart_composite_and_full_object_crc32(self):
        parts = self.parts_data(12, [MIN_PART, 100])
        upload_id, listed, sums = self.s3.upload("u", "mp/composite", parts, {"x-amz-checksum-algorithm": "CRC32C"},
                                                 part_alg="CRC32C")
        digests = [cks.digest("CRC32C", p) for p in parts]
        expected = b64(cks.digest("CRC32C", b"".join(digests))) + "-2"
        self.assertError(self.s3.complete("u", "mp/composite", upload_id, listed, sums,
                                          {"x-amz-checksum-crc32c": checksum_value("CRC32C", b"".join(parts))}),
                         400, "BadDigest")
        r, body = self.s3.complete("u", "mp/composite", upload_id, listed, sums, {"x-amz-checksum-crc32c": expected})
        self.assertEqual(r.status, 200, body)
        self.assertEqual((xml(body).findtext("ChecksumCRC32C"), xml(body).findtext("ChecksumType")),
                         (expected, "COMPOSITE"))
        r, _ = self.s3("HEAD", "/u/mp/composite", headers={"x-amz-checksum-mode": "ENABLED"})
        self.assertEqual((r.getheader("x-amz-checksum-crc32c"), r.getheader("x-amz-checksum-type")),
                         (expected, "COMPOSITE"))
        create = {"x-amz-checksum-algorithm": "CRC32", "x-amz-checksum-type": "FULL_OBJECT"}
        upload_id, listed, sums = self.s3.upload("u", "mp/full32", parts, create, part_alg="CRC32")
        r, body = self.s3.complete("u", "mp/full32", upload_id, listed, sums,
                                   {"x-amz-checksum-crc32": checksum_value("CRC32", b"".join(parts))})
        self.assertEqual(xml(body).findtext("ChecksumCRC32"), checksum_value("CRC32", b"".join(parts)))
        # a part without the declared checksum header gets it computed
        upload_id = self.s3.create("u", "mp/computed", {"x-amz-checksum-algorithm": "SHA256"})
        r, _ = self.s3.part("u", "mp/computed", upload_id, 1, b"abc")
        self.assertEqual(r.getheader("x-amz-checksum-sha256"), checksum_value("SHA256", b"abc"))
        self.assertError(self.s3.part("u", "mp/computed", upload_id, 2, b"abc",
                                      {"x-amz-checksum-crc32": checksum_value("CRC32", b"abc")}), 400,
                         "InvalidRequest")
        self.assertEqual(self.s3.abort("u", "mp/computed", upload_id)[0].status, 204)

    def test_create_checksum_rules(self):
        bad = [{"x-amz-checksum-algorithm": "CRC64NVME", "x-amz-checksum-type": "COMPOSITE"},
               {"x-amz-checksum-algorithm": "SHA256", "x-amz-checksum-type": "FULL_OBJECT"},
               {"x-amz-checksum-type": "FULL_OBJECT"},
               {"x-amz-checksum-algorithm": "MD5"},
               {"x-amz-checksum-algorithm": "CRC32", "x-amz-checksum-type": "PARTIAL"}]
        for headers in bad:
            with self.subTest(headers):
                self.assertError(self.s3("POST", "/u/rules?uploads", b"", headers), 400, "InvalidRequest")
        r, body = self.s3("POST", "/u/rules?uploads", b"", {"x-amz-checksum-algorithm": "crc64nvme"})
        self.assertEqual((r.getheader("x-amz-checksum-algorithm"), r.getheader("x-amz-checksum-type")),
                         ("CRC64NVME", "FULL_OBJECT"))
        self.s3.abort("u", "rules", xml(body).findtext("UploadId"))
        r, body = self.s3("POST", "/u/rules?uploads", b"", {"x-amz-checksum-algorithm": "SHA1"})
        self.assertEqual(r.getheader("x-amz-checksum-type"), "COMPOSITE")
        self.s3.abort("u", "rules", xml(body).findtext("UploadId"))
        self.assertError(self.s3("POST", "/nobucket/k?uploads"), 404, "NoSuchBucket")

    def test_complete_errors(self):
        parts = self.parts_data(13, [MIN_PART, MIN_PART, 10])
        upload_id, listed, _ = self.s3.upload("u", "mp/errors", parts)
        (n1, e1), (n2, e2), (n3, e3) = listed
        cases = [([(n2, e2), (n1, e1)], "InvalidPartOrder"), ([(n1, e1), (n1, e1)], "InvalidPartOrder"),
                 ([(n1, e2), (n2, e2)], "InvalidPart"), ([(n1, e1), (4, e3)], "InvalidPart"),
                 ([(n3, e3), (4, e1)], "InvalidPart")]
        for part_list, code in cases:
            with self.subTest(part_list):
                self.assertError(self.s3.complete("u", "mp/errors", upload_id, part_list), 400, code)
        small = self.s3.part("u", "mp/errors", upload_id, 5, b"tiny")[0].getheader("ETag")
        body = self.assertError(self.s3.complete("u", "mp/errors", upload_id, [(n1, e1), (n3, e3), (5, small)]), 400,
                                "EntityTooSmall")
        self.assertIn(f"<ProposedSize>10</ProposedSize><MinSizeAllowed>{MIN_PART}</MinSizeAllowed><PartNumber>3"
                      f"</PartNumber>".encode(), body)
        uri = f"/u/mp/errors?uploadId={upload_id}"
        for bad in (b"<not xml", b"<Other/>", b"<CompleteMultipartUpload><Part><ETag>x</ETag></Part>"
                    b"</CompleteMultipartUpload>"):
            self.assertError(self.s3("POST", uri, bad), 400, "MalformedXML")
        self.assertError(self.s3("POST", uri, b"<CompleteMultipartUpload/>"), 400, "InvalidRequest")
        self.assertError(self.s3.complete("u", "mp/errors", "no-such-upload", listed), 404, "NoSuchUpload")
        self.assertError(self.s3.complete("u", "mp/other-key", upload_id, listed), 404, "NoSuchUpload")
        self.assertIn(upload_id, self.uploads_on_disk(), "a failed Complete must leave the upload open")
        # a subset of the parts, unquoted ETags: fine
        r, body = self.s3.complete("u", "mp/errors", upload_id, [(n1, e1.strip('"')), (n3, e3)])
        self.assertEqual(r.status, 200, body)
        self.assertEqual(self.s3.get("u", "mp/errors")[1], parts[0] + parts[2])
        self.assertNotIn(upload_id, self.uploads_on_disk())

    def test_complete_missing_declared_part_checksum(self):
        parts = self.parts_data(14, [MIN_PART, 10])
        upload_id, listed, sums = self.s3.upload("u", "mp/nosum", parts, {"x-amz-checksum-algorithm": "CRC32"},
                                                 part_alg="CRC32")
        body = self.assertError(self.s3.complete("u", "mp/nosum", upload_id, listed, {1: sums[1]}), 400,
                                "InvalidRequest")
        self.assertIn(b"part 2", body)
        self.assertError(self.s3.complete("u", "mp/nosum", upload_id, listed, {1: sums[1], 2: sums[1]}), 400,
                         "InvalidPart")
        self.assertError(self.s3.complete("u", "mp/nosum", upload_id, listed, sums,
                                          {"x-amz-checksum-crc32c": checksum_value("CRC32C", b"")}), 400,
                         "InvalidRequest")
        self.assertEqual(self.s3.abort("u", "mp/nosum", upload_id)[0].status, 204)

    def test_part_errors_and_replacement(self):
        upload_id = self.s3.create("u", "mp/parts")
        for number in ("0", "10001", "x", "-1"):
            self.assertError(self.s3("PUT", f"/u/mp/parts?partNumber={number}&uploadId={upload_id}", b"x"), 400,
                             "InvalidArgument")
        self.assertError(self.s3.part("u", "mp/parts", "nope", 1, b"x"), 404, "NoSuchUpload")
        self.assertError(self.s3.part("u", "mp/parts", "../../etc", 1, b"x"), 404, "NoSuchUpload")
        self.assertEqual(self.s3.part("u", "mp/parts", upload_id, 10000, b"last")[0].status, 200)
        e1 = self.s3.part("u", "mp/parts", upload_id, 1, b"first version")[0].getheader("ETag")
        e2 = self.s3.part("u", "mp/parts", upload_id, 1, b"second version")[0].getheader("ETag")
        self.assertEqual(e2, md5_etag(b"second version"))
        self.assertError(self.s3.complete("u", "mp/parts", upload_id, [(1, e1)]), 400, "InvalidPart")
        files = os.listdir(self.path(".uploads", upload_id))
        self.assertEqual(len([f for f in files if f.startswith("part-00001-")]), 1, files)
        self.assertEqual(self.s3.complete("u", "mp/parts", upload_id, [(1, e2)])[0].status, 200)
        self.assertEqual(self.s3.get("u", "mp/parts")[1], b"second version")
        self.assertEqual(os.listdir(self.path(".tmp")), [])

    def test_abort(self):
        upload_id, listed, _ = self.s3.upload("u", "mp/abort", [b"x" * 100, b"y"])
        r, body = self.s3.abort("u", "mp/abort", upload_id)
        self.assertEqual((r.status, body), (204, b""))
        self.assertNotIn(upload_id, self.uploads_on_disk())
        self.assertNotIn(upload_id, [u for _, u in self.upload_ids()])
        self.assertError(self.s3.abort("u", "mp/abort", upload_id), 404, "NoSuchUpload")
        self.assertError(self.s3.part("u", "mp/abort", upload_id, 3, b"z"), 404, "NoSuchUpload")
        self.assertError(self.s3.complete("u", "mp/abort", upload_id, listed), 404, "NoSuchUpload")
        self.assertError(self.s3.get("u", "mp/abort"), 404, "NoSuchKey")
        self.assertEqual(self.last_log(op="abort", upload_id=upload_id)["status"], 404)

    def test_list_parts_pagination(self):
        datas = [bytes([i]) * (100 + i) for i in range(5)]
        upload_id, listed, _ = self.s3.upload("u", "mp/list", datas, {"x-amz-checksum-algorithm": "CRC32"},
                                              part_alg="CRC32")
        seen, marker, pages = [], 0, 0
        while True:
            r, body = self.s3("GET", f"/u/mp/list?uploadId={upload_id}&max-parts=2&part-number-marker={marker}")
            self.assertEqual(r.status, 200, body)
            root = xml(body)
            self.assertEqual((root.tag, root.findtext("UploadId"), root.findtext("MaxParts"),
                              root.findtext("ChecksumAlgorithm")), ("ListPartsResult", upload_id, "2", "CRC32"))
            for p in root.findall("Part"):
                n = int(p.findtext("PartNumber"))
                seen.append((n, p.findtext("ETag"), int(p.findtext("Size")), p.findtext("ChecksumCRC32")))
                self.assertTrue(p.findtext("LastModified").endswith("Z"))
            pages += 1
            if root.findtext("IsTruncated") != "true":
                break
            marker = int(root.findtext("NextPartNumberMarker"))
        self.assertEqual(pages, 3)
        self.assertEqual(seen, [(i + 1, md5_etag(d), len(d), checksum_value("CRC32", d)) for i, d in enumerate(datas)])
        self.assertError(self.s3("GET", "/u/mp/list?uploadId=nope"), 404, "NoSuchUpload")
        self.s3.abort("u", "mp/list", upload_id)

    def test_list_uploads(self):
        ids = {key: self.s3.create("nohand", key) for key in ("lu/b", "lu/a", "lu/a", "other/x")}
        r, body = self.s3("GET", "/nohand?uploads&prefix=lu%2F")
        root = xml(body)
        self.assertEqual(root.tag, "ListMultipartUploadsResult")
        keys = [u.findtext("Key") for u in root.findall("Upload")]
        self.assertEqual(keys, ["lu/a", "lu/a", "lu/b"])
        for u in root.findall("Upload"):
            self.assertTrue(u.findtext("Initiated").endswith("Z"))
        r, body = self.s3("GET", "/nohand?uploads&max-uploads=2")
        root = xml(body)
        self.assertEqual((root.findtext("IsTruncated"), len(root.findall("Upload"))), ("true", 2))
        r, body = self.s3("GET", f"/nohand?uploads&key-marker={quote(root.findtext('NextKeyMarker'))}"
                                 f"&upload-id-marker={root.findtext('NextUploadIdMarker')}")
        rest = [u.findtext("Key") for u in xml(body).findall("Upload")]
        self.assertEqual(rest, ["lu/b", "other/x"])
        for key, upload_id in self.upload_ids("nohand"):
            self.assertEqual(self.s3.abort("nohand", key, upload_id)[0].status, 204)
        self.assertEqual(self.upload_ids("nohand"), [])
        self.assertNotIn(ids["other/x"], self.uploads_on_disk())

    def test_complete_if_none_match(self):
        self.s3.put("u", "mp/exists", b"already here")
        upload_id, listed, _ = self.s3.upload("u", "mp/exists", [b"new"])
        self.assertError(self.s3.complete("u", "mp/exists", upload_id, listed, headers={"If-None-Match": "*"}), 412,
                         "PreconditionFailed")
        self.assertEqual(self.s3.get("u", "mp/exists")[1], b"already here")
        self.assertIn(upload_id, self.uploads_on_disk())
        self.assertEqual(self.s3.complete("u", "mp/exists", upload_id, listed)[0].status, 200)
        self.assertEqual(self.s3.get("u", "mp/exists")[1], b"new")

    # ---- ListObjectsV2 -------------------------------------------------------------------------------------------

    LIST_KEYS = ["a", "a/b", "a/c/d", "a+b", "a b", "B", "é", "~tilde", "z/1", "z/2", "z/3/x", "ü/x", "100%", "x.txt"]

    def lst(self, query):
        r, body = self.s3("GET", "/lst?list-type=2&" + query)
        self.assertEqual(r.status, 200, body)
        return xml(body)

    def setup_list(self):
        if not os.path.exists(self.path("lst", "x.txt")):
            for key in self.LIST_KEYS:
                if key != "a":  # "a" can't be a file beside the directory a/: it goes to the odd-key store
                    self.fx.put(key, key.encode(), bucket="lst")
            self.s3.put("lst", "a", b"a")
            self.fx.put("x.txt.versions/v1", b"old version", bucket="lst")
        return sorted(self.LIST_KEYS, key=lambda k: k.encode())

    def test_list_all_in_byte_order(self):
        keys = self.setup_list()
        root = self.lst("")
        self.assertEqual([c.findtext("Key") for c in root.findall("Contents")], keys)
        self.assertEqual((root.findtext("Name"), root.findtext("KeyCount"), root.findtext("MaxKeys"),
                          root.findtext("IsTruncated")), ("lst", str(len(keys)), "1000", "false"))
        c = root.find("Contents")
        self.assertEqual((c.findtext("ETag"), c.findtext("Size"), c.findtext("StorageClass")),
                         (md5_etag(keys[0].encode()), str(len(keys[0].encode())), "STANDARD"))
        self.assertRegex(c.findtext("LastModified"), r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")

    def test_list_pagination(self):
        keys = self.setup_list()
        for page_size in (1, 2, 5):
            got, token, pages = [], None, 0
            while True:
                root = self.lst(f"max-keys={page_size}" + (f"&continuation-token={quote(token)}" if token else ""))
                self.assertEqual(root.findtext("ContinuationToken"), token)
                page = [c.findtext("Key") for c in root.findall("Contents")]
                self.assertEqual(int(root.findtext("KeyCount")), len(page))
                self.assertLessEqual(len(page), page_size)
                got += page
                pages += 1
                if root.findtext("IsTruncated") == "false":
                    self.assertIsNone(root.find("NextContinuationToken"))
                    break
                token = root.findtext("NextContinuationToken")
            self.assertEqual(got, keys, page_size)
            self.assertEqual(pages, -(-len(keys) // page_size))
        root = self.lst("max-keys=0")
        self.assertEqual((root.findtext("KeyCount"), root.findall("Contents")), ("0", []))
        self.assertError(self.s3("GET", "/lst?list-type=2&continuation-token=%25%25"), 400, "InvalidArgument")
        self.assertError(self.s3("GET", "/lst?list-type=2&max-keys=-1"), 400, "InvalidArgument")

    def test_list_prefix_delimiter_start_after(self):
        self.setup_list()
        root = self.lst("delimiter=/")
        self.assertEqual([c.findtext("Key") for c in root.findall("Contents")],
                         ["100%", "B", "a", "a b", "a+b", "x.txt", "~tilde", "é"])
        self.assertEqual([p.findtext("Prefix") for p in root.findall("CommonPrefixes")], ["a/", "z/", "ü/"])
        self.assertEqual(root.findtext("KeyCount"), "11")
        root = self.lst("prefix=z/&delimiter=/")
        self.assertEqual([c.findtext("Key") for c in root.findall("Contents")], ["z/1", "z/2"])
        self.assertEqual([p.findtext("Prefix") for p in root.findall("CommonPrefixes")], ["z/3/"])
        root = self.lst("prefix=a")
        self.assertEqual([c.findtext("Key") for c in root.findall("Contents")], ["a", "a b", "a+b", "a/b", "a/c/d"])
        root = self.lst("start-after=x.txt")
        self.assertEqual([c.findtext("Key") for c in root.findall("Contents")], ["z/1", "z/2", "z/3/x", "~tilde",
                                                                                 "é", "ü/x"])
        self.assertEqual(root.findtext("StartAfter"), "x.txt")
        # common prefixes across pages: a/ comes once
        got, token = [], None
        while True:
            root = self.lst("delimiter=/&max-keys=2" + (f"&continuation-token={quote(token)}" if token else ""))
            got += [c.findtext("Key") for c in root.findall("Contents")]
            got += [p.findtext("Prefix") for p in root.findall("CommonPrefixes")]
            if root.findtext("IsTruncated") == "false":
                break
            token = root.findtext("NextContinuationToken")
        self.assertEqual(sorted(got, key=str.encode), sorted(["100%", "B", "a", "a b", "a+b", "x.txt", "~tilde", "é",
                                                             "a/", "z/", "ü/"], key=str.encode))

    def test_list_encoding_url(self):
        self.setup_list()
        root = self.lst("encoding-type=url&delimiter=/&prefix=")
        self.assertEqual(root.findtext("EncodingType"), "url")
        keys = [c.findtext("Key") for c in root.findall("Contents")]
        self.assertEqual(keys, ["100%25", "B", "a", "a+b", "a%2Bb", "x.txt", "~tilde", "%C3%A9"])
        self.assertEqual([p.findtext("Prefix") for p in root.findall("CommonPrefixes")], ["a/", "z/", "%C3%BC/"])
        self.assertEqual(root.findtext("Delimiter"), "/")
        self.assertError(self.s3("GET", "/lst?list-type=2&encoding-type=base64"), 400, "InvalidArgument")
        self.assertEqual(self.lst("").findtext("EncodingType"), None)

    def test_list_excludes_server_files(self):
        self.setup_list()
        root = self.lst("prefix=x")
        self.assertEqual([c.findtext("Key") for c in root.findall("Contents")], ["x.txt"])
        self.assertError(self.s3("GET", "/nobucket?list-type=2"), 404, "NoSuchBucket")

    # ---- log and connections -------------------------------------------------------------------------------------

    def test_conn_ids(self):
        c = self.srv.conn()
        for i in range(3):
            r, _ = self.srv.request("GET", f"/b/hand.bin?conn-test=keep{i}", conn=c)
            self.assertEqual(r.status, 200)
        c.close()
        for i in range(3):
            self.srv.request("GET", f"/b/hand.bin?conn-test=new{i}")
        log = {e["query"]: e["conn"] for e in self.srv.log() if e["query"].startswith("conn-test")}
        keep = {log[f"conn-test=keep{i}"] for i in range(3)}
        new = [log[f"conn-test=new{i}"] for i in range(3)]
        self.assertEqual(len(keep), 1, "keep-alive requests must share one conn id")
        self.assertEqual(len(set(new) | keep), 4, "each connection needs its own conn id")

    def test_many_objects_and_parts_in_parallel(self):
        from concurrent.futures import ThreadPoolExecutor
        rng = random.Random(21)
        objects = {f"many/{i:03d}": rng.randbytes(rng.randrange(0, 5000)) for i in range(160)}
        names = sorted(objects)

        def put_some(worker):
            c = self.srv.conn()
            for key in names[worker::8]:
                r, body = self.s3.put("nohand", key, objects[key], conn=c)
                assert r.status == 200, (r.status, body)
            c.close()

        with ThreadPoolExecutor(8) as pool:
            list(pool.map(put_some, range(8)))
        got, token = [], None
        while True:
            r, body = self.s3("GET", "/nohand?list-type=2&prefix=many/&max-keys=50"
                              + (f"&continuation-token={quote(token)}" if token else ""))
            root = xml(body)
            got += [(c.findtext("Key"), c.findtext("ETag")) for c in root.findall("Contents")]
            if root.findtext("IsTruncated") == "false":
                break
            token = root.findtext("NextContinuationToken")
        self.assertEqual(got, [(k, md5_etag(objects[k])) for k in names])
        conns = {e["conn"] for e in self.srv.log() if e["op"] == "put" and e["key"].startswith("many/")}
        self.assertEqual(len(conns), 8)

        parts = [rng.randbytes(MIN_PART + i) for i in range(16)]
        upload_id = self.s3.create("nohand", "many-parts")

        def put_part(i):
            r, body = self.s3.part("nohand", "many-parts", upload_id, i + 1, parts[i])
            assert r.status == 200, (r.status, body)
            return i + 1, r.getheader("ETag")

        with ThreadPoolExecutor(8) as pool:
            listed = list(pool.map(put_part, range(16)))
        r, body = self.s3.complete("nohand", "many-parts", upload_id, listed)
        self.assertEqual(r.status, 200, body)
        self.assertEqual(self.s3.get("nohand", "many-parts")[1], b"".join(parts))

    def test_log_fields(self):
        upload_id = self.s3.create("u", "logged")
        self.s3.part("u", "logged", upload_id, 7, b"12345")
        entry = self.last_log(op="part", upload_id=upload_id)
        for field in ("n", "conn", "method", "op", "path", "key", "query", "upload_id", "part_number", "range",
                      "if_match", "headers", "sig", "body_bytes", "status", "fault", "bytes_sent", "request_id"):
            self.assertIn(field, entry)
        self.assertEqual((entry["part_number"], entry["body_bytes"], entry["status"], entry["sig"], entry["key"]),
                         (7, 5, 200, "off", "logged"))
        self.s3.abort("u", "logged", upload_id)

    def test_bad_op_in_plan_is_rejected(self):
        with self.assertRaises(AssertionError):
            FaultServer(self.fx.dir, plan={"rules": [{"match": {"op": "upload"}, "status": 500}]})

    # ---- upload faults -------------------------------------------------------------------------------------------

    def raw_put(self, key, length, extra=b""):
        """A raw socket that has sent the head of a PUT with this Content-Length (the test sends the body)."""
        s = socket.create_connection(("127.0.0.1", self.srv.port), timeout=DEADLINE)
        s.sendall(b"PUT /u/%s HTTP/1.1\r\nHost: x\r\nContent-Length: %d\r\n%s\r\n" % (key.encode(), length, extra))
        return s

    def recv_all(self, s):
        data = b""
        while True:
            chunk = s.recv(65536)
            if not chunk:
                return data
            data += chunk

    def test_fault_reset_body(self):
        s = self.raw_put("f-reset-body", 200000)
        with self.assertRaises((ConnectionResetError, BrokenPipeError)):
            s.sendall(b"x" * 100000)
            time.sleep(0.2)
            s.sendall(b"x" * 100000)
            self.recv_all(s)
        s.close()
        entry = self.last_log(key="f-reset-body")
        self.assertEqual((entry["fault"], entry["body_bytes"], entry["status"], entry["op"]),
                         ("reset_body", 50000, None, "put"))
        self.assertError(self.s3.get("u", "f-reset-body"), 404, "NoSuchKey")
        self.assertEqual(os.listdir(self.path(".tmp")), [])

    def test_fault_stall_body(self):
        s = self.raw_put("f-stall-body", 200000)
        s.sendall(b"x" * 1000)
        started = time.monotonic()
        try:
            s.sendall(b"x" * 199000)
            got = self.recv_all(s)
        except (ConnectionResetError, BrokenPipeError):
            got = b""
        self.assertGreater(time.monotonic() - started, 0.4)
        self.assertNotIn(b"HTTP/1.1", got)
        s.close()
        entry = self.last_log(key="f-stall-body")
        self.assertEqual((entry["fault"], entry["body_bytes"]), ("stall_body", 1000))
        self.assertError(self.s3.get("u", "f-stall-body"), 404, "NoSuchKey")

    def test_fault_status_on_one_part(self):
        upload_id = self.s3.create("u", "f-part-503")
        r1, _ = self.s3.part("u", "f-part-503", upload_id, 1, b"a" * MIN_PART)
        self.assertError(self.s3.part("u", "f-part-503", upload_id, 2, b"b"), 503, "SlowDown")
        r2, _ = self.s3.part("u", "f-part-503", upload_id, 2, b"b")
        self.assertEqual(r2.status, 200)
        r, body = self.s3("GET", f"/u/f-part-503?uploadId={upload_id}")
        self.assertEqual([p.findtext("PartNumber") for p in xml(body).findall("Part")], ["1", "2"])
        statuses = [(e["part_number"], e["status"], e["fault"]) for e in self.srv.log() if e["upload_id"] == upload_id
                    and e["op"] == "part"]
        self.assertEqual(statuses, [(1, 200, None), (2, 503, "status"), (2, 200, None)])
        self.assertEqual(self.s3.complete("u", "f-part-503", upload_id, [(1, r1.getheader("ETag")),
                                                                         (2, r2.getheader("ETag"))])[0].status, 200)

    def test_fault_no_such_upload(self):
        upload_id, listed, _ = self.s3.upload("u", "f-nsu", [b"data"])
        self.assertError(self.s3.complete("u", "f-nsu", upload_id, listed), 404, "NoSuchUpload")
        self.assertEqual(self.last_log(key="f-nsu", op="complete")["fault"], "no_such_upload")
        self.assertEqual(self.s3.complete("u", "f-nsu", upload_id, listed)[0].status, 200)

    def test_fault_delay_and_answer_on_put(self):
        started = time.monotonic()
        self.assertEqual(self.s3.put("u", "f-put-delay", b"slow")[0].status, 200)
        self.assertGreaterEqual(time.monotonic() - started, 0.35)
        c = self.srv.conn()
        r, body = self.srv.request("PUT", "/u/f-put-answer", {}, conn=c, body=b"data")
        self.assertEqual((r.status, body), (500, b"oops"))
        r, body = self.srv.request("GET", "/b/hand.bin", conn=c)
        self.assertEqual(body, self.hand)
        c.close()
        self.assertError(self.s3.get("u", "f-put-answer"), 404, "NoSuchKey")

    def test_fault_status_early(self):
        s = self.raw_put("f-early", 1000, b"Expect: 100-continue\r\n")
        status, headers, body = read_response(s)
        self.assertEqual((status, error_code(body), headers.get("connection")), (503, "SlowDown", "close"))
        self.assertEqual(s.recv(100), b"")
        s.close()
        self.assertEqual(self.last_log(key="f-early")["body_bytes"], 0)

    def test_fault_complete_error(self):
        upload_id, listed, _ = self.s3.upload("u", "f-cerr", [b"data"])
        r, body = self.s3.complete("u", "f-cerr", upload_id, listed)
        self.assertEqual((r.status, error_code(body)), (200, "InternalError"))
        self.assertIn(upload_id, self.uploads_on_disk())
        self.assertError(self.s3.get("u", "f-cerr"), 404, "NoSuchKey")
        r, body = self.s3.complete("u", "f-cerr", upload_id, listed)
        self.assertEqual((r.status, xml(body).tag), (200, "CompleteMultipartUploadResult"))

    def test_fault_complete_error_then_complete(self):
        upload_id, listed, _ = self.s3.upload("u", "f-cerr-then", [b"data"])
        r, body = self.s3.complete("u", "f-cerr-then", upload_id, listed)
        self.assertEqual((r.status, error_code(body)), (200, "SlowDown"))
        self.assertIn(b"<Message>Reduce your request rate.</Message>", body)
        self.assertEqual(self.s3.get("u", "f-cerr-then")[1], b"data")
        self.assertError(self.s3.complete("u", "f-cerr-then", upload_id, listed), 404, "NoSuchUpload")
        r, _ = self.s3("HEAD", "/u/f-cerr-then")
        self.assertTrue(r.getheader("ETag").endswith('-1"'))

    def test_fault_complete_error_whitespace(self):
        upload_id, listed, _ = self.s3.upload("u", "f-cerr-ws", [b"data"])
        started = time.monotonic()
        r, body = self.s3.complete("u", "f-cerr-ws", upload_id, listed)
        self.assertGreater(time.monotonic() - started, 0.25)
        self.assertEqual((r.status, r.getheader("Transfer-Encoding")), (200, "chunked"))
        self.assertTrue(body.startswith(b'<?xml version="1.0" encoding="UTF-8"?>\n   '), body[:80])
        self.assertEqual((xml(body).tag, xml(body).findtext("Code")), ("Error", "InternalError"))
        self.assertIn(upload_id, self.uploads_on_disk())
        self.s3.abort("u", "f-cerr-ws", upload_id)

    def test_fault_complete_whitespace(self):
        upload_id, listed, _ = self.s3.upload("u", "f-cws", [b"data"])
        r, body = self.s3.complete("u", "f-cws", upload_id, listed)
        self.assertEqual((r.status, r.getheader("Transfer-Encoding")), (200, "chunked"))
        self.assertTrue(re.match(rb'<\?xml version="1.0" encoding="UTF-8"\?>\n\s+<CompleteMultipartUploadResult ',
                                 body), body[:200])
        self.assertEqual(xml(body).findtext("Key"), "f-cws")
        self.assertEqual(self.s3.get("u", "f-cws")[1], b"data")
        entry = self.last_log(key="f-cws", op="complete")
        self.assertEqual((entry["status"], entry["fault"]), (200, "complete_whitespace"))

    def test_fault_lost_response(self):
        c = self.srv.conn()
        with self.assertRaises((ConnectionError, http.client.HTTPException)):
            self.srv.request("PUT", "/u/f-lost", {}, conn=c, body=b"stored anyway")
        c.close()
        self.assertEqual(self.s3.get("u", "f-lost")[1], b"stored anyway")
        entry = self.last_log(key="f-lost", op="put")
        self.assertEqual((entry["fault"], entry["status"], entry["bytes_sent"]), ("lost_response", 200, 0))

    def test_faults_on_other_ops(self):
        upload_id = self.s3.create("u", "f-list")
        self.assertError(self.s3("GET", f"/u/f-list?uploadId={upload_id}"), 500, "InternalError")
        self.assertEqual(self.s3("GET", f"/u/f-list?uploadId={upload_id}")[0].status, 200)
        self.assertError(self.s3("GET", "/u?list-type=2&prefix=f-list-prefix"), 503, "SlowDown")
        self.s3.put("u", "f-delete", b"x")
        self.assertError(self.s3("DELETE", "/u/f-delete"), 500, "InternalError")
        self.assertEqual(self.s3.get("u", "f-delete")[1], b"x", "a faulted DELETE deletes nothing")
        self.s3.abort("u", "f-list", upload_id)


class SigV4ServerTest(UploadBase):
    EXTRA = ("--access-key", KEY_ID, "--secret-key", SECRET, "--session-token", TOKEN, "--region", "us-east-1")
    SIGNED = True

    def test_signed_requests_work(self):
        r, body = self.s3.put("u", "signed", b"hello", {"x-amz-meta-a": "  spaced   out  ", "Content-Type": "a/b"})
        self.assertEqual(r.status, 200, body)
        r, body = self.s3.get("u", "signed", {"Range": "bytes=1-3"})
        self.assertEqual((r.status, body), (206, b"ell"))
        r, _ = self.s3.put("u", "unsigned-payload", b"body", payload="UNSIGNED-PAYLOAD")
        self.assertEqual(r.status, 200)
        self.assertEqual(self.last_log(op="put", key="signed")["sig"], "ok")
        self.assertEqual(self.last_log(op="get", key="signed")["headers"]["Authorization"], "<redacted>")

    def test_hostile_keys_and_multipart_query(self):
        for key in HOSTILE_KEYS:
            with self.subTest(key):
                data = key.encode() * 3
                r, body = self.s3.put("u", key, data)
                self.assertEqual(r.status, 200, body)
                self.assertEqual(self.s3.get("u", key)[1], data)
                upload_id, listed, _ = self.s3.upload("u", key + ".mp", [data])
                # parameters out of order, with a needlessly encoded '~' and '.': decoded, re-encoded, sorted
                odd_id = upload_id.replace("~", "%7E").replace(".", "%2E")
                r, body = self.s3("GET", f"/u/{quote(key + '.mp')}?part-number-marker=0&uploadId={odd_id}&max-parts=5")
                self.assertEqual(r.status, 200, body)
                r, body = self.s3("POST", f"/u/{quote(key + '.mp')}?uploadId={odd_id}", complete_body(listed))
                self.assertEqual(r.status, 200, body)
        r, body = self.s3("GET", "/u?list-type=2&prefix=sp%20ace%2F&delimiter=%2F&encoding-type=url")
        self.assertEqual(r.status, 200, body)
        self.assertEqual(len(xml(body).findall("CommonPrefixes")), 1)
        mine = [e for e in self.srv.log() if e["key"].startswith(tuple(HOSTILE_KEYS)) or e["op"] == "list"]
        self.assertGreater(len(mine), 6 * len(HOSTILE_KEYS))
        self.assertEqual([e for e in mine if e["sig"] != "ok"], [])

    def test_bad_signature_reads_the_body_then_answers(self):
        data = b"z" * (1 << 20)
        headers = sign("PUT", "/u/bad-sig", "", {}, data, host=f"127.0.0.1:{self.srv.port}", secret="wrong")
        r, body = self.srv.request("PUT", "/u/bad-sig", headers, body=data)
        self.assertEqual((r.status, error_code(body)), (403, "SignatureDoesNotMatch"))
        for field in (b"<AWSAccessKeyId>", b"<StringToSign>AWS4-HMAC-SHA256\n", b"<CanonicalRequest>PUT\n/u/bad-sig\n"):
            self.assertIn(field, body)
        entry = self.last_log(key="bad-sig")
        self.assertEqual((entry["sig"], entry["body_bytes"], entry["status"]), ("bad", 1 << 20, 403))
        self.assertError(self.s3.get("u", "bad-sig"), 404, "NoSuchKey")

    def test_auth_errors(self):
        port = self.srv.port
        host = f"127.0.0.1:{port}"
        skewed = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime(time.time() - 20 * 60))
        cases = {
            "none": ({}, 403, "AccessDenied"),
            "key id": (sign("GET", "/b/hand.bin", host=host, key_id="AKIDUNKNOWN"), 403, "InvalidAccessKeyId"),
            "skew": (sign("GET", "/b/hand.bin", host=host, amz_date=skewed), 403, "RequestTimeTooSkewed"),
            "region": (sign("GET", "/b/hand.bin", host=host, region="us-west-2"), 400, "AuthorizationHeaderMalformed"),
            "token": (sign("GET", "/b/hand.bin", host=host, token="other"), 403, "InvalidToken"),
            "unsorted": (sign("GET", "/b/hand.bin", host=host, signed=["x-amz-date", "host", "x-amz-content-sha256",
                                                                      "x-amz-security-token"]),
                         403, "SignatureDoesNotMatch"),
            "no date signed": (sign("GET", "/b/hand.bin", host=host, signed=["host", "x-amz-content-sha256",
                                                                            "x-amz-security-token"]),
                               403, "SignatureDoesNotMatch"),
        }
        for name, (headers, status, code) in cases.items():
            with self.subTest(name):
                self.assertError(self.srv.request("GET", "/b/hand.bin", headers), status, code)
        body = self.assertError(self.srv.request("GET", "/b/hand.bin", cases["region"][0]), 400,
                                "AuthorizationHeaderMalformed")
        self.assertIn(b"<Region>us-east-1</Region>", body)
        h = sign("GET", "/b/hand.bin", host=host, headers={"x-amz-meta-x": "1"},
                 signed=["host", "x-amz-content-sha256", "x-amz-date", "x-amz-security-token"])
        body = self.assertError(self.srv.request("GET", "/b/hand.bin", h), 403, "AccessDenied")
        self.assertIn(b"<HeadersNotSigned>x-amz-meta-x</HeadersNotSigned>", body)
        h = sign("GET", "/b/hand.bin", host=host)
        del h["x-amz-content-sha256"]
        self.assertError(self.srv.request("GET", "/b/hand.bin", h), 400, "InvalidRequest")
        # S3 does not normalise the path: a signature over /u/./x does not cover /u/x
        h = sign("GET", "/b/./hand.bin", host=host)
        self.assertError(self.srv.request("GET", "/b/hand.bin", h), 403, "SignatureDoesNotMatch")
        self.assertEqual(self.srv.log()[-1]["sig"], "bad")

    def test_payload_errors_when_signed(self):
        data = b"payload" * 100
        self.assertError(self.s3.put("u", "p1", data, payload="0" * 64), 400, "XAmzContentSHA256Mismatch")
        self.assertError(self.s3.put("u", "p1", data, payload="STREAMING-AWS4-HMAC-SHA256-PAYLOAD"), 501,
                         "NotImplemented")
        self.assertError(self.s3.put("u", "p1", data, payload="junk"), 400, "InvalidArgument")
        self.assertError(self.s3.put("u", "p1", data, {"x-amz-checksum-crc64nvme": checksum_value("CRC64NVME", b"")}),
                         400, "BadDigest")
        self.assertEqual(self.s3.put("u", "p1", data, {"x-amz-checksum-crc64nvme": checksum_value("CRC64NVME", data),
                                                       "Content-MD5": b64(hashlib.md5(data).digest())})[0].status, 200)
        self.assertEqual([e["sig"] for e in self.srv.log() if e["key"] == "p1"], ["ok"] * 5)

    def test_botocore_interop(self):
        try:
            from botocore.auth import S3SigV4Auth
            from botocore.awsrequest import AWSRequest
            from botocore.credentials import Credentials
        except ImportError:
            self.skipTest("botocore is not importable by this interpreter")
        creds = Credentials(KEY_ID, SECRET, TOKEN)
        base = f"http://127.0.0.1:{self.srv.port}"

        def send(method, path, data=b"", headers=None):
            req = AWSRequest(method=method, url=base + path, data=data, headers=headers or {})
            S3SigV4Auth(creds, "s3", "us-east-1").add_auth(req)
            prepared = req.prepare()
            return self.srv.request(method, path, dict(prepared.headers), body=data if data else None)

        for key in HOSTILE_KEYS:
            with self.subTest(key):
                path = "/u/" + quote("boto/" + key, safe="/~")
                headers = {"x-amz-meta-k": "v", "x-amz-checksum-crc32": checksum_value("CRC32", b"from botocore")}
                r, body = send("PUT", path, b"from botocore", headers)
                self.assertEqual(r.status, 200, body)
                r, body = send("GET", path)
                self.assertEqual((r.status, body), (200, b"from botocore"))
                r, body = send("POST", path + "?uploads")
                self.assertEqual(r.status, 200, body)
                upload_id = xml(body).findtext("UploadId")
                r, body = send("PUT", f"{path}?partNumber=1&uploadId={quote(upload_id)}", b"part")
                self.assertEqual(r.status, 200, body)
                r, body = send("DELETE", f"{path}?uploadId={quote(upload_id)}")
                self.assertEqual(r.status, 204, body)
        r, body = send("GET", "/u?list-type=2&prefix=boto%2F&encoding-type=url&max-keys=2")
        self.assertEqual(r.status, 200, body)
        self.assertTrue(all(e["sig"] == "ok" for e in self.srv.log() if "boto" in e["path"] + e["query"]))


class SigV4VectorOverTheWireTest(unittest.TestCase):
    """The AWS documentation's example request, sent to a server whose clock is set to 2013-05-24."""

    def test_vector(self):
        data = tempfile.mkdtemp(prefix="fault_s3_vec_")
        offset = calendar.timegm((2013, 5, 24, 0, 2, 0)) - time.time()
        srv = FaultServer(data, extra=["--access-key", "AKIAIOSFODNN7EXAMPLE", "--secret-key",
                                       "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "--clock-offset", str(offset)])
        try:
            headers = dict(SigV4UnitTest.VECTOR_HEADERS)
            headers["Authorization"] = SigV4UnitTest.VECTOR_AUTH
            r, body = srv.request("GET", "/test.txt", headers)
            self.assertEqual((r.status, error_code(body)), (501, "NotImplemented"))  # GET /BUCKET (ListObjects v1)
            self.assertEqual(srv.log()[-1]["sig"], "ok")
            self.assertIn("2013", r.getheader("Date"))
            headers["Range"] = "bytes=0-10"
            self.assertEqual(error_code(srv.request("GET", "/test.txt", headers)[1]), "SignatureDoesNotMatch")
        finally:
            self.assertEqual(srv.stop(), 0)
            shutil.rmtree(data, ignore_errors=True)


class PerformanceTest(unittest.TestCase):
    """100 MiB through PutObject and through a 4-part upload, with a checksum, in a few seconds of server time."""
    SIZE = 100 * 1024 * 1024
    LIMIT = 10.0

    @classmethod
    def setUpClass(cls):
        cls.dir = tempfile.mkdtemp(prefix="fault_s3_perf_")
        os.makedirs(os.path.join(cls.dir, "p"))
        cls.srv = FaultServer(cls.dir)
        cls.s3 = S3Client(cls.srv)
        cls.data = random.Random(9).randbytes(cls.SIZE)
        # crcmod in this interpreter means crcmod in the server (same interpreter); else zlib's CRC32
        cls.alg = "CRC64NVME" if cks.CRCMOD else "CRC32"

    @classmethod
    def tearDownClass(cls):
        cls.srv.stop()
        shutil.rmtree(cls.dir, ignore_errors=True)

    def test_put_100mib(self):
        headers = {cks.HEADERS[self.alg]: checksum_value(self.alg, self.data),
                   "Content-MD5": b64(hashlib.md5(self.data).digest())}
        started = time.monotonic()
        r, body = self.s3.put("p", "big", self.data, headers)
        elapsed = time.monotonic() - started
        self.assertEqual(r.status, 200, body)
        self.assertLess(elapsed, self.LIMIT, f"100 MiB PUT took {elapsed:.1f} s")
        with open(os.path.join(self.dir, "p", "big"), "rb") as f:
            self.assertEqual(hashlib.md5(f.read()).hexdigest(), hashlib.md5(self.data).hexdigest())

    def test_multipart_100mib(self):
        quarter = self.SIZE // 4
        parts = [self.data[i * quarter:(i + 1) * quarter] for i in range(4)]
        started = time.monotonic()
        upload_id, listed, sums = self.s3.upload("p", "bigmp", parts, {"x-amz-checksum-algorithm": self.alg,
                                                                       "x-amz-checksum-type": "FULL_OBJECT"},
                                                 part_alg=self.alg)
        r, body = self.s3.complete("p", "bigmp", upload_id, listed, sums,
                                   {cks.HEADERS[self.alg]: checksum_value(self.alg, self.data)})
        elapsed = time.monotonic() - started
        self.assertEqual(r.status, 200, body)
        self.assertLess(elapsed, self.LIMIT, f"100 MiB multipart upload took {elapsed:.1f} s")
        self.assertEqual(os.path.getsize(os.path.join(self.dir, "p", "bigmp")), self.SIZE)


if __name__ == "__main__":
    unittest.main()
