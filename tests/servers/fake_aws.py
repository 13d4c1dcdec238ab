#!/usr/bin/env python3
"""Fake AWS credential endpoints for tests (Python 3 stdlib only): IMDSv2, ECS, STS and SSO on one port.

    python3 fake_aws.py [--port 0] [--port-file FILE] [--log LOG.jsonl] [--expiry-seconds N] [--imds-role NAME]
                        [--region R] [--ecs-token T] [--sso-token T] [--web-identity-token T]
                        [--known-key AKID:SECRET[:SESSION_TOKEN]]... [--tls-cert PEM --tls-key PEM]

Listens on 127.0.0.1 (HTTP/1.1; https with --tls-cert and --tls-key). With --port 0 a free port is bound; --port-file receives the number (written to a
temp name, then renamed) once the socket listens. SIGTERM / SIGINT stop it with exit status 0.

Every set of credentials it hands out is new: AccessKeyId ASIAFAKE00000001, 00000002, ... with a random secret and
session token, expiring --expiry-seconds (default 3600) from now (Expiration with milliseconds, 'Z').

IMDSv2 (as EC2):
  PUT /latest/api/token                  needs X-aws-ec2-metadata-token-ttl-seconds (1..21600), else 400; answers a
                                         token. Every other /latest/ request needs X-aws-ec2-metadata-token with a
                                         token it issued, else 401 (so IMDSv1 is refused).
  GET /latest/meta-data/iam/security-credentials/        the role name (--imds-role, default s3fcp-imds-role;
                                                         --imds-role '' answers 404: no role attached)
  GET /latest/meta-data/iam/security-credentials/ROLE    JSON Code/AccessKeyId/SecretAccessKey/Token/Expiration
  GET /latest/meta-data/placement/region                 --region (default us-west-2)
ECS (as the container agent):
  GET /ecs/open/...                      credentials JSON (AccessKeyId, SecretAccessKey, Token, Expiration)
  GET /ecs/auth/...                      the same, but Authorization must equal --ecs-token, else 401 + JSON message
STS (Query API, form-encoded POST to any other path, or GET with the query):
  Action=AssumeRole                      must carry a valid SigV4 signature (service sts) made with a key it issued
                                         or one given by --known-key (plus X-Amz-Security-Token if that key has
                                         one); else 403 InvalidClientTokenId / SignatureDoesNotMatch. A RoleArn
                                         containing ':role/denied' gets 403 AccessDenied.
  Action=AssumeRoleWithWebIdentity       unsigned; WebIdentityToken must equal --web-identity-token, else 400
                                         InvalidIdentityToken.
  DurationSeconds, when given, sets the expiry instead of --expiry-seconds.
SSO (portal):
  GET /federation/credentials?role_name=R&account_id=A   x-amz-sso_bearer_token must equal --sso-token, else 401
                                         UnauthorizedException; role_name 'denied' gets 403 ForbiddenException.
                                         Answers roleCredentials with expiration in epoch milliseconds.

Log (--log): one JSON line per request, written before the response: n, method, path, query (dict), service
(imds/ecs/sts/sso/other), action, role_arn, role_session_name, external_id, duration_seconds, signed_by (the
AccessKeyId of a SigV4 signature), sig_region, sig_ok, status, issued (AccessKeyId handed out, or null), headers
(names lowercased; Authorization, tokens and bearer values shown as "<redacted>").
"""
import argparse
import datetime
import hashlib
import hmac
import json
import secrets
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit
from xml.sax.saxutils import escape

from serving import serve

SECRET_HEADERS = {"authorization", "x-aws-ec2-metadata-token", "x-amz-sso_bearer_token", "x-amz-security-token"}


