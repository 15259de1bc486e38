"""`cfgen sign` as a user runs it: a subprocess whose output goes straight into a shell.

No private key is committed: one is generated per module and written to a
temporary folder.
"""

from __future__ import annotations

import base64
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa

KEY_ID = "K2JCJMDEHXQW5F"
URL = "https://d111111abcdef8.cloudfront.net/private/report.pdf"


@pytest.fixture(scope="module")
def rsa_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@pytest.fixture(scope="module")
def key_file(tmp_path_factory: pytest.TempPathFactory, rsa_key: rsa.RSAPrivateKey) -> Path:
    path = tmp_path_factory.mktemp("keys") / "private.pem"
    path.write_bytes(
        rsa_key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    return path


def cfgen(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "cfgen", *args], capture_output=True, text=True, timeout=60)


def sign(key: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return cfgen("sign", *args, "--key-pair-id", KEY_ID, "--private-key", str(key))


def _unb64(value: str) -> bytes:
    return base64.b64decode(value.replace("-", "+").replace("_", "=").replace("~", "/"))


def test_signed_url_is_one_shell_safe_line_that_verifies(key_file: Path, rsa_key: rsa.RSAPrivateKey) -> None:
    result = sign(key_file, URL, "--expires", "+1h")
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    lines = result.stdout.splitlines()
    assert len(lines) == 1 and result.stdout.endswith("\n")
    url = lines[0]
    assert url.startswith(URL + "?Expires=")
    # A shell word without quoting surprises: what `curl "$(cfgen sign ...)"` receives intact.
    assert not any(c in url for c in " \t'\"`$\\")
    query = parse_qs(urlsplit(url).query)
    assert query["Key-Pair-Id"] == [KEY_ID]
    expires = int(query["Expires"][0])
    assert 3500 < expires - datetime.now(UTC).timestamp() <= 3600
    policy = f'{{"Statement":[{{"Resource":"{URL}","Condition":{{"DateLessThan":{{"AWS:EpochTime":{expires}}}}}}}]}}'
    rsa_key.public_key().verify(_unb64(query["Signature"][0]), policy.encode(), padding.PKCS1v15(), hashes.SHA1())


def test_custom_policy_url_carries_the_policy(key_file: Path) -> None:
    result = sign(key_file, URL, "--expires", "+1d", "--ip-range", "192.0.2.0/24")
    assert result.returncode == 0, result.stderr
    query = parse_qs(urlsplit(result.stdout.strip()).query)
    assert b'"AWS:SourceIp":"192.0.2.0/24"' in _unb64(query["Policy"][0])


def test_cookies_are_three_name_value_lines(key_file: Path) -> None:
    result = sign(key_file, "https://d111111abcdef8.cloudfront.net/private/*", "--expires", "+2h", "--cookies")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert [line.split("=", 1)[0] for line in lines] == [
        "CloudFront-Policy",
        "CloudFront-Signature",
        "CloudFront-Key-Pair-Id",
    ]
    assert all(len(line.split("=", 1)[1]) > 0 and " " not in line for line in lines)
    assert lines[2] == f"CloudFront-Key-Pair-Id={KEY_ID}"


def test_canned_cookies_use_expires(key_file: Path) -> None:
    result = sign(key_file, URL, "--expires", "+2h", "--cookies")
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[0].startswith("CloudFront-Expires=")


@pytest.fixture(scope="module")
def bad_keys(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("bad")
    garbage = folder / "garbage.pem"
    garbage.write_text("-----BEGIN PRIVATE KEY-----\nnot base64 at all\n-----END PRIVATE KEY-----\n")
    ec_key = folder / "ec.pem"
    ec_key.write_bytes(
        ec.generate_private_key(ec.SECP256R1()).private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    return {"garbage": garbage, "ec": ec_key, "missing": folder / "nope.pem"}


@pytest.mark.parametrize("kind", ["garbage", "ec", "missing"])
def test_bad_key_is_one_line_exit_2(bad_keys: dict[str, Path], kind: str) -> None:
    result = sign(bad_keys[kind], URL, "--expires", "+1h")
    assert result.returncode == 2, result.stderr
    assert result.stdout == ""
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert result.stderr.startswith("error: ")
    assert "Traceback" not in result.stderr
    assert "not base64" not in result.stderr  # key material is never echoed


@pytest.mark.parametrize(
    ("url", "expires"),
    [
        pytest.param(URL, (datetime.now(UTC) - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%SZ"), id="past-expiry"),
        pytest.param("not a url", "+1h", id="malformed-url"),
        pytest.param("ftp://d111111abcdef8.cloudfront.net/x", "+1h", id="wrong-scheme"),
        pytest.param(URL + "#top", "+1h", id="fragment"),
    ],
)
def test_bad_input_is_one_line_exit_2(key_file: Path, url: str, expires: str) -> None:
    result = sign(key_file, url, "--expires", expires)
    assert result.returncode == 2, result.stderr
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr
