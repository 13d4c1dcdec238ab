"""fault_s3.py's S3 operations, a mixin of its request handler: each op_* gets the shared state and the body's
digests and returns a Reply (or raises S3Error). self.req is the request (fault_s3.Request), self.headers its
headers."""
import os
import random
import re
import secrets
import time
from urllib.parse import parse_qsl, quote, unquote

import s3_checksums as cks
from s3_common import (BLOCK, Reply, S3Error, bytes_reply, error_xml, http_date, invalid_request, iso8601, xml_doc,
                       xml_reply)
from s3_store import (SSE_C_ALG, SSE_C_MD5, check_sse_c, checksum_headers, metadata_from_headers,
                      response_headers)
from s3_uploads import checksum_settings, part_number

DEFAULT_ERRORS = {400: ("RequestTimeout", "Your socket connection to the server was not read from or written to "
                        "within the timeout period."),
                  403: ("AccessDenied", "Access Denied"),
                  429: ("SlowDown", "Please reduce your request rate."),
                  500: ("InternalError", "We encountered an internal error. Please try again."),
                  502: ("BadGateway", "Bad Gateway"),
                  503: ("SlowDown", "Please reduce your request rate."),
                  504: ("GatewayTimeout", "Gateway Timeout")}
MAX_PUT = 5 * 1024 ** 3
MAX_COMPLETE_BODY = 16 * 1024 * 1024
SSE_ECHO = ("x-amz-server-side-encryption", "x-amz-server-side-encryption-aws-kms-key-id", SSE_C_ALG, SSE_C_MD5)


class Collect:
    """A sink keeping a small request body in memory (req.body)."""

    def __init__(self, req):
        self.req = req
        req.body = bytearray()

    def write(self, block):
        self.req.body += block

    def close(self):
        pass


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


def not_implemented(header=None):
    return S3Error(501, "NotImplemented", "A header you provided implies functionality that is not implemented",
                   [("Header", header)] if header else [])


def too_large(length):
    return S3Error(400, "EntityTooLarge", "Your proposed upload exceeds the maximum allowed size",
                   [("ProposedSize", length), ("MaxSizeAllowed", MAX_PUT)])


def sse_headers(meta):
    stored = (meta or {}).get("headers", {})
    return {h: stored[h] for h in SSE_ECHO if h in stored}


def change_object(path, rule):
    """Rewrite the object file atomically (open readers keep the old content)."""
    try:
        with open(path, "rb") as f:
            data = f.read()
    except (OSError, TypeError):
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


