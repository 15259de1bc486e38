"""`cfgen verify` without a network: the outputs it reads, its verdicts, its run, its options and reports."""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Mapping

import pytest

from cfgen import verify
from cfgen.errors import UsageError
from cfgen.harness._http import Answer, Client, ConnectTo
from cfgen.patterns._probes import DISTRIBUTION, probe

# -- the outputs verify reads --------------------------------------------------------------------------------

ENTRY = {"distribution": "https://d111111abcdef8.cloudfront.net", "s3_rest": "https://b.s3.eu-west-1.amazonaws.com"}


@pytest.mark.parametrize(
    "data",
    [
        {"cfgen_endpoints": {"sensitive": False, "type": ["object", {}], "value": {"web/site": ENTRY}}, "x": {}},
        {"web/site": ENTRY},  # `output -json cfgen_endpoints`
    ],
)
def test_outputs_read_in_both_shapes(data: object) -> None:
    assert verify.endpoints_from_outputs(data, "out.json") == {"web/site": ENTRY}


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("ftp://b.example.com", r"not an http\(s\) URL"),
        ("https://user@b.example.com", r"not an http\(s\) URL"),
        ("https://b.example.com/?q=1", r"not an http\(s\) URL"),
        ("https://b.example.com/#x", r"not an http\(s\) URL"),
        ("https://b.exa mple.com", r"not an http\(s\) URL"),
        ("https://b_c.example.com", r"not an http\(s\) URL"),
        ("https://b.example.com:99999", "not a URL"),
        ("https:///path", r"not an http\(s\) URL"),
        (42, "not a URL"),
    ],
)
def test_an_output_that_is_not_a_plain_url_stops_the_run(url: object, message: str) -> None:
    with pytest.raises(UsageError, match=message):
        verify.endpoints_from_outputs({"web/site": {"s3_rest": url}}, "out.json")


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({}, "holds no outputs: apply the tree first"),
        ({"site_domain_name": {"value": "d1.cloudfront.net"}}, "has no output cfgen_endpoints"),
        ({"cfgen_endpoints": {"value": ["x"]}}, "not a map of origins"),
        ({"web/site": "https://x.example.com"}, "not a map of endpoints"),
        ([], "not a map of origins"),
    ],
)
def test_outputs_without_endpoints_stop_the_run(data: object, message: str) -> None:
    with pytest.raises(UsageError, match=message):
        verify.endpoints_from_outputs(data, "out.json")


TARGET = verify.Target("web", "site", "s3/oac", "/", "/index.html")


def test_plan_joins_manifest_and_outputs() -> None:
    endpoints = {"web/site": {**ENTRY, "s3_rest_path": "https://s3.eu-west-1.amazonaws.com/b"}}
    planned = verify.plan([TARGET], endpoints, "out.json")
    assert [(p.probe.endpoint, p.url) for p in planned] == [
        ("distribution", "https://d111111abcdef8.cloudfront.net/"),
        ("s3_rest", "https://b.s3.eu-west-1.amazonaws.com/index.html"),
        ("s3_rest_path", "https://s3.eu-west-1.amazonaws.com/b/index.html"),
    ]


@pytest.mark.parametrize(
    ("endpoints", "message"),
    [
        ({}, r"no endpoints for web/site\): apply the render"),
        ({"web/site": ENTRY, "web/old": ENTRY}, "endpoints of origins the render does not have: web/old"),
        ({"web/site": ENTRY}, "has no endpoint s3_rest_path"),
        ({"web/site": {**ENTRY, "s3_rest_path": "https://a.b", "function_url": "https://a.b"}}, "does not probe"),
    ],
)
def test_outputs_of_another_render_stop_the_run(endpoints: dict[str, dict[str, str]], message: str) -> None:
    with pytest.raises(UsageError, match=message):
        verify.plan([TARGET], endpoints, "out.json")


