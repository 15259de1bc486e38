"""AWS Signature Version 4 for one HTTP request, with the standard library only.

The request is given in the form it goes on the wire, with a path and a
query string already normalized (``normalize_path``, ``normalize_query``):
every character outside RFC 3986's unreserved set percent-encoded, once.
Then the wire form and the canonical form cannot disagree, whichever way
the receiving service canonicalizes (API Gateway encodes the wire path once
more; a service that decodes and re-encodes gets the same result).

Follows the AWS Signature Version 4 specification ("Create a signed AWS API
request", IAM User Guide) for services other than S3: the canonical URI is
the normalized path URI-encoded a second time.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass, field
from datetime import UTC, datetime
from urllib.parse import quote, unquote, unquote_plus

__all__ = [
    "ALGORITHM",
    "EMPTY_SHA256",
    "Credentials",
    "SignedHeaders",
    "canonical_query",
    "canonical_request",
    "normalize_path",
    "normalize_query",
    "sign",
    "uri_encode",
]

ALGORITHM = "AWS4-HMAC-SHA256"
EMPTY_SHA256 = hashlib.sha256(b"").hexdigest()
_UNRESERVED = "-_.~"  # with ASCII letters and digits, which quote() never encodes


@dataclass(frozen=True)
class Credentials:
    """An access key pair, and the session token of temporary credentials (a role's)."""

    access_key: str
    secret_key: str = field(repr=False)
    token: str | None = field(default=None, repr=False)


def uri_encode(text: str) -> str:
    """RFC 3986 percent-encoding of UTF-8 text: everything but ``A-Z a-z 0-9 - _ . ~``, hex in upper case.

    Bytes that were not UTF-8 (decoded with ``surrogateescape``) come back
    as the same ``%XX``. A lone surrogate cannot be encoded: ``UnicodeError``.
    """
    return quote(text, safe=_UNRESERVED, errors="surrogateescape")


def _decode(text: str, plus_is_space: bool) -> str:
    # surrogateescape keeps %FF (not UTF-8) as %FF instead of turning it
    # into U+FFFD, which would change what the origin receives.
    if plus_is_space:
        return unquote_plus(text, errors="surrogateescape")
    return unquote(text, errors="surrogateescape")


def normalize_path(path: str) -> str:
    """The path in one unambiguous wire form.

    Dot segments are resolved and empty segments dropped (as SigV4 asks of
    the canonical path), a trailing slash is kept, and each segment is
    decoded and encoded again, so ``%2F`` stays a ``%2F`` inside its segment
    and ``%7e``, ``~`` and ``%7E`` all become ``~``.
    """
    segments: list[str] = []
    for segment in path.split("/"):
        if segment in ("", "."):
            continue
        if segment == "..":
            if segments:
                segments.pop()
            continue
        segments.append(uri_encode(_decode(segment, plus_is_space=False)))
    trailing = "/" if path.endswith("/") and segments else ""
    return "/" + "/".join(segments) + trailing


def normalize_query(query: str) -> str:
    """The query string in one unambiguous wire form, its parameters in their original order.

    Each name and value is decoded (``+`` as a space, as forms and API
    Gateway read it) and encoded again per RFC 3986. Empty pieces (``a=1&&b``)
    are dropped; a parameter without ``=`` keeps none.
    """
    pieces: list[str] = []
    for piece in query.split("&"):
        if not piece:
            continue
        name, equals, value = piece.partition("=")
        encoded = uri_encode(_decode(name, plus_is_space=True))
        if equals:
            encoded += "=" + uri_encode(_decode(value, plus_is_space=True))
        pieces.append(encoded)
    return "&".join(pieces)


def canonical_query(normalized: str) -> str:
    """Parameters of a normalized query sorted by name, then value, each as ``name=value``."""
    pairs = []
    for piece in normalized.split("&"):
        if piece:
            name, _, value = piece.partition("=")
            pairs.append((name, value))
    return "&".join(f"{name}={value}" for name, value in sorted(pairs))


def canonical_request(
    method: str, path: str, query: str, headers: dict[str, str], payload_sha256: str
) -> tuple[str, str]:
    """The canonical request and its signed-headers list.

    ``path`` and ``query`` are normalized wire forms; ``headers`` maps
    lowercase names to the values that are signed (and sent).
    """
    names = sorted(headers)
    canonical_headers = "".join(f"{name}:{' '.join(headers[name].split())}\n" for name in names)
    signed = ";".join(names)
    lines = [
        method.upper(),
        # Services other than S3 take the URI-encoded path encoded once more
        # (of a normalized path, only each "%" changes, to "%25").
        quote(path, safe="/" + _UNRESERVED),
        canonical_query(query),
        canonical_headers,
        signed,
        payload_sha256,
    ]
    return "\n".join(lines), signed


def _hmac(key: bytes, text: str) -> bytes:
    return hmac.new(key, text.encode("utf-8"), hashlib.sha256).digest()


@dataclass(frozen=True)
class SignedHeaders:
    """What to add to the request: every header that is signed, and the ``authorization`` header."""

    headers: dict[str, str]
    authorization: str
    signed_headers: str


def sign(
    *,
    method: str,
    host: str,
    path: str,
    query: str,
    payload: bytes,
    credentials: Credentials,
    region: str,
    service: str,
    now: datetime,
) -> SignedHeaders:
    """Sign a request: ``host``, ``x-amz-date``, ``x-amz-content-sha256`` and the session token, if any.

    ``path`` and ``query`` must be normalized already (they are signed as
    given). ``now`` must be timezone-aware.
    """
    if now.tzinfo is None:
        raise ValueError("sign() needs a timezone-aware time")
    amz_date = now.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
    date = amz_date[:8]
    payload_sha256 = hashlib.sha256(payload).hexdigest()
    headers = {"host": host, "x-amz-content-sha256": payload_sha256, "x-amz-date": amz_date}
    if credentials.token:
        headers["x-amz-security-token"] = credentials.token
    request, signed = canonical_request(method, path, query, headers, payload_sha256)
    scope = f"{date}/{region}/{service}/aws4_request"
    string_to_sign = "\n".join([ALGORITHM, amz_date, scope, hashlib.sha256(request.encode("utf-8")).hexdigest()])
    key = _hmac(("AWS4" + credentials.secret_key).encode("utf-8"), date)
    for part in (region, service, "aws4_request"):
        key = _hmac(key, part)
    signature = hmac.new(key, string_to_sign.encode("utf-8"), hashlib.sha256).hexdigest()
    authorization = (
        f"{ALGORITHM} Credential={credentials.access_key}/{scope}, SignedHeaders={signed}, Signature={signature}"
    )
    return SignedHeaders(headers, authorization, signed)
