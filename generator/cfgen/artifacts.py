"""Built artifacts that cfgen writes into a render: reproducible Lambda deployment zips.

No archive provider is available to the generated Terraform, so cfgen builds
each zip at render time. The bytes depend only on the files' relative paths
and contents: the same source gives the same zip on any machine and at any
time, which keeps the committed render (and ``render --check``) stable and
the function's ``source_code_hash`` unchanged until the code changes.
"""

from __future__ import annotations

import io
import json
import re
import zipfile
from collections.abc import Mapping
from pathlib import Path, PurePosixPath

from ._resources import lambdas_dir
from .errors import RenderError

__all__ = ["EDGE_SIGNER_CONFIG", "edge_signer_config", "lambda_zip"]

# The earliest date a zip entry can carry (DOS time starts in 1980).
_EPOCH = (1980, 1, 1, 0, 0, 0)
# Regular file, rw-r--r--, in the high 16 bits as Unix zip tools expect.
_FILE_MODE = (0o100644 & 0xFFFF) << 16
_CREATE_SYSTEM_UNIX = 3
_COMPRESS_LEVEL = 9
_NAME = re.compile(r"^[a-z][a-z0-9_]*$")
_SKIPPED_DIRS = frozenset({"__pycache__"})
_SKIPPED_SUFFIXES = frozenset({".pyc", ".pyo"})
# A region as AWS names them (eu-west-1, us-gov-west-1, ap-southeast-3) and a
# lowercase DNS name: the edge signer's configuration is checked here, at
# render time, because a Lambda@Edge function that cannot read its own
# configuration fails on every request of the distribution.
_REGION = re.compile(r"^[a-z]{2}(-[a-z]+)+-[0-9]+$")
_HOST = re.compile(r"^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")

#: Where the edge signer reads its configuration, relative to its package.
EDGE_SIGNER_CONFIG = "config.json"


def lambda_zip(name: str, extra_files: Mapping[str, bytes] | None = None) -> bytes:
    """The deployment zip of ``lambdas/<name>/``, byte-for-byte reproducible.

    Entries are ``<name>/<relative path>`` (so the handler is
    ``<name>.<module>.<function>``), sorted, with a fixed timestamp
    (1980-01-01), fixed permissions (0644), no directory entries, and
    DEFLATE at a fixed level. ``__pycache__``, ``.pyc`` files and hidden
    files are left out.

    ``extra_files`` adds files written at render time (a configuration baked
    into the zip, for a function that has no environment variables), by
    relative POSIX path inside the package; they are sorted in with the
    sources. Raises :class:`RenderError` when there is no such function, it
    holds no file, or an extra path is not a plain relative path or names a
    source file.
    """
    if not _NAME.match(name):
        raise RenderError(f"lambda name {name!r} must be a lowercase Python package name (letters, digits, _)")
    root = lambdas_dir() / name
    if not root.is_dir():
        raise RenderError(f"no Lambda source folder {root}: is the cfgen installation complete?")
    entries = {path.relative_to(root).as_posix(): path.read_bytes() for path in _source_files(root)}
    if not entries:
        raise RenderError(f"Lambda source folder {root} holds no file")
    for relative, data in (extra_files or {}).items():
        _check_extra_path(name, relative)
        if relative in entries:
            raise RenderError(f"extra file {relative!r} of Lambda {name!r} would replace the source file of that name")
        entries[relative] = bytes(data)

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=_COMPRESS_LEVEL) as archive:
        for relative in sorted(entries):
            info = zipfile.ZipInfo(f"{name}/{relative}", date_time=_EPOCH)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = _CREATE_SYSTEM_UNIX
            info.external_attr = _FILE_MODE
            archive.writestr(info, entries[relative], compresslevel=_COMPRESS_LEVEL)
    return buffer.getvalue()


def edge_signer_config(region: str, host: str | None = None) -> dict[str, bytes]:
    """The extra files of the ``edge_signer`` zip: its configuration, as ``lambda_zip`` takes them.

    ``region`` is the API's region (the SigV4 scope); ``host``, when known at
    render time (an existing API, or a custom domain), is the only origin
    host the function will sign for. Without it the function signs for the
    host of the origin CloudFront sends the request to. Same arguments, same
    bytes. Raises :class:`RenderError` on a value the function would refuse.
    """
    if not _REGION.match(region):
        raise RenderError(f"edge signer region {region!r} is not an AWS region name such as eu-west-1")
    if host is not None and not _HOST.match(host):
        raise RenderError(f"edge signer host {host!r} must be a lowercase DNS name without scheme, port or path")
    config = {"host": host, "region": region}
    return {EDGE_SIGNER_CONFIG: (json.dumps(config, indent=2, sort_keys=True) + "\n").encode()}


def _check_extra_path(name: str, relative: str) -> None:
    parts = PurePosixPath(relative).parts
    plain = (
        bool(parts)
        and "\\" not in relative
        and not relative.startswith("/")
        and PurePosixPath(*parts).as_posix() == relative
        and not any(part.startswith(".") or part in _SKIPPED_DIRS for part in parts)
    )
    if not plain:
        raise RenderError(
            f"extra file {relative!r} of Lambda {name!r} must be a relative path such as 'config.json' "
            "(no '..', no leading '/' or '.', forward slashes)"
        )


def _source_files(root: Path) -> list[Path]:
    found: list[Path] = []
    for path in root.rglob("*"):
        parts = path.relative_to(root).parts
        if any(part in _SKIPPED_DIRS or part.startswith(".") for part in parts):
            continue
        if path.suffix in _SKIPPED_SUFFIXES or not path.is_file():
            continue
        found.append(path)
    return found