class State:
    def __init__(self, args):
        self.args = args
        self.lock = threading.Lock()
        self.n = 0
        self.issued = 0
        self.keys = {}  # AccessKeyId -> (secret, session token)
        for spec in args.known_key:
            parts = spec.split(":")
            self.keys[parts[0]] = (parts[1], parts[2] if len(parts) > 2 else "")
        self.imds_tokens = set()
        self.log_file = open(args.log, "a", encoding="utf-8") if args.log else None

    def issue(self, seconds):
        with self.lock:
            self.issued += 1
            akid = f"ASIAFAKE{self.issued:08d}"
            secret = "fakesecret" + secrets.token_hex(12)
            token = "faketoken" + secrets.token_hex(16)
            self.keys[akid] = (secret, token)
        now = datetime.datetime.now(datetime.timezone.utc)
        expiry = now + datetime.timedelta(seconds=seconds)
        return {
            "AccessKeyId": akid,
            "SecretAccessKey": secret,
            "SessionToken": token,
            "Expiration": expiry.strftime("%Y-%m-%dT%H:%M:%S.") + f"{expiry.microsecond // 1000:03d}Z",
            "expiry_ms": int(expiry.timestamp() * 1000),
        }

    def log(self, entry):
        with self.lock:
            self.n += 1
            entry["n"] = self.n
            if self.log_file:
                self.log_file.write(json.dumps(entry) + "\n")
                self.log_file.flush()


