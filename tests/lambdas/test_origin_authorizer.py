"""The origin authorizer: its decision on recorded API Gateway event shapes, its secrets from moto, its zip.

Events are the shapes AWS documents (``events/``, see its README), with the
secret header set by each test the way API Gateway would deliver it: REST
(payload 1.0) events keep the header name as the client spelled it, in
``headers`` and ``multiValueHeaders``; HTTP API 2.0 events lowercase it.
"""

from __future__ import annotations

import hmac
import io
import json
import sys
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from tests.lambdas._runtime import run_zipped

from cfgen._resources import lambdas_dir
from cfgen.artifacts import lambda_zip

sys.path.insert(0, str(lambdas_dir()))
from origin_authorizer import _core, handler

EVENTS = Path(__file__).parent / "events"
CURRENT = "3f9c1e0a7b6d4c2e8f1a5b9d0c7e6f4a2b8d1c3e5f7a9b0d2c4e6f8a1b3d5c7e"
PREVIOUS = "c0ffee00d15ea5e0ba5eba11f00dcafe0123456789abcdef0123456789abcdef"
WRONG = "0" * 64
HEADER = "X-Origin-Verify"
API_WIDE_REST = "arn:aws:execute-api:us-east-1:123456789012:s4x3opwd6i/test/*/*"
KINDS = ("rest", "http")


def rest_event(*values: str, name: str = HEADER) -> dict[str, Any]:
    """The documented REST REQUEST authorizer event with ``name`` sent once per value."""
    event: dict[str, Any] = json.loads((EVENTS / "apigw-rest-request-authorizer.json").read_text())
    if values:
        event["headers"][name] = values[-1]  # API Gateway keeps the last value here
        event["multiValueHeaders"][name] = list(values)
    return event


def http_event(value: str | None, name: str = HEADER.lower()) -> dict[str, Any]:
    """The documented HTTP API payload 2.0 authorizer event with header ``name``."""
    event: dict[str, Any] = json.loads((EVENTS / "apigw-http-request-authorizer-v2.json").read_text())
    if value is not None:
        event["headers"][name] = value
        event["identitySource"] = [value]
    return event


def event_of(kind: str, value: str | None, name: str | None = None) -> dict[str, Any]:
    if kind == "rest":
        return rest_event(*(() if value is None else (value,)), name=name or HEADER)
    return http_event(value, name or HEADER.lower())


def allowed(kind: str, response: dict[str, Any]) -> bool:
    """Read the answer back as API Gateway would, checking its shape on the way."""
    if kind == "http":
        assert set(response) == {"isAuthorized"}
        return bool(response["isAuthorized"])
    assert response["principalId"] == _core.PRINCIPAL_ID
    (statement,) = response["policyDocument"]["Statement"]
    assert response["policyDocument"]["Version"] == "2012-10-17"
    assert statement["Action"] == "execute-api:Invoke"
    assert statement["Resource"] == API_WIDE_REST
    return {"Allow": True, "Deny": False}[statement["Effect"]]


@pytest.fixture(autouse=True)
def fresh_environment() -> Iterator[None]:
    """Each test starts as a new execution environment (no configuration or secrets read yet)."""
    handler.reset()
    yield
    handler.reset()


@pytest.fixture
def env_secrets(monkeypatch: pytest.MonkeyPatch) -> Callable[..., None]:
    def configure(current: str = CURRENT, previous: str | None = PREVIOUS, **extra: str) -> None:
        for name in ("SECRET_ID", "SECRET_PARAMETER", "HEADER_NAME", "SECRET_CACHE_SECONDS", "ORIGIN_SECRET_PREVIOUS"):
            monkeypatch.delenv(name, raising=False)
        monkeypatch.setenv("SECRET_SOURCE", "environment")
        monkeypatch.setenv("ORIGIN_SECRET", current)
        if previous is not None:
            monkeypatch.setenv("ORIGIN_SECRET_PREVIOUS", previous)
        for name, value in extra.items():
            monkeypatch.setenv(name, value)

    return configure


