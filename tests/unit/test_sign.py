"""cfgen.sign: CloudFront signed URLs and cookies, checked three ways.

The signature must verify with the public key over the exact policy bytes,
the URL must equal what botocore's CloudFrontSigner makes from the same
inputs, and the cookies must carry the same policy and signature as the URL.
No private key is committed: one is generated per session and written to
``tmp_path`` by the tests that need a file.
"""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from botocore.signers import CloudFrontSigner
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, padding, rsa

from cfgen.errors import CfgenError, UsageError
from cfgen.sign import Policy, load_private_key, parse_when, sign_url, signed_cookies

KEY_ID = "K2JCJMDEHXQW5F"
NOW = datetime(2026, 1, 1, 12, 0, 0, tzinfo=UTC)
EXPIRES = NOW + timedelta(hours=1)
STARTS = NOW - timedelta(minutes=5)
BASE = "https://d111111abcdef8.cloudfront.net"
URL = f"{BASE}/private/video.mp4"


# --- fixtures and helpers --------------------------------------------------------


@pytest.fixture(scope="session")
def rsa_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@pytest.fixture
def key_file(tmp_path: Path, rsa_key: rsa.RSAPrivateKey) -> Path:
    path = tmp_path / "private_key.pem"
    path.write_bytes(_pem(rsa_key))
    return path


def _pem(
    key: rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey | ed25519.Ed25519PrivateKey,
    fmt: serialization.PrivateFormat = serialization.PrivateFormat.PKCS8,
    encryption: serialization.KeySerializationEncryption | None = None,
) -> bytes:
    return key.private_bytes(serialization.Encoding.PEM, fmt, encryption or serialization.NoEncryption())


def _b64decode(value: str) -> bytes:
    return base64.b64decode(value.translate(str.maketrans("-_~", "+=/")), validate=True)


def _query(url: str) -> dict[str, str]:
    parsed = parse_qs(urlsplit(url).query, keep_blank_values=True, strict_parsing=True)
    assert all(len(v) == 1 for v in parsed.values()), parsed
    return {k: v[0] for k, v in parsed.items()}


def _verify(key: rsa.RSAPrivateKey, message: bytes, signature: str) -> None:
    key.public_key().verify(_b64decode(signature), message, padding.PKCS1v15(), hashes.SHA1())


def _botocore(key: rsa.RSAPrivateKey) -> CloudFrontSigner:
    def rsa_signer(message: bytes) -> bytes:
        return key.sign(message, padding.PKCS1v15(), hashes.SHA1())

    return CloudFrontSigner(KEY_ID, rsa_signer)


def _canned_statement(resource: str, expires: datetime) -> bytes:
    # Written out by hand (not via cfgen) so a change in cfgen's JSON shows.
    epoch = int(expires.timestamp())
    text = (
        '{"Statement":[{"Resource":"' + resource + '",'
        '"Condition":{"DateLessThan":{"AWS:EpochTime":' + str(epoch) + "}}}]}"
    )
    return text.encode()


# --- the key -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("encoding", "fmt"),
    [
        (serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8),
        (serialization.Encoding.PEM, serialization.PrivateFormat.TraditionalOpenSSL),
        (serialization.Encoding.PEM, serialization.PrivateFormat.OpenSSH),
    ],
    ids=["pkcs8", "pkcs1", "openssh"],
)
def test_load_private_key_reads_the_key_in_each_format(
    tmp_path: Path,
    rsa_key: rsa.RSAPrivateKey,
    encoding: serialization.Encoding,
    fmt: serialization.PrivateFormat,
) -> None:
    path = tmp_path / "key"
    path.write_bytes(rsa_key.private_bytes(encoding, fmt, serialization.NoEncryption()))
    loaded = load_private_key(path)
    assert loaded.private_numbers() == rsa_key.private_numbers()


# --- signatures over the exact policy bytes -----------------------------------------


def test_canned_url_signature_verifies_over_the_canned_statement(key_file: Path) -> None:
    key = load_private_key(key_file)
    signed = sign_url(URL, key_pair_id=KEY_ID, private_key=key, policy=Policy(URL, EXPIRES), now=NOW)

    params = _query(signed)
    assert list(params) == ["Expires", "Signature", "Key-Pair-Id"]
    assert params["Expires"] == str(int(EXPIRES.timestamp()))
    assert params["Key-Pair-Id"] == KEY_ID
    _verify(key, _canned_statement(URL, EXPIRES), params["Signature"])


