"""Lambda entry point of the demo HTTP API cfgen creates (``api_gateway`` + ``authorizer`` with ``kind: http``).

Handler: ``demo_api.handler.handler``. An HTTP API cannot answer from a mock
as a REST API can, so its demo routes reach this function (payload 2.0). It
answers 200 with a fixed JSON body whatever the request, reads nothing and
logs nothing: it only shows that a request got past the authorizer.
"""

from __future__ import annotations

import json
from typing import Any

__all__ = ["BODY", "handler"]

BODY = {"message": "hello from an HTTP API, through CloudFront"}


def handler(event: dict[str, Any], context: Any = None) -> dict[str, Any]:
    """A payload 2.0 response (a 1.0 event gets the same shape, which API Gateway also reads)."""
    return {
        "statusCode": 200,
        "headers": {"content-type": "application/json"},
        "body": json.dumps(BODY),
    }
