"""``cfgen verify``: after apply, show from outside that each origin answers only through its distribution.

A render records in its manifest each origin's pattern and the path verify
requests through the distribution; apply produces the root module's output
``cfgen_endpoints`` (each distribution's URL and each origin's direct
endpoints). :func:`plan` joins the two into the probes each pattern declares
(``patterns/_probes.py``), :func:`run` sends them, :func:`judge` reads each
answer against what its path must give, and :func:`render_results` prints one
row per probe. Only the sending touches the network, through the ``send``
function the caller gives (``harness._http.Client.request``).
"""

from __future__ import annotations

import json
import queue
import re
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Literal
from urllib.parse import urlsplit

from .errors import UsageError, one_line
from .harness._http import Answer
from .harness.report import render_report, table_text
from .harness.results import Finding
from .patterns import PATTERNS
from .patterns._probes import ALWAYS_ANSWER, Probe
from .patterns._threats import NAMES

__all__ = [
    "FORMATS",
    "OUTPUT",
    "Planned",
    "Result",
    "Target",
    "Verdict",
    "counts",
    "endpoints_from_outputs",
    "expected",
    "judge",
    "not_sent",
    "plan",
    "probes_markdown",
    "render_results",
    "run",
    "targets_from_manifest",
]

FORMATS = ("table", "json", "junit")
OUTPUT = "cfgen_endpoints"
METHOD = "GET"  # verify reads, never writes: GET (and HEAD) only, see harness._http

Verdict = Literal["holds", "fails", "unknown", "skipped"]
Send = Callable[[str, str, Mapping[str, str], float], Answer]

SERVED = "the origin's answer, not a refusal"
REFUSED = "refused (401/403)"


def expected(probe: Probe) -> str:
    """What ``probe`` must get, in a report's words."""
    if probe.expect == "served":
        return SERVED
    return REFUSED if probe.endpoint in ALWAYS_ANSWER else f"{REFUSED}, or no answer"


# -- what the render recorded ----------------------------------------------------


@dataclass(frozen=True)
class Target:
    """One origin as its render recorded it: its pattern and what verify requests for it."""

    distribution: str
    origin: str
    pattern: str
    path: str | None  # through the distribution; None when no unsigned behavior reaches the origin
    direct_path: str  # the same request as the origin itself sees it (the default root object for /)
    note: str = ""  # why there is no path through the distribution

    @property
    def label(self) -> str:
        return f"{self.distribution}/{self.origin}"

    def as_dict(self) -> dict[str, Any]:
        return {
            "distribution": self.distribution,
            "origin": self.origin,
            "pattern": self.pattern,
            "path": self.path,
            "direct_path": self.direct_path,
            "note": self.note,
        }


