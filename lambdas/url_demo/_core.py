"""What the demo answers, from a Lambda function URL event (payload 2.0): plain data in and out."""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from collections.abc import Mapping
from typing import Any

__all__ = ["answer"]

# Methods that carry a body, whose SHA-256 a client sends in x-amz-content-sha256 when CloudFront signs with OAC.
_WITH_BODY = frozenset({"POST", "PUT", "PATCH"})


def answer(event: Mapping[str, Any]) -> dict[str, Any]:
    """The HTTP response to ``event``: what was asked, never a header's value or the body itself.

    A request that reaches the function through CloudFront's OAC was already
    checked by Lambda (the signature covers the body's hash), so the demo
    only reports it: the body's size and SHA-256, and whether the client's
    ``x-amz-content-sha256`` names that hash.
    """
    context = event.get("requestContext") or {}
    http = context.get("http") or {}
    method = str(http.get("method") or "GET").upper()
    headers = {str(k).lower(): str(v) for k, v in (event.get("headers") or {}).items()}
    body = _body(event)
    if body is None:
        return _respond(400, {"error": "the body is marked base64 but is not base64"})
    report: dict[str, Any] = {
        "message": "Hello from a Lambda function URL behind CloudFront (cfgen demo).",
        "method": method,
        "path": str(event.get("rawPath") or "/"),
        "query": sorted((event.get("queryStringParameters") or {}).keys()),
        # CloudFront adds x-amz-cf-id to every request it forwards.
        "via_cloudfront": "x-amz-cf-id" in headers,
    }
    if method in _WITH_BODY:
        digest = hashlib.sha256(body).hexdigest()
        claimed = headers.get("x-amz-content-sha256")
        report["body"] = {
            "bytes": len(body),
            "sha256": digest,
            "x_amz_content_sha256": "missing" if claimed is None else ("matches" if claimed == digest else "differs"),
        }
    return _respond(200, report)


def _body(event: Mapping[str, Any]) -> bytes | None:
    raw = event.get("body")
    if raw is None:
        return b""
    if event.get("isBase64Encoded"):
        try:
            return base64.b64decode(str(raw), validate=True)
        except (binascii.Error, ValueError):
            return None
    return str(raw).encode("utf-8")


def _respond(status: int, payload: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "statusCode": status,
        "headers": {"content-type": "application/json", "cache-control": "no-store"},
        "body": json.dumps(payload, sort_keys=True) + "\n",
    }
