"""CloudFront signed URLs and signed cookies, with canned and custom policies.

The algorithm is CloudFront's documented one: a policy statement as compact
JSON, signed with RSA PKCS#1 v1.5 over SHA-1, both put in base64 with the
CloudFront-safe alphabet (``+`` -> ``-``, ``=`` -> ``_``, ``/`` -> ``~``).
The policy JSON is byte-for-byte what ``botocore.signers.CloudFrontSigner``
builds, so a URL signed here equals the one the AWS SDK would give.

Every problem a user can cause raises :class:`~cfgen.errors.CfgenError` with
one line that names the fix. Nothing here prints, logs or keeps key material.
"""

from __future__ import annotations

import base64
import ipaddress
import json
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import dsa, ec, ed448, ed25519, padding, rsa
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPrivateKey
from cryptography.hazmat.primitives.asymmetric.types import PrivateKeyTypes

from cfgen.errors import CfgenError, UsageError

__all__ = [
    "Policy",
    "load_private_key",
    "parse_when",
    "sign_url",
    "signed_cookies",
]

# CloudFront key groups take RSA keys of exactly this size (or ECDSA P-256,
# which this module does not implement).
_RSA_KEY_BITS = 2048
# A 2048-bit PEM is under 2 KiB; the cap only stops a wrong --private-key
# (a video, a tarball) from being read into memory whole.
_MAX_KEY_FILE_BYTES = 64 * 1024

# Public key IDs look like K2JCJMDEHXQW5F, legacy key pair IDs like
# APKAEIBAERJR2EXAMPLE: uppercase letters and digits either way.
_KEY_PAIR_ID = re.compile(r"[A-Z0-9]{8,32}")
_UUID = re.compile(r"[0-9a-fA-F]{8}(-[0-9a-fA-F]{4}){3}-[0-9a-fA-F]{12}")
_RESOURCE_SCHEMES = ("http://", "https://", "http*://")
# Query parameters CloudFront strips before it checks the policy: a URL that
# already carries them was signed before and would be signed twice.
_SIGNING_PARAMS = frozenset({"Expires", "Policy", "Signature", "Key-Pair-Id", "Hash-Algorithm"})

_DURATION = re.compile(r"\+?(?:[0-9]+[smhdw])+")
_DURATION_PART = re.compile(r"([0-9]+)([smhdw])")
_UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}
_EPOCH = re.compile(r"[0-9]+")
# An epoch before 2000 is almost always a duration written without its unit.
_EPOCH_FLOOR = 946_684_800
_WHEN_FORMS = "an ISO 8601 time (2026-12-01T00:00:00Z), epoch seconds, or a duration (+1h, +30m, +7d, 3600s)"

_KEY_KINDS: tuple[tuple[type, str], ...] = (
    (dsa.DSAPrivateKey, "DSA"),
    (ed25519.Ed25519PrivateKey, "Ed25519"),
    (ed448.Ed448PrivateKey, "Ed448"),
)

_ENCODED_BY_BROWSERS = frozenset('"<>\\^`{|}')

_CLOUDFRONT_B64 = bytes.maketrans(b"+=/", b"-_~")


@dataclass(frozen=True)
class Policy:
    """What a signature grants: a resource (URL or wildcard pattern) until ``expires``.

    ``starts`` and ``ip_range`` are optional conditions. Building a Policy
    checks the start against the expiry and the IP range; the resource and
    the expiry against ``now`` are checked when signing.
    """

    resource: str
    expires: datetime
    starts: datetime | None = None
    ip_range: str | None = None

    def __post_init__(self) -> None:
        _require_aware(self.expires, "expires")
        if self.starts is not None:
            _require_aware(self.starts, "starts")
        if self.starts is not None and _epoch(self.starts) >= _epoch(self.expires):
            raise UsageError(
                f"start time {_iso(self.starts)} is not before expiry {_iso(self.expires)}; "
                "pass a --starts earlier than --expires"
            )
        if self.ip_range is not None:
            _source_ip(self.ip_range)

    @property
    def is_canned(self) -> bool:
        """True when a canned policy can express this one: no start, no IP range, no ``*``.

        A signed URL also needs the resource to be exactly the URL signed;
        :func:`sign_url` checks that part.
        """
        return self.starts is None and self.ip_range is None and "*" not in self.resource


