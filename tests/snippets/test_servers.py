"""cfgen's snippets in real nginx, Apache httpd and Caddy: who gets in, what the application sees, what is logged.

Each test starts one server on loopback with the rendered snippet, writes the
secrets the way the snippet documents, sends requests as CloudFront would
(TLS, SNI and Host = the origin's name) and then checks: the answers (403, or
the upstream's 200), that the upstream never received the header or a secret,
that no response names the header (Apache's Vary), that an upstream failure
is not answered 200 or 403, and that no file the server wrote (logs, state)
nor its output holds a secret, with the access log proven to have recorded
the requests. The last tests change one line of a snippet each and show that
these checks catch what that line prevents.
"""

from __future__ import annotations

import secrets as random
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from tests.snippets._harness import (
    BINARIES,
    SERVERS,
    UPSTREAM_BODY,
    Pki,
    Server,
    Upstream,
    client_context,
    running,
    send,
)
from tests.snippets._secrets_file import SecretValues

pytestmark = pytest.mark.servers

HEADER = "X-Origin-Verify"
# Names of their own, as for a second origin on the same server.
OTHER_NAMES = ("SHOP_APP_CURRENT", "SHOP_APP_PREVIOUS")
_APPLY_TIMEOUT = 15.0


@dataclass(frozen=True)
class Secrets:
    current: str
    previous: str
    wrong: str

    @classmethod
    def generate(cls) -> Secrets:
        # A leading letter makes every value change under upper().
        return cls("a" + random.token_hex(24), "b" + random.token_hex(24), "c" + random.token_hex(24))

    def written(self, previous: str) -> SecretValues:
        """What the deploy writes: the previous line "set", "omitted" (left out) or "empty"."""
        return SecretValues(self.current, {"set": self.previous, "omitted": None, "empty": ""}[previous])


@dataclass(frozen=True)
class Case:
    name: str
    headers: list[tuple[str, str]]
    passes: bool | None  # None: either answer is right; the header must still never reach the upstream


def _cases(header: str, s: Secrets, previous_accepted: bool) -> list[Case]:
    return [
        Case("no header", [], False),
        Case("a wrong value", [(header, s.wrong)], False),
        Case("the current secret", [(header, s.current)], True),
        Case("the previous secret", [(header, s.previous)], previous_accepted),
        Case("the current secret in upper case", [(header, s.current.upper())], False),
        Case("the previous secret in upper case", [(header, s.previous.upper())], False),
        Case("the header name in lower case", [(header.lower(), s.current)], True),
        Case("the header name in upper case", [(header.upper(), s.current)], True),
        Case("an empty value", [(header, "")], False),
        Case("the current secret less its last character", [(header, s.current[:-1])], False),
        Case("the current secret and one more character", [(header, s.current + "0")], False),
        Case("both secrets in one value", [(header, f"{s.current},{s.previous}")], False),
        Case("a wildcard", [(header, "*")], False),
        Case("a regex that matches anything", [(header, ".*")], False),
        Case("Apache's marker of an unset secret", [(header, "(unset)")], False),
        Case("an unexpanded Apache variable", [(header, "${ORIGIN_VERIFY_PREVIOUS}")], False),
        Case("a Caddy placeholder", [(header, "{env.ORIGIN_VERIFY_CURRENT}")], False),
        # nginx 1.22 reads the first of two same-named headers, Apache and
        # Caddy join them: the answers differ, the stripping must not.
        Case("the header twice, current first", [(header, s.current), (header.lower(), s.wrong)], None),
    ]


def _run_scenario(server: Server, pki: Pki, upstream: Upstream, s: Secrets, values: SecretValues) -> list[str]:
    """Every way the server breaks the contract, one line each (empty: it keeps it)."""
    problems: list[str] = []
    tls = client_context(pki.ca)
    previous_accepted = bool(values.previous)
    cases = _cases(server.header, s, previous_accepted)
    passed = 0
    with running(server, pki, values):
        for case in cases:
            answer = send(server.port, tls, case.headers)
            got_in = answer.status == 200 and answer.body == UPSTREAM_BODY
            passed += got_in
            if case.passes is True and not got_in:
                problems.append(f"status: {case.name}: got {answer.status}, expected the upstream's 200")
            if case.passes is False and answer.status != 403:
                problems.append(f"status: {case.name}: got {answer.status}, expected 403")
            if case.passes is None and answer.status not in (200, 403):
                problems.append(f"status: {case.name}: got {answer.status}, expected 200 or 403")
            named = [f"{k}: {v}" for k, v in answer.headers if server.header.lower() in f"{k}: {v}".lower()]
            if named:
                problems.append(f"vary: {case.name}: the response names the header: {named}")
        if len(upstream.received) != passed:
            problems.append(f"forwarded: the upstream got {len(upstream.received)} requests, {passed} were let in")
        for request in upstream.received:
            for name, value in request.headers:
                if name.lower() == server.header.lower() or s.current in value or s.previous in value:
                    problems.append(f"forwarded: the upstream received {name}: {value}")
        upstream.stop()
        failed = send(server.port, tls, [(server.header, s.current)])
        if failed.status < 500:
            problems.append(f"status: the upstream is down, got {failed.status}, expected a 5xx")
        requests_sent = len(cases) + 1
    problems += _leaks(server, s, requests_sent)
    return problems


