"""The edge signer: its SigV4 signatures recomputed by botocore on a loopback server, its refusals, its zip.

The server stands in for API Gateway: it receives the request the way
CloudFront forwards it after the function (the rewritten path and query,
every header, CloudFront's own changes to ``X-Forwarded-For``, the original
body), and recomputes the signature with botocore's ``SigV4Auth`` (an
implementation independent of the function's) under two readings of the
URL: the wire form as sent, and the decoded-and-re-encoded form. Both must
give the signature the request carries.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import http.client
import io
import json
import re
import sys
import threading
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.message import Message
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import SimpleNamespace
from typing import Any
from urllib.parse import parse_qsl, quote, unquote

import pytest
from tests.lambdas._runtime import run_zipped

from cfgen._resources import lambdas_dir
from cfgen.artifacts import edge_signer_config, lambda_zip

sys.path.insert(0, str(lambdas_dir()))
from edge_signer import _edge, _sigv4, handler

EVENTS = Path(__file__).parent / "events"
HOST = "a1b2c3d4e5.execute-api.eu-west-1.amazonaws.com"
REGION = "eu-west-1"
# The execution role's temporary credentials, and a long-term key pair
# (AWS's documentation example values).
ROLE = _sigv4.Credentials(
    "ASIAEXAMPLEEDGEROLE1",
    "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
    "IQoJb3JpZ2luX2VjEExampleSessionToken//////////wEaCXVzLWVhc3QtMSJHMEUCIQDExample==",
)
LONG_TERM = _sigv4.Credentials("AKIDEXAMPLE", "je7MtGbClwBF/2Zp9Utk/h3yCo8nvbEXAMPLEKEY")
_AUTHORIZATION = re.compile(
    r"AWS4-HMAC-SHA256 Credential=(?P<key>[A-Z0-9]+)/(?P<date>\d{8})/(?P<region>[a-z0-9-]+)/(?P<service>[a-z-]+)"
    r"/aws4_request, SignedHeaders=(?P<signed>[a-z0-9;-]+), Signature=(?P<signature>[0-9a-f]{64})"
)


# ---------------------------------------------------------------------------
# The API Gateway stand-in on loopback
# ---------------------------------------------------------------------------


@dataclass
class Received:
    method: str
    target: str
    headers: Message
    body: bytes
    verdict: str  # "ok", or why the signature was refused


def _botocore_signature(
    model: str, method: str, target: str, headers: dict[str, str], body: bytes, key: _sigv4.Credentials, amz_date: str
) -> tuple[str, str]:
    """(signature, signed headers) as botocore computes them under one reading of the URL."""
    from botocore.auth import SigV4Auth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials

    path, _, query = target.partition("?")
    if model == "wire":
        # API Gateway's reading: the path as sent, encoded once more; the
        # query pieces as sent, sorted.
        request = AWSRequest(method=method, url=f"https://{headers['host']}{target}", headers=headers, data=body)
    else:
        # A service that decodes each part and encodes it again (RFC 3986).
        decoded_path = "/".join(quote(unquote(segment, errors="strict"), safe="-_.~") for segment in path.split("/"))
        params = parse_qsl(query, keep_blank_values=True, errors="strict")
        request = AWSRequest(
            method=method, url=f"https://{headers['host']}{decoded_path}", headers=headers, data=body, params=params
        )
    request.context["timestamp"] = amz_date
    auth = SigV4Auth(Credentials(key.access_key, key.secret_key, key.token), "execute-api", REGION)
    canonical = auth.canonical_request(request)
    signature = auth.signature(auth.string_to_sign(request, canonical), request)
    return signature, auth.signed_headers(auth.headers_to_sign(request))


def verify(method: str, target: str, headers: Message, body: bytes, keys: dict[str, _sigv4.Credentials]) -> str:
    """``"ok"`` when the request carries a valid SigV4 signature for execute-api in REGION, else why not."""
    match = _AUTHORIZATION.fullmatch(headers.get("Authorization", ""))
    if not match:
        return "no or malformed Authorization header"
    key = keys.get(match["key"])
    if key is None:
        return "unknown access key"
    if (match["region"], match["service"]) != (REGION, "execute-api"):
        return "wrong credential scope"
    amz_date = headers.get("X-Amz-Date", "")
    try:
        signed_at = datetime.strptime(amz_date, "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
    except ValueError:
        return "no X-Amz-Date"
    if match["date"] != amz_date[:8] or abs(datetime.now(UTC) - signed_at) > timedelta(minutes=5):
        return "date out of range"
    names = match["signed"].split(";")
    if names != sorted(names) or not {"host", "x-amz-date"} <= set(names):
        return "signed headers not sorted or without host and x-amz-date"
    token = headers.get("X-Amz-Security-Token")
    if key.token is not None and (token != key.token or "x-amz-security-token" not in names):
        return "temporary credentials without their signed session token"
    if key.token is None and token is not None:
        return "a session token with long-term credentials"
    content_sha = headers.get("X-Amz-Content-Sha256")
    if content_sha is not None and content_sha != hashlib.sha256(body).hexdigest():
        return "x-amz-content-sha256 is not the body's hash"
    signed: dict[str, str] = {}
    for name in names:
        values = headers.get_all(name)
        if not values:
            return f"signed header {name} missing"
        signed[name] = ",".join(values)
    for model in ("wire", "decoded"):
        try:
            signature, signed_list = _botocore_signature(model, method, target, signed, body, key, amz_date)
        except UnicodeError:
            return f"undecodable URL ({model})"
        if signed_list != match["signed"]:
            return f"signed headers differ ({model})"
        if not hmac.compare_digest(signature, match["signature"]):
            return f"signature mismatch ({model} reading)"
    return "ok"


@dataclass
class Api:
    port: int
    keys: dict[str, _sigv4.Credentials]
    received: list[Received] = field(default_factory=list)

    @property
    def last(self) -> Received:
        return self.received[-1]


@pytest.fixture(scope="module")
def api() -> Iterator[Api]:
    state = Api(0, {ROLE.access_key: ROLE, LONG_TERM.access_key: LONG_TERM})

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def _handle(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            verdict = verify(self.command, self.path, self.headers, body, state.keys)
            state.received.append(Received(self.command, self.path, self.headers, body, verdict))
            answer = json.dumps({"message": verdict}).encode()
            self.send_response(200 if verdict == "ok" else 403)
            self.send_header("Content-Type", "application/json")
            self.send_header("X-Verdict", verdict)  # HEAD answers carry no body
            self.send_header("Content-Length", str(len(answer)))
            self.end_headers()
            self.wfile.write(answer)

        do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = do_OPTIONS = _handle

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    state.port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()


def forward(api: Api, result: dict[str, Any], body: bytes = b"") -> tuple[int, str]:
    """Send the function's request to the server as CloudFront would after the function.

    CloudFront prepends the origin path, sends every header (and rewrites
    X-Forwarded-For), sets Content-Length, and sends the original body.
    """
    custom = result["origin"]["custom"]
    target = custom["path"] + result["uri"] + (f"?{result['querystring']}" if result["querystring"] else "")
    connection = http.client.HTTPConnection("127.0.0.1", api.port, timeout=10)
    try:
        connection.putrequest(result["method"], target, skip_host=True, skip_accept_encoding=True)
        for name, values in result["headers"].items():
            if name in ("content-length", "x-forwarded-for"):
                continue
            for item in values:
                connection.putheader(item["key"], item["value"])
        connection.putheader("X-Forwarded-For", "203.0.113.178, 130.176.1.10")
        connection.putheader("X-Amz-Cf-Id", "nBsWBOrSHMgnaROZJK1wGCZ9PcRcSpq_oSXZNQwQ10OTZL4cimZo3g==")
        connection.putheader("Content-Length", str(len(body)))
        connection.endheaders(body)
        response = connection.getresponse()
        response.read()
        return response.status, str(response.getheader("X-Verdict"))
    finally:
        connection.close()


# ---------------------------------------------------------------------------
# Events and the deployed function
# ---------------------------------------------------------------------------


def sign(**changes: Any) -> _sigv4.SignedHeaders:
    """``_sigv4.sign`` with this test's API, role and the current time, changed where the test says."""
    arguments: dict[str, Any] = {
        "method": "GET",
        "host": HOST,
        "path": "/prod/",
        "query": "",
        "payload": b"",
        "credentials": ROLE,
        "region": REGION,
        "service": "execute-api",
        "now": datetime.now(UTC),
        **changes,
    }
    return _sigv4.sign(**arguments)


def origin_request(
    method: str = "GET",
    uri: str = "/",
    querystring: str = "",
    body: bytes | None = None,
    *,
    truncated: bool = False,
    origin_path: str = "/prod",
    headers: dict[str, str] | None = None,
) -> dict[str, Any]:
    """A recorded origin-request event (with ``include_body`` when ``body`` is given) set to this request."""
    name = "cloudfront-origin-request-body.json" if body is not None else "cloudfront-origin-request.json"
    event: dict[str, Any] = json.loads((EVENTS / name).read_text())
    request = event["Records"][0]["cf"]["request"]
    request.update(method=method, uri=uri, querystring=querystring)
    request["origin"]["custom"]["path"] = origin_path
    if body is not None:
        request["body"].update(data=base64.b64encode(body).decode(), inputTruncated=truncated)
        request["headers"]["content-length"] = [{"key": "Content-Length", "value": str(len(body))}]
    for key, value in (headers or {}).items():
        request["headers"][key.lower()] = [{"key": key, "value": value}]
    return event


def request_of(event: dict[str, Any]) -> dict[str, Any]:
    request: dict[str, Any] = event["Records"][0]["cf"]["request"]
    return request


@pytest.fixture
def deployed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[..., None]]:
    """Deploy the function: its config.json as cfgen writes it, the role's credentials in the environment."""

    def deploy(credentials: _sigv4.Credentials = ROLE, host: str | None = None) -> None:
        config = tmp_path / "config.json"
        config.write_bytes(edge_signer_config(REGION, host)["config.json"])
        monkeypatch.setattr(handler, "CONFIG_PATH", config)
        handler.reset()
        monkeypatch.setenv("AWS_ACCESS_KEY_ID", credentials.access_key)
        monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", credentials.secret_key)
        if credentials.token:
            monkeypatch.setenv("AWS_SESSION_TOKEN", credentials.token)
        else:
            monkeypatch.delenv("AWS_SESSION_TOKEN", raising=False)

    deploy()
    yield deploy
    handler.reset()