def sigv4_check(state, method, path, query, headers, body):
    """(signed_by, region, ok, error code) for a request's Authorization header."""
    auth = headers.get("authorization", "")
    if not auth.startswith("AWS4-HMAC-SHA256 "):
        return None, None, False, "MissingAuthenticationToken"
    fields = dict(p.strip().split("=", 1) for p in auth[len("AWS4-HMAC-SHA256 "):].split(",") if "=" in p)
    try:
        akid, date, region, service, terminal = fields["Credential"].split("/")
        signed = fields["SignedHeaders"].split(";")
        signature = fields["Signature"]
    except (KeyError, ValueError):
        return None, None, False, "IncompleteSignature"
    known = state.keys.get(akid)
    if known is None:
        return akid, region, False, "InvalidClientTokenId"
    secret, token = known
    if token and headers.get("x-amz-security-token") != token:
        return akid, region, False, "InvalidClientTokenId"
    canonical_headers = "".join(f"{h}:{' '.join(headers.get(h, '').split())}\n" for h in signed)
    pairs = sorted((k, v) for k, vs in query.items() for v in vs)
    from urllib.parse import quote
    canonical_query = "&".join(f"{quote(k, safe='-_.~')}={quote(v, safe='-_.~')}" for k, v in pairs)
    canonical = "\n".join([method, path, canonical_query, canonical_headers, ";".join(signed),
                           hashlib.sha256(body).hexdigest()])
    scope = f"{date}/{region}/{service}/{terminal}"
    to_sign = "\n".join(["AWS4-HMAC-SHA256", headers.get("x-amz-date", ""), scope,
                         hashlib.sha256(canonical.encode()).hexdigest()])
    key = ("AWS4" + secret).encode()
    for part in (date, region, service, terminal):
        key = hmac.new(key, part.encode(), hashlib.sha256).digest()
    expected = hmac.new(key, to_sign.encode(), hashlib.sha256).hexdigest()
    ok = hmac.compare_digest(expected, signature) and service == "sts" and "host" in signed
    return akid, region, ok, None if ok else "SignatureDoesNotMatch"


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "fake_aws/1"

    def log_message(self, fmt, *args):
        pass

    def do_GET(self):
        self.handle_any()

    def do_PUT(self):
        self.handle_any()

    def do_POST(self):
        self.handle_any()

    def handle_any(self):
        state = self.server.state
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        url = urlsplit(self.path)
        query = parse_qs(url.query, keep_blank_values=True)
        headers = {k.lower(): v for k, v in self.headers.items()}
        entry = {"method": self.command, "path": url.path, "query": query, "service": "other", "action": None,
                 "signed_by": None, "sig_region": None, "sig_ok": None, "issued": None,
                 "headers": {k: ("<redacted>" if k in SECRET_HEADERS else v) for k, v in headers.items()}}
        if url.path.startswith("/latest/"):
            entry["service"] = "imds"
            status, ctype, out, extra = self.imds(state, url.path, headers, entry)
        elif url.path.startswith("/ecs/"):
            entry["service"] = "ecs"
            status, ctype, out, extra = self.ecs(state, url.path, headers, entry)
        elif url.path == "/federation/credentials":
            entry["service"] = "sso"
            status, ctype, out, extra = self.sso(state, query, headers, entry)
        else:
            entry["service"] = "sts"
            form = parse_qs(body.decode("utf-8", "replace"), keep_blank_values=True) if self.command == "POST" else {}
            params = {k: v[0] for k, v in {**query, **form}.items()}
            status, ctype, out, extra = self.sts(state, url.path, query, headers, body, params, entry)
        entry["status"] = status
        state.log(entry)
        data = out.encode() if isinstance(out, str) else out
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data)))
        for k, v in extra.items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(data)

    # --- IMDSv2 ---------------------------------------------------------------------------------------------------
    def imds(self, state, path, headers, entry):
        if path == "/latest/api/token":
            if self.command != "PUT":
                return 405, "text/plain", "", {}
            try:
                ttl = int(headers.get("x-aws-ec2-metadata-token-ttl-seconds", ""))
            except ValueError:
                ttl = 0
            if not 1 <= ttl <= 21600:
                return 400, "text/plain", "missing or bad X-aws-ec2-metadata-token-ttl-seconds", {}
            token = "imds-" + secrets.token_hex(16)
            with state.lock:
                state.imds_tokens.add(token)
            return 200, "text/plain", token, {"X-aws-ec2-metadata-token-ttl-seconds": str(ttl)}
        if headers.get("x-aws-ec2-metadata-token") not in state.imds_tokens:
            return 401, "text/plain", "", {}
        base = "/latest/meta-data/iam/security-credentials/"
        role = state.args.imds_role
        if path == base:
            return (200, "text/plain", role, {}) if role else (404, "text/plain", "", {})
        if role and path == base + role:
            c = state.issue(state.args.expiry_seconds)
            entry["issued"] = c["AccessKeyId"]
            return 200, "application/json", json.dumps({
                "Code": "Success", "LastUpdated": "2024-01-01T00:00:00Z", "Type": "AWS-HMAC",
                "AccessKeyId": c["AccessKeyId"], "SecretAccessKey": c["SecretAccessKey"],
                "Token": c["SessionToken"], "Expiration": c["Expiration"]}), {}
        if path == "/latest/meta-data/placement/region":
            return 200, "text/plain", state.args.region, {}
        return 404, "text/plain", "", {}

    # --- ECS ------------------------------------------------------------------------------------------------------
    def ecs(self, state, path, headers, entry):
        if path.startswith("/ecs/auth/") and headers.get("authorization") != state.args.ecs_token:
            return 401, "application/json", json.dumps({"message": "bad or missing authorization token"}), {}
        if not (path.startswith("/ecs/auth/") or path.startswith("/ecs/open/")):
            return 404, "application/json", json.dumps({"message": "no such path"}), {}
        c = state.issue(state.args.expiry_seconds)
        entry["issued"] = c["AccessKeyId"]
        return 200, "application/json", json.dumps({
            "AccessKeyId": c["AccessKeyId"], "SecretAccessKey": c["SecretAccessKey"], "Token": c["SessionToken"],
            "Expiration": c["Expiration"], "RoleArn": "arn:aws:iam::123456789012:role/ecs-task"}), {}

    # --- SSO ------------------------------------------------------------------------------------------------------
    def sso(self, state, query, headers, entry):
        role = query.get("role_name", [""])[0]
        account = query.get("account_id", [""])[0]
        entry["action"] = "GetRoleCredentials"
        entry["role_arn"] = f"{account}/{role}"
        if headers.get("x-amz-sso_bearer_token") != state.args.sso_token:
            return 401, "application/json", json.dumps({"message": "Session token not found or invalid"}), \
                {"x-amzn-ErrorType": "UnauthorizedException:http://internal.amazon.com/coral/"}
        if not role or not account:
            return 400, "application/json", json.dumps({"message": "role_name and account_id required"}), \
                {"x-amzn-ErrorType": "InvalidRequestException"}
        if role == "denied":
            return 403, "application/json", json.dumps({"message": "No access"}), \
                {"x-amzn-ErrorType": "ForbiddenException"}
        c = state.issue(state.args.expiry_seconds)
        entry["issued"] = c["AccessKeyId"]
        return 200, "application/json", json.dumps({"roleCredentials": {
            "accessKeyId": c["AccessKeyId"], "secretAccessKey": c["SecretAccessKey"],
            "sessionToken": c["SessionToken"], "expiration": c["expiry_ms"]}}), {}

    # --- STS ------------------------------------------------------------------------------------------------------
    def sts(self, state, path, query, headers, body, params, entry):
        action = params.get("Action")
        entry["action"] = action
        for key in ("RoleArn", "RoleSessionName", "ExternalId", "DurationSeconds"):
            entry[{"RoleArn": "role_arn", "RoleSessionName": "role_session_name", "ExternalId": "external_id",
                   "DurationSeconds": "duration_seconds"}[key]] = params.get(key)
        if action not in ("AssumeRole", "AssumeRoleWithWebIdentity") or params.get("Version") != "2011-06-15":
            return sts_error(400, "InvalidAction", f"Could not find operation {action}")
        role_arn = params.get("RoleArn", "")
        if not role_arn or not params.get("RoleSessionName"):
            return sts_error(400, "ValidationError", "RoleArn and RoleSessionName are required")
        if action == "AssumeRole":
            signed_by, region, ok, code = sigv4_check(state, self.command, path, query, headers, body)
            entry.update(signed_by=signed_by, sig_region=region, sig_ok=ok)
            if not ok:
                return sts_error(403, code, "The request signature is not valid for a known key")
        elif params.get("WebIdentityToken") != state.args.web_identity_token:
            return sts_error(400, "InvalidIdentityToken", "The web identity token is not valid")
        if ":role/denied" in role_arn:
            return sts_error(403, "AccessDenied", f"Not authorized to perform sts:{action} on {role_arn}")
        seconds = int(params.get("DurationSeconds") or state.args.expiry_seconds)
        c = state.issue(seconds)
        entry["issued"] = c["AccessKeyId"]
        xml = (f'<{action}Response xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><{action}Result>'
               f"<Credentials><AccessKeyId>{c['AccessKeyId']}</AccessKeyId>"
               f"<SecretAccessKey>{c['SecretAccessKey']}</SecretAccessKey>"
               f"<SessionToken>{c['SessionToken']}</SessionToken><Expiration>{c['Expiration']}</Expiration>"
               f"</Credentials><AssumedRoleUser><Arn>{escape(role_arn)}/{escape(params['RoleSessionName'])}</Arn>"
               f"<AssumedRoleId>AROAFAKE:{escape(params['RoleSessionName'])}</AssumedRoleId></AssumedRoleUser>"
               f"</{action}Result><ResponseMetadata><RequestId>{secrets.token_hex(8)}</RequestId>"
               f"</ResponseMetadata></{action}Response>")
        return 200, "text/xml", xml, {}