def test_an_origin_without_an_unsigned_route_is_skipped_through_the_distribution() -> None:
    target = verify.Target("web", "vault", "alb/vpc_origin", None, "/", "every behavior needs a signed URL")
    planned = verify.plan(
        [target], {"web/vault": {"distribution": "https://d.net", "origin_domain": "https://o.a"}}, ""
    )
    assert [(p.probe.endpoint, p.skip) for p in planned] == [
        ("distribution", "not probed: every behavior needs a signed URL"),
        ("origin_domain", ""),  # the optional load balancer is left out: this render outputs none
    ]


@pytest.mark.parametrize(
    "item",
    [
        {**TARGET.as_dict(), "pattern": "s3/unknown"},
        {**TARGET.as_dict(), "path": "index.html"},
        {**TARGET.as_dict(), "direct_path": "/a b"},
        {k: v for k, v in TARGET.as_dict().items() if k != "note"},
    ],
)
def test_an_unreadable_manifest_stops_the_run(item: dict[str, object]) -> None:
    with pytest.raises(UsageError):
        verify.targets_from_manifest([item], "m.json")
    assert verify.targets_from_manifest([TARGET.as_dict()], "m.json") == [TARGET]


# -- verdicts --------------------------------------------------------------------------------------------------

SERVED = verify.Planned(TARGET, DISTRIBUTION, "https://d111111abcdef8.cloudfront.net/")
DIRECT = verify.Planned(TARGET, probe("internet", "s3_rest"), "https://b.s3.eu-west-1.amazonaws.com/index.html")
PRIVATE = verify.Planned(TARGET, probe("internet", "origin_domain"), "http://app.example.com/")
S3_DENIED = Answer(403, {"server": "AmazonS3"}, b"<Error><Code>AccessDenied</Code></Error>")
API_DENIED = Answer(403, {"x-amzn-errortype": "ForbiddenException:http://internal"}, b'{"message":"Forbidden"}')


@pytest.mark.parametrize(
    ("planned", "answer", "verdict", "got"),
    [
        (SERVED, Answer(200), "holds", "200"),
        (SERVED, Answer(404), "holds", "404"),
        (SERVED, Answer(403, {"server": "nginx"}), "holds", "403"),  # the application's own answer
        (SERVED, S3_DENIED, "fails", "403 AccessDenied (S3)"),
        (SERVED, API_DENIED, "fails", "403 ForbiddenException (API Gateway)"),
        (SERVED, Answer(403, {}, b' { "message" : "Forbidden" } '), "fails", "403 ForbiddenException (API Gateway)"),
        (SERVED, Answer(403, {"x-amzn-errortype": "AccessDeniedException"}), "fails", "AccessDeniedException (Lambda)"),
        (
            SERVED,
            Answer(403, {"x-amzn-errortype": "InvalidSignatureException", "x-amz-apigw-id": "Fa1b="}),
            "fails",
            "403 InvalidSignatureException (API Gateway)",
        ),
        (SERVED, Answer(401, {"x-amzn-errortype": "UnauthorizedException"}), "fails", "UnauthorizedException (API"),
        (SERVED, Answer(403, {"server": "CloudFront"}), "fails", "403 from CloudFront itself"),
        (SERVED, Answer(403, {"server": "awselb/2.0"}, b"Forbidden"), "fails", "403 from the load balancer"),
        (SERVED, Answer(502, {"server": "CloudFront"}), "fails", "502 (CloudFront could not reach the origin)"),
        (SERVED, Answer(500, {"server": "gunicorn"}), "holds", "500"),
        (SERVED, Answer(failure="timeout"), "fails", "no answer in time"),
        (SERVED, Answer(failure="resolve", detail="Name or service not known"), "fails", "does not resolve"),
        (DIRECT, S3_DENIED, "holds", "403 AccessDenied (S3)"),
        (DIRECT, Answer(401), "holds", "401"),
        (DIRECT, Answer(200), "fails", "200"),
        (DIRECT, Answer(404), "fails", "404"),
        (DIRECT, Answer(302, {"location": "https://evil.example.com/"}), "fails", "302 to https://evil.example.com/"),
        (DIRECT, Answer(failure="certificate", detail="self-signed"), "unknown", "certificate not trusted"),
        (DIRECT, Answer(failure="resolve"), "unknown", "does not resolve"),  # S3 always answers: a network fault
        (DIRECT, Answer(failure="timeout"), "unknown", "no answer in time"),
        (PRIVATE, Answer(failure="resolve"), "holds", "the name does not resolve"),
        (PRIVATE, Answer(failure="timeout"), "holds", "no answer in time"),
        (PRIVATE, Answer(failure="refused"), "holds", "connection refused"),
        (PRIVATE, Answer(failure="tls", detail="WRONG_VERSION_NUMBER"), "holds", "TLS handshake failed"),
        (PRIVATE, Answer(failure="protocol"), "unknown", "not an HTTP answer"),
        (PRIVATE, Answer(301, {"location": "https://app.example.com/"}), "holds", "301 to https://app.example.com/"),
        (PRIVATE, Answer(301, {"location": "https://app.example.com/login"}), "fails", "301 to"),
        (PRIVATE, Answer(200), "fails", "200"),
    ],
)
def test_judge(planned: verify.Planned, answer: Answer, verdict: str, got: str) -> None:
    result = verify.judge(planned, answer)
    assert (result.verdict, got in result.got) == (verdict, True), result.got


