"""Fixtures of the distribution-wide spec tests: a spec with a key, a function and an origin group."""

from __future__ import annotations

import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa

EDGE_SPEC = """\
version: 1
project: shop
region: eu-west-1
distributions:
  - name: web
    default_root_object: index.html
    key_groups:
      - name: readers
        public_keys: [{name: k1, pem_file: keys/k1.pub.pem}]
    functions:
      - {name: rewrite, code: functions/rewrite.js}
    origins:
      - id: blue
        type: s3
        bucket: {name: shop-blue-test}
      - id: green
        type: s3
        bucket: {name: shop-green-test}
    origin_groups:
      - {id: site, primary: blue, secondary: green}
    behaviors:
      - {path: /private/*, origin: blue, trusted_key_groups: [readers]}
      - {path: default, origin: site, viewer_request: rewrite}
"""


def public_pem(key: rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey) -> bytes:
    return key.public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)


@pytest.fixture(scope="module")
def rsa_2048() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@pytest.fixture
def edge_spec(tmp_path: Path, rsa_2048: rsa.RSAPrivateKey) -> Callable[[str], Path]:
    """Write EDGE_SPEC (after the edit) with a valid key and function next to it."""
    (tmp_path / "keys").mkdir()
    (tmp_path / "keys" / "k1.pub.pem").write_bytes(public_pem(rsa_2048))
    (tmp_path / "functions").mkdir()
    (tmp_path / "functions" / "rewrite.js").write_text("function handler(event) { return event.request; }\n")

    def _write(text: str) -> Path:
        path = tmp_path / "spec.yaml"
        path.write_text(textwrap.dedent(text), encoding="utf-8")
        return path

    return _write
