"""The decision of one authorizer call, without AWS: which header value, does it match, what to answer.

Everything here takes plain data (the event, the accepted secrets, a clock),
so the tests drive it without AWS; ``handler`` adds the reads from Secrets
Manager, SSM or the environment, and the logging.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

__all__ = [
    "DEFAULT_CACHE_SECONDS",
    "DEFAULT_HEADER",
    "MAX_CACHE_SECONDS",
    "MAX_STALE_SECONDS",
    "PRINCIPAL_ID",
    "RETRY_SECONDS",
    "SOURCES",
    "Config",
    "ConfigError",
    "Decision",
    "SecretCache",
    "Secrets",
    "api_wide_resource",
    "decide",
    "event_kind",
    "header_values",
    "matches",
    "respond",
]

DEFAULT_HEADER = "X-Origin-Verify"
SOURCES = ("secrets_manager", "ssm", "environment")
PRINCIPAL_ID = "cloudfront"

# How long a warm execution environment keeps the secrets it read. A
# rotation is applied in one step (new value current, old value previous),
# so during the rotation both values are accepted either way; the TTL only
# bounds how long a value that was dropped (the previous one, at the end of
# a rotation) is still accepted by a warm environment: 60 s, on top of API
# Gateway's own cache of authorizer results (the authorizer's TTL). A new
# value that a warm environment does not know yet is not left waiting for
# the TTL: a value that matches nothing triggers a reload (see RETRY_SECONDS).
# Each reload costs two reads (current and previous); one a minute per warm
# environment is about 86,400 Secrets Manager calls a month, $0.43.
DEFAULT_CACHE_SECONDS = 60
MAX_CACHE_SECONDS = 900
# Reloads triggered by a mismatch, and retries after a failed reload, happen
# at most this often per environment: a caller sending wrong values cannot
# turn each request into a Secrets Manager call.
RETRY_SECONDS = 10
# When a reload fails (Secrets Manager unreachable, throttled), the values
# read last keep being used for this long after they were read; past it the
# function fails (API Gateway answers 500, and nothing is cached).
MAX_STALE_SECONDS = 900

# RFC 9110 token characters: what an HTTP header name may hold.
_HEADER_NAME = re.compile(r"^[!#$%&'*+.^_`|~0-9A-Za-z-]+$")


class ConfigError(Exception):
    """The function's configuration or its secret cannot work; raised so the invocation fails closed."""


@dataclass(frozen=True)
class Config:
    """What the function reads from its environment (a regional Lambda: environment variables)."""

    source: str
    header_name: str = DEFAULT_HEADER
    secret_id: str | None = None
    parameter_name: str | None = None
    cache_seconds: int = DEFAULT_CACHE_SECONDS

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> Config:
        """Read ``SECRET_SOURCE``, ``SECRET_ID`` / ``SECRET_PARAMETER``, ``HEADER_NAME``, ``SECRET_CACHE_SECONDS``."""
        source = env.get("SECRET_SOURCE", "").strip()
        if source not in SOURCES:
            raise ConfigError(f"SECRET_SOURCE={source!r} must be one of {', '.join(SOURCES)}")
        header_name = env.get("HEADER_NAME", "").strip() or DEFAULT_HEADER
        if not _HEADER_NAME.match(header_name):
            raise ConfigError(f"HEADER_NAME={header_name!r} is not an HTTP header name")
        secret_id = env.get("SECRET_ID", "").strip() or None
        parameter_name = env.get("SECRET_PARAMETER", "").strip() or None
        if source == "secrets_manager" and not secret_id:
            raise ConfigError("SECRET_SOURCE=secrets_manager needs SECRET_ID (the secret's name or ARN)")
        if source == "ssm" and not parameter_name:
            raise ConfigError("SECRET_SOURCE=ssm needs SECRET_PARAMETER (the parameter's name)")
        text = env.get("SECRET_CACHE_SECONDS", "").strip()
        try:
            cache_seconds = int(text) if text else DEFAULT_CACHE_SECONDS
        except ValueError:
            raise ConfigError(f"SECRET_CACHE_SECONDS={text!r} is not an integer") from None
        if not 0 <= cache_seconds <= MAX_CACHE_SECONDS:
            raise ConfigError(f"SECRET_CACHE_SECONDS={cache_seconds} must be between 0 and {MAX_CACHE_SECONDS}")
        return cls(source, header_name, secret_id, parameter_name, cache_seconds)


