"""A strict AWS Signature Version 4 verifier for S3 requests (header auth only), Python 3 stdlib.

The canonical request is rebuilt from the request exactly as received: the raw path bytes as the canonical URI (S3
neither normalises nor re-encodes it), the query decoded then re-encoded (RFC 3986 unreserved kept, `%XX` upper
case) and sorted by name then value, the signed headers in SignedHeaders order (which must be sorted) with values
trimmed and inner runs of blanks collapsed, and x-amz-content-sha256 as the payload hash.
"""
import calendar
import hashlib
import hmac
import re
import time
from email.utils import parsedate_to_datetime
from urllib.parse import unquote_to_bytes

from s3_common import S3Error

ALGORITHM = "AWS4-HMAC-SHA256"
MAX_SKEW = 15 * 60
UNRESERVED = frozenset(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
EMPTY_SHA256 = hashlib.sha256(b"").hexdigest()


def uri_encode(raw, keep_slash=False):
    """RFC 3986 percent-encoding of bytes (or str as UTF-8): unreserved kept, the rest %XX upper case."""
    if isinstance(raw, str):
        raw = raw.encode("utf-8")
    return "".join(chr(b) if b in UNRESERVED or (keep_slash and b == 0x2F) else f"%{b:02X}" for b in raw)


def canonical_query(raw_query):
    """The canonical query string of a raw query (as received, str holding the raw bytes as latin-1)."""
    pairs = []
    for part in raw_query.split("&"):
        if not part:
            continue
        name, _, value = part.partition("=")
        pairs.append((uri_encode(unquote_to_bytes(name.encode("latin-1"))),
                      uri_encode(unquote_to_bytes(value.encode("latin-1")))))
    pairs.sort()
    return "&".join(f"{n}={v}" for n, v in pairs)


def header_value(values):
    return ",".join(re.sub(r"[ \t]+", " ", v.strip(" \t")) for v in values)


def canonical_request(method, raw_path, raw_query, headers, signed, payload_hash):
    """bytes of the canonical request. headers: [(name, value), ...] as received (str holding latin-1 bytes)."""
    lines = [method, raw_path or "/", canonical_query(raw_query)]
    for name in signed:
        values = [v for k, v in headers if k.lower() == name]
        lines.append(f"{name}:{header_value(values)}")
    lines += ["", ";".join(signed), payload_hash]
    return "\n".join(lines).encode("latin-1", "replace")


def signing_key(secret, date, region, service="s3"):
    key = ("AWS4" + secret).encode()
    for part in (date, region, service, "aws4_request"):
        key = hmac.new(key, part.encode(), hashlib.sha256).digest()
    return key


def string_to_sign(amz_date, scope, creq):
    return f"{ALGORITHM}\n{amz_date}\n{scope}\n{hashlib.sha256(creq).hexdigest()}"


def sign(secret, amz_date, scope, sts):
    date, region, service, _ = scope.split("/")
    return hmac.new(signing_key(secret, date, region, service), sts.encode(), hashlib.sha256).hexdigest()


def parse_authorization(value):
    """'AWS4-HMAC-SHA256 Credential=..., SignedHeaders=..., Signature=...' -> dict, or None if malformed."""
    algo, _, rest = (value or "").strip().partition(" ")
    if algo != ALGORITHM:
        return None
    fields = {}
    for item in rest.split(","):
        name, eq, val = item.strip().partition("=")
        if not eq:
            return None
        fields[name] = val
    if set(fields) != {"Credential", "SignedHeaders", "Signature"}:
        return None
    cred = fields["Credential"].split("/")
    if len(cred) != 5 or not re.fullmatch(r"[0-9a-f]{64}", fields["Signature"]):
        return None
    return {"key_id": cred[0], "scope": "/".join(cred[1:]), "date": cred[1], "region": cred[2], "service": cred[3],
            "terminator": cred[4], "signed": fields["SignedHeaders"].split(";"), "signature": fields["Signature"]}


def request_time(headers):
    """(seconds since the epoch, the x-amz-date / Date text, which header) of a request, or None."""
    get = {}
    for k, v in headers:
        get.setdefault(k.lower(), v)
    if "x-amz-date" in get:
        text = get["x-amz-date"].strip()
        try:
            t = calendar.timegm(time.strptime(text, "%Y%m%dT%H%M%SZ"))
        except ValueError:
            return None
        return t, text, "x-amz-date"
    if "date" in get:
        try:
            t = parsedate_to_datetime(get["date"]).timestamp()
        except (TypeError, ValueError):
            return None
        return t, time.strftime("%Y%m%dT%H%M%SZ", time.gmtime(t)), "date"
    return None


def verify(method, raw_path, raw_query, headers, credentials, now, region=None, session_token=None):
    """Checks the request's SigV4 header signature; raises S3Error (as S3 would answer) or returns None.
    headers: [(name, value), ...]; credentials: {access key id: secret}."""
    lower = {}
    for k, v in headers:
        lower.setdefault(k.lower(), v)
    auth_value = lower.get("authorization")
    if auth_value is None:
        raise S3Error(403, "AccessDenied", "Access Denied")
    auth = parse_authorization(auth_value)
    if auth is None:
        raise S3Error(400, "AuthorizationHeaderMalformed", "The authorization header is malformed; the authorization "
                      "header requires three components: Credential, SignedHeaders, and Signature.")
    if auth["key_id"] not in credentials:
        raise S3Error(403, "InvalidAccessKeyId", "The AWS Access Key Id you provided does not exist in our records.",
                      [("AWSAccessKeyId", auth["key_id"])])
    if auth["service"] != "s3" or auth["terminator"] != "aws4_request":
        raise S3Error(400, "AuthorizationHeaderMalformed", "The authorization header is malformed; incorrect service "
                      "or terminator in the credential scope.")
    if region is not None and auth["region"] != region:
        raise S3Error(400, "AuthorizationHeaderMalformed", f"The authorization header is malformed; the region "
                      f"'{auth['region']}' is wrong; expecting '{region}'", [("Region", region)],
                      headers={"x-amz-bucket-region": region})
    when = request_time(headers)
    if when is None:
        raise S3Error(403, "AccessDenied", "AWS authentication requires a valid Date or x-amz-date header")
    t, amz_date, date_header = when
    if abs(t - now) > MAX_SKEW:
        raise S3Error(403, "RequestTimeTooSkewed", "The difference between the request time and the current time is "
                      "too large.", [("RequestTime", amz_date),
                                     ("ServerTime", time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(now))),
                                     ("MaxAllowedSkewMilliseconds", MAX_SKEW * 1000)])
    if auth["date"] != amz_date[:8]:
        raise S3Error(400, "AuthorizationHeaderMalformed", "The authorization header is malformed; Invalid credential "
                      f"date. Date is not the same as X-Amz-Date: \"{auth['date']}\".")
    payload = lower.get("x-amz-content-sha256")
    if payload is None:
        raise S3Error(400, "InvalidRequest", "Missing required header for this request: x-amz-content-sha256")
    signed = auth["signed"]
    problem = None
    if signed != sorted(signed) or len(set(signed)) != len(signed) or any(s != s.lower() or not s for s in signed):
        problem = "SignedHeaders is not a sorted list of distinct lower-case names"
    elif "host" not in signed or date_header not in signed or "x-amz-content-sha256" not in signed:
        problem = f"host, {date_header} and x-amz-content-sha256 must be signed"
    elif any(s not in lower for s in signed):
        problem = "a signed header is missing from the request"
    unsigned = sorted(k for k in lower if k.startswith("x-amz-") and k not in signed)
    if problem is None and unsigned:
        raise S3Error(403, "AccessDenied", "There were headers present in the request which were not signed",
                      [("HeadersNotSigned", ", ".join(unsigned))])
    if session_token is not None and lower.get("x-amz-security-token") != session_token:
        raise S3Error(403, "InvalidToken", "The provided token is malformed or otherwise invalid.")
    creq = canonical_request(method, raw_path, raw_query, headers, signed, payload)
    sts = string_to_sign(amz_date, auth["scope"], creq)
    expected = sign(credentials[auth["key_id"]], amz_date, auth["scope"], sts)
    if problem is not None or not hmac.compare_digest(expected, auth["signature"]):
        message = ("The request signature we calculated does not match the signature you provided. Check your key "
                   "and signing method.")
        raise S3Error(403, "SignatureDoesNotMatch", message + (f" ({problem})" if problem else ""),
                      [("AWSAccessKeyId", auth["key_id"]), ("StringToSign", sts),
                       ("SignatureProvided", auth["signature"]),
                       ("CanonicalRequest", creq.decode("utf-8", "replace"))])
    return None