# ---------------------------------------------------------------------------
# The decision, through the handler, on both event shapes
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize(
    ("value", "expected"),
    [
        pytest.param(CURRENT, True, id="current"),
        pytest.param(PREVIOUS, True, id="previous"),
        pytest.param(None, False, id="missing"),
        pytest.param(WRONG, False, id="wrong"),
        pytest.param("", False, id="empty"),
        pytest.param(CURRENT.upper(), False, id="value-in-another-case"),
        pytest.param(f" {CURRENT}", False, id="value-with-a-space"),
        pytest.param(CURRENT[:-1], False, id="prefix-of-current"),
        pytest.param(CURRENT + "0", False, id="current-and-more"),
        pytest.param(f"{CURRENT},{PREVIOUS}", False, id="both-joined"),
        pytest.param("é" + CURRENT[1:], False, id="non-ascii"),
        pytest.param("\ud800", False, id="lone-surrogate"),
    ],
)
def test_the_header_value_decides(
    kind: str, value: str | None, expected: bool, env_secrets: Callable[..., None]
) -> None:
    env_secrets()

    assert allowed(kind, handler.handler(event_of(kind, value))) is expected


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("name", ["X-Origin-Verify", "x-origin-verify", "X-ORIGIN-VERIFY", "x-Origin-verify"])
def test_the_header_name_is_matched_in_any_case(kind: str, name: str, env_secrets: Callable[..., None]) -> None:
    env_secrets()

    assert allowed(kind, handler.handler(event_of(kind, CURRENT, name)))
    assert not allowed(kind, handler.handler(event_of(kind, WRONG, name)))


@pytest.mark.parametrize("kind", KINDS)
def test_another_header_carrying_the_secret_is_not_enough(kind: str, env_secrets: Callable[..., None]) -> None:
    env_secrets()

    assert not allowed(kind, handler.handler(event_of(kind, CURRENT, "X-Origin-Verified")))
    assert not allowed(kind, handler.handler(event_of(kind, CURRENT, "Authorization")))


@pytest.mark.parametrize("kind", KINDS)
def test_a_configured_header_name_is_used(kind: str, env_secrets: Callable[..., None]) -> None:
    env_secrets(HEADER_NAME="X-Shop-Origin")

    assert allowed(kind, handler.handler(event_of(kind, CURRENT, "x-shop-origin")))
    assert not allowed(kind, handler.handler(event_of(kind, CURRENT, HEADER)))


def test_a_rest_header_sent_twice_with_different_values_is_refused(env_secrets: Callable[..., None]) -> None:
    env_secrets()

    assert not allowed("rest", handler.handler(rest_event(WRONG, CURRENT)))
    assert not allowed("rest", handler.handler(rest_event(CURRENT, WRONG)))
    assert allowed("rest", handler.handler(rest_event(CURRENT, CURRENT)))
    # Two spellings of the name are one header.
    event = rest_event(CURRENT)
    event["headers"]["x-origin-verify"] = WRONG
    assert not allowed("rest", handler.handler(event))


def test_without_a_previous_secret_only_the_current_one_is_accepted(env_secrets: Callable[..., None]) -> None:
    env_secrets(previous=None)

    assert allowed("rest", handler.handler(rest_event(CURRENT)))
    assert not allowed("rest", handler.handler(rest_event(PREVIOUS)))


def test_an_empty_previous_secret_never_admits_an_empty_header(env_secrets: Callable[..., None]) -> None:
    env_secrets(previous="")
    event = rest_event()
    event["headers"][HEADER] = ""
    event["multiValueHeaders"][HEADER] = [""]

    assert not allowed("rest", handler.handler(event))
    assert not allowed("http", handler.handler(http_event("")))


