"""The spec of origins that face the internet: `custom`, and what validate refuses in one located line."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from tests.conftest import EXAMPLES
from tests.unit.test_spec import errors_of

from cfgen.spec import load_spec
from cfgen.spec.public_origins import CustomOrigin

CUSTOM = (EXAMPLES / "custom-origin-secret-header" / "spec.yaml").read_text(encoding="utf-8")


def _edit(text: str, old: str, new: str) -> str:
    assert old in text, old
    return text.replace(old, new, 1)


def test_the_custom_example_is_valid_and_defaults_to_a_variable_secret() -> None:
    [origin] = load_spec(EXAMPLES / "custom-origin-secret-header" / "spec.yaml").spec.distributions[0].origins
    assert isinstance(origin, CustomOrigin)
    assert (origin.protection, origin.secret.source, origin.https_port) == ("secret_header", "variable", 443)


@pytest.mark.parametrize(
    ("text", "old", "new", "expected"),
    [
        pytest.param(
            CUSTOM,
            "domain_name: origin.shop.example.com",
            "domain_name: 192.0.2.10",
            "origins.0.domain_name: '192.0.2.10' is not a lowercase DNS name such as origin.example.com",
            id="custom-ip-address",
        ),
        pytest.param(
            CUSTOM,
            "domain_name: origin.shop.example.com",
            "domain_name: '*.shop.example.com'",
            "(no wildcard, no IP address)",
            id="custom-wildcard",
        ),
        pytest.param(
            CUSTOM,
            "upstream: http://127.0.0.1:8080",
            "upstream: http://127.0.0.1:8080/app",
            "server.upstream: 'http://127.0.0.1:8080/app' is not an application address",
            id="custom-upstream-path",
        ),
        pytest.param(
            CUSTOM,
            "upstream: http://127.0.0.1:8080",
            "upstream: http://127.0.0.1:99999",
            "server.upstream: port 99999 of 'http://127.0.0.1:99999' is not a TCP port",
            id="custom-upstream-port",
        ),
        pytest.param(
            CUSTOM,
            "upstream: http://127.0.0.1:8080",
            "upstream: http://127.0.0.1:8080\n          listen_address: origin.local",
            "server.listen_address: 'origin.local' is not an IP address",
            id="custom-listen-address",
        ),
        pytest.param(
            CUSTOM,
            "upstream: http://127.0.0.1:8080",
            "upstream: http://127.0.0.1:8080\n          tls: {certificate_file: cert.pem, key_file: /etc/ssl/k.pem}",
            "server.tls.certificate_file: 'cert.pem' is not an absolute path on the server",
            id="custom-relative-certificate",
        ),
        pytest.param(
            CUSTOM,
            "secret: {source: variable}",
            "secret: {source: variable, value: abc}",
            "`value` would put the secret in the spec",
            id="custom-secret-in-spec",
        ),
    ],
)
def test_public_origin_rules(write_spec: Callable[[str], Path], text: str, old: str, new: str, expected: str) -> None:
    lines = errors_of(write_spec(_edit(text, old, new)))
    assert len(lines) == 1 and expected in lines[0], lines
