"""One CloudFront origin-request event, without AWS: the request signed for API Gateway, or a generated error.

Plain data in, plain data out: the request object of the event, the
configuration baked into the zip, the credentials and the time; the handler
adds the reading of those and nothing else.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from ._sigv4 import Credentials, normalize_path, normalize_query, sign

__all__ = [
    "SERVICE",
    "Config",
    "ConfigError",
    "credentials_from_env",
    "generated_response",
    "sign_origin_request",
]

SERVICE = "execute-api"
_REGION = re.compile(r"^[a-z]{2}(-[a-z]+)+-[0-9]+$")
_HOST = re.compile(r"^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")
# Headers the signature covers or replaces. A viewer's own copies are
# dropped: CloudFront forwards them (AllViewerExceptHostHeader), and a stale
# x-amz-security-token beside a signature without one would fail it.
_REPLACED = ("authorization", "x-amz-content-sha256", "x-amz-date", "x-amz-security-token")
_KEYS = {
    "authorization": "Authorization",
    "host": "Host",
    "x-amz-content-sha256": "X-Amz-Content-Sha256",
    "x-amz-date": "X-Amz-Date",
    "x-amz-security-token": "X-Amz-Security-Token",
}


class ConfigError(Exception):
    """The function is deployed or associated in a way that cannot sign; raised so CloudFront fails the request."""


@dataclass(frozen=True)
class Config:
    """The configuration cfgen bakes into the zip (``config.json``): Lambda@Edge has no environment variables.

    - ``region``: the API's region, the SigV4 scope.
    - ``host``: when set, the only origin host the function signs for;
      ``None`` signs for the host of the origin the request goes to.
    """

    region: str
    host: str | None = None

    @classmethod
    def from_json(cls, data: bytes) -> Config:
        try:
            raw = json.loads(data)
        except ValueError as exc:
            raise ConfigError(f"config.json is not JSON: {exc}") from None
        if not isinstance(raw, dict) or set(raw) - {"region", "host"} or "region" not in raw:
            raise ConfigError('config.json must be {"region": "...", "host": "..." or null}, nothing else')
        region, host = raw["region"], raw.get("host")
        if not isinstance(region, str) or not _REGION.match(region):
            raise ConfigError(f"config.json region {region!r} is not an AWS region name")
        if host is not None and (not isinstance(host, str) or not _HOST.match(host)):
            raise ConfigError(f"config.json host {host!r} is not a lowercase DNS name")
        return cls(region, host)


def credentials_from_env(env: Mapping[str, str]) -> Credentials:
    """The execution role's credentials, which the Lambda runtime puts in the environment."""
    access_key, secret_key = env.get("AWS_ACCESS_KEY_ID"), env.get("AWS_SECRET_ACCESS_KEY")
    if not access_key or not secret_key:
        raise ConfigError("AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY are not set: is this running in Lambda?")
    return Credentials(access_key, secret_key, env.get("AWS_SESSION_TOKEN") or None)


def generated_response(status: int, description: str, text: str) -> dict[str, Any]:
    """A response CloudFront returns to the viewer instead of forwarding the request."""
    return {
        "status": str(status),
        "statusDescription": description,
        "headers": {
            "content-type": [{"key": "Content-Type", "value": "text/plain; charset=utf-8"}],
            "cache-control": [{"key": "Cache-Control", "value": "no-store"}],
        },
        "body": text,
    }


def _payload(request: Mapping[str, Any]) -> bytes:
    body = request.get("body")
    if body is None:
        # Without include_body the function does not see the body, and a
        # signature over an empty one would be wrong for any request that has one.
        headers = request.get("headers") or {}
        length = next((h.get("value", "") for h in headers.get("content-length", [])), "0")
        if length.strip() not in ("", "0") or "transfer-encoding" in headers:
            raise ConfigError("the request has a body the function cannot see: associate it with include_body = true")
        return b""
    data = body.get("data") or ""
    encoding = body.get("encoding", "base64")
    if encoding == "base64":
        try:
            return base64.b64decode(data, validate=True)
        except (binascii.Error, ValueError):
            raise ConfigError("request.body.data is not base64") from None
    if encoding == "text":
        return str(data).encode("utf-8")
    raise ConfigError(f"request.body.encoding {encoding!r} is neither base64 nor text")


def sign_origin_request(
    request: Mapping[str, Any], config: Config, credentials: Credentials, now: datetime
) -> dict[str, Any]:
    """The request to forward, signed for ``execute-api`` in ``config.region``; or a generated 4xx response.

    - 413 when CloudFront truncated the body (over 1 MB in an origin-request
      event): a signature over part of the body would only earn a 403 from
      API Gateway, after the body had crossed to the region.
    - 400 when the path or query cannot be encoded (a lone surrogate).

    The path and the query string are rewritten to their normalized form
    (what is signed is exactly what is sent); the signed headers are
    ``host``, ``x-amz-content-sha256``, ``x-amz-date`` and, with a role's
    credentials, ``x-amz-security-token``: nothing CloudFront adds or
    rewrites after the function (``x-forwarded-for``, ``via``, ``x-amz-cf-id``)
    and nothing read-only in this event (``content-length``, ``accept-encoding``).
    Raises :class:`ConfigError` when the origin is not a custom HTTPS origin
    (or not the configured host), or the body is hidden from the function.
    """
    custom = (request.get("origin") or {}).get("custom")
    if not isinstance(custom, Mapping):
        raise ConfigError("the request's origin is not a custom origin: associate the signer only with its API's paths")
    host = str(custom.get("domainName") or "").lower()
    if not host:
        raise ConfigError("the request's custom origin has no domainName to sign for")
    if custom.get("protocol") != "https":
        raise ConfigError(f"origin {host} is reached over {custom.get('protocol')}: signed requests go over https only")
    if config.host is not None and host != config.host:
        raise ConfigError(f"origin {host} is not {config.host}, the API this signer was built for")
    origin_path = str(custom.get("path") or "")
    # CloudFront puts the origin path in front of the URI as it is: it must
    # be in normal form already, without a trailing slash, for the two to
    # make one normalized path.
    if origin_path and (origin_path.endswith("/") or normalize_path(origin_path) != origin_path):
        raise ConfigError(f"origin path {origin_path!r} is not in normalized form (e.g. /prod)")

    body = request.get("body")
    if isinstance(body, Mapping) and body.get("inputTruncated"):
        return generated_response(
            413, "Payload Too Large", "The request body is larger than this API accepts through CloudFront (1 MB).\n"
        )
    payload = _payload(request)
    try:
        uri = normalize_path(str(request.get("uri") or "/"))
        query = normalize_query(str(request.get("querystring") or ""))
    except UnicodeError:
        return generated_response(400, "Bad Request", "The request path or query string is not valid UTF-8.\n")

    signed = sign(
        method=str(request["method"]),
        host=host,
        path=origin_path + uri,
        query=query,
        payload=payload,
        credentials=credentials,
        region=config.region,
        service=SERVICE,
        now=now,
    )
    headers = {name: values for name, values in (request.get("headers") or {}).items() if name not in _REPLACED}
    for name, value in {**signed.headers, "authorization": signed.authorization}.items():
        headers[name] = [{"key": _KEYS[name], "value": value}]
    return {**request, "uri": uri, "querystring": query, "headers": headers}