def load_private_key(path: Path) -> RSAPrivateKey:
    """Read the RSA private key that signs for a CloudFront public key.

    Accepts PEM (PKCS#1 or PKCS#8, unencrypted) and OpenSSH private keys.
    The file is read once into a buffer that is zeroed after parsing; neither
    its bytes nor anything derived from them appear in an error.
    """
    where = _show(str(path))
    buf = bytearray(_MAX_KEY_FILE_BYTES + 1)
    try:
        try:
            with path.open("rb") as fh:
                size = fh.readinto(buf)
        except FileNotFoundError:
            raise CfgenError(
                f"private key file {where} does not exist; pass the path of the PEM private key "
                "whose public key is in your CloudFront key group"
            ) from None
        except IsADirectoryError:
            raise CfgenError(f"private key path {where} is a directory; pass the PEM private key file itself") from None
        except PermissionError:
            raise CfgenError(
                f"cannot read private key file {where} (permission denied); "
                "run as its owner or make it readable by you (chmod 600)"
            ) from None
        except OSError as exc:
            raise CfgenError(f"cannot read private key file {where} ({exc.strerror}); check the path") from None
        if size > _MAX_KEY_FILE_BYTES:
            raise CfgenError(
                f"{where} is over {_MAX_KEY_FILE_BYTES // 1024} KiB, too large to be a private "
                "key; pass the PEM private key file (about 1.7 KiB for RSA 2048)"
            )
        with memoryview(buf)[:size] as data:
            key = _parse_private_key(data, buf, size, where)
    finally:
        buf[:] = bytes(len(buf))
    return _require_rsa_2048(key, where)


def parse_when(text: str, now: datetime) -> datetime:
    """Turn a user's time into an aware UTC datetime.

    Accepts an ISO 8601 time with a zone (``2026-12-01T00:00:00Z``), epoch
    seconds (``1796083200``), or a duration after ``now``: ``+1h``, ``+30m``,
    ``+7d``, ``3600s``, ``+1h30m`` (units s, m, h, d, w; the ``+`` is optional).
    """
    _require_aware(now, "now")
    value = text.strip()
    if _DURATION.fullmatch(value):
        seconds = sum(int(n) * _UNIT_SECONDS[unit] for n, unit in _DURATION_PART.findall(value))
        try:
            return (now + timedelta(seconds=seconds)).astimezone(UTC)
        except OverflowError:
            raise CfgenError(f"duration {_show(value)} is too long; give a shorter one such as +7d") from None
    if _EPOCH.fullmatch(value):
        epoch = int(value)
        if epoch < _EPOCH_FLOOR:
            raise CfgenError(
                f"{_show(value)} read as epoch seconds is before the year 2000; "
                f"for a duration add a unit (+{epoch}s), for a date write 2026-12-01T00:00:00Z"
            )
        try:
            return datetime.fromtimestamp(epoch, UTC)
        except (OverflowError, OSError, ValueError):
            raise CfgenError(f"epoch seconds {_show(value)} is out of range; give {_WHEN_FORMS}") from None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise CfgenError(f"cannot read time {_show(text)}; give {_WHEN_FORMS}") from None
    if moment.tzinfo is None or moment.utcoffset() is None:
        # Guessing local time or UTC would silently move an expiry by hours.
        raise CfgenError(f"time {_show(value)} has no time zone; add Z for UTC or an offset, e.g. 2026-12-01T00:00:00Z")
    return moment.astimezone(UTC)