def test_what_a_server_says_is_shown_escaped_and_short() -> None:
    """A direct endpoint may be anyone's server: its words cannot move the cursor or flood the report."""
    result = verify.judge(DIRECT, Answer(302, {"location": "https://e.example.com/\x1b[2J" + "x" * 500}))
    assert result.verdict == "fails"
    assert "\x1b" not in result.got and "\\x1b[2J" in result.got and len(result.got) <= 210


# -- running: retries, the run limit, what is sent ----------------------------------------------------------


class FakeSend:
    """Answers from a list, in turn; records every request."""

    def __init__(self, *answers: Answer) -> None:
        self.answers = list(answers)
        self.sent: list[tuple[str, str, dict[str, str], float]] = []

    def __call__(self, method: str, url: str, headers: Mapping[str, str], timeout: float) -> Answer:
        self.sent.append((method, url, dict(headers), timeout))
        return self.answers.pop(0) if len(self.answers) > 1 else self.answers[0]


@pytest.mark.parametrize(
    ("planned", "answers", "tries", "verdict"),
    [
        (SERVED, (Answer(failure="timeout"), Answer(200)), 2, "holds"),  # a passing failure is tried again
        (SERVED, (Answer(502, {"server": "CloudFront"}), Answer(502, {"server": "CloudFront"})), 2, "fails"),
        (SERVED, (S3_DENIED,), 1, "fails"),  # a refusal is an answer: never tried again
        (DIRECT, (Answer(200),), 1, "fails"),
        (DIRECT, (S3_DENIED,), 1, "holds"),
        (PRIVATE, (Answer(failure="timeout"),), 1, "holds"),  # a hold is never tried again
    ],
)
def test_at_most_one_retry(planned: verify.Planned, answers: tuple[Answer, ...], tries: int, verdict: str) -> None:
    send = FakeSend(*answers)
    (result,) = verify.run([planned], send, wrong_secret="w", timeout=3, max_time=30)
    assert (len(send.sent), result.verdict) == (tries, verdict)
    assert {(method, timeout) for method, _, _, timeout in send.sent} == {("GET", 3)}


def test_only_a_declared_probe_sends_the_wrong_secret() -> None:
    send = FakeSend(Answer(403))
    wrong = verify.Planned(TARGET, probe("internet", "s3_website", wrong_header="Referer"), "http://w.example.com/")
    verify.run([DIRECT, wrong], send, wrong_secret="cfgenverifywrongabc", timeout=1, max_time=30, workers=1)
    headers = {url: h for _, url, h, _ in send.sent}
    assert "Referer" not in headers[DIRECT.url]
    assert headers[wrong.url]["Referer"] == "cfgenverifywrongabc"
    assert all(h["User-Agent"] == "cfgen-verify" for h in headers.values())