@pytest.mark.parametrize("kind", KINDS)
def test_nothing_logged_or_answered_holds_a_secret(
    kind: str, env_secrets: Callable[..., None], capsys: pytest.CaptureFixture[str]
) -> None:
    env_secrets()
    wrong = "d3adb33f" * 8
    answers = [handler.handler(event_of(kind, value)) for value in (CURRENT, PREVIOUS, wrong, None)]

    out = capsys.readouterr().out
    text = out + json.dumps(answers)
    for secret in (CURRENT, PREVIOUS, wrong):
        assert secret not in text
    lines = [json.loads(line) for line in out.splitlines()]
    assert {"level": "info", "action": "secrets_loaded", "source": "environment", "accepted_values": 2} in lines
    denies = [line for line in lines if line["action"] == "deny"]
    assert [line["reason"] for line in denies] == ["mismatch", "missing"]
    assert {line["source_ip"] for line in denies} == {"130.176.1.10"}
    shown = repr(_core.Secrets(CURRENT, PREVIOUS))
    assert CURRENT not in shown and PREVIOUS not in shown


# ---------------------------------------------------------------------------
# The answer: a stage-wide policy (REST), a simple response (HTTP API 2.0)
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method_arn", "expected"),
    [
        (
            "arn:aws:execute-api:us-east-1:123456789012:s4x3opwd6i/test/GET/request",
            "arn:aws:execute-api:us-east-1:123456789012:s4x3opwd6i/test/*/*",
        ),
        (
            "arn:aws:execute-api:eu-west-1:123456789012:a1b2c3/prod/POST/orders/42/items",
            "arn:aws:execute-api:eu-west-1:123456789012:a1b2c3/prod/*/*",
        ),
        (
            "arn:aws-cn:execute-api:cn-north-1:123456789012:a1b2c3/v1/GET/",
            "arn:aws-cn:execute-api:cn-north-1:123456789012:a1b2c3/v1/*/*",
        ),
        (
            "arn:aws:execute-api:us-west-2:123456789012:ymy8tbxw7b/*/GET/",
            "arn:aws:execute-api:us-west-2:123456789012:ymy8tbxw7b/*/*/*",
        ),
    ],
)
def test_the_policy_covers_the_whole_stage_so_a_cached_answer_fits_every_method(method_arn: str, expected: str) -> None:
    event = rest_event(CURRENT)
    event["methodArn"] = method_arn

    for allow in (True, False):
        statement = _core.respond(event, allow)["policyDocument"]["Statement"][0]
        assert statement["Resource"] == expected
        assert statement["Effect"] == ("Allow" if allow else "Deny")


@pytest.mark.parametrize(
    "method_arn",
    [
        "",
        "s4x3opwd6i/test/GET/",
        "arn:aws:lambda:us-east-1:123456789012:function:f",
        "arn:aws:execute-api:us-east-1:1:",
    ],
)
def test_a_malformed_method_arn_fails_the_call(method_arn: str) -> None:
    event = rest_event(CURRENT)
    event["methodArn"] = method_arn

    with pytest.raises(ValueError, match="methodArn"):
        _core.respond(event, True)


def test_an_http_api_payload_1_0_event_gets_a_policy() -> None:
    event = rest_event(CURRENT)
    event["version"] = "1.0"

    assert _core.event_kind(event) == "rest"
    assert _core.respond(event, True)["policyDocument"]["Statement"][0]["Effect"] == "Allow"