# ---------------------------------------------------------------------------
# Signatures, verified by botocore on the loopback server
# ---------------------------------------------------------------------------

BINARY = bytes(range(256)) * 5 + b"\x00\xff"


@pytest.mark.parametrize(
    ("method", "uri", "querystring", "body", "origin_path", "target"),
    [
        pytest.param("GET", "/", "", None, "/prod", "/prod/", id="get-root"),
        pytest.param("GET", "/orders/42", "", None, "/prod", "/prod/orders/42", id="get"),
        pytest.param("HEAD", "/orders/42", "", None, "/prod", "/prod/orders/42", id="head"),
        pytest.param("DELETE", "/orders/42", "force=1", None, "/prod", "/prod/orders/42?force=1", id="delete"),
        pytest.param(
            "GET",
            "/search",
            "q=caf%C3%A9+cr%C3%A8me&tags=a,b&sort=-price&star=*&paren=(1)&tilde=%7e&b=2&a=1&b=1&empty=&flag",
            None,
            "/prod",
            "/prod/search?q=caf%C3%A9%20cr%C3%A8me&tags=a%2Cb&sort=-price&star=%2A&paren=%281%29&tilde=~"
            "&b=2&a=1&b=1&empty=&flag",
            id="query-that-needs-encoding",
        ),
        pytest.param(
            "GET",
            "/search",
            "name=Zoë&plus=%2B&eq=a%3Db&slash=/x/&amp=%26&&",
            None,
            "/prod",
            "/prod/search?name=Zo%C3%AB&plus=%2B&eq=a%3Db&slash=%2Fx%2F&amp=%26",
            id="query-with-raw-utf8-and-reserved-characters",
        ),
        pytest.param(
            "GET",
            "/files/a%20b/caf%c3%a9/x+y/(1)*!/%2Fslash/~me",
            "",
            None,
            "/prod",
            "/prod/files/a%20b/caf%C3%A9/x%2By/%281%29%2A%21/%2Fslash/~me",
            id="path-that-needs-encoding",
        ),
        pytest.param("GET", "/a/./b/../c//d/", "", None, "/prod", "/prod/a/c/d/", id="path-with-dot-segments"),
        pytest.param("GET", "/prod/items", "", None, "", "/prod/items", id="no-origin-path"),
        pytest.param("GET", "/items", "", None, "/v1/stage%20one", "/v1/stage%20one/items", id="encoded-origin-path"),
        pytest.param(
            "POST",
            "/comments",
            "size=large",
            b'{"username":"LambdaEdge","comment":"This is request body"}',
            "/prod",
            "/prod/comments?size=large",
            id="post-json",
        ),
        pytest.param("PUT", "/blobs/1", "", BINARY, "/prod", "/prod/blobs/1", id="put-binary"),
        pytest.param("POST", "/ping", "", b"", "/prod", "/prod/ping", id="post-empty-body"),
        pytest.param(
            "PATCH",
            "/orders/42",
            "dry+run=yes",
            b"status=shipped",
            "/prod",
            "/prod/orders/42?dry%20run=yes",
            id="patch",
        ),
    ],
)
@pytest.mark.parametrize("credentials", [ROLE, LONG_TERM], ids=["session-token", "long-term-key"])
def test_botocore_accepts_the_signature_of_what_cloudfront_sends(
    api: Api,
    deployed: Callable[..., None],
    credentials: _sigv4.Credentials,
    method: str,
    uri: str,
    querystring: str,
    body: bytes | None,
    origin_path: str,
    target: str,
) -> None:
    deployed(credentials)

    result = handler.handler(origin_request(method, uri, querystring, body, origin_path=origin_path))

    assert forward(api, result, body or b"") == (200, "ok")
    assert api.last.target == target
    assert api.last.body == (body or b"")
    assert api.last.headers["X-Amz-Content-Sha256"] == hashlib.sha256(body or b"").hexdigest()
    assert (api.last.headers.get("X-Amz-Security-Token") is not None) is (credentials.token is not None)


