"""fault_s3.py's object store: objects as files under DIR, their metadata in sidecars, ListObjectsV2.

Layout (DIR is --data-dir):
  DIR/BUCKET/KEY                 the object (KEY's '/' are subdirectories); files put there by hand are objects too
  DIR/BUCKET/KEY.versions/V      version V of KEY (served for ?versionId=V; not listed)
  DIR/.keys/BUCKET/NAME          objects whose key has no faithful path: an empty or '.' segment ("a//b", "./x",
                                 "d/"), a segment over 255 bytes or a non-final one ending in ".versions", or a
                                 key whose path clashes with a file or directory already there ("a" vs "a/b")
  DIR/.meta/BUCKET/NAME.json     sidecar of an object written through the server: key, ETag, stored headers,
                                 tags, storage class, checksums; valid only while the object file has the
                                 inode, size and mtime it records (a file replaced by hand has no metadata)
  DIR/.tmp/                      bodies being received (renamed into place when complete)
NAME is the key percent-encoded with nothing safe (quote(key, safe="")), or "h-<sha256 of the key>" when that would
be longer than 200 characters.
"""
import base64
import binascii
import errno
import hashlib
import json
import os
import secrets
import stat
import threading
from urllib.parse import quote, quote_plus, unquote, parse_qsl

from s3_common import BLOCK, S3Error, invalid_argument, iso8601, xml_reply

STORED_HEADERS = ("Content-Type", "Cache-Control", "Content-Encoding", "Content-Disposition", "Content-Language",
                  "Expires", "x-amz-server-side-encryption", "x-amz-server-side-encryption-aws-kms-key-id",
                  "x-amz-server-side-encryption-customer-algorithm", "x-amz-server-side-encryption-customer-key-MD5",
                  "x-amz-website-redirect-location")
STORAGE_CLASSES = ("STANDARD", "REDUCED_REDUNDANCY", "STANDARD_IA", "ONEZONE_IA", "INTELLIGENT_TIERING", "GLACIER",
                   "DEEP_ARCHIVE", "OUTPOSTS", "GLACIER_IR", "SNOW", "EXPRESS_ONEZONE")
SSE_C_ALG = "x-amz-server-side-encryption-customer-algorithm"
SSE_C_KEY = "x-amz-server-side-encryption-customer-key"
SSE_C_MD5 = "x-amz-server-side-encryption-customer-key-MD5"
CLASH = (errno.ENOTDIR, errno.EISDIR, errno.EEXIST, errno.ENOTEMPTY, errno.ENAMETOOLONG)


def no_such_bucket(bucket):
    return S3Error(404, "NoSuchBucket", "The specified bucket does not exist", [("BucketName", bucket)])


def invalid_uri():
    return S3Error(400, "InvalidURI", "Couldn't parse the specified URI.")


def metadata_from_headers(headers):
    """The object metadata a PutObject / CreateMultipartUpload request sets (headers: an email.message)."""
    stored = {}
    for name in STORED_HEADERS:
        value = headers.get(name)
        if value is not None:
            stored[name] = value
    for name, value in headers.items():
        if name.lower().startswith("x-amz-meta-"):
            stored[name.lower()] = value
    storage_class = headers.get("x-amz-storage-class", "STANDARD").strip()
    if storage_class not in STORAGE_CLASSES:
        raise S3Error(400, "InvalidStorageClass", "The storage class you specified is not valid",
                      [("StorageClassRequested", storage_class)])
    tags = []
    if headers.get("x-amz-tagging") is not None:
        tags = parse_qsl(headers["x-amz-tagging"], keep_blank_values=True)
        if len(tags) > 10 or len({k for k, _ in tags}) != len(tags) or any(not k for k, _ in tags):
            raise invalid_argument("The TagValue you have provided is invalid", "x-amz-tagging",
                                   headers["x-amz-tagging"])
    if headers.get(SSE_C_ALG) is not None:
        check_sse_c(headers)
    return {"headers": stored, "tags": [list(t) for t in tags], "storage_class": storage_class,
            "acl": headers.get("x-amz-acl")}