def sign_url(url: str, *, key_pair_id: str, private_key: RSAPrivateKey, policy: Policy, now: datetime) -> str:
    """Return ``url`` signed for CloudFront under ``policy``.

    A canned policy (``policy.is_canned`` and ``policy.resource == url``) adds
    ``Expires``, ``Signature`` and ``Key-Pair-Id``; any other policy adds
    ``Policy``, ``Signature`` and ``Key-Pair-Id``. The parameters are joined
    with ``&`` when ``url`` already has a query.
    """
    _check_key_pair_id(key_pair_id)
    # The URL first: when the CLI defaults the resource to the URL, the user
    # should read about the URL they typed, not about a "resource".
    _check_url(url)
    _check_resource(policy.resource)
    if not _resource_matches(policy.resource, url):
        raise UsageError(
            f"URL {_show(url)} is not covered by the policy resource {_show(policy.resource)}; "
            "sign a URL under that resource or widen --resource"
        )
    _check_not_expired(policy, now)
    statement = _policy_statement(policy)
    signature = _cloudfront_b64(_sign(private_key, statement))
    if policy.is_canned and policy.resource == url:
        first = f"Expires={_epoch(policy.expires)}"
    else:
        first = f"Policy={_cloudfront_b64(statement)}"
    # Same rule as botocore: any "?" means a query is there already.
    separator = "&" if "?" in url else "?"
    return f"{url}{separator}{first}&Signature={signature}&Key-Pair-Id={key_pair_id}"


def signed_cookies(*, key_pair_id: str, private_key: RSAPrivateKey, policy: Policy, now: datetime) -> dict[str, str]:
    """Return the three CloudFront signed cookies (name -> value) for ``policy``.

    Canned policies give ``CloudFront-Expires``, custom ones ``CloudFront-Policy``;
    both add ``CloudFront-Signature`` and ``CloudFront-Key-Pair-Id``. The values
    use only characters that are valid in a cookie without quoting.
    """
    _check_key_pair_id(key_pair_id)
    _check_resource(policy.resource)
    _check_not_expired(policy, now)
    statement = _policy_statement(policy)
    signature = _cloudfront_b64(_sign(private_key, statement))
    cookies: dict[str, str] = {}
    if policy.is_canned:
        cookies["CloudFront-Expires"] = str(_epoch(policy.expires))
    else:
        cookies["CloudFront-Policy"] = _cloudfront_b64(statement)
    cookies["CloudFront-Signature"] = signature
    cookies["CloudFront-Key-Pair-Id"] = key_pair_id
    return cookies


# --- policy and signature ----------------------------------------------------


def _policy_statement(policy: Policy) -> bytes:
    # Key order and separators follow botocore's CloudFrontSigner.build_policy
    # (DateLessThan, IpAddress, DateGreaterThan), so output is comparable with
    # the SDK; for a canned policy this is also the exact statement CloudFront
    # rebuilds from the request, where order does matter.
    condition: dict[str, dict[str, int | str]] = {"DateLessThan": {"AWS:EpochTime": _epoch(policy.expires)}}
    if policy.ip_range is not None:
        condition["IpAddress"] = {"AWS:SourceIp": _source_ip(policy.ip_range)}
    if policy.starts is not None:
        condition["DateGreaterThan"] = {"AWS:EpochTime": _epoch(policy.starts)}
    statement = {"Statement": [{"Resource": policy.resource, "Condition": condition}]}
    return json.dumps(statement, separators=(",", ":")).encode("ascii")


def _sign(private_key: RSAPrivateKey, message: bytes) -> bytes:
    # SHA-1 is CloudFront's default; SHA-256 needs an extra Hash-Algorithm
    # parameter that botocore does not emit.
    return private_key.sign(message, padding.PKCS1v15(), hashes.SHA1())


def _cloudfront_b64(data: bytes) -> str:
    return base64.b64encode(data).translate(_CLOUDFRONT_B64).decode("ascii")


def _epoch(moment: datetime) -> int:
    # Truncated like botocore's int(datetime2timestamp(...)).
    return int(moment.timestamp())


# --- validation ----------------------------------------------------------------