@pytest.mark.parametrize(
    "event",
    [
        {"type": "TOKEN", "authorizationToken": CURRENT, "methodArn": "arn:aws:execute-api:us-east-1:1:a/b/GET/"},
        {"type": "REQUEST", "headers": {HEADER: CURRENT}},
        {"Records": []},
    ],
)
def test_an_event_of_another_kind_fails_the_call_before_anything_is_read(
    event: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("SECRET_SOURCE", raising=False)

    with pytest.raises(ValueError, match="REQUEST"):
        handler.handler(event)


# ---------------------------------------------------------------------------
# The comparison is constant-time in structure
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("secrets", "presented", "compared", "expected"),
    [
        pytest.param((CURRENT, PREVIOUS), CURRENT, 2, True, id="current-matches-first-and-previous-is-still-compared"),
        pytest.param((CURRENT, PREVIOUS), PREVIOUS, 2, True, id="previous"),
        pytest.param((CURRENT, PREVIOUS), WRONG, 2, False, id="none"),
        pytest.param((CURRENT, PREVIOUS), "x", 2, False, id="short-value"),
        pytest.param((CURRENT, None), CURRENT, 1, True, id="no-previous"),
        pytest.param((CURRENT, CURRENT), CURRENT, 1, True, id="previous-equal-to-current"),
    ],
)
def test_every_accepted_value_is_compared_with_compare_digest_over_equal_lengths(
    secrets: tuple[str, str | None],
    presented: str,
    compared: int,
    expected: bool,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    calls: list[tuple[bytes, bytes]] = []
    real = hmac.compare_digest

    def spy(a: bytes, b: bytes) -> bool:
        calls.append((a, b))
        return real(a, b)

    monkeypatch.setattr(hmac, "compare_digest", spy)

    assert _core.matches(presented, _core.Secrets(*secrets).digests) is expected
    assert len(calls) == compared, "no early exit: every accepted value is compared"
    assert {(len(a), len(b)) for a, b in calls} == {(32, 32)}, "digests: no secret's length reaches the compare"
    assert all(isinstance(a, bytes) and isinstance(b, bytes) for a, b in calls)


def test_the_decision_uses_that_comparison(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[int] = []

    def never_equal(a: bytes, b: bytes) -> bool:
        calls.append(1)
        return False

    monkeypatch.setattr(hmac, "compare_digest", never_equal)

    decision = _core.decide(rest_event(CURRENT), HEADER, _core.Secrets(CURRENT, PREVIOUS))

    assert decision == _core.Decision(False, "mismatch") and len(calls) == 2


# ---------------------------------------------------------------------------
# Configuration
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({}, "SECRET_SOURCE='' must be one of"),
        ({"SECRET_SOURCE": "vault"}, "must be one of secrets_manager, ssm, environment"),
        ({"SECRET_SOURCE": "secrets_manager"}, "needs SECRET_ID"),
        ({"SECRET_SOURCE": "ssm", "SECRET_ID": "x"}, "needs SECRET_PARAMETER"),
        ({"SECRET_SOURCE": "environment", "HEADER_NAME": "X Origin"}, "not an HTTP header name"),
        ({"SECRET_SOURCE": "environment", "SECRET_CACHE_SECONDS": "1m"}, "not an integer"),
        ({"SECRET_SOURCE": "environment", "SECRET_CACHE_SECONDS": "3600"}, "between 0 and 900"),
        ({"SECRET_SOURCE": "environment", "SECRET_CACHE_SECONDS": "-1"}, "between 0 and 900"),
    ],
)
def test_bad_configuration_is_refused(env: dict[str, str], message: str) -> None:
    with pytest.raises(_core.ConfigError, match=message):
        _core.Config.from_env(env)


def test_configuration_defaults() -> None:
    config = _core.Config.from_env({"SECRET_SOURCE": "ssm", "SECRET_PARAMETER": "/shop/origin"})

    assert config == _core.Config("ssm", "X-Origin-Verify", None, "/shop/origin", 60)


def test_an_empty_current_secret_fails_closed(env_secrets: Callable[..., None]) -> None:
    env_secrets(current="")

    with pytest.raises(_core.ConfigError, match="current secret from environment is empty"):
        handler.handler(rest_event(""))


# ---------------------------------------------------------------------------
# The cache: TTL, reload after a mismatch, stale values when a reload fails
# ---------------------------------------------------------------------------


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


class Source:
    """A loader whose value and failure the test sets, counting its calls."""

    def __init__(self, current: str = CURRENT) -> None:
        self.current, self.previous = current, None
        self.error: Exception | None = None
        self.loads = 0

    def __call__(self) -> _core.Secrets:
        self.loads += 1
        if self.error is not None:
            raise self.error
        return _core.Secrets(self.current, self.previous)