def sts_error(status, code, message):
    xml = (f'<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><Error><Type>Sender</Type>'
           f"<Code>{code}</Code><Message>{escape(message)}</Message></Error>"
           f"<RequestId>{secrets.token_hex(8)}</RequestId></ErrorResponse>")
    return status, "text/xml", xml, {}


class Server(ThreadingHTTPServer):
    daemon_threads = True


def main(argv=None):
    ap = argparse.ArgumentParser(description="Fake AWS credential endpoints (see the docstring).")
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--port-file")
    ap.add_argument("--log")
    ap.add_argument("--expiry-seconds", type=int, default=3600)
    ap.add_argument("--imds-role", default="s3fcp-imds-role")
    ap.add_argument("--region", default="us-west-2")
    ap.add_argument("--ecs-token", default="ecs-secret-token")
    ap.add_argument("--sso-token", default="sso-access-token")
    ap.add_argument("--web-identity-token", default="web-identity-token")
    ap.add_argument("--known-key", action="append", default=[])
    ap.add_argument("--tls-cert", help="serve https with this certificate (PEM) and --tls-key")
    ap.add_argument("--tls-key")
    args = ap.parse_args(argv)

    server = Server(("127.0.0.1", args.port), Handler)
    if args.tls_cert:
        import ssl
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(args.tls_cert, args.tls_key)
        server.socket = context.wrap_socket(server.socket, server_side=True)
    server.state = State(args)
    serve(server, "fake_aws", args.port_file)
    if server.state.log_file:
        server.state.log_file.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