def check_sse_c(headers):
    """The SSE-C headers of a request: algorithm AES256, a 256-bit key, its MD5. Returns the key MD5."""
    alg, key, md5 = headers.get(SSE_C_ALG), headers.get(SSE_C_KEY), headers.get(SSE_C_MD5)
    if alg is None or key is None or md5 is None:
        raise S3Error(400, "InvalidRequest", "Requests specifying Server Side Encryption with Customer provided "
                      "keys must provide the algorithm, the key and the key MD5.")
    if alg != "AES256":
        raise invalid_argument("The encryption algorithm specified is not valid.", SSE_C_ALG, alg)
    try:
        raw = base64.b64decode(key, validate=True)
    except (binascii.Error, ValueError):
        raw = b""
    if len(raw) != 32:
        raise invalid_argument("The secret key was invalid for the specified algorithm.", SSE_C_KEY, "")
    if base64.b64encode(hashlib.md5(raw).digest()).decode() != md5.strip():
        raise invalid_argument("The calculated MD5 hash of the key did not match the hash that was provided.",
                               SSE_C_MD5, md5)
    return md5.strip()


def response_headers(meta):
    """The headers a GET / HEAD answers with for an object's metadata (not the checksums)."""
    out = dict(meta.get("headers", {}))
    out.setdefault("Content-Type", "binary/octet-stream")
    if meta.get("storage_class", "STANDARD") != "STANDARD":
        out["x-amz-storage-class"] = meta["storage_class"]
    if meta.get("tags"):
        out["x-amz-tagging-count"] = str(len(meta["tags"]))
    return out


def checksum_headers(meta):
    out = {f"x-amz-checksum-{alg.lower()}": value for alg, value in meta.get("checksums", {}).items()}
    if out:
        out["x-amz-checksum-type"] = meta.get("checksum_type", "FULL_OBJECT")
    return out