def _cache(source: Source, clock: Clock, ttl: float = 60, **kwargs: Any) -> _core.SecretCache:
    return _core.SecretCache(source, ttl, clock=clock, **kwargs)


def test_values_are_read_once_per_ttl() -> None:
    source, clock = Source(), Clock()
    cache = _cache(source, clock)

    first = cache.get()
    clock.now += 59.9
    assert cache.get() is first and source.loads == 1
    source.current = PREVIOUS
    clock.now += 0.1
    assert cache.get().digests == _core.Secrets(PREVIOUS).digests and source.loads == 2


def test_a_ttl_of_zero_reads_on_every_call() -> None:
    source, clock = Source(), Clock()
    cache = _cache(source, clock, ttl=0)

    for _ in range(3):
        cache.get()

    assert source.loads == 3


def test_a_mismatch_reloads_at_once_but_at_most_every_retry_seconds() -> None:
    source, clock = Source(), Clock()
    cache = _cache(source, clock)
    cache.get()

    clock.now += 9
    assert cache.refresh_after_miss() is None and source.loads == 1
    clock.now += 1
    source.current = PREVIOUS
    fresh = cache.refresh_after_miss()
    assert fresh is not None and fresh.digests == _core.Secrets(PREVIOUS).digests and source.loads == 2
    assert cache.refresh_after_miss() is None and source.loads == 2
    assert cache.get() is fresh, "a reload restarts the TTL"


def test_a_failed_reload_keeps_the_last_values_for_a_while_then_fails(monkeypatch: pytest.MonkeyPatch) -> None:
    source, clock = Source(), Clock()
    stale: list[tuple[str, float]] = []
    cache = _cache(source, clock, on_stale=lambda exc, age: stale.append((str(exc), age)))
    first = cache.get()

    source.error = TimeoutError("secretsmanager unreachable")
    clock.now += 60
    assert cache.get() is first
    assert stale == [("secretsmanager unreachable", 60.0)]
    clock.now += 5
    assert cache.get() is first and source.loads == 2, "the next try waits RETRY_SECONDS"
    clock.now += 5
    assert cache.get() is first and source.loads == 3

    clock.now = 1000.0 + _core.MAX_STALE_SECONDS
    with pytest.raises(TimeoutError):
        cache.get()

    source.error = None
    assert cache.get().digests == first.digests and source.loads == 5


def test_a_failed_first_read_fails_the_call() -> None:
    source, clock = Source(), Clock()
    source.error = TimeoutError("no route")

    with pytest.raises(TimeoutError):
        _cache(source, clock).get()
    with pytest.raises(TimeoutError):
        _cache(source, clock).refresh_after_miss()


# ---------------------------------------------------------------------------
# Secrets Manager and SSM through moto (the handler's own boto3 clients)
# ---------------------------------------------------------------------------


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    """The clock of every cache the handler creates in this test (time moves only when the test says)."""
    fake = Clock()
    fake.now = 0.0
    monkeypatch.setattr(_core, "time", SimpleNamespace(monotonic=fake))
    return fake


def reads(calls: list[str]) -> list[str]:
    return [call for call in calls if call.endswith((".GetSecretValue", ".GetParameter"))]


@pytest.fixture
def aws_calls(aws_env: str) -> Iterator[list[str]]:
    """The AWS operations the handler's clients call (they come from boto3's default session)."""
    import boto3

    boto3.setup_default_session()
    calls: list[str] = []
    assert boto3.DEFAULT_SESSION is not None
    boto3.DEFAULT_SESSION.events.register("before-call", lambda event_name, **_: calls.append(event_name))
    yield calls
    boto3.DEFAULT_SESSION = None


