"""Lambda entry point of the demo function behind a function URL: ``url_demo.handler.handler``.

cfgen creates it for a ``lambda_url`` origin with ``function: {create_demo:
true}``, so that the chain viewer -> CloudFront (OAC, SigV4) -> function URL
(AWS_IAM) can be tried before it fronts a real function. No configuration,
no AWS call; it logs one JSON line per request (method, path, status), never
a header or the body.
"""

from __future__ import annotations

import json
import sys
from typing import Any

from ._core import answer

__all__ = ["handler"]


def handler(event: dict[str, Any], context: object = None) -> dict[str, Any]:
    """Answer one function URL request (payload 2.0)."""
    response = answer(event)
    http = (event.get("requestContext") or {}).get("http") or {}
    line = {"method": http.get("method"), "path": event.get("rawPath"), "status": response["statusCode"]}
    print(json.dumps(line, sort_keys=True), file=sys.stdout, flush=True)
    return response