class S3Ops:
    sink = None

    def prepare_target(self, state, length):
        """Before the body is read: check what the body is for, and open where it goes (self.sink; for a PUT or a
        part also req.tmp, the temp file). Raises S3Error; the body is then read and dropped."""
        r, store, h = self.req, state.store, self.headers
        self.sink = None
        if r.op == "put":
            store.bucket_dir(r.bucket)
            store.check_key(r.key)
            store.natural_path(r.bucket, r.key)
            r.meta = metadata_from_headers(h)
            inm = h.get("If-None-Match")
            if inm is not None and inm.strip() != "*":
                raise not_implemented("If-None-Match")
            if length > MAX_PUT:
                raise too_large(length)
            declared = h.get("x-amz-checksum-algorithm") or h.get("x-amz-sdk-checksum-algorithm")
            if declared is not None and r.checksum is None:
                r.extra_algorithms = (cks.algorithm(declared),)
            r.tmp, self.sink = store.new_tmp()
        elif r.op == "part":
            number = part_number(r.params.get("partNumber"))
            r.upload = state.uploads.info(r.upload_id, r.bucket, r.key)
            declared = r.upload.get("algorithm")
            if declared and r.checksum and r.checksum[0] != declared:
                raise invalid_request(f"Checksum Type mismatch occurred, expected checksum Type: {declared.lower()}, "
                                      f"actual checksum Type: {r.checksum[0].lower()}")
            if declared and not r.checksum:
                r.extra_algorithms = (declared,)
            if length > MAX_PUT:
                raise too_large(length)
            r.part_number = number
            r.tmp, self.sink = store.new_tmp()
        elif r.op == "complete":
            if length > MAX_COMPLETE_BODY:
                raise S3Error(400, "MalformedXML", "The XML you provided was not well-formed or did not validate "
                              "against our published schema")
            self.sink = Collect(r)

    def run_op(self, state, digests):
        return getattr(self, "op_" + self.req.op)(state, digests)

    # ---- objects -------------------------------------------------------------------------------------------------

    def op_get(self, state, digests):
        r, store = self.req, state.store
        store.bucket_dir(r.bucket)
        store.check_key(r.key)
        natural = store.natural_path(r.bucket, r.key)
        if r.fault == "change_object":
            change_object(store.locate(r.bucket, r.key) or natural, r.rule)
        version = r.params.get("versionId")
        if version is not None:
            if version in ("", ".", "..") or "/" in version:
                raise S3Error(400, "InvalidArgument", "Invalid version id specified")
            path = os.path.join(natural + ".versions", version) if natural else None
            opened = store.open(r.bucket, r.key, path) if path else None
            if opened is None:
                raise S3Error(404, "NoSuchVersion", "The specified version does not exist.",
                              [("Key", r.key), ("VersionId", version)])
        else:
            opened = store.open(r.bucket, r.key)
            if opened is None:
                raise S3Error(404, "NoSuchKey", "The specified key does not exist.", [("Key", r.key)])
        f, st = opened
        try:
            return self._get_reply(state, f, st, version)
        except BaseException:
            f.close()
            raise

    def _get_reply(self, state, f, st, version):
        r = self.req
        meta = None if version is not None else state.store.meta(r.bucket, r.key, st)
        size, etag = st.st_size, state.store.etag(f, st, meta)
        headers = {"ETag": etag, "Last-Modified": http_date(st.st_mtime), "Accept-Ranges": "bytes",
                   **response_headers(meta or {})}
        if version is not None:
            headers["x-amz-version-id"] = version
        stored = (meta or {}).get("headers", {})
        if SSE_C_ALG in stored:
            if self.headers.get(SSE_C_ALG) is None:
                raise S3Error(400, "InvalidRequest", "The object was stored using a form of Server Side Encryption. "
                              "The correct parameters must be provided to retrieve the object.")
            if check_sse_c(self.headers) != stored.get(SSE_C_MD5):
                raise S3Error(403, "AccessDenied", "Access Denied")
        if_match = self.headers.get("If-Match")
        if if_match is not None and not etag_matches(if_match, etag):
            raise S3Error(412, "PreconditionFailed", "At least one of the pre-conditions you specified did not hold",
                          [("Condition", "If-Match")])
        rng = None if r.fault == "full_200" else parse_range(self.headers.get("Range"))
        if rng is None:
            if (self.headers.get("x-amz-checksum-mode") or "").upper() == "ENABLED" and meta:
                headers.update(checksum_headers(meta))
            return Reply(200, headers, f, 0, size)
        span = resolve_range(rng, size)
        if span is None:
            f.close()
            raise S3Error(416, "InvalidRange", "The requested range is not satisfiable",
                          [("RangeRequested", self.headers.get("Range")), ("ActualObjectSize", size)],
                          headers={"Content-Range": f"bytes */{size}"})
        start, end = span
        headers["Content-Range"] = f"bytes {start}-{end}/{size}"
        return Reply(206, headers, f, start, end - start + 1, span=(start, end, size))

    op_head = op_get

    def op_get_tagging(self, state, digests):
        r = self.req
        state.store.bucket_dir(r.bucket)
        state.store.check_key(r.key)
        opened = state.store.open(r.bucket, r.key)
        if opened is None:
            raise S3Error(404, "NoSuchKey", "The specified key does not exist.", [("Key", r.key)])
        f, st = opened
        with f:
            meta = state.store.meta(r.bucket, r.key, st) or {}
        tags = [("Tag", [("Key", k), ("Value", v)]) for k, v in meta.get("tags", [])]
        return xml_reply("Tagging", [("TagSet", tags)])

    def op_put(self, state, digests):
        r = self.req
        checksums = {alg: cks.b64(digests.checksum(alg)) for alg in digests.checksums}
        etag = f'"{digests.md5.hexdigest()}"'
        meta = dict(r.meta, etag=etag, checksums=checksums, checksum_type="FULL_OBJECT" if checksums else None)
        state.store.commit(r.bucket, r.key, r.tmp, meta, if_none_match=self.headers.get("If-None-Match") is not None)
        r.tmp = None
        return bytes_reply(200, b"", {"ETag": etag, **checksum_headers(meta), **sse_headers(meta)})

    def open_copy_source(self, state):
        """x-amz-copy-source BUCKET/KEY[?versionId=V] (the key percent-encoded), opened and checked against
        x-amz-copy-source-if-match: (file, stat, sidecar metadata or {}, bucket, key, version)."""
        r, store, h = self.req, state.store, self.headers
        path, _, query = h.get("x-amz-copy-source").strip().lstrip("/").partition("?")
        bucket, _, key = unquote(path).partition("/")
        # Through an access point: arn:PARTITION:s3:REGION:ACCOUNT:accesspoint/NAME/object/KEY, whose bucket here is
        # NAME-ACCOUNT (as its host name's label).
        m = re.fullmatch(r"arn:[^:]+:s3:[^:]*:(\d{12}):accesspoint/([^/]+)/object/(.+)", unquote(path), re.S)
        if m:
            bucket, key = f"{m[2]}-{m[1]}", m[3]
        version = dict(parse_qsl(query)).get("versionId")
        store.bucket_dir(bucket)
        store.check_key(key)
        store.bucket_dir(r.bucket)
        store.check_key(r.key)
        store.natural_path(r.bucket, r.key)
        if version is not None:
            natural = store.natural_path(bucket, key)
            opened = store.open(bucket, key, os.path.join(natural + ".versions", version)) if natural else None
            if opened is None:
                raise S3Error(404, "NoSuchVersion", "The specified version does not exist.",
                              [("Key", key), ("VersionId", version)])
        else:
            opened = store.open(bucket, key)
            if opened is None:
                raise S3Error(404, "NoSuchKey", "The specified key does not exist.", [("Key", key)])
        f, st = opened
        try:
            source = (store.meta(bucket, key, st) if version is None else None) or {}
            cond = h.get("x-amz-copy-source-if-match")
            if cond is not None and not etag_matches(cond, store.etag(f, st, source or None)):
                raise S3Error(412, "PreconditionFailed", "At least one of the pre-conditions you specified did not "
                              "hold", [("Condition", "x-amz-copy-source-If-Match")])
        except BaseException:
            f.close()
            raise
        return f, st, source, bucket, key, version

    def op_copy(self, state, digests):
        """CopyObject: metadata and tags copied (COPY) or taken from the request (REPLACE); the source's full-object
        checksums kept, and one of x-amz-checksum-algorithm computed; If-None-Match: * refuses an existing key (412)."""
        r, store, h = self.req, state.store, self.headers
        inm = h.get("If-None-Match")
        if inm is not None and inm.strip() != "*":
            raise not_implemented("If-None-Match")
        f, st, source, bucket, key, version = self.open_copy_source(state)
        with f:
            if st.st_size > MAX_PUT:
                raise invalid_request("The specified copy source is larger than the maximum allowable size for a "
                                      "copy source: 5368709120")
            directive = (h.get("x-amz-metadata-directive") or "COPY").strip().upper()
            if (bucket, key, version, directive) == (r.bucket, r.key, None, "COPY"):
                raise invalid_request("This copy request is illegal because it is trying to copy an object to "
                                      "itself without changing the object's metadata, storage class, website "
                                      "redirect location or encryption attributes.")
            meta = metadata_from_headers(h)
            if directive == "COPY":
                meta["headers"] = dict(source.get("headers", {}))
            if (h.get("x-amz-tagging-directive") or "COPY").strip().upper() == "COPY":
                meta["tags"] = source.get("tags", [])
            checksums = {alg: v for alg, v in source.get("checksums", {}).items()
                         if source.get("checksum_type") == "FULL_OBJECT"}
            declared = h.get("x-amz-checksum-algorithm")
            wanted = [cks.algorithm(declared)] if declared is not None else []
            body = cks.BodyDigests(md5=True, algorithms=[a for a in wanted if a not in checksums])
            tmp, out = store.new_tmp()
            with out:
                f.seek(0)
                for block in iter(lambda: f.read(BLOCK), b""):
                    body.update(block)
                    out.write(block)
        checksums.update({alg: cks.b64(body.checksum(alg)) for alg in body.checksums})
        etag = f'"{body.md5.hexdigest()}"'
        meta.update(etag=etag, checksums=checksums, checksum_type="FULL_OBJECT" if checksums else None)
        try:
            state.store.commit(r.bucket, r.key, tmp, meta, if_none_match=inm is not None)  # 412 when it exists
        except S3Error:
            os.unlink(tmp)
            raise
        items = [("ETag", etag), ("LastModified", iso8601(time.time()))]
        items += [(f"Checksum{alg}", value) for alg, value in checksums.items()]
        return xml_reply("CopyObjectResult", items, headers=sse_headers(meta))

    def op_part_copy(self, state, digests):
        """UploadPartCopy: x-amz-copy-source-range (or the whole source) as part N, with the upload's checksum."""
        r, h = self.req, self.headers
        number = part_number(r.params.get("partNumber"))
        upload = state.uploads.info(r.upload_id, r.bucket, r.key)
        f, st, _, _, _, _ = self.open_copy_source(state)
        with f:
            start, end = 0, st.st_size - 1
            rng = h.get("x-amz-copy-source-range")
            if rng is not None:
                m = re.fullmatch(r"bytes=(\d+)-(\d+)", rng.strip())
                if not m or int(m[1]) > int(m[2]) or int(m[2]) >= st.st_size:
                    raise S3Error(400, "InvalidArgument", "Range specified is not valid for source object of size: "
                                  f"{st.st_size}")
                start, end = int(m[1]), int(m[2])
            declared = upload.get("algorithm")
            body = cks.BodyDigests(md5=True, algorithms=[declared] if declared else [])
            tmp, out = state.store.new_tmp()
            with out:
                f.seek(start)
                remaining = end - start + 1
                while remaining > 0:
                    block = f.read(min(BLOCK, remaining))
                    if not block:
                        break
                    body.update(block)
                    out.write(block)
                    remaining -= len(block)
        checksums = {alg: cks.b64(body.checksum(alg)) for alg in body.checksums}
        etag = f'"{body.md5.hexdigest()}"'
        state.uploads.add_part(r.upload_id, number, tmp, etag, checksums)
        items = [("ETag", etag), ("LastModified", iso8601(time.time()))]
        items += [(f"Checksum{alg}", value) for alg, value in checksums.items()]
        return xml_reply("CopyPartResult", items)

    def op_delete(self, state, digests):
        r = self.req
        state.store.check_key(r.key)
        state.store.delete(r.bucket, r.key, r.params.get("versionId"))
        return bytes_reply(204)

    # ---- multipart -----------------------------------------------------------------------------------------------

    def op_create(self, state, digests):
        r, store = self.req, state.store
        store.bucket_dir(r.bucket)
        store.check_key(r.key)
        store.natural_path(r.bucket, r.key)
        meta = metadata_from_headers(self.headers)
        alg, ctype = checksum_settings(self.headers)
        r.upload_id = state.uploads.create(r.bucket, r.key, meta, alg, ctype)
        r.entry["upload_id"] = r.upload_id
        headers = {"x-amz-checksum-algorithm": alg, "x-amz-checksum-type": ctype} if alg else {}
        return xml_reply("InitiateMultipartUploadResult", [("Bucket", r.bucket), ("Key", r.key),
                                                           ("UploadId", r.upload_id)],
                         headers={**headers, **sse_headers(meta)})

    def op_part(self, state, digests):
        r = self.req
        checksums = {alg: cks.b64(digests.checksum(alg)) for alg in digests.checksums}
        etag = f'"{digests.md5.hexdigest()}"'
        state.uploads.add_part(r.upload_id, r.part_number, r.tmp, etag, checksums)
        r.tmp = None
        headers = {"ETag": etag, **{cks.HEADERS[alg]: v for alg, v in checksums.items()},
                   **sse_headers(r.upload["meta"])}
        return bytes_reply(200, b"", headers)

    def op_complete(self, state, digests):
        r, rule, fault = self.req, self.req.rule, self.req.fault
        host = self.headers.get("Host") or f"127.0.0.1:{self.server.server_address[1]}"
        location = f"http://{host}/{r.bucket}/{quote(r.key)}"
        inm = self.headers.get("If-None-Match")
        if inm is not None and inm.strip() != "*":
            raise not_implemented("If-None-Match")

        def work():
            items = state.uploads.complete(r.upload_id, r.bucket, r.key, bytes(r.body), self.headers,
                                           inm is not None, location)
            return xml_doc("CompleteMultipartUploadResult", items, declaration=False)

        def error_body(code, message, extra=()):
            return error_xml(code, message, r.resource, r.request_id, extra).split(b"\n", 1)[1]

        def injected():
            code = rule.get("code", "InternalError")
            message = rule.get("message", DEFAULT_ERRORS.get(500)[1] if code == "InternalError" else "Injected error")
            return error_body(code, message)

        headers = {"Content-Type": "application/xml"}
        declaration = b'<?xml version="1.0" encoding="UTF-8"?>\n'
        if fault == "complete_whitespace" or (fault == "complete_error" and rule.get("whitespace")):
            def last():
                try:
                    if fault == "complete_whitespace" or rule.get("then_complete"):
                        done = work()
                        if fault == "complete_whitespace":
                            return done
                except S3Error as e:
                    return error_body(e.code, e.message, e.extra)
                return injected()
            return self.send_chunked(200, headers, declaration + b" " * 64 + b"\n", float(rule.get("seconds", 0)),
                                     last)
        if fault == "complete_error":
            if rule.get("then_complete"):
                work()
            return bytes_reply(200, declaration + injected(), headers)
        return bytes_reply(200, declaration + work(), headers)

    def op_abort(self, state, digests):
        r = self.req
        state.uploads.abort(r.upload_id, r.bucket, r.key)
        return bytes_reply(204)

    def op_list_parts(self, state, digests):
        r = self.req
        return state.uploads.list_parts(r.upload_id, r.bucket, r.key, r.params)

    def op_list_uploads(self, state, digests):
        return state.uploads.list_uploads(self.req.bucket, self.req.params)

    # ---- buckets -------------------------------------------------------------------------------------------------

    def op_list(self, state, digests):
        return state.store.list_objects_v2(self.req.bucket, self.req.params)

    def op_create_bucket(self, state, digests):
        bucket = self.req.bucket
        if not bucket or bucket.startswith(".") or "/" in bucket or "\0" in bucket or len(bucket) > 63:
            raise S3Error(400, "InvalidBucketName", "The specified bucket is not valid.", [("BucketName", bucket)])
        os.makedirs(os.path.join(state.store.root, bucket), exist_ok=True)
        return bytes_reply(200, b"", {"Location": f"/{bucket}"})

    def op_head_bucket(self, state, digests):
        state.store.bucket_dir(self.req.bucket)
        return bytes_reply(200, b"", {"x-amz-bucket-region": state.region or "us-east-1"})

    def op_other(self, state, digests):
        r = self.req
        if self.command not in ("GET", "HEAD", "PUT", "POST", "DELETE") or (self.command == "POST" and r.key):
            raise S3Error(405, "MethodNotAllowed", "The specified method is not allowed against this resource.",
                          [("Method", self.command), ("ResourceType", "OBJECT" if r.key else "BUCKET")],
                          headers={"Allow": "GET, HEAD, PUT, POST, DELETE"})
        raise S3Error(501, "NotImplemented", "A header or query you provided implies functionality that is not "
                      "implemented by this test server")
