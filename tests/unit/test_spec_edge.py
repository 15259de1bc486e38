"""`cfgen validate` on the distribution-wide parts: geo codes, key groups, origin groups, functions, Route 53."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from tests.conftest import MINIMAL_SPEC
from tests.unit.conftest import EDGE_SPEC, public_pem
from tests.unit.test_spec import errors_of

from cfgen.spec import load_spec


def test_edge_spec_is_valid(edge_spec: Callable[[str], Path]) -> None:
    dist = load_spec(edge_spec(EDGE_SPEC)).spec.distributions[0]
    assert dist.origin_groups[0].status_codes == [500, 502, 503, 504]
    assert dist.behaviors[0].trusted_key_groups == ["readers"]


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        pytest.param(
            "trusted_key_groups: [readers]",
            "trusted_key_groups: [reader]",
            "22:63: error: distributions.0.behaviors.0.trusted_key_groups.0: "
            "unknown key group 'reader'; did you mean 'readers'?",
            id="unknown-key-group",
        ),
        pytest.param(
            "        public_keys: [{name: k1, pem_file: keys/k1.pub.pem}]\n",
            "",
            "8:15: error: distributions.0.key_groups.0.name: key group 'readers' has no public keys",
            id="group-without-keys",
        ),
        pytest.param(
            "keys/k1.pub.pem",
            "keys/k2.pub.pem",
            "9:44: error: distributions.0.key_groups.0.public_keys.0.pem_file: no such file 'keys/k2.pub.pem'",
            id="missing-pem",
        ),
        pytest.param(
            "secondary: green",
            "secondary: blue",
            "distributions.0.origin_groups.0.secondary: secondary is the primary origin",
            id="group-same-members",
        ),
        pytest.param(
            "secondary: green",
            "secondary: gren",
            "distributions.0.origin_groups.0.secondary: unknown origin 'gren'; did you mean 'green'?",
            id="group-unknown-member",
        ),
        pytest.param(
            "secondary: green}",
            "secondary: green, status_codes: [500, 501]}",
            "distributions.0.origin_groups.0.status_codes.1: 501 is not allowed; expected 400, 403",
            id="group-status-code",
        ),
        pytest.param(
            "origin: site, viewer_request",
            "origin: site, methods: all, viewer_request",
            "distributions.0.behaviors.1.methods: behavior targets origin group 'site', but CloudFront fails "
            "over only GET, HEAD and OPTIONS",
            id="group-with-writes",
        ),
        pytest.param(
            "{id: site,",
            "{id: blue,",
            "origin group id 'blue' is also an origin id",
            id="group-id-clash",
        ),
        pytest.param(
            "viewer_request: rewrite",
            "viewer_response: rewrit",
            "distributions.0.behaviors.1.viewer_response: unknown function 'rewrit'; did you mean 'rewrite'?",
            id="unknown-function",
        ),
        pytest.param(
            "functions/rewrite.js",
            "functions/nope.js",
            "distributions.0.functions.0.code: no such file 'functions/nope.js'",
            id="missing-function",
        ),
        pytest.param(
            "    default_root_object: index.html\n",
            "    default_root_object: index.html\n    route53: {zone_id: Z0123456789ABC}\n",
            "distributions.0.route53: route53 creates records for the aliases, and this distribution has none",
            id="route53-without-aliases",
        ),
        pytest.param(
            "    default_root_object: index.html\n",
            "    default_root_object: index.html\n    geo_restriction: {type: whitelist, locations: [IE, UK]}\n",
            "7:56: error: distributions.0.geo_restriction.locations.1: 'UK' is not an ISO 3166-1 alpha-2 country "
            "code; did you mean GB?",
            id="geo-uk",
        ),
        pytest.param(
            "    default_root_object: index.html\n",
            "    default_root_object: index.html\n    geo_restriction: {type: blacklist, locations: [QQ]}\n",
            "'QQ' is not an ISO 3166-1 alpha-2 country code; use the two-letter",
            id="geo-unassigned",
        ),
    ],
)
def test_bad_edge_spec_gives_located_line(edge_spec: Callable[[str], Path], old: str, new: str, expected: str) -> None:
    assert old in EDGE_SPEC
    lines = errors_of(edge_spec(EDGE_SPEC.replace(old, new, 1)))
    assert any(expected in line for line in lines), lines


def _write_key(spec: Path, content: bytes) -> None:
    (spec.parent / "keys" / "k1.pub.pem").write_bytes(content)


def test_private_key_is_refused_without_echoing_it(
    edge_spec: Callable[[str], Path], rsa_2048: rsa.RSAPrivateKey
) -> None:
    spec = edge_spec(EDGE_SPEC)
    private = rsa_2048.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.TraditionalOpenSSL, serialization.NoEncryption()
    )
    _write_key(spec, private)
    lines = errors_of(spec)
    assert len(lines) == 1
    assert "'keys/k1.pub.pem' holds a private key; give the public key only" in lines[0]
    body = b"".join(private.splitlines()[1:-1]).decode()
    assert not any(chunk in lines[0] for chunk in (body[:16], body[100:116], "MII"))


@pytest.mark.parametrize(
    ("make", "expected"),
    [
        pytest.param(
            lambda: public_pem(rsa.generate_private_key(public_exponent=65537, key_size=1024)),
            "is an RSA 1024-bit key; CloudFront takes RSA 2048-bit keys only",
            id="rsa-1024",
        ),
        pytest.param(
            lambda: public_pem(ec.generate_private_key(ec.SECP256R1())),
            "is not an RSA key",
            id="ec",
        ),
        pytest.param(
            lambda: b"-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n",
            "is not a PEM public key",
            id="malformed",
        ),
        pytest.param(lambda: b"ssh-rsa AAAAB3NzaC1yc2E user@host\n", "is not a PEM public key", id="ssh-format"),
    ],
)
def test_unusable_public_keys(edge_spec: Callable[[str], Path], make: Callable[[], bytes], expected: str) -> None:
    spec = edge_spec(EDGE_SPEC)
    _write_key(spec, make())
    lines = errors_of(spec)
    assert any("key_groups.0.public_keys.0.pem_file: " in line and expected in line for line in lines), lines


def test_function_over_10_kb_is_refused(edge_spec: Callable[[str], Path]) -> None:
    spec = edge_spec(EDGE_SPEC)
    (spec.parent / "functions" / "rewrite.js").write_text("//" + "x" * 10 * 1024 + "\n")
    assert any("over 10 KB, the CloudFront Functions limit" in line for line in errors_of(spec))


def test_strict_response_headers_is_a_choice(write_spec: Callable[[str], Path]) -> None:
    spec = MINIMAL_SPEC.replace(
        "{path: default, origin: assets}", "{path: default, origin: assets, response_headers: strict}"
    )
    assert load_spec(write_spec(spec)).spec.distributions[0].behaviors[0].response_headers == "strict"
