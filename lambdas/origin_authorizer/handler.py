"""Lambda entry point: the API Gateway REQUEST authorizer on CloudFront's secret origin header.

Handler: ``origin_authorizer.handler.handler``. A regional Lambda; its
configuration is in environment variables:

- ``SECRET_SOURCE``: where the accepted values live, one of
  - ``secrets_manager``: ``SECRET_ID`` (name or ARN of a plain string
    secret); the AWSCURRENT version and, when it exists, AWSPREVIOUS.
    Needs ``secretsmanager:GetSecretValue`` on the secret (and
    ``kms:Decrypt`` on its key when that is a customer managed key).
  - ``ssm``: ``SECRET_PARAMETER`` (name of a SecureString parameter); its
    latest version and the one before it (``name:version``). Needs
    ``ssm:GetParameter`` on the parameter (and ``kms:Decrypt``).
  - ``environment``: ``ORIGIN_SECRET`` and, during a rotation,
    ``ORIGIN_SECRET_PREVIOUS``. Simplest, but the values are then in the
    Terraform state and readable with ``lambda:GetFunctionConfiguration``.
- ``HEADER_NAME``: the header CloudFront sends (default ``X-Origin-Verify``).
- ``SECRET_CACHE_SECONDS``: how long a warm environment keeps the values it
  read (default 60, 0 to 900; see ``_core.DEFAULT_CACHE_SECONDS`` for why).

Answers: HTTP API payload 2.0 events get a simple response (the authorizer
needs ``enable_simple_responses = true``); payload 1.0 events (REST APIs)
get an IAM policy over the whole stage, so authorizer caching is safe.
Nothing it logs holds a secret or a header value.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from ._core import Config, ConfigError, SecretCache, Secrets, decide, event_kind, respond

__all__ = ["handler", "load_from_secrets_manager", "load_from_ssm", "make_loader", "reset"]

# Short timeouts and few attempts: API Gateway waits at most 10 s for an
# authorizer, and a cold start reads two values.
_CONNECT_TIMEOUT = 2
_READ_TIMEOUT = 3
_MAX_ATTEMPTS = 3


def log(level: str, action: str, **fields: Any) -> None:
    """One JSON object per line on stdout, which Lambda sends to the function's log group."""
    print(json.dumps({"level": level, "action": action, **fields}, default=str), file=sys.stdout)


def _arn_region(arn: str) -> str | None:
    parts = arn.split(":")
    if len(parts) > 5 and parts[0] == "arn" and parts[3]:
        return parts[3]
    return None


def _client(service: str, resource: str) -> Any:
    # boto3 comes with the Lambda runtime; only the two AWS sources need it,
    # so it is imported here and not at the top of the module.
    import boto3
    from botocore.config import Config as BotoConfig

    config = BotoConfig(
        retries={"mode": "standard", "total_max_attempts": _MAX_ATTEMPTS},
        connect_timeout=_CONNECT_TIMEOUT,
        read_timeout=_READ_TIMEOUT,
        user_agent_extra="cfgen-origin-authorizer",
    )
    # A secret given by ARN may live in another region than the function.
    region = _arn_region(resource)
    return boto3.client(service, config=config, **({"region_name": region} if region else {}))


def _error_code(exc: Exception) -> str:
    response = getattr(exc, "response", None)
    if isinstance(response, Mapping):
        return str(response.get("Error", {}).get("Code", ""))
    return ""


def load_from_secrets_manager(client: Any, secret_id: str) -> Secrets:
    """AWSCURRENT, and AWSPREVIOUS when the secret has one (a new secret does not)."""
    from botocore.exceptions import ClientError

    current = client.get_secret_value(SecretId=secret_id, VersionStage="AWSCURRENT")
    if "SecretString" not in current:
        raise ConfigError(f"secret {secret_id} holds binary data; store the header value as a string")
    try:
        previous: Mapping[str, Any] | None = client.get_secret_value(SecretId=secret_id, VersionStage="AWSPREVIOUS")
    except ClientError as exc:
        if _error_code(exc) != "ResourceNotFoundException":
            raise
        previous = None
    return Secrets(
        current["SecretString"],
        previous.get("SecretString") if previous else None,
        source="secrets_manager",
    )


def load_from_ssm(client: Any, name: str) -> Secrets:
    """The latest version of the parameter, and the version before it when there is one."""
    from botocore.exceptions import ClientError

    latest = client.get_parameter(Name=name, WithDecryption=True)["Parameter"]
    previous: str | None = None
    version = int(latest.get("Version", 1))
    if version > 1:
        try:
            previous = client.get_parameter(Name=f"{name}:{version - 1}", WithDecryption=True)["Parameter"]["Value"]
        except ClientError as exc:
            # SSM keeps the last 100 versions; an older one may be gone.
            if _error_code(exc) not in {"ParameterVersionNotFound", "ParameterNotFound"}:
                raise
    return Secrets(latest["Value"], previous, source="ssm")


def make_loader(config: Config, env: Mapping[str, str]) -> Callable[[], Secrets]:
    """A function that reads the accepted secrets from the configured source."""
    if config.source == "secrets_manager":
        secret_id = config.secret_id or ""
        client = _client("secretsmanager", secret_id)
        return lambda: load_from_secrets_manager(client, secret_id)
    if config.source == "ssm":
        name = config.parameter_name or ""
        client = _client("ssm", name)
        return lambda: load_from_ssm(client, name)
    # The environment does not change during an execution environment's
    # life; reading it again each TTL is harmless and keeps one code path.
    return lambda: Secrets(env.get("ORIGIN_SECRET", ""), env.get("ORIGIN_SECRET_PREVIOUS") or None, "environment")


def _on_stale(exc: Exception, age: float) -> None:
    log("warning", "secrets_reload_failed", error=type(exc).__name__, code=_error_code(exc), kept_values_age_s=age)


def _on_load(secrets: Secrets) -> None:
    log("info", "secrets_loaded", source=secrets.source, accepted_values=secrets.count)


@dataclass
class _State:
    config: Config
    cache: SecretCache


_state: _State | None = None


def _current_state() -> _State:
    global _state
    if _state is None:
        env = dict(os.environ)
        config = Config.from_env(env)
        cache = SecretCache(make_loader(config, env), config.cache_seconds, on_stale=_on_stale, on_load=_on_load)
        _state = _State(config, cache)
    return _state


def reset() -> None:
    """Forget the configuration and the cached secrets (what a new execution environment starts with)."""
    global _state
    _state = None


def handler(event: dict[str, Any], context: Any = None) -> dict[str, Any]:
    """Lambda handler: allow the request when its secret header carries an accepted value."""
    kind = event_kind(event)
    state = _current_state()
    secrets = state.cache.get()
    decision = decide(event, state.config.header_name, secrets)
    if decision.reason == "mismatch":
        # Maybe the new value of a rotation this environment has not read yet.
        fresher = state.cache.refresh_after_miss()
        if fresher is not None and fresher is not secrets:
            decision = decide(event, state.config.header_name, fresher)
    if not decision.allowed:
        log("info", "deny", reason=decision.reason, kind=kind, source_ip=_source_ip(event))
    return respond(event, decision.allowed)


def _source_ip(event: Mapping[str, Any]) -> str | None:
    context = event.get("requestContext")
    if not isinstance(context, Mapping):
        return None
    for holder in (context.get("http"), context.get("identity")):
        if isinstance(holder, Mapping) and isinstance(holder.get("sourceIp"), str):
            return str(holder["sourceIp"])
    return None
