"""Fixtures of the verify tests: a test CA, origins on loopback, and `cfgen verify` pointed at them."""

from __future__ import annotations

import os
import ssl
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from tests.snippets._harness import Pki, Upstream, make_pki
from tests.verify._servers import Reply, Silent

OUTPUTS = Path(__file__).parent / "outputs"

# Every name the hand-written outputs hold, on one certificate of the test CA.
NAMES = (
    "*.cloudfront.net",
    "*.s3.eu-west-1.amazonaws.com",
    "s3.eu-west-1.amazonaws.com",
    "*.execute-api.eu-west-1.amazonaws.com",
    "*.example.com",
    "*.eu-west-1.elb.amazonaws.com",
)


@pytest.fixture(scope="session")
def pki(tmp_path_factory: pytest.TempPathFactory) -> Pki:
    return make_pki(tmp_path_factory.mktemp("verify-pki"), NAMES)


@pytest.fixture(scope="session")
def other_pki(tmp_path_factory: pytest.TempPathFactory) -> Pki:
    """The same names from a CA nobody trusts."""
    return make_pki(tmp_path_factory.mktemp("verify-other-pki"), NAMES)


def server_context(pki: Pki) -> ssl.SSLContext:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(pki.certificate, pki.key)
    return context


Serve = Callable[..., Upstream]


@pytest.fixture
def serve(pki: Pki) -> Iterator[Serve]:
    """Start an origin answering ``reply`` (TLS with the test CA unless ``tls=False``); stopped after the test."""
    started: list[Upstream] = []

    def _serve(reply: Reply, *, tls: bool = True, certificates: Pki | None = None) -> Upstream:
        context = server_context(certificates or pki) if tls else None
        origin = Upstream(reply.status, reply.headers, reply.body, tls=context)
        started.append(origin)
        return origin

    yield _serve
    for origin in started:
        origin.stop()


@pytest.fixture
def silent() -> Iterator[Silent]:
    server = Silent()
    yield server
    server.stop()


Verify = Callable[..., subprocess.CompletedProcess[str]]


@pytest.fixture
def cfgen_verify(pki: Pki) -> Verify:
    """Run `cfgen verify` with the test CA, each "HOST:PORT" of ``routes`` connected to a loopback port."""

    def _run(
        *args: str,
        routes: dict[str, int] | None = None,
        ca: bool = True,
        env: dict[str, str] | None = None,
    ) -> subprocess.CompletedProcess[str]:
        command = [sys.executable, "-m", "cfgen", "verify", *args]
        for name, port in (routes or {}).items():
            command += ["--connect-to", f"{name}:127.0.0.1:{port}"]
        if ca:
            command += ["--ca-bundle", str(pki.ca)]
        result = subprocess.run(command, capture_output=True, text=True, timeout=120, env={**os.environ, **(env or {})})
        assert "Traceback" not in result.stdout + result.stderr, result.stderr
        return result

    return _run