def test_only_a_minimal_stable_set_of_headers_is_signed(deployed: Callable[..., None]) -> None:
    event = origin_request("POST", "/comments", "", b"{}", headers={"X-Custom": "1", "Accept": "*/*"})
    before = request_of(event)["headers"]

    after = handler.handler(event)["headers"]

    signed = _AUTHORIZATION.fullmatch(after["authorization"][0]["value"])
    assert signed is not None
    assert signed["signed"] == "host;x-amz-content-sha256;x-amz-date;x-amz-security-token"
    assert set(after) - set(before) == {"authorization", "x-amz-content-sha256", "x-amz-date", "x-amz-security-token"}
    assert after["host"] == [{"key": "Host", "value": HOST}]
    # What CloudFront changes after the function is not signed, and the
    # read-only headers of an origin-request event are left as they were.
    for name in ("x-forwarded-for", "via", "user-agent", "content-length", "accept-encoding", "x-custom", "accept"):
        assert after[name] == before[name]
    assert [item["key"] for item in after["x-amz-date"]] == ["X-Amz-Date"]


def test_with_long_term_keys_no_session_token_is_signed_or_sent(deployed: Callable[..., None]) -> None:
    deployed(LONG_TERM)

    after = handler.handler(origin_request(headers={"X-Amz-Security-Token": "stale-token-from-the-viewer"}))

    assert "x-amz-security-token" not in after["headers"]
    assert "SignedHeaders=host;x-amz-content-sha256;x-amz-date," in after["headers"]["authorization"][0]["value"]


def test_a_viewers_own_signature_headers_are_replaced(api: Api, deployed: Callable[..., None]) -> None:
    viewer = {
        "Authorization": "Bearer viewer-token",
        "X-Amz-Date": "20200101T000000Z",
        "X-Amz-Content-Sha256": "UNSIGNED-PAYLOAD",
        "X-Amz-Security-Token": "viewer",
    }

    result = handler.handler(origin_request(headers=viewer))

    assert forward(api, result) == (200, "ok")
    for name in viewer:
        values = result["headers"][name.lower()]
        assert len(values) == 1 and values[0]["value"] != viewer[name]