def targets_from_manifest(items: Any, where: str) -> list[Target]:
    """The origins a manifest records for verify (``where`` names the manifest in errors)."""
    if not isinstance(items, list):
        raise UsageError(f"{where} records nothing for `cfgen verify`; render the tree again with this cfgen")
    targets = []
    for item in items:
        try:
            target = Target(
                distribution=_string(item["distribution"]),
                origin=_string(item["origin"]),
                pattern=_string(item["pattern"]),
                path=None if item["path"] is None else _path(item["path"]),
                direct_path=_path(item["direct_path"]),
                note=_string(item["note"]),
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise UsageError(
                f"{where}: what it records for `cfgen verify` is not readable ({exc}); render again"
            ) from None
        if target.pattern not in PATTERNS:
            raise UsageError(f"{where} names pattern {target.pattern!r}, which this cfgen does not know; upgrade cfgen")
        targets.append(target)
    return targets


# -- what apply produced ---------------------------------------------------------

# A host name or an IPv4 address, as an output may hold it; never anything a URL could hide a second host in.
_HOST = re.compile(
    r"(?=.{1,253}$)[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*"
)
_URL_PATH = re.compile(r"(/[A-Za-z0-9._~!$&'()*+,;=:@%-]*)*")


def endpoints_from_outputs(data: Any, where: str) -> dict[str, dict[str, str]]:
    """Each origin's URLs from ``output -json`` (every output, or ``output -json cfgen_endpoints`` alone).

    Raises UsageError for anything but http(s) URLs of plain host names: they
    are the only hosts verify ever connects to.
    """
    if isinstance(data, dict) and OUTPUT in data:
        output = data[OUTPUT]
        data = output.get("value") if isinstance(output, dict) else None
    elif isinstance(data, dict) and not data:
        raise UsageError(f"{where} holds no outputs: apply the tree first (or save `output -json` after apply)")
    elif isinstance(data, dict) and not all("/" in key for key in data):
        raise UsageError(f"{where} has no output {OUTPUT}: render the tree with this cfgen and apply it")
    if not isinstance(data, dict):
        raise UsageError(f"{where}: output {OUTPUT} is not a map of origins; render with this cfgen and apply again")
    endpoints: dict[str, dict[str, str]] = {}
    for label, entry in data.items():
        if not isinstance(entry, dict):
            raise UsageError(f"{where}: {OUTPUT}[{label!r}] is not a map of endpoints")
        endpoints[label] = {}
        for name, url in entry.items():
            if url is None:
                continue  # an endpoint this origin does not have
            problem = _url_problem(url)
            if problem:
                raise UsageError(f"{where}: {OUTPUT}[{label!r}].{name} {problem}")
            endpoints[label][name] = url
    return endpoints


def _url_problem(url: Any) -> str:
    if not isinstance(url, str) or len(url) > 2048:
        return "is not a URL"
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return f"is not a URL: {url!r}"
    if parts.scheme not in ("http", "https") or "@" in parts.netloc or parts.query or parts.fragment:
        return f"is not an http(s) URL of a host: {url!r}"
    if not _HOST.fullmatch(parts.hostname or "") or port == 0 or not _URL_PATH.fullmatch(parts.path):
        return f"is not an http(s) URL of a host: {url!r}"
    return ""


# -- the probes ------------------------------------------------------------------


@dataclass(frozen=True)
class Planned:
    """One probe of one origin: the request verify sends (or why it sends none)."""

    target: Target
    probe: Probe
    url: str
    skip: str = ""  # not sent, by design: the reason

    @property
    def expected(self) -> str:
        return expected(self.probe)


def plan(targets: list[Target], endpoints: dict[str, dict[str, str]], where: str) -> list[Planned]:
    """Every probe of every origin, in the order of the manifest and of each pattern's declaration.

    Raises UsageError when the outputs and the manifest disagree (a render
    that was not applied, an endpoint this cfgen does not know).
    """
    labels = [t.label for t in targets]
    missing = [label for label in labels if label not in endpoints]
    extra = [label for label in endpoints if label not in labels]
    if missing or extra:
        said = "; ".join(
            part
            for part in (
                f"no endpoints for {', '.join(missing)}" if missing else "",
                f"endpoints of origins the render does not have: {', '.join(extra)}" if extra else "",
            )
            if part
        )
        raise UsageError(f"{where} and the render disagree ({said}): apply the render, then verify")
    planned = []
    for target in targets:
        probes = PATTERNS[target.pattern].probes
        urls = endpoints[target.label]
        unknown = sorted(set(urls) - {p.endpoint for p in probes})
        if unknown:
            raise UsageError(
                f"{where}: {target.label} has endpoints {unknown} that pattern {target.pattern} does not probe; "
                "upgrade cfgen"
            )
        for probe in probes:
            url = urls.get(probe.endpoint)
            if url is None:
                if probe.optional:
                    continue
                raise UsageError(
                    f"{where}: {target.label} has no endpoint {probe.endpoint}; render with this cfgen and apply again"
                )
            if probe.path == "distribution":
                path = target.path
                skip = "" if path is not None else f"not probed: {target.note}"
            else:
                path, skip = target.direct_path, ""
            planned.append(Planned(target, probe, url.rstrip("/") + (path or "/"), skip))
    return planned


def headers_of(planned: Planned, wrong_secret: str) -> dict[str, str]:
    """What a probe sends: who it is, and the deliberately wrong secret its declaration asks for."""
    headers = {"User-Agent": "cfgen-verify", "Accept": "*/*", "Connection": "close"}
    if planned.probe.wrong_header:
        headers[planned.probe.wrong_header] = wrong_secret
    return headers


@dataclass(frozen=True)
class Result:
    """What one probe got, and whether its path holds."""

    planned: Planned
    got: str
    verdict: Verdict


# -- judging an answer -------------------------------------------------------------

_ERROR_TYPE = re.compile(r"[A-Za-z]+Exception")

_FAILURES = {
    "resolve": "the name does not resolve",
    "unreachable": "the address cannot be reached",
    "refused": "connection refused",
    "timeout": "no answer in time",
    "closed": "closed without answering",
    "tls": "TLS handshake failed",
    "certificate": "certificate not trusted",
    "protocol": "not an HTTP answer",
}


def refusal(answer: Answer) -> str:
    """The refusal ``answer`` is, in words, when cfgen knows it (S3, API Gateway, Lambda, CloudFront, ELB)."""
    if answer.status not in (401, 403):
        return ""
    headers = answer.headers
    server = headers.get("server", "").lower()
    # API Gateway and Lambda name the error (ForbiddenException, InvalidSignatureException,
    # AccessDeniedException, UnauthorizedException, ...), sometimes followed by ":" and a URL.
    error_type = _ERROR_TYPE.match(headers.get("x-amzn-errortype", ""))
    body = answer.body.decode("utf-8", "replace")
    if "<Code>AccessDenied</Code>" in body or "Code: AccessDenied" in body:
        return "AccessDenied (S3)"
    if error_type:
        # A function URL answers without API Gateway's request id.
        lambda_url = "Function URL" in body or (
            "x-amz-apigw-id" not in headers and error_type[0] == "AccessDeniedException"
        )
        return f"{error_type[0]} ({'Lambda' if lambda_url else 'API Gateway'})"
    if re.fullmatch(r'\s*\{\s*"message"\s*:\s*"Forbidden"\s*\}\s*', body):
        return "ForbiddenException (API Gateway)"
    if server == "cloudfront":
        return "from CloudFront itself"
    if server.startswith("awselb"):
        return "from the load balancer itself"
    return ""


def judge(planned: Planned, answer: Answer) -> Result:
    """Whether ``answer`` is what the probe's path must give."""
    got = _got(planned, answer)
    status = answer.status
    if planned.probe.expect == "served":
        if status is None or refusal(answer):
            return Result(planned, got, "fails")
        if status >= 500 and answer.headers.get("server", "").lower() == "cloudfront":
            return Result(planned, got + " (CloudFront could not reach the origin)", "fails")
        return Result(planned, got, "holds")
    if status is None:
        # Nobody who ignores a certificate is stopped by it, bytes that are not HTTP say nothing either way,
        # and silence from an AWS endpoint that answers everyone is this runner's network, not a refusal.
        if answer.failure in ("certificate", "protocol") or planned.probe.endpoint in ALWAYS_ANSWER:
            return Result(planned, got, "unknown")
        return Result(planned, got, "holds")
    if status in (401, 403) or _to_https(planned.url, status, answer):
        return Result(planned, got, "holds")
    return Result(planned, got, "fails")


def _got(planned: Planned, answer: Answer) -> str:
    """What came back, in words; what the server said is escaped and cut short (it may be anyone's server)."""
    if answer.status is None:
        words = _FAILURES[answer.failure or "protocol"]
        return f"{words} ({_shown(answer.detail)})" if answer.detail else words
    said = refusal(answer)
    location = answer.headers.get("location", "")
    if said:
        return f"{answer.status} {said}"
    if 300 <= answer.status < 400 and location:
        return f"{answer.status} to {_shown(location)}"
    return str(answer.status)


def _shown(text: str, limit: int = 200) -> str:
    text = one_line(text)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _to_https(url: str, status: int, answer: Answer) -> bool:
    """A plain-HTTP endpoint that only redirects to itself over HTTPS serves nothing there."""
    return (
        url.startswith("http://")
        and status in (301, 302, 307, 308)
        and (answer.headers.get("location", "") == "https://" + url.removeprefix("http://"))
    )


def _transient(answer: Answer) -> bool:
    """Worth one more try: no answer in time, a dropped connection, a server's passing error."""
    if answer.status is None:
        return answer.failure not in ("certificate", "protocol")
    return answer.status == 429 or answer.status >= 500


# -- sending -------------------------------------------------------------------------


def not_sent(planned: list[Planned]) -> list[Result]:
    """The results of ``--dry-run``: every request listed, none sent."""
    return [Result(p, p.skip or "not sent (--dry-run)", "skipped") for p in planned]


def run(
    planned: list[Planned],
    send: Send,
    *,
    wrong_secret: str,
    timeout: float,
    max_time: float,
    workers: int = 8,
    progress: Callable[[int, int], None] | None = None,
    clock: Callable[[], float] = time.monotonic,
) -> list[Result]:
    """Send every probe (``workers`` at a time) and judge it; what ``max_time`` leaves unsent is unknown.

    A probe that does not hold is tried once more when its failure may pass
    (no answer in time, a 5xx): a retry never turns a refusal into a pass.
    The threads are daemons, so a request stuck past ``max_time`` (a name
    that takes long to resolve) never keeps the command waiting.
    """
    deadline = clock() + max_time
    results: list[Result | None] = [None] * len(planned)
    todo: queue.SimpleQueue[int] = queue.SimpleQueue()
    for index in range(len(planned)):
        todo.put(index)
    lock = threading.Lock()
    done = [0]

    def work() -> None:
        while True:
            try:
                index = todo.get_nowait()
            except queue.Empty:
                return
            results[index] = _probe(planned[index], send, wrong_secret, timeout, deadline, clock)
            if progress is not None:
                with lock:
                    done[0] += 1
                    progress(done[0], len(planned))

    threads = [threading.Thread(target=work, daemon=True) for _ in range(max(1, min(workers, len(planned))))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(max(0.0, deadline - clock()))
    late = f"no result within --max-time {max_time:g} s"
    return [r if r is not None else Result(p, late, "unknown") for p, r in zip(planned, list(results), strict=True)]


def _probe(
    planned: Planned, send: Send, wrong_secret: str, timeout: float, deadline: float, clock: Callable[[], float]
) -> Result:
    if planned.skip:
        return Result(planned, planned.skip, "skipped")
    result: Result | None = None
    for _ in range(2):
        left = deadline - clock()
        if left <= 0:
            break
        answer = send(METHOD, planned.url, headers_of(planned, wrong_secret), min(timeout, left))
        result = judge(planned, answer)
        if result.verdict == "holds" or not _transient(answer):
            break
    return result or Result(planned, "not sent: --max-time reached", "unknown")


# -- reports ---------------------------------------------------------------------------


def counts(results: Iterable[Result]) -> dict[str, int]:
    """How many probes hold, fail, could not be judged, were not sent by design."""
    verdicts = [r.verdict for r in results]
    return {v: verdicts.count(v) for v in ("holds", "fails", "unknown", "skipped")}


def render_results(results: list[Result], fmt: str, *, width: int = 120) -> str:
    """``results`` as ``table`` (``width`` columns), ``json`` or ``junit``."""
    if fmt == "table":
        rows = [
            (
                r.verdict.upper(),
                r.planned.target.label,
                r.planned.probe.path,
                r.planned.probe.what,
                r.planned.url,
                r.planned.expected,
                r.got,
            )
            for r in results
        ]
        line = ", ".join(f"{n} {v}" for v, n in counts(results).items())
        return table_text(("Verdict", "Origin", "Path", "What", "URL", "Expected", "Got"), rows, [line], width)
    if fmt == "json":
        document = {"summary": counts(results), "probes": [_as_dict(r) for r in results]}
        return json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
    if fmt == "junit":
        return render_report([_finding(r) for r in results], "junit")
    raise UsageError(f"unknown verify format {fmt!r}: choose one of {', '.join(FORMATS)}")


def _as_dict(result: Result) -> dict[str, Any]:
    planned = result.planned
    return {
        "distribution": planned.target.distribution,
        "origin": planned.target.origin,
        "pattern": planned.target.pattern,
        "path": planned.probe.path,
        "path_name": NAMES[planned.probe.path],
        "endpoint": planned.probe.endpoint,
        "what": planned.probe.what,
        "method": METHOD,
        "url": planned.url,
        "expected": planned.expected,
        "got": result.got,
        "verdict": result.verdict,
    }


def _finding(result: Result) -> Finding:
    planned = result.planned
    return Finding(
        source="verify",
        check_id=planned.probe.path,
        title=f"{planned.target.label}: {planned.probe.what}",
        passed=result.verdict in ("holds", "skipped"),
        address=planned.url,
        origin=planned.target.label,
        message=result.got if result.verdict == "skipped" else f"expected {planned.expected}; got {result.got}",
        paths=(planned.probe.path,),
        skipped=result.verdict == "skipped",
    )


def probes_markdown() -> str:
    """README's table of what verify requests for each pattern, from the declarations."""
    rows = ["| pattern | path | request | must get |", "|---|---|---|---|"]
    for key, pattern in PATTERNS.items():
        for p in pattern.probes:
            what = p.what + (" (when the render outputs one)" if p.optional else "")
            rows.append(f"| `{key}` | {NAMES[p.path]} | {what} | {expected(p)} |")
    return "\n".join(rows) + "\n"


# -- manifest reading ----------------------------------------------------------------


def _string(value: Any) -> str:
    if not isinstance(value, str):
        raise TypeError(f"expected a string, got {type(value).__name__}")
    return value


def _path(value: Any) -> str:
    text = _string(value)
    if not text.startswith("/") or not _URL_PATH.fullmatch(text):
        raise ValueError(f"{text!r} is not a URL path")
    return text