def test_custom_url_signature_verifies_over_the_policy_it_carries(key_file: Path) -> None:
    key = load_private_key(key_file)
    policy = Policy(f"{BASE}/private/*", EXPIRES, starts=STARTS, ip_range="192.0.2.0/24")
    signed = sign_url(URL, key_pair_id=KEY_ID, private_key=key, policy=policy, now=NOW)

    params = _query(signed)
    assert list(params) == ["Policy", "Signature", "Key-Pair-Id"]
    statement = _b64decode(params["Policy"])
    assert not re.search(rb"\s", statement)
    assert json.loads(statement) == {
        "Statement": [
            {
                "Resource": f"{BASE}/private/*",
                "Condition": {
                    "DateLessThan": {"AWS:EpochTime": int(EXPIRES.timestamp())},
                    "IpAddress": {"AWS:SourceIp": "192.0.2.0/24"},
                    "DateGreaterThan": {"AWS:EpochTime": int(STARTS.timestamp())},
                },
            }
        ]
    }
    _verify(key, statement, params["Signature"])


def test_signature_does_not_verify_over_other_bytes(rsa_key: rsa.RSAPrivateKey) -> None:
    # Proves the verification above can fail: one second later is another policy.
    signed = sign_url(URL, key_pair_id=KEY_ID, private_key=rsa_key, policy=Policy(URL, EXPIRES), now=NOW)
    later = _canned_statement(URL, EXPIRES + timedelta(seconds=1))
    with pytest.raises(InvalidSignature):
        _verify(rsa_key, later, _query(signed)["Signature"])


# --- equality with botocore ---------------------------------------------------------

CANNED_URLS = [URL, f"{URL}?quality=hd&lang=en", f"{BASE}/a%20b/file.txt"]


@pytest.mark.parametrize("url", CANNED_URLS)
def test_canned_url_equals_botocore(rsa_key: rsa.RSAPrivateKey, url: str) -> None:
    ours = sign_url(url, key_pair_id=KEY_ID, private_key=rsa_key, policy=Policy(url, EXPIRES), now=NOW)
    theirs = _botocore(rsa_key).generate_presigned_url(url, date_less_than=EXPIRES)
    assert ours == theirs


CUSTOM_CASES = {
    "wildcard": (URL, f"{BASE}/private/*", None, None),
    "starts": (URL, URL, STARTS, None),
    "ip-range": (URL, URL, None, "192.0.2.0/24"),
    "single-ip": (URL, URL, None, "192.0.2.10"),
    "all-conditions": (f"{URL}?a=1", f"{BASE}/*", STARTS, "198.51.100.0/24"),
    "scheme-wildcard": (URL, "http*://d111111abcdef8.cloudfront.net/private/video.???", None, None),
}


@pytest.mark.parametrize(("url", "resource", "starts", "ip"), CUSTOM_CASES.values(), ids=list(CUSTOM_CASES))
def test_custom_url_equals_botocore(
    rsa_key: rsa.RSAPrivateKey,
    url: str,
    resource: str,
    starts: datetime | None,
    ip: str | None,
) -> None:
    policy = Policy(resource, EXPIRES, starts=starts, ip_range=ip)
    ours = sign_url(url, key_pair_id=KEY_ID, private_key=rsa_key, policy=policy, now=NOW)
    signer = _botocore(rsa_key)
    built = signer.build_policy(resource, EXPIRES, date_greater_than=starts, ip_address=ip)
    theirs = signer.generate_presigned_url(url, policy=built)
    assert ours == theirs


# --- cookies ------------------------------------------------------------------------

_COOKIE_SAFE = re.compile(r"[A-Za-z0-9\-_~]+")