def _check_not_expired(policy: Policy, now: datetime) -> None:
    _require_aware(now, "now")
    if _epoch(policy.expires) <= now.timestamp():
        raise CfgenError(
            f"expiry {_iso(policy.expires)} is not after the current time {_iso(now)}; pass a later --expires, e.g. +1h"
        )


def _check_key_pair_id(key_pair_id: str) -> None:
    if _KEY_PAIR_ID.fullmatch(key_pair_id):
        return
    if _UUID.fullmatch(key_pair_id):
        raise CfgenError(
            f"key pair id {_show(key_pair_id)} looks like a key group ID; pass the ID of the "
            "public key in that group instead (uppercase, like K2JCJMDEHXQW5F)"
        )
    raise CfgenError(
        f"key pair id {_show(key_pair_id)} is not a CloudFront public key ID; pass the ID shown "
        "under CloudFront > Key management > Public keys (uppercase, like K2JCJMDEHXQW5F)"
    )


def _check_url(url: str) -> None:
    if not _is_plain_ascii(url):
        raise CfgenError(
            f"URL {_show(url)} has characters a browser sends percent-encoded "
            "(spaces, non-ASCII, quotes, <>{}|\\^`); percent-encode them before signing"
        )
    malformed = CfgenError(
        f"URL {_show(url)} is not an http(s) URL with a host; "
        "pass a full URL such as https://d111111abcdef8.cloudfront.net/private/file.mp4"
    )
    try:
        parts = urlsplit(url)
        host = parts.hostname
    except ValueError:
        raise malformed from None
    if parts.scheme not in ("http", "https") or not host:
        raise malformed
    if "#" in url:
        raise CfgenError(f"URL {_show(url)} has a #fragment, which browsers never send; remove it before signing")
    names = {name for name, _ in parse_qsl(parts.query, keep_blank_values=True)}
    already = sorted(names & _SIGNING_PARAMS)
    if already:
        raise CfgenError(
            f"URL {_show(url)} already has {', '.join(already)} in its query; "
            "sign the URL without CloudFront's signing parameters"
        )


def _check_resource(resource: str) -> None:
    rest = next((resource[len(s) :] for s in _RESOURCE_SCHEMES if resource.startswith(s)), None)
    if not _is_plain_ascii(resource) or rest is None or not rest or rest.startswith("/"):
        raise CfgenError(
            f"policy resource {_show(resource)} is not an http(s) URL or pattern with a host; "
            "give one like https://d111111abcdef8.cloudfront.net/private/*"
        )
    if "#" in resource:
        raise CfgenError(f"policy resource {_show(resource)} has a #fragment, which CloudFront never sees; remove it")


def _resource_matches(resource: str, url: str) -> bool:
    """Whether ``url`` is covered by ``resource``: ``*`` is any run of characters, ``?`` one."""
    # A two-pointer glob match that backtracks only to the last "*": at worst
    # len(resource) * len(url) steps, where a regex of many ".*" can blow up.
    r = u = 0
    star, mark = -1, 0
    while u < len(url):
        if r < len(resource) and resource[r] == "*":
            star, mark = r, u
            r += 1
        elif r < len(resource) and resource[r] in ("?", url[u]):
            r += 1
            u += 1
        elif star >= 0:
            mark += 1
            r, u = star + 1, mark
        else:
            return False
    return all(ch == "*" for ch in resource[r:])


def _source_ip(ip_range: str) -> str:
    """The value of AWS:SourceIp for ``ip_range``: a validated IPv4 CIDR."""
    try:
        network = ipaddress.ip_network(ip_range.strip(), strict=True)
    except ValueError:
        try:
            loose = ipaddress.ip_network(ip_range.strip(), strict=False)
        except ValueError:
            raise CfgenError(
                f"IP range {_show(ip_range)} is not a CIDR; give one like 192.0.2.0/24 "
                "or a single address like 192.0.2.10"
            ) from None
        raise CfgenError(f"IP range {_show(ip_range)} has host bits set; did you mean {loose}?") from None
    if network.version != 4:
        # CloudFront evaluates IpAddress against IPv4 viewers only; its docs
        # say to leave IPv6 off a distribution that uses this condition.
        raise CfgenError(
            f"IP range {_show(ip_range)} is IPv6; CloudFront signed policies take an IPv4 range, e.g. 192.0.2.0/24"
        )
    # A bare address becomes /32, as botocore does it.
    return network.with_prefixlen