def _digest(value: str) -> bytes:
    # surrogatepass: a JSON event can carry a lone surrogate ("\ud800"),
    # which must compare unequal, not crash the function.
    return hashlib.sha256(value.encode("utf-8", "surrogatepass")).digest()


@dataclass(frozen=True)
class Secrets:
    """The values the origin accepts: the current secret and, during a rotation, the previous one.

    The values never show in ``repr`` (a traceback or a log line that prints
    this object prints no secret).
    """

    current: str = field(repr=False)
    previous: str | None = field(default=None, repr=False)
    source: str = ""
    digests: tuple[bytes, ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if not self.current:
            raise ConfigError(f"the current secret from {self.source or 'its source'} is empty")
        accepted = [self.current]
        if self.previous and self.previous != self.current:
            accepted.append(self.previous)
        object.__setattr__(self, "digests", tuple(_digest(value) for value in accepted))

    @property
    def count(self) -> int:
        """How many distinct values are accepted (1, or 2 during a rotation)."""
        return len(self.digests)


def matches(presented: str, accepted: Sequence[bytes]) -> bool:
    """True when ``presented`` is one of the accepted values (given as SHA-256 digests), in constant time.

    Both sides are 32-byte digests, so ``hmac.compare_digest`` never sees
    two lengths and the time leaks neither a secret's length nor how much of
    it matched; every accepted value is compared, with no early exit, so the
    time does not tell which one matched (or whether one did).
    """
    digest = _digest(presented)
    found = False
    for candidate in accepted:
        found |= hmac.compare_digest(digest, candidate)
    return found


def header_values(event: Mapping[str, Any], name: str) -> list[str]:
    """Every value of header ``name`` in the event, the name matched case-insensitively.

    REST (payload 1.0) events keep the client's spelling of header names in
    ``headers`` (last value) and ``multiValueHeaders`` (all values); HTTP API
    2.0 events lowercase them in ``headers`` (repeated values joined by commas).
    """
    wanted = name.lower()
    values: list[str] = []
    for key in ("headers", "multiValueHeaders"):
        table = event.get(key)
        if not isinstance(table, Mapping):
            continue
        for header, value in table.items():
            if not isinstance(header, str) or header.lower() != wanted:
                continue
            if isinstance(value, str):
                values.append(value)
            elif isinstance(value, list):
                values.extend(item for item in value if isinstance(item, str))
    return values


@dataclass(frozen=True)
class Decision:
    allowed: bool
    reason: str  # match, missing, empty, ambiguous, mismatch


def decide(event: Mapping[str, Any], header_name: str, secrets: Secrets) -> Decision:
    """Allow when the header is present exactly once (one distinct value) and that value is accepted."""
    values = set(header_values(event, header_name))
    if not values:
        return Decision(False, "missing")
    if len(values) > 1:
        # CloudFront overwrites the header, so a request through it carries
        # one value; two different ones came from somewhere else.
        return Decision(False, "ambiguous")
    (value,) = values
    if not value:
        return Decision(False, "empty")
    if matches(value, secrets.digests):
        return Decision(True, "match")
    return Decision(False, "mismatch")


def event_kind(event: Mapping[str, Any]) -> str:
    """``"http"`` for an HTTP API payload 2.0 event, ``"rest"`` for a payload 1.0 one (REST, or HTTP API 1.0).

    Raises ``ValueError`` for anything else (a TOKEN authorizer, a test event).
    """
    if not isinstance(event, Mapping) or event.get("type") != "REQUEST":
        raise ValueError("not an API Gateway REQUEST authorizer event: configure the authorizer as type REQUEST")
    if event.get("version") == "2.0":
        return "http"
    if isinstance(event.get("methodArn"), str):
        return "rest"
    raise ValueError("REQUEST authorizer event without methodArn and not payload 2.0")


def api_wide_resource(method_arn: str) -> str:
    """``arn:...:<api>/<stage>/*/*`` from a method ARN: the whole stage, so a cached policy fits every method.

    API Gateway caches the policy by identity source (the header's value) and
    reuses it for every method of the API; a policy naming only the method
    that was called first would deny the others until the cache expires.
    """
    parts = method_arn.split(":", 5)
    if len(parts) != 6 or parts[0] != "arn" or parts[2] != "execute-api":
        raise ValueError(f"methodArn {method_arn!r} is not an execute-api ARN")
    api_id, _, rest = parts[5].partition("/")
    stage = rest.split("/", 1)[0]
    if not api_id or not stage:
        raise ValueError(f"methodArn {method_arn!r} names no API id and stage")
    return ":".join(parts[:5]) + f":{api_id}/{stage}/*/*"


def respond(event: Mapping[str, Any], allowed: bool) -> dict[str, Any]:
    """The answer API Gateway expects for this event's shape.

    Payload 2.0 (HTTP API, simple responses): ``{"isAuthorized": bool}``.
    Payload 1.0: an IAM policy over the whole stage, Allow or Deny.
    """
    if event_kind(event) == "http":
        return {"isAuthorized": allowed}
    return {
        "principalId": PRINCIPAL_ID,
        "policyDocument": {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Action": "execute-api:Invoke",
                    "Effect": "Allow" if allowed else "Deny",
                    "Resource": api_wide_resource(event["methodArn"]),
                }
            ],
        },
    }