def test_canned_cookies_carry_the_url_signature(rsa_key: rsa.RSAPrivateKey) -> None:
    policy = Policy(URL, EXPIRES)
    cookies = signed_cookies(key_pair_id=KEY_ID, private_key=rsa_key, policy=policy, now=NOW)
    params = _query(sign_url(URL, key_pair_id=KEY_ID, private_key=rsa_key, policy=policy, now=NOW))

    assert cookies == {
        "CloudFront-Expires": params["Expires"],
        "CloudFront-Signature": params["Signature"],
        "CloudFront-Key-Pair-Id": KEY_ID,
    }
    assert all(_COOKIE_SAFE.fullmatch(v) for v in cookies.values())
    _verify(rsa_key, _canned_statement(URL, EXPIRES), cookies["CloudFront-Signature"])


def test_custom_cookies_carry_the_url_policy_and_signature(rsa_key: rsa.RSAPrivateKey) -> None:
    policy = Policy(f"{BASE}/private/*", EXPIRES, ip_range="192.0.2.0/24")
    cookies = signed_cookies(key_pair_id=KEY_ID, private_key=rsa_key, policy=policy, now=NOW)
    params = _query(sign_url(URL, key_pair_id=KEY_ID, private_key=rsa_key, policy=policy, now=NOW))

    assert cookies == {
        "CloudFront-Policy": params["Policy"],
        "CloudFront-Signature": params["Signature"],
        "CloudFront-Key-Pair-Id": KEY_ID,
    }
    assert all(_COOKIE_SAFE.fullmatch(v) for v in cookies.values())
    _verify(rsa_key, _b64decode(cookies["CloudFront-Policy"]), cookies["CloudFront-Signature"])


# --- canned or custom ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("policy", "canned"),
    [
        (Policy(URL, EXPIRES), True),
        (Policy(f"{URL}?size=large", EXPIRES), True),
        (Policy(f"{BASE}/private/*", EXPIRES), False),
        (Policy(URL, EXPIRES, starts=STARTS), False),
        (Policy(URL, EXPIRES, ip_range="192.0.2.0/24"), False),
    ],
)
def test_is_canned(policy: Policy, canned: bool) -> None:
    assert policy.is_canned is canned


def test_query_gets_ampersand_and_single_question_mark(rsa_key: rsa.RSAPrivateKey) -> None:
    url = f"{URL}?size=large"
    signed = sign_url(url, key_pair_id=KEY_ID, private_key=rsa_key, policy=Policy(url, EXPIRES), now=NOW)
    assert signed.startswith(f"{url}&Expires=")
    assert signed.count("?") == 1


@pytest.mark.parametrize(
    ("resource", "covered"),
    [
        (f"{BASE}/*", True),
        (f"{BASE}/*/video.mp4", True),
        (f"{BASE}/pri*ate/*.mp4", True),
        (f"{BASE}/private/video.mp?", True),
        (f"{BASE}/private/video.???", True),
        ("http*://d111111abcdef8.cloudfront.net/*", True),
        ("https://*.cloudfront.net/private/*", True),
        (f"{BASE}/private/video.mp4*", True),
        (f"{BASE}/*a*a*a*a*a*a*a*a*a*a*a*a*z", False),
        (f"{BASE}/private/video.mp??", False),
        (f"{BASE}/private/video.mp", False),
        (f"{BASE}/public/*", False),
        ("https://other.cloudfront.net/*", False),
        ("http://d111111abcdef8.cloudfront.net/*", False),
    ],
)
def test_wildcard_resource_coverage(rsa_key: rsa.RSAPrivateKey, resource: str, covered: bool) -> None:
    policy = Policy(resource, EXPIRES)
    if covered:
        signed = sign_url(URL, key_pair_id=KEY_ID, private_key=rsa_key, policy=policy, now=NOW)
        assert signed.startswith(f"{URL}?")
    else:
        with pytest.raises(UsageError, match="is not covered by the policy resource"):
            sign_url(URL, key_pair_id=KEY_ID, private_key=rsa_key, policy=policy, now=NOW)


def test_canned_resource_with_single_char_wildcard_signs_custom(
    rsa_key: rsa.RSAPrivateKey,
) -> None:
    # "?" is CloudFront's one-character wildcard: the resource covers the URL
    # without being it, so only a custom policy can say so.
    policy = Policy(f"{BASE}/private/video.mp?", EXPIRES)
    signed = sign_url(URL, key_pair_id=KEY_ID, private_key=rsa_key, policy=policy, now=NOW)
    assert "Policy" in _query(signed)