def _require_aware(moment: datetime, name: str) -> None:
    if moment.tzinfo is None or moment.utcoffset() is None:
        # A programming error, not a user's: the CLI always builds aware times.
        raise ValueError(f"{name} must be a timezone-aware datetime, got {moment!r}")


# --- the key -----------------------------------------------------------------


def _parse_private_key(data: memoryview, buf: bytearray, size: int, where: str) -> PrivateKeyTypes:
    def has(marker: bytes) -> bool:
        return buf.find(marker, 0, size) != -1

    public = has(b"PUBLIC KEY-----") or buf.startswith((b"ssh-", b"ecdsa-sha2-"))
    if public and not has(b"PRIVATE KEY-----"):
        raise CfgenError(
            f"{where} holds a public key; pass the private key file, the one that begins "
            "with -----BEGIN PRIVATE KEY----- or -----BEGIN RSA PRIVATE KEY-----"
        )
    if has(b"-----BEGIN CERTIFICATE-----"):
        raise CfgenError(
            f"{where} is a certificate, not a private key; pass the PEM private key file "
            "whose public key is in your CloudFront key group"
        )
    try:
        if has(b"-----BEGIN OPENSSH PRIVATE KEY-----"):
            return serialization.load_ssh_private_key(data, password=None)
        return serialization.load_pem_private_key(data, password=None)
    except TypeError:
        # cryptography's way of saying "encrypted, and no password given".
        raise CfgenError(
            f"private key {where} is encrypted with a passphrase; write an unencrypted copy "
            "with `openssl pkey -in KEY -out KEY.plain.pem` and pass that"
        ) from None
    except (ValueError, UnsupportedAlgorithm):
        raise CfgenError(
            f"{where} is not a PEM private key; pass the file that begins with "
            "-----BEGIN PRIVATE KEY----- or -----BEGIN RSA PRIVATE KEY-----"
        ) from None


def _require_rsa_2048(key: PrivateKeyTypes, where: str) -> RSAPrivateKey:
    if isinstance(key, rsa.RSAPrivateKey):
        if key.key_size != _RSA_KEY_BITS:
            raise CfgenError(
                f"{where} is an RSA {key.key_size}-bit key; CloudFront key groups take RSA "
                f"{_RSA_KEY_BITS} keys, make one with `openssl genrsa -out private_key.pem 2048`"
            )
        return key
    if isinstance(key, ec.EllipticCurvePrivateKey):
        raise CfgenError(
            f"{where} is an ECDSA key; cfgen sign supports only RSA {_RSA_KEY_BITS} keys, "
            "make one with `openssl genrsa -out private_key.pem 2048`"
        )
    kind = next((name for cls, name in _KEY_KINDS if isinstance(key, cls)), "another type")
    raise CfgenError(
        f"{where} is not an RSA key ({kind}); CloudFront signing needs an RSA {_RSA_KEY_BITS} key, "
        "make one with `openssl genrsa -out private_key.pem 2048`"
    )


# --- formatting ----------------------------------------------------------------


def _is_plain_ascii(text: str) -> bool:
    # A browser percent-encodes these before sending, so CloudFront would
    # compare the policy against a different string from the one signed.
    return text.isascii() and all(" " < ch < "\x7f" and ch not in _ENCODED_BY_BROWSERS for ch in text)


def _show(value: str, limit: int = 80) -> str:
    # repr() keeps a message on one line whatever the input holds.
    shown = repr(value)
    return shown if len(shown) <= limit else shown[: limit - 4] + "...'"


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