def _leaks(server: Server, s: Secrets, requests_sent: int) -> list[str]:
    """Where a secret was written (after the server stopped, so its logs are complete)."""
    problems = []
    handled = server.handled_requests()
    if handled < requests_sent:
        problems.append(
            f"log: the access log holds {handled} requests of {requests_sent}: the log checks prove nothing"
        )
    texts = {str(path.relative_to(server.root)): path.read_text(errors="replace") for path in server.written_files()}
    for where, text in texts.items():
        for label, value in (("current", s.current), ("previous", s.previous)):
            if value in text:
                problems.append(f"leak: {where} holds the {label} secret")
    return problems


def _server(
    name: str,
    server_binary: Callable[[str], Path],
    tmp_path: Path,
    upstream: Upstream,
    header: str = HEADER,
    mutate: Callable[[str], str] | None = None,
) -> Server:
    return SERVERS[name](
        name=name,
        binary=server_binary(BINARIES[name]),
        root=tmp_path / "server",
        header=header,
        upstream=upstream.url,
        mutate=mutate,
    )


SNIPPETS = list(SERVERS)


@pytest.mark.parametrize("name", SNIPPETS)
@pytest.mark.parametrize(
    ("previous", "header"),
    [
        pytest.param("set", HEADER, id="previous-set"),
        pytest.param("omitted", HEADER, id="previous-line-left-out"),
        pytest.param("empty", HEADER, id="previous-empty"),
        pytest.param("set", "x-origin-token", id="lower-case-header-name-other-secret-names"),
    ],
)
def test_snippet_admits_only_the_secrets_and_hides_them(
    name: str,
    previous: str,
    header: str,
    server_binary: Callable[[str], Path],
    pki: Pki,
    upstream: Upstream,
    tmp_path: Path,
) -> None:
    s = Secrets.generate()
    server = _server(name, server_binary, tmp_path, upstream, header=header)
    if header != HEADER:
        server.secret_names = OTHER_NAMES
    assert _run_scenario(server, pki, upstream, s, s.written(previous)) == []


def _wait_until(check: Callable[[], bool], what: str) -> None:
    deadline = time.monotonic() + _APPLY_TIMEOUT
    while not check():
        if time.monotonic() > deadline:
            pytest.fail(f"{what} did not happen within {_APPLY_TIMEOUT}s")
        time.sleep(0.1)


@pytest.mark.parametrize("name", SNIPPETS)
def test_rotation_steps_never_deny_the_secret_cloudfront_sends(
    name: str, server_binary: Callable[[str], Path], pki: Pki, upstream: Upstream, tmp_path: Path
) -> None:
    old, new = "a" + random.token_hex(24), "b" + random.token_hex(24)
    server = _server(name, server_binary, tmp_path, upstream)
    tls = client_context(pki.ca)

    def status(value: str) -> int:
        return send(server.port, tls, [(HEADER, value)]).status

    with running(server, pki, SecretValues(old, None)):
        assert (status(old), status(new)) == (200, 403)
        # Step 1: the new secret as current, the old one as previous; reload.
        server.write_secrets(SecretValues(new, old))
        server.apply_secrets()
        _wait_until(lambda: status(new) == 200, "accepting the new secret")
        assert status(old) == 200  # CloudFront still sends it until step 2 has deployed
        # Step 3: the previous secret left out; reload.
        server.write_secrets(SecretValues(new, None))
        server.apply_secrets()
        _wait_until(lambda: status(old) == 403, "refusing the old secret")
        assert status(new) == 200
    texts = [path.read_text(errors="replace") for path in server.written_files()]
    assert not [text for text in texts if old in text or new in text]


def _replace(old: str, new: str) -> Callable[[str], str]:
    def mutate(text: str) -> str:
        assert old in text, f"the snippet no longer holds {old!r}: update this test"
        return text.replace(old, new)

    return mutate