def test_a_body_cloudfront_truncated_is_refused_with_413_and_not_signed(
    deployed: Callable[..., None], capsys: pytest.CaptureFixture[str]
) -> None:
    event = origin_request("POST", "/upload", "", b"x" * 4096, truncated=True)

    result = handler.handler(event)

    assert result["status"] == "413"
    assert result["statusDescription"] == "Payload Too Large"
    assert result["headers"]["cache-control"] == [{"key": "Cache-Control", "value": "no-store"}]
    assert "1 MB" in result["body"]
    assert "authorization" not in json.dumps(result).lower()
    log = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert log == [
        {"level": "warning", "action": "refused", "status": "413", "method": "POST", "distribution": "EDFDVBD6EXAMPLE"}
    ]


def test_a_path_that_is_not_utf8_text_is_refused_with_400(deployed: Callable[..., None]) -> None:
    assert handler.handler(origin_request(uri="/a\ud800"))["status"] == "400"
    assert handler.handler(origin_request(querystring="q=\ud800"))["status"] == "400"


# ---------------------------------------------------------------------------
# The verifier refuses what was not signed (so its "ok" means something)
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("tamper", "reason"),
    [
        pytest.param(lambda r: r.update(querystring="size=small"), "signature mismatch (wire reading)", id="query"),
        pytest.param(lambda r: r.update(uri="/other"), "signature mismatch (wire reading)", id="path"),
        pytest.param(lambda r: r.update(method="PUT"), "signature mismatch (wire reading)", id="method"),
        pytest.param(
            lambda r: r.update(querystring="size=large&q=a+b"), "signature mismatch (wire reading)", id="added-param"
        ),
        pytest.param(
            lambda r: r["headers"]["x-amz-security-token"][0].update(value="forged"),
            "temporary credentials without their signed session token",
            id="token",
        ),
        pytest.param(
            lambda r: r["headers"]["authorization"][0].update(
                value=r["headers"]["authorization"][0]["value"][:-1] + "0"
            ),
            "signature mismatch (wire reading)",
            id="signature",
        ),
    ],
)
def test_the_verifier_refuses_a_request_changed_after_signing(
    api: Api, deployed: Callable[..., None], tamper: Callable[[dict[str, Any]], None], reason: str
) -> None:
    body = b'{"a": 1}'
    result = handler.handler(origin_request("POST", "/comments", "size=large", body))
    assert forward(api, result, body) == (200, "ok")

    tamper(result)

    assert forward(api, result, body) == (403, reason)


def test_the_verifier_refuses_a_changed_body(api: Api, deployed: Callable[..., None]) -> None:
    result = handler.handler(origin_request("POST", "/comments", "", b'{"a": 1}'))

    assert forward(api, result, b'{"a": 2}') == (403, "x-amz-content-sha256 is not the body's hash")


def test_signing_the_raw_query_string_would_fail_one_reading(api: Api, deployed: Callable[..., None]) -> None:
    """Why the query is normalized: '+' and '*' sent raw are read differently by the two readings."""
    raw = "q=a+b&star=*"
    result = handler.handler(origin_request(querystring=raw))
    assert forward(api, result) == (200, "ok")

    # Sign the raw form with the same core, send it raw: the decoded reading disagrees.
    request = request_of(origin_request(querystring=raw))
    signed = sign(query=raw)
    for name, value in {**signed.headers, "authorization": signed.authorization}.items():
        request["headers"][name] = [{"key": name, "value": value}]

    assert forward(api, request) == (403, "signature mismatch (decoded reading)")


def test_a_key_the_api_does_not_know_is_refused(api: Api, deployed: Callable[..., None]) -> None:
    deployed(_sigv4.Credentials("AKIAUNKNOWNKEY000000", "secret"))

    assert forward(api, handler.handler(origin_request())) == (403, "unknown access key")