# --- errors: one line that names the fix ---------------------------------------------


def _write(tmp_path: Path, data: bytes) -> Path:
    path = tmp_path / "key.pem"
    path.write_bytes(data)
    return path


def _public_pem(key: rsa.RSAPrivateKey, fmt: serialization.PublicFormat) -> bytes:
    encoding = (
        serialization.Encoding.OpenSSH if fmt is serialization.PublicFormat.OpenSSH else serialization.Encoding.PEM
    )
    return key.public_key().public_bytes(encoding, fmt)


KEY_FILE_ERRORS: dict[str, tuple[Callable[[Path, rsa.RSAPrivateKey], Path], str]] = {
    "missing": (lambda tmp, _: tmp / "nope.pem", "does not exist; pass the path"),
    "directory": (lambda tmp, _: tmp, "is a directory; pass the PEM private key file"),
    "public-spki": (
        lambda tmp, k: _write(tmp, _public_pem(k, serialization.PublicFormat.SubjectPublicKeyInfo)),
        "holds a public key; pass the private key file",
    ),
    "public-pkcs1": (
        lambda tmp, k: _write(tmp, _public_pem(k, serialization.PublicFormat.PKCS1)),
        "holds a public key; pass the private key file",
    ),
    "public-openssh": (
        lambda tmp, k: _write(tmp, _public_pem(k, serialization.PublicFormat.OpenSSH)),
        "holds a public key; pass the private key file",
    ),
    "garbage": (
        lambda tmp, _: _write(tmp, b"this is not a key\n\x00\xff"),
        "is not a PEM private key; pass the file that begins with -----BEGIN PRIVATE KEY-----",
    ),
    "der": (
        lambda tmp, k: _write(
            tmp,
            k.private_bytes(
                serialization.Encoding.DER,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            ),
        ),
        "is not a PEM private key",
    ),
    "too-large": (
        lambda tmp, _: _write(tmp, b"A" * 100_000),
        "too large to be a private key; pass the PEM private key file",
    ),
    "encrypted": (
        lambda tmp, k: _write(tmp, _pem(k, encryption=serialization.BestAvailableEncryption(b"secret"))),
        "encrypted with a passphrase; write an unencrypted copy with `openssl pkey",
    ),
    "ecdsa": (
        lambda tmp, _: _write(tmp, _pem(ec.generate_private_key(ec.SECP256R1()))),
        "is an ECDSA key; cfgen sign supports only RSA 2048 keys, make one with `openssl genrsa",
    ),
    "ed25519": (
        lambda tmp, _: _write(tmp, _pem(ed25519.Ed25519PrivateKey.generate())),
        "is not an RSA key (Ed25519); CloudFront signing needs an RSA 2048 key, make one",
    ),
    "rsa-1024": (
        lambda tmp, _: _write(tmp, _pem(rsa.generate_private_key(65537, 1024))),
        "is an RSA 1024-bit key; CloudFront key groups take RSA 2048 keys, make one",
    ),
}


@pytest.mark.parametrize(("make", "fix"), KEY_FILE_ERRORS.values(), ids=list(KEY_FILE_ERRORS))
def test_load_private_key_errors(
    tmp_path: Path,
    rsa_key: rsa.RSAPrivateKey,
    make: Callable[[Path, rsa.RSAPrivateKey], Path],
    fix: str,
) -> None:
    path = make(tmp_path, rsa_key)
    with pytest.raises(CfgenError) as raised:
        load_private_key(path)
    message = str(raised.value)
    assert "\n" not in message
    assert fix in message
    assert raised.value.exit_code == 2
    if path.is_file():
        # Nothing of the file's body may leak into the message.
        body_lines = [ln for ln in path.read_bytes().splitlines() if not ln.startswith(b"-----")]
        assert not any(ln[:16].decode("latin-1") in message for ln in body_lines if len(ln) >= 16)