class Store:
    def __init__(self, root):
        self.root = os.path.realpath(root)
        self.meta_dir, self.uploads_dir, self.tmp_dir, self.odd_dir = (
            os.path.join(self.root, d) for d in (".meta", ".uploads", ".tmp", ".keys"))
        self.lock = threading.Lock()  # commits and deletes: the sidecar and the file change together
        self.etags, self.etag_lock = {}, threading.Lock()

    # ---- names ---------------------------------------------------------------------------------------------------

    def bucket_dir(self, bucket):
        """DIR/BUCKET, or 404 NoSuchBucket."""
        path = os.path.join(self.root, bucket)
        if bucket in ("", ".", "..") or bucket.startswith(".") or "/" in bucket or "\0" in bucket \
                or not os.path.isdir(path):
            raise no_such_bucket(bucket)
        return path

    @staticmethod
    def check_key(key):
        if not key or "\0" in key or ".." in key.split("/") or len(key.encode("utf-8", "surrogatepass")) > 1024:
            raise invalid_uri()

    @staticmethod
    def natural(key):
        segments = key.split("/")
        return (all(s not in ("", ".") and len(s.encode("utf-8", "surrogatepass")) <= 255 for s in segments)
                and not any(s.endswith(".versions") for s in segments[:-1]))

    @staticmethod
    def name(key):
        name = quote(key, safe="")
        return name if len(name) <= 200 else "h-" + hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()

    def natural_path(self, bucket, key):
        """DIR/BUCKET/KEY for a key with a faithful path (None otherwise); 400 InvalidURI if it leaves the bucket."""
        if not self.natural(key):
            return None
        bucket_dir = os.path.join(self.root, bucket)
        path = os.path.realpath(os.path.join(bucket_dir, key))
        if not path.startswith(os.path.realpath(bucket_dir) + os.sep):
            raise invalid_uri()
        return path

    def odd_path(self, bucket, key):
        return os.path.join(self.odd_dir, bucket, self.name(key))

    def meta_path(self, bucket, key):
        return os.path.join(self.meta_dir, bucket, self.name(key) + ".json")

    # ---- reading -------------------------------------------------------------------------------------------------

    @staticmethod
    def _regular(path):
        try:
            return path if path and stat.S_ISREG(os.stat(path).st_mode) else None
        except OSError:
            return None

    def locate(self, bucket, key):
        """The file of an object, or None."""
        return self._regular(self.natural_path(bucket, key)) or self._regular(self.odd_path(bucket, key))

    def open(self, bucket, key, path=None):
        """(file, stat) of an object (or of `path`), or None when there is no such regular file."""
        for candidate in ([path] if path else [self.natural_path(bucket, key), self.odd_path(bucket, key)]):
            if candidate is None:
                continue
            try:
                f = open(candidate, "rb")
            except OSError:
                continue
            st = os.fstat(f.fileno())
            if stat.S_ISREG(st.st_mode):
                return f, st
            f.close()
        return None

    def meta(self, bucket, key, st):
        """The sidecar of an object when it describes the file `st` is of, else None."""
        try:
            with open(self.meta_path(bucket, key), encoding="utf-8") as f:
                meta = json.load(f)
        except (OSError, ValueError):
            return None
        ident = (meta.get("key"), meta.get("ino"), meta.get("size"), meta.get("mtime_ns"))
        return meta if ident == (key, st.st_ino, st.st_size, st.st_mtime_ns) else None

    def etag(self, f, st, meta=None):
        if meta and meta.get("etag"):
            return meta["etag"]
        ident = (st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns)
        with self.etag_lock:
            if ident in self.etags:
                return self.etags[ident]
        md5 = hashlib.md5()
        f.seek(0)
        for block in iter(lambda: f.read(BLOCK), b""):
            md5.update(block)
        with self.etag_lock:
            self.etags[ident] = f'"{md5.hexdigest()}"'
            return self.etags[ident]

    # ---- writing -------------------------------------------------------------------------------------------------

    def new_tmp(self):
        """A new temporary file on the store's filesystem: (path, binary file open for writing)."""
        os.makedirs(self.tmp_dir, exist_ok=True)
        path = os.path.join(self.tmp_dir, secrets.token_hex(8))
        return path, open(path, "wb")

    def commit(self, bucket, key, tmp, meta, if_none_match=False):
        """Makes the file `tmp` the object BUCKET/KEY with metadata `meta`, atomically. With if_none_match, 412 if
        the key exists (then nothing changes; the caller still owns tmp)."""
        self.bucket_dir(bucket)
        natural = self.natural_path(bucket, key)
        odd = self.odd_path(bucket, key)
        with self.lock:
            if if_none_match and self.locate(bucket, key):
                raise S3Error(412, "PreconditionFailed", "At least one of the pre-conditions you specified did not "
                              "hold", [("Condition", "If-None-Match")])
            st = os.stat(tmp)
            meta = dict(meta, key=key, size=st.st_size, ino=st.st_ino, mtime_ns=st.st_mtime_ns)
            self._write_json(self.meta_path(bucket, key), meta)
            placed = False
            if natural is not None:
                try:
                    os.makedirs(os.path.dirname(natural), exist_ok=True)
                    os.replace(tmp, natural)
                    placed = True
                except OSError as e:
                    if e.errno not in CLASH:
                        raise
            if placed:
                self._unlink(odd)
            else:
                os.makedirs(os.path.dirname(odd), exist_ok=True)
                os.replace(tmp, odd)
        return meta

    def _write_json(self, path, data):
        os.makedirs(os.path.dirname(path), exist_ok=True)
        tmp = f"{path}.tmp-{secrets.token_hex(4)}"
        with open(tmp, "w", encoding="utf-8") as f:
            json.dump(data, f, ensure_ascii=False)
        os.replace(tmp, path)

    @staticmethod
    def _unlink(path):
        try:
            os.unlink(path)
        except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
            pass

    def delete(self, bucket, key, version=None):
        self.bucket_dir(bucket)
        with self.lock:
            natural = self.natural_path(bucket, key)
            if version is not None:
                if natural is not None and version not in ("", ".", "..") and "/" not in version:
                    self._unlink(os.path.join(natural + ".versions", version))
                return
            if self._regular(natural):
                self._unlink(natural)
            self._unlink(self.odd_path(bucket, key))
            self._unlink(self.meta_path(bucket, key))

    # ---- listing -------------------------------------------------------------------------------------------------

    def keys(self, bucket):
        """[(key, path)] of every object in the bucket, sorted by the UTF-8 bytes of the key."""
        base = self.bucket_dir(bucket)
        found = {}
        for dirpath, dirnames, filenames in os.walk(base):
            dirnames[:] = [d for d in dirnames if not d.endswith(".versions")]
            rel = os.path.relpath(dirpath, base)
            for name in filenames:
                key = name if rel == "." else f"{rel}/{name}".replace(os.sep, "/")
                try:
                    key.encode("utf-8")
                except UnicodeEncodeError:  # not a UTF-8 file name: no S3 key
                    continue
                path = os.path.join(dirpath, name)
                if self._regular(path):
                    found[key] = path
        odd_dir = os.path.join(self.odd_dir, bucket)
        for name in (os.listdir(odd_dir) if os.path.isdir(odd_dir) else []):
            key = self._odd_key(bucket, name)
            if key is not None and key not in found and self._regular(os.path.join(odd_dir, name)):
                found[key] = os.path.join(odd_dir, name)
        return sorted(found.items(), key=lambda kv: kv[0].encode("utf-8", "surrogatepass"))

    def _odd_key(self, bucket, name):
        if not name.startswith("h-"):
            return unquote(name)
        try:
            with open(os.path.join(self.meta_dir, bucket, name + ".json"), encoding="utf-8") as f:
                return json.load(f).get("key")
        except (OSError, ValueError):
            return None

    def list_objects_v2(self, bucket, params):
        """GET /BUCKET?list-type=2 -> the ListBucketResult reply."""
        prefix, delimiter = params.get("prefix", ""), params.get("delimiter", "")
        encoding = params.get("encoding-type")
        if encoding is not None and encoding != "url":
            raise invalid_argument("Invalid Encoding Method specified in Request", "encoding-type", encoding)
        try:
            max_keys = int(params.get("max-keys", "1000"))
            if max_keys < 0:
                raise ValueError
        except ValueError:
            raise invalid_argument("Provided max-keys not an integer or within integer range", "max-keys",
                                   params.get("max-keys")) from None
        max_keys = min(max_keys, 1000)
        token = params.get("continuation-token")
        start_after = params.get("start-after")
        marker = start_after or ""
        if token is not None:
            try:
                marker = base64.b64decode(token.encode(), altchars=b"-_", validate=True).decode("utf-8")
                if not token:
                    raise ValueError
            except (binascii.Error, ValueError):
                raise invalid_argument("The continuation token provided is incorrect", "continuation-token",
                                       token) from None
        enc = (lambda s: quote_plus(s, safe="/")) if encoding == "url" else (lambda s: s)
        marker_b = marker.encode("utf-8", "surrogatepass")
        contents, prefixes, last, truncated = [], [], None, False
        for key, path in self.keys(bucket):
            if not key.startswith(prefix):
                continue
            item, is_prefix = key, False
            if delimiter:
                cut = key.find(delimiter, len(prefix))
                if cut >= 0:
                    item, is_prefix = key[:cut + len(delimiter)], True
            if item.encode("utf-8", "surrogatepass") <= marker_b or (is_prefix and prefixes and prefixes[-1] == item):
                continue
            if len(contents) + len(prefixes) >= max_keys:
                truncated = max_keys > 0
                break
            last = item
            if is_prefix:
                prefixes.append(item)
            else:
                contents.append(self._list_entry(bucket, key, path, enc))
        items = [("Name", bucket), ("Prefix", enc(prefix)), ("Delimiter", enc(delimiter) if delimiter else None),
                 ("MaxKeys", max_keys), ("EncodingType", encoding), ("KeyCount", len(contents) + len(prefixes)),
                 ("ContinuationToken", token), ("StartAfter", enc(start_after) if start_after is not None else None),
                 ("IsTruncated", truncated)]
        if truncated:
            items.append(("NextContinuationToken", base64.urlsafe_b64encode(last.encode("utf-8")).decode()))
        items += [("Contents", c) for c in contents] + [("CommonPrefixes", [("Prefix", enc(p))]) for p in prefixes]
        return xml_reply("ListBucketResult", items)

    def _list_entry(self, bucket, key, path, enc):
        opened = self.open(bucket, key, path)
        if opened is None:  # deleted meanwhile
            return [("Key", enc(key))]
        f, st = opened
        with f:
            meta = self.meta(bucket, key, st) or {}
            etag = self.etag(f, st, meta)
        entry = [("Key", enc(key)), ("LastModified", iso8601(st.st_mtime)), ("ETag", etag)]
        if meta.get("checksums"):
            entry += [("ChecksumAlgorithm", alg) for alg in meta["checksums"]]
            entry.append(("ChecksumType", meta.get("checksum_type", "FULL_OBJECT")))
        entry += [("Size", st.st_size), ("StorageClass", meta.get("storage_class", "STANDARD"))]
        return entry