# ---------------------------------------------------------------------------
# The SigV4 core against botocore directly, and its normal forms
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "normalized"),
    [
        ("/", "/"),
        ("", "/"),
        ("/a b/ü", "/a%20b/%C3%BC"),
        ("/a%2fb", "/a%2Fb"),
        ("/%7E~%7e", "/~~~"),
        ("/x+y", "/x%2By"),
        ("/a/../../b", "/b"),
        ("/a/b/..", "/a"),
        ("//a//b//", "/a/b/"),
        ("/%FF", "/%FF"),
        ("/%zz", "/%25zz"),
    ],
)
def test_path_normal_form(path: str, normalized: str) -> None:
    assert _sigv4.normalize_path(path) == normalized
    assert _sigv4.normalize_path(normalized) == normalized, "idempotent"


@pytest.mark.parametrize(
    ("query", "normalized", "canonical"),
    [
        ("", "", ""),
        ("b=2&a=1&b=1", "b=2&a=1&b=1", "a=1&b=1&b=2"),
        ("a+b=c+d", "a%20b=c%20d", "a%20b=c%20d"),
        ("flag&x=", "flag&x=", "flag=&x="),
        ("x=%2B%2b", "x=%2B%2B", "x=%2B%2B"),
        ("e=a=b", "e=a%3Db", "e=a%3Db"),
        ("k=%FF", "k=%FF", "k=%FF"),
        ("&&a=1&", "a=1", "a=1"),
        ("Z=1&a=1&_=1&~=1", "Z=1&a=1&_=1&~=1", "Z=1&_=1&a=1&~=1"),
    ],
)
def test_query_normal_and_canonical_forms(query: str, normalized: str, canonical: str) -> None:
    assert _sigv4.normalize_query(query) == normalized
    assert _sigv4.normalize_query(normalized) == normalized, "idempotent"
    assert _sigv4.canonical_query(normalized) == canonical


def test_sign_matches_botocore_add_auth(monkeypatch: pytest.MonkeyPatch) -> None:
    """botocore signs the same request (its own clock frozen at ours): the same Authorization header."""
    from botocore import auth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials

    now = datetime(2026, 3, 1, 12, 30, 45, tzinfo=UTC)

    class Frozen:
        @staticmethod
        def utcnow() -> datetime:
            return now.replace(tzinfo=None)

    # botocore.auth reads the time as datetime.datetime.utcnow(): replace
    # the module it sees, not the datetime module everyone else uses.
    monkeypatch.setattr(auth, "datetime", SimpleNamespace(datetime=Frozen))
    body = b'{"x": [1, 2]}'
    path, query = "/prod/a%20b/c", "z=1&a=%2A"
    request = AWSRequest(
        method="POST",
        url=f"https://{HOST}{path}?{query}",
        headers={"X-Amz-Content-SHA256": hashlib.sha256(body).hexdigest()},
        data=body,
    )
    auth.SigV4Auth(Credentials(ROLE.access_key, ROLE.secret_key, ROLE.token), "execute-api", REGION).add_auth(request)

    ours = sign(method="POST", path=path, query=query, payload=body, now=now)

    assert ours.authorization == request.headers["Authorization"]
    assert ours.headers["x-amz-date"] == request.headers["X-Amz-Date"] == "20260301T123045Z"


def test_sign_needs_an_aware_time() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        sign(now=datetime(2026, 1, 1))


def test_credentials_never_show_in_repr() -> None:
    assert ROLE.secret_key not in repr(ROLE) and str(ROLE.token) not in repr(ROLE)


# ---------------------------------------------------------------------------
# Misconfiguration fails the request (CloudFront answers 5xx), never signs wrong
# ---------------------------------------------------------------------------


def _event_with(change: Callable[[dict[str, Any]], None]) -> dict[str, Any]:
    event = origin_request()
    change(event["Records"][0]["cf"])
    return event