def _use(monkeypatch: pytest.MonkeyPatch, **env: str) -> None:
    for name in ("SECRET_ID", "SECRET_PARAMETER", "HEADER_NAME", "ORIGIN_SECRET", "ORIGIN_SECRET_PREVIOUS"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("SECRET_CACHE_SECONDS", "60")
    for name, value in env.items():
        monkeypatch.setenv(name, value)


def _sm(region: str = "eu-west-1") -> Any:
    import boto3

    return boto3.client("secretsmanager", region_name=region)


def test_secrets_manager_current_and_previous(
    aws_calls: list[str], monkeypatch: pytest.MonkeyPatch, clock: Clock
) -> None:
    sm = _sm()
    sm.create_secret(Name="shop/origin-verify", SecretString=PREVIOUS)
    sm.put_secret_value(SecretId="shop/origin-verify", SecretString=CURRENT)
    _use(monkeypatch, SECRET_SOURCE="secrets_manager", SECRET_ID="shop/origin-verify")

    for value, expected in ((CURRENT, True), (PREVIOUS, True), (WRONG, False)):
        assert allowed("rest", handler.handler(rest_event(value))) is expected

    assert len(reads(aws_calls)) == 2, "read once (current, previous) at the cold start; no time passed since"


def test_a_fresh_secret_without_awsprevious_accepts_only_its_value(
    aws_calls: list[str], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    _sm().create_secret(Name="shop/origin-verify", SecretString=CURRENT)
    _use(monkeypatch, SECRET_SOURCE="secrets_manager", SECRET_ID="shop/origin-verify")

    assert allowed("http", handler.handler(http_event(CURRENT)))
    assert not allowed("http", handler.handler(http_event(PREVIOUS)))
    loaded = [json.loads(line) for line in capsys.readouterr().out.splitlines() if "secrets_loaded" in line]
    assert loaded[0] == {"level": "info", "action": "secrets_loaded", "source": "secrets_manager", "accepted_values": 1}


def test_a_secret_given_by_arn_is_read_in_its_own_region(aws_calls: list[str], monkeypatch: pytest.MonkeyPatch) -> None:
    arn = _sm("us-east-1").create_secret(Name="shop/origin-verify", SecretString=CURRENT)["ARN"]
    _use(monkeypatch, SECRET_SOURCE="secrets_manager", SECRET_ID=arn)

    assert allowed("rest", handler.handler(rest_event(CURRENT)))


def test_a_rotation_is_picked_up_without_a_redeploy(aws_calls: list[str], monkeypatch: pytest.MonkeyPatch) -> None:
    sm = _sm()
    sm.create_secret(Name="shop/origin-verify", SecretString=PREVIOUS)
    _use(monkeypatch, SECRET_SOURCE="secrets_manager", SECRET_ID="shop/origin-verify", SECRET_CACHE_SECONDS="0")
    assert allowed("rest", handler.handler(rest_event(PREVIOUS)))
    assert not allowed("rest", handler.handler(rest_event(CURRENT)))

    sm.put_secret_value(SecretId="shop/origin-verify", SecretString=CURRENT)  # the old value becomes AWSPREVIOUS

    assert allowed("rest", handler.handler(rest_event(CURRENT)))
    assert allowed("rest", handler.handler(rest_event(PREVIOUS)))
    sm.put_secret_value(SecretId="shop/origin-verify", SecretString=WRONG)
    assert not allowed("rest", handler.handler(rest_event(PREVIOUS))), "two rotations later the oldest value is out"


def test_a_new_value_is_accepted_at_once_and_a_dropped_one_refused_after_the_ttl(
    aws_calls: list[str], monkeypatch: pytest.MonkeyPatch, clock: Clock
) -> None:
    sm = _sm()
    sm.create_secret(Name="shop/origin-verify", SecretString=PREVIOUS)
    _use(monkeypatch, SECRET_SOURCE="secrets_manager", SECRET_ID="shop/origin-verify")
    assert allowed("rest", handler.handler(rest_event(PREVIOUS)))  # cold start at t=0: 2 reads

    sm.put_secret_value(SecretId="shop/origin-verify", SecretString=CURRENT)
    clock.now += 5
    assert not allowed("rest", handler.handler(rest_event(CURRENT))), "a mismatch reloads at most every 10 s"
    clock.now += 5
    assert allowed("rest", handler.handler(rest_event(CURRENT))), "t=10: the mismatch reloads, long before the TTL"
    assert allowed("rest", handler.handler(rest_event(PREVIOUS)))
    assert len(reads(aws_calls)) == 4

    sm.put_secret_value(SecretId="shop/origin-verify", SecretString=WRONG)  # PREVIOUS is dropped
    clock.now += 59
    assert allowed("rest", handler.handler(rest_event(PREVIOUS))), "t=69: still within the TTL of the t=10 read"
    clock.now += 1
    assert not allowed("rest", handler.handler(rest_event(PREVIOUS))), "t=70: reloaded, refused"
    assert len(reads(aws_calls)) == 6


def test_ssm_latest_version_and_the_one_before(
    aws_calls: list[str], monkeypatch: pytest.MonkeyPatch, clock: Clock
) -> None:
    import boto3

    ssm = boto3.client("ssm", region_name="eu-west-1")
    ssm.put_parameter(Name="/shop/origin-verify", Value=PREVIOUS, Type="SecureString")
    ssm.put_parameter(Name="/shop/origin-verify", Value=CURRENT, Type="SecureString", Overwrite=True)
    _use(monkeypatch, SECRET_SOURCE="ssm", SECRET_PARAMETER="/shop/origin-verify")

    for kind in KINDS:
        for value, expected in ((CURRENT, True), (PREVIOUS, True), (WRONG, False)):
            assert allowed(kind, handler.handler(event_of(kind, value))) is expected

    assert reads(aws_calls) == ["before-call.ssm.GetParameter"] * 2


def test_ssm_first_version_has_no_previous(aws_calls: list[str], monkeypatch: pytest.MonkeyPatch) -> None:
    import boto3

    boto3.client("ssm", region_name="eu-west-1").put_parameter(
        Name="/shop/origin-verify", Value=CURRENT, Type="SecureString"
    )
    _use(monkeypatch, SECRET_SOURCE="ssm", SECRET_PARAMETER="/shop/origin-verify")

    assert allowed("rest", handler.handler(rest_event(CURRENT)))
    assert not allowed("rest", handler.handler(rest_event(PREVIOUS)))
    assert len(reads(aws_calls)) == 1


def test_a_missing_secret_fails_the_call(aws_calls: list[str], monkeypatch: pytest.MonkeyPatch) -> None:
    from botocore.exceptions import ClientError

    _use(monkeypatch, SECRET_SOURCE="secrets_manager", SECRET_ID="shop/nope")

    with pytest.raises(ClientError, match="ResourceNotFoundException"):
        handler.handler(rest_event(CURRENT))


# ---------------------------------------------------------------------------
# The deployment zip, run as the Lambda runtime would
# ---------------------------------------------------------------------------


def test_the_zipped_handler_imports_and_decides_from_the_zip_alone(aws_env: str, tmp_path: Path) -> None:
    data = lambda_zip("origin_authorizer")
    assert data == lambda_zip("origin_authorizer")
    assert zipfile.ZipFile(io.BytesIO(data)).namelist() == [
        "origin_authorizer/__init__.py",
        "origin_authorizer/_core.py",
        "origin_authorizer/handler.py",
    ]
    _sm().create_secret(Name="shop/origin-verify", SecretString=CURRENT)

    run = run_zipped(
        data,
        "origin_authorizer.handler",
        [rest_event(CURRENT), rest_event(WRONG), http_event(CURRENT)],
        {"SECRET_SOURCE": "secrets_manager", "SECRET_ID": "shop/origin-verify"},
        tmp_path,
    )

    rest_ok, rest_bad, http_ok = run.answers
    assert allowed("rest", rest_ok) and not allowed("rest", rest_bad)
    assert http_ok == {"isAuthorized": True}
    assert CURRENT not in run.output