def _sign(
    key: rsa.RSAPrivateKey,
    url: str = URL,
    *,
    key_pair_id: str = KEY_ID,
    policy: Policy | None = None,
) -> str:
    policy = policy or Policy(url, EXPIRES)
    return sign_url(url, key_pair_id=key_pair_id, private_key=key, policy=policy, now=NOW)


def _cookies(key: rsa.RSAPrivateKey, *, key_pair_id: str = KEY_ID, policy: Policy | None = None) -> dict[str, str]:
    policy = policy or Policy(URL, EXPIRES)
    return signed_cookies(key_pair_id=key_pair_id, private_key=key, policy=policy, now=NOW)


SIGN_ERRORS: dict[str, tuple[Callable[[rsa.RSAPrivateKey], object], str]] = {
    "past-expiry": (
        lambda k: _sign(k, policy=Policy(URL, NOW - timedelta(seconds=1))),
        "is not after the current time 2026-01-01T12:00:00Z; pass a later --expires",
    ),
    "expiry-is-now": (lambda k: _sign(k, policy=Policy(URL, NOW)), "pass a later --expires"),
    "past-expiry-cookies": (
        lambda k: _cookies(k, policy=Policy(URL, NOW - timedelta(days=1))),
        "pass a later --expires",
    ),
    "url-not-a-url": (lambda k: _sign(k, "not a url"), "percent-encode"),
    "url-no-scheme": (lambda k: _sign(k, "d111111abcdef8.cloudfront.net/x"), "pass a full URL"),
    "url-ftp": (lambda k: _sign(k, "ftp://d111111abcdef8.cloudfront.net/x"), "pass a full URL"),
    "url-no-host": (lambda k: _sign(k, "https:///private/x"), "pass a full URL"),
    "url-bad-ipv6": (lambda k: _sign(k, "https://[::1/x"), "pass a full URL"),
    "url-space": (lambda k: _sign(k, f"{BASE}/a b.mp4"), "percent-encode them"),
    "url-quote": (lambda k: _sign(k, f'{BASE}/a"b.mp4'), "percent-encode them"),
    "url-braces": (lambda k: _sign(k, f"{BASE}/a{{b}}.mp4"), "percent-encode them"),
    "url-non-ascii": (lambda k: _sign(k, f"{BASE}/caf\u00e9.mp4"), "percent-encode them"),
    "url-fragment": (lambda k: _sign(k, f"{URL}#t=10"), "remove it before signing"),
    "url-already-signed": (
        lambda k: _sign(k, f"{URL}?Expires=1&Signature=x&Key-Pair-Id={KEY_ID}"),
        "sign the URL without CloudFront's signing parameters",
    ),
    "url-outside-resource": (
        lambda k: _sign(k, f"{BASE}/public/x", policy=Policy(f"{BASE}/private/*", EXPIRES)),
        "sign a URL under that resource or widen --resource",
    ),
    "starts-after-expires": (
        lambda _: Policy(URL, EXPIRES, starts=EXPIRES + timedelta(minutes=1)),
        "pass a --starts earlier than --expires",
    ),
    "starts-equals-expires": (
        lambda _: Policy(URL, EXPIRES, starts=EXPIRES),
        "pass a --starts earlier than --expires",
    ),
    "cidr-garbage": (
        lambda _: Policy(URL, EXPIRES, ip_range="banana"),
        "give one like 192.0.2.0/24",
    ),
    "cidr-prefix": (
        lambda _: Policy(URL, EXPIRES, ip_range="192.0.2.0/33"),
        "give one like 192.0.2.0/24",
    ),
    "cidr-host-bits": (
        lambda _: Policy(URL, EXPIRES, ip_range="192.0.2.1/24"),
        "did you mean 192.0.2.0/24?",
    ),
    "cidr-ipv6": (
        lambda _: Policy(URL, EXPIRES, ip_range="2001:db8::/32"),
        "take an IPv4 range, e.g. 192.0.2.0/24",
    ),
    "resource-no-scheme": (
        lambda k: _cookies(k, policy=Policy("d111111abcdef8.cloudfront.net/*", EXPIRES)),
        "give one like https://d111111abcdef8.cloudfront.net/private/*",
    ),
    "resource-no-host": (
        lambda k: _sign(k, policy=Policy("https:///x/*", EXPIRES)),
        "give one like https://",
    ),
    "resource-fragment": (
        lambda k: _cookies(k, policy=Policy(f"{URL}#t=1", EXPIRES)),
        "has a #fragment, which CloudFront never sees; remove it",
    ),
    "key-id-lowercase": (
        lambda k: _sign(k, key_pair_id="k2jcjmdehxqw5f"),
        "pass the ID shown under",
    ),
    "key-id-empty": (lambda k: _sign(k, key_pair_id=""), "pass the ID shown under"),
    "key-id-spaces": (lambda k: _cookies(k, key_pair_id="K2JC JMDE"), "pass the ID shown under"),
    "key-id-key-group": (
        lambda k: _sign(k, key_pair_id="5c6f2a1e-8d3b-4c1a-9e7f-0a1b2c3d4e5f"),
        "looks like a key group ID; pass the ID of the public key",
    ),
    "key-id-newline": (lambda k: _sign(k, key_pair_id="K2JC\nJMDE"), "pass the ID shown under"),
    "key-id-legacy-ok-but-url-bad": (
        lambda k: _sign(k, "https://", key_pair_id="APKAEIBAERJR2EXAMPLE"),
        "pass a full URL",
    ),
}