@pytest.mark.parametrize(
    ("event", "message"),
    [
        pytest.param(
            _event_with(lambda cf: cf["config"].update(eventType="viewer-request")),
            "must be an origin-request function",
            id="viewer-request",
        ),
        pytest.param(
            _event_with(lambda cf: cf["request"]["origin"]["custom"].update(protocol="http")),
            "https only",
            id="http-origin",
        ),
        pytest.param(
            _event_with(
                lambda cf: cf["request"].update(
                    origin={"s3": {"domainName": "b.s3.amazonaws.com", "path": "", "authMethod": "none"}}
                )
            ),
            "not a custom origin",
            id="s3-origin",
        ),
        pytest.param(
            _event_with(lambda cf: cf["request"]["origin"]["custom"].update(domainName="")),
            "no domainName",
            id="origin-without-domain-name",
        ),
        pytest.param(
            _event_with(lambda cf: cf["request"]["origin"]["custom"].update(path="/prod/")),
            "not in normalized form",
            id="origin-path-with-trailing-slash",
        ),
        pytest.param(
            _event_with(lambda cf: cf["request"]["origin"]["custom"].update(path="/a b/./c")),
            "not in normalized form",
            id="origin-path-not-encoded",
        ),
        pytest.param(
            _event_with(
                lambda cf: cf["request"].update(
                    method="POST", headers={"content-length": [{"key": "Content-Length", "value": "12"}]}
                )
            ),
            "include_body = true",
            id="body-hidden-from-the-function",
        ),
    ],
)
def test_a_misconfigured_association_fails_the_request(
    deployed: Callable[..., None], event: dict[str, Any], message: str
) -> None:
    with pytest.raises(_edge.ConfigError, match=message):
        handler.handler(event)


def test_a_configured_host_is_the_only_one_signed_for(deployed: Callable[..., None]) -> None:
    deployed(host=HOST)
    assert "authorization" in handler.handler(origin_request())["headers"]

    deployed(host="zz9zz9zz9z.execute-api.eu-west-1.amazonaws.com")
    with pytest.raises(_edge.ConfigError, match="is not zz9zz9zz9z"):
        handler.handler(origin_request())


def test_missing_credentials_fail_the_request(deployed: Callable[..., None], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("AWS_SECRET_ACCESS_KEY")

    with pytest.raises(_edge.ConfigError, match="AWS_SECRET_ACCESS_KEY"):
        handler.handler(origin_request())


def test_the_config_cfgen_writes_is_the_config_the_function_reads() -> None:
    for host in (None, HOST):
        assert _edge.Config.from_json(edge_signer_config(REGION, host)["config.json"]) == _edge.Config(REGION, host)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "not JSON"),
        (b"[]", "nothing else"),
        (b'{"host": null}', "nothing else"),
        (b'{"region": "eu-west-1", "service": "lambda"}', "nothing else"),
        (b'{"region": "Ireland"}', "not an AWS region"),
        (b'{"region": "eu-west-1", "host": "https://x.example.com"}', "not a lowercase DNS name"),
    ],
)
def test_a_bad_config_file_is_refused(data: bytes, message: str, tmp_path: Path) -> None:
    (tmp_path / "config.json").write_bytes(data)

    with pytest.raises(_edge.ConfigError, match=message):
        handler.load_config(tmp_path / "config.json")


def test_a_zip_without_its_config_fails_clearly(tmp_path: Path) -> None:
    with pytest.raises(_edge.ConfigError, match=r"config\.json is missing: deploy the zip that cfgen render builds"):
        handler.load_config(tmp_path / "config.json")


# ---------------------------------------------------------------------------
# The deployment zip, run as the Lambda runtime would
# ---------------------------------------------------------------------------


def test_the_zipped_handler_signs_from_the_zip_alone(api: Api, tmp_path: Path) -> None:
    data = lambda_zip("edge_signer", edge_signer_config(REGION, HOST))
    assert data == lambda_zip("edge_signer", edge_signer_config(REGION, HOST))
    assert zipfile.ZipFile(io.BytesIO(data)).namelist() == [
        "edge_signer/__init__.py",
        "edge_signer/_edge.py",
        "edge_signer/_sigv4.py",
        "edge_signer/config.json",
        "edge_signer/handler.py",
    ]
    body = b'{"username":"LambdaEdge"}'
    credentials = {
        "AWS_ACCESS_KEY_ID": ROLE.access_key,
        "AWS_SECRET_ACCESS_KEY": ROLE.secret_key,
        "AWS_SESSION_TOKEN": str(ROLE.token),
    }

    run = run_zipped(
        data, "edge_signer.handler", [origin_request("POST", "/comments", "a=1", body)], credentials, tmp_path
    )

    (result,) = run.answers
    assert forward(api, result, body) == (200, "ok")
    assert api.last.target == "/prod/comments?a=1"
    assert ROLE.secret_key not in run.output