@pytest.mark.parametrize(
    ("name", "mutate", "previous", "expected"),
    [
        pytest.param(
            "nginx.conf",
            _replace(
                '    if ($http_x_origin_verify !~ "^[A-Za-z0-9]+$") {\n        set $origin_verified 0;\n    }\n', ""
            ),
            "omitted",
            "status: an empty value",
            id="nginx-without-the-shape-check-admits-an-empty-header-when-previous-is-unset",
        ),
        pytest.param(
            "nginx.conf",
            _replace('        proxy_set_header X-Origin-Verify "";\n', ""),
            "set",
            "forwarded: the upstream received X-Origin-Verify",
            id="nginx-without-the-empty-proxy-header-forwards-the-secret",
        ),
        pytest.param(
            "apache2.conf",
            _replace("    RequestHeader unset X-Origin-Verify\n", ""),
            "set",
            "forwarded: the upstream received X-Origin-Verify",
            id="apache-without-requestheader-unset-forwards-the-secret",
        ),
        pytest.param(
            "Caddyfile",
            _replace(
                '\thandle_errors {\n\t\trespond "{err.status_code} {err.status_text}" {err.status_code}\n\t}\n', ""
            ),
            "set",
            "leak: process-output.log holds the current secret",
            id="caddy-without-handle-errors-logs-the-secret-when-the-upstream-fails",
        ),
        pytest.param(
            "Caddyfile",
            _replace("request>headers>X-Origin-Verify delete", "request>headers>User-Agent delete"),
            "set",
            "leak: process-output.log holds the current secret",
            id="caddy-access-log-without-the-filter-holds-the-secret",
        ),
        pytest.param(
            "Caddyfile",
            lambda text: (
                "\n".join(
                    "\t@origin_verified {\n"
                    "\t\theader X-Origin-Verify {env.ORIGIN_VERIFY_CURRENT}\n"
                    "\t\theader X-Origin-Verify {env.ORIGIN_VERIFY_PREVIOUS}\n"
                    "\t}"
                    if line.startswith("\t@origin_verified expression")
                    else line
                    for line in text.splitlines()
                )
                + "\n"
            ),
            "empty",
            "status: an empty value",
            id="caddy-header-matcher-admits-an-empty-header-when-previous-is-empty",
        ),
    ],
)
def test_each_guard_of_the_snippets_is_needed(
    name: str,
    mutate: Callable[[str], str],
    previous: str,
    expected: str,
    server_binary: Callable[[str], Path],
    pki: Pki,
    upstream: Upstream,
    tmp_path: Path,
) -> None:
    s = Secrets.generate()
    server = _server(name, server_binary, tmp_path, upstream, mutate=mutate)
    problems = _run_scenario(server, pki, upstream, s, s.written(previous))
    assert [p for p in problems if p.startswith(expected)], problems


_VARIANTS = [
    pytest.param(name, options, id=f"{name}-{label}")
    for name in SNIPPETS
    for label, options in (
        ("all-addresses", {"address": None}),
        ("all-addresses-port-443", {"address": None, "port": 443}),
        ("ipv6-loopback", {"address": "::1"}),
        ("other-secret-names", {"other_names": True}),
    )
] + [pytest.param("Caddyfile", {"address": None, "port": 443, "tls": None}, id="Caddyfile-automatic-https")]


@pytest.mark.parametrize(("name", "options"), _VARIANTS)
def test_every_variant_passes_the_servers_own_configuration_test(
    name: str,
    options: dict[str, Any],
    server_binary: Callable[[str], Path],
    pki: Pki,
    upstream: Upstream,
    tmp_path: Path,
) -> None:
    server = _server(name, server_binary, tmp_path, upstream)
    if options.pop("other_names", False):
        server.secret_names = OTHER_NAMES
    server.options = options
    server.prepare(pki)
    server.write_secrets(SecretValues("a" + random.token_hex(24), None))
    server.check_syntax()


@pytest.mark.parametrize("name", SNIPPETS)
def test_without_the_secrets_nothing_gets_in(
    name: str, server_binary: Callable[[str], Path], pki: Pki, upstream: Upstream, tmp_path: Path
) -> None:
    # The deploy has not written the secrets yet: nginx and Apache refuse to
    # start (the snippet includes the file), Caddy (no variables) refuses
    # every request.
    server = _server(name, server_binary, tmp_path, upstream)
    server.prepare(pki)
    assert not server.secrets_path.exists()
    if name == "Caddyfile":
        try:
            server.start()
            tls = client_context(pki.ca)
            answers = [send(server.port, tls, headers).status for headers in ([], [(HEADER, "")], [(HEADER, "x")])]
        finally:
            server.stop()
        assert answers == [403, 403, 403]
        assert upstream.received == []
    else:
        with pytest.raises(RuntimeError, match="exited with") as failed:
            server.start()
        assert str(server.secrets_path) in str(failed.value)
