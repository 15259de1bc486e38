"""Rules on the files a spec names (public keys, function code), relative to the spec's folder.

Key material is never echoed: messages name the file and what is wrong with it.
A spec may come from a pull request, and what these files hold is copied into
the render (and published, for function code): so a name must resolve,
symlinks included, inside the spec's folder, and only a regular file of at
most the size AWS accepts is read, opened without blocking (a FIFO or a
device is refused, never waited on).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPublicKey

from .._regular import NotRegular, read_limited
from .models import Spec

__all__ = ["MAX_FUNCTION_BYTES", "check", "function_code", "public_key_pem"]

Problem = tuple[tuple[str | int, ...], str]

# CloudFront Functions: the code may be 10 KB at most (a quota that cannot be raised).
MAX_FUNCTION_BYTES = 10 * 1024
# Far above any PEM public key; stops a wrong path (a video, a tarball) being read whole.
_MAX_PEM_BYTES = 16 * 1024
_PUBOUT = "openssl rsa -in private.pem -pubout -out public.pem"


class FileProblem(ValueError):
    """A file the spec names cannot be used; the message says why, without its content."""


def check(spec: Spec, base_dir: Path) -> Iterator[Problem]:
    """Every problem with the files ``spec`` names."""
    for i, dist in enumerate(spec.distributions):
        for j, group in enumerate(dist.key_groups):
            for k, key in enumerate(group.public_keys):
                try:
                    public_key_pem(base_dir, key.pem_file)
                except FileProblem as exc:
                    yield ("distributions", i, "key_groups", j, "public_keys", k, "pem_file"), str(exc)
        for j, function in enumerate(dist.functions):
            try:
                function_code(base_dir, function.code)
            except FileProblem as exc:
                yield ("distributions", i, "functions", j, "code"), str(exc)


def public_key_pem(base_dir: Path, name: str) -> str:
    """The RSA 2048-bit public key in ``name``, re-encoded as canonical SubjectPublicKeyInfo PEM."""
    data = _read(base_dir, name, _MAX_PEM_BYTES)
    if len(data) > _MAX_PEM_BYTES:
        raise FileProblem(f"'{name}' is over 16 KB; a PEM public key is about 450 bytes: check the path")
    if b"PRIVATE KEY" in data:
        raise FileProblem(
            f"'{name}' holds a private key; give the public key only ({_PUBOUT}) and keep the private key "
            "out of the spec's folder and out of git"
        )
    try:
        key = serialization.load_pem_public_key(data)
    except (ValueError, TypeError):
        raise FileProblem(
            f"'{name}' is not a PEM public key (expected -----BEGIN PUBLIC KEY-----; make one with {_PUBOUT})"
        ) from None
    except Exception:  # cryptography raises backend-specific errors on some malformed inputs
        raise FileProblem(f"'{name}' is not a readable PEM public key; make one with {_PUBOUT}") from None
    if not isinstance(key, RSAPublicKey):
        raise FileProblem(f"'{name}' is not an RSA key; CloudFront signed URLs take RSA 2048-bit keys only")
    if key.key_size != 2048:
        raise FileProblem(
            f"'{name}' is an RSA {key.key_size}-bit key; CloudFront takes RSA 2048-bit keys only "
            "(openssl genrsa -out private.pem 2048)"
        )
    return key.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo).decode()


def function_code(base_dir: Path, name: str) -> str:
    """The JavaScript of a CloudFront Function, checked against CloudFront's size quota."""
    data = _read(base_dir, name, MAX_FUNCTION_BYTES)
    if len(data) > MAX_FUNCTION_BYTES:
        raise FileProblem(f"'{name}' is over 10 KB, the CloudFront Functions limit; minify it or move logic out")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise FileProblem(f"'{name}' is not UTF-8 text; give the function's JavaScript source") from None
    if not text.strip():
        raise FileProblem(f"'{name}' is empty; a function needs a `function handler(event)`")
    return text if text.endswith("\n") else text + "\n"


def _read(base_dir: Path, name: str, limit: int) -> bytes:
    if "\0" in name:
        raise FileProblem(f"'{name}' holds a NUL character; name a file in the spec's folder")
    if Path(name).is_absolute():
        raise FileProblem(f"'{name}' is an absolute path; give a path relative to the spec's folder, inside it")
    root = base_dir.resolve()
    try:
        target = (root / name).resolve()
    except (OSError, RuntimeError):  # a symlink loop
        raise FileProblem(f"'{name}' cannot be resolved (a symlink loop?); name a file in the spec's folder") from None
    if not target.is_relative_to(root):
        raise FileProblem(
            f"'{name}' resolves outside the spec's folder ({root}); cfgen reads only files inside it: "
            "move the file there"
        )
    try:
        return read_limited(target, limit)
    except FileNotFoundError:
        raise FileProblem(f"no such file '{name}' (relative to the spec's folder); check the path") from None
    except NotRegular as exc:
        raise FileProblem(f"'{name}' is {exc.kind}; name a regular file") from None
    except OSError as exc:
        raise FileProblem(f"cannot read '{name}' ({exc.strerror or exc})") from None
