"""Lambda@Edge entry point: sign each origin request to an IAM-protected API Gateway API.

Handler: ``edge_signer.handler.handler``, associated with the behaviors of
the API's origin as ``origin-request`` with ``include_body = true``.

Lambda@Edge has no environment variables, so the configuration (the API's
region, and its host when known) is ``config.json`` next to this file,
written into the zip by ``cfgen render``; it is read once per execution
environment. The credentials are the execution role's, which the runtime
sets as ``AWS_ACCESS_KEY_ID``, ``AWS_SECRET_ACCESS_KEY`` and
``AWS_SESSION_TOKEN``. Nothing it logs holds a credential, a signature or a
body.
"""

from __future__ import annotations

import json
import os
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from ._edge import Config, ConfigError, credentials_from_env, sign_origin_request

__all__ = ["CONFIG_PATH", "handler", "load_config", "reset"]

CONFIG_PATH = Path(__file__).with_name("config.json")

_config: Config | None = None


def log(level: str, action: str, **fields: Any) -> None:
    """One JSON object per line on stdout (CloudWatch Logs, in the region of the edge location)."""
    print(json.dumps({"level": level, "action": action, **fields}, default=str), file=sys.stdout)


def load_config(path: Path = CONFIG_PATH) -> Config:
    """The configuration baked into the zip."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise ConfigError(f"{path.name} is missing: deploy the zip that cfgen render builds") from None
    return Config.from_json(data)


def reset() -> None:
    """Forget the configuration read (what a new execution environment starts with)."""
    global _config
    _config = None


def handler(event: dict[str, Any], context: Any = None) -> dict[str, Any]:
    """Lambda@Edge handler: the signed request, or a generated 413 for a body CloudFront truncated."""
    global _config
    if _config is None:
        _config = load_config(CONFIG_PATH)
    record = event["Records"][0]["cf"]
    event_type = record.get("config", {}).get("eventType")
    if event_type != "origin-request":
        raise ConfigError(f"associated as {event_type}: the signer must be an origin-request function")
    request = record["request"]
    result = sign_origin_request(request, _config, credentials_from_env(os.environ), datetime.now(UTC))
    if "status" in result:
        log(
            "warning",
            "refused",
            status=result["status"],
            method=request.get("method"),
            distribution=record.get("config", {}).get("distributionId"),
        )
    return result