class SecretCache:
    """The accepted secrets of one execution environment, reloaded after ``ttl`` seconds.

    - The first :meth:`get` loads (the cold start); a failure then raises.
    - After ``ttl`` seconds, :meth:`get` reloads. When that reload fails, the
      values read last are kept (for at most ``max_stale`` seconds after they
      were read), ``on_stale`` is told, and the next try waits ``retry``
      seconds.
    - ``on_load`` is told of every successful load (for a log line).
    - :meth:`refresh_after_miss` reloads when a presented value matched
      nothing, at most once per ``retry`` seconds: a rotation's new value is
      then accepted within seconds, not after the TTL.
    """

    def __init__(
        self,
        load: Callable[[], Secrets],
        ttl: float,
        *,
        clock: Callable[[], float] | None = None,
        retry: float = RETRY_SECONDS,
        max_stale: float = MAX_STALE_SECONDS,
        on_stale: Callable[[Exception, float], None] | None = None,
        on_load: Callable[[Secrets], None] | None = None,
    ) -> None:
        self._load = load
        self._ttl = ttl
        self._clock = clock or time.monotonic
        self._retry = retry
        self._max_stale = max_stale
        self._on_stale = on_stale
        self._on_load = on_load
        self._value: Secrets | None = None
        self._loaded_at = 0.0
        self._attempted_at = 0.0
        self._next_try = 0.0

    def get(self) -> Secrets:
        """The accepted secrets, reloaded when older than the TTL."""
        now = self._clock()
        if self._value is None:
            return self._reload(now)
        if now - self._loaded_at < self._ttl or now < self._next_try:
            return self._value
        return self._reload(now)

    def refresh_after_miss(self) -> Secrets | None:
        """Reload after a mismatch, unless the last attempt was less than ``retry`` seconds ago (then ``None``)."""
        now = self._clock()
        if self._value is not None and now - self._attempted_at < self._retry:
            return None
        return self._reload(now)

    def _reload(self, now: float) -> Secrets:
        self._attempted_at = now
        try:
            value = self._load()
        # Any failure of the read (botocore's errors, a malformed secret):
        # this module knows none of them by name, and each is handled alike.
        except Exception as exc:
            age = now - self._loaded_at
            if self._value is None or age >= self._max_stale:
                raise
            self._next_try = now + self._retry
            if self._on_stale is not None:
                self._on_stale(exc, age)
            return self._value
        self._value, self._loaded_at, self._next_try = value, now, 0.0
        if self._on_load is not None:
            self._on_load(value)
        return value