def test_the_run_limit_leaves_the_rest_unknown() -> None:
    release = threading.Event()

    def stuck(method: str, url: str, headers: Mapping[str, str], timeout: float) -> Answer:
        release.wait(10)  # a name that takes long to resolve: the request ignores its own timeout
        return Answer(200)

    started = time.monotonic()
    try:
        results = verify.run([SERVED, DIRECT], stuck, wrong_secret="w", timeout=5, max_time=0.3)
    finally:
        release.set()
    assert time.monotonic() - started < 3
    assert [(r.verdict, r.got) for r in results] == [("unknown", "no result within --max-time 0.3 s")] * 2


def test_a_time_limit_reached_before_a_probe_starts_sends_nothing() -> None:
    send = FakeSend(Answer(200))
    ticks = iter([0.0, 100.0])  # the deadline is set at 0 + 1; the probe looks at the clock at 100
    (result,) = verify.run([SERVED], send, wrong_secret="w", timeout=1, max_time=1, clock=lambda: next(ticks, 100.0))
    assert (send.sent, result.verdict, result.got) == ([], "unknown", "not sent: --max-time reached")


# -- options ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "route"),
    [
        ("d1.cloudfront.net:443:127.0.0.1:8443", ("127.0.0.1", 8443)),
        ("D1.CloudFront.net:443:127.0.0.1:8443", ("127.0.0.1", 8443)),
        ("::127.0.0.1:8443", ("127.0.0.1", 8443)),
        ("d1.cloudfront.net:443::8443", ("d1.cloudfront.net", 8443)),
        ("d1.cloudfront.net:443:[::1]:", ("::1", 443)),
        ("d1.cloudfront.net:80:127.0.0.1:8080", None),
        ("other.example.com:443:127.0.0.1:8443", None),
    ],
)
def test_connect_to_as_curl_reads_it(text: str, route: tuple[str, int] | None) -> None:
    assert ConnectTo.parse(text).route("d1.cloudfront.net", 443) == route


@pytest.mark.parametrize("text", ["d1.cloudfront.net:443:127.0.0.1", "a:b:c:d", "h:443:1.2.3.4:70000", "h:0:a:1"])
def test_connect_to_refuses_anything_else(text: str) -> None:
    with pytest.raises(UsageError, match="expected HOST:PORT:ADDR:PORT"):
        ConnectTo.parse(text)


def test_reports_keep_every_field() -> None:
    results = [verify.judge(DIRECT, S3_DENIED), verify.judge(SERVED, S3_DENIED)]
    document = json.loads(verify.render_results(results, "json"))
    assert document["summary"] == {"holds": 1, "fails": 1, "unknown": 0, "skipped": 0}
    assert document["probes"][1] == {
        "distribution": "web",
        "origin": "site",
        "pattern": "s3/oac",
        "path": "distribution",
        "path_name": "through its own distribution",
        "endpoint": "distribution",
        "what": "the distribution's domain name",
        "method": "GET",
        "url": "https://d111111abcdef8.cloudfront.net/",
        "expected": "the origin's answer, not a refusal",
        "got": "403 AccessDenied (S3)",
        "verdict": "fails",
    }
    junit = verify.render_results(results, "junit")
    assert 'tests="2" failures="1"' in junit and "expected the origin&apos;s answer" not in junit
    assert "got 403 AccessDenied (S3)" in junit
    table = verify.render_results(results, "table")
    assert "1 holds, 1 fails, 0 unknown, 0 skipped" in table
    with pytest.raises(UsageError):
        verify.render_results(results, "sarif")


def test_a_name_that_does_not_resolve_is_no_answer(monkeypatch: pytest.MonkeyPatch) -> None:
    def no_such_name(*args: object, **kwargs: object) -> list[object]:
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    monkeypatch.setattr(socket, "getaddrinfo", no_such_name)
    answer = Client().request("GET", "https://app-origin.example.com/", {}, 1)
    assert (answer.status, answer.failure, answer.detail) == (None, "resolve", "Name or service not known")


def test_the_client_reads_and_never_writes() -> None:
    with pytest.raises(ValueError, match="GET and HEAD only"):
        Client().request("POST", "https://d111111abcdef8.cloudfront.net/", {}, 1)