@pytest.mark.parametrize(("call", "fix"), SIGN_ERRORS.values(), ids=list(SIGN_ERRORS))
def test_signing_errors(rsa_key: rsa.RSAPrivateKey, call: Callable[[rsa.RSAPrivateKey], object], fix: str) -> None:
    with pytest.raises(CfgenError) as raised:
        call(rsa_key)
    message = str(raised.value)
    assert "\n" not in message
    assert fix in message


def test_naive_datetimes_are_a_programming_error() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        Policy(URL, datetime(2026, 1, 1))
    with pytest.raises(ValueError, match="timezone-aware"):
        parse_when("+1h", datetime(2026, 1, 1))


# --- parse_when -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-12-01T00:00:00Z", datetime(2026, 12, 1, tzinfo=UTC)),
        ("2026-12-01T02:30:00+02:00", datetime(2026, 12, 1, 0, 30, tzinfo=UTC)),
        ("2026-12-01 00:00:00+00:00", datetime(2026, 12, 1, tzinfo=UTC)),
        ("1796083200", datetime(2026, 12, 1, tzinfo=UTC)),
        ("+1h", NOW + timedelta(hours=1)),
        ("+30m", NOW + timedelta(minutes=30)),
        ("+7d", NOW + timedelta(days=7)),
        ("3600s", NOW + timedelta(seconds=3600)),
        ("+2w", NOW + timedelta(weeks=2)),
        ("+1h30m", NOW + timedelta(hours=1, minutes=30)),
        ("  +1h  ", NOW + timedelta(hours=1)),
    ],
)
def test_parse_when(text: str, expected: datetime) -> None:
    parsed = parse_when(text, NOW)
    assert parsed == expected
    assert parsed.tzinfo is UTC


def test_parse_when_relative_is_from_now_in_any_zone() -> None:
    now = datetime(2026, 1, 1, 14, 0, tzinfo=timezone(timedelta(hours=2)))
    assert parse_when("+1h", now) == datetime(2026, 1, 1, 13, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("text", "fix"),
    [
        ("+1x", "give an ISO 8601 time (2026-12-01T00:00:00Z), epoch seconds, or a duration"),
        ("1 hour", "or a duration (+1h"),
        ("-1h", "or a duration (+1h"),
        ("+1.5h", "or a duration (+1h"),
        ("+h", "or a duration (+1h"),
        ("tomorrow", "or a duration (+1h"),
        ("", "or a duration (+1h"),
        ("3600", "for a duration add a unit (+3600s)"),
        ("2026-12-01T00:00:00", "add Z for UTC or an offset"),
        ("2026-12-01", "add Z for UTC or an offset"),
        ("+99999999999d", "give a shorter one such as +7d"),
        ("99999999999999999999", "is out of range; give"),
    ],
)
def test_parse_when_errors(text: str, fix: str) -> None:
    with pytest.raises(CfgenError) as raised:
        parse_when(text, NOW)
    message = str(raised.value)
    assert "\n" not in message
    assert fix in message
