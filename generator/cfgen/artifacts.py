"""Built artifacts that cfgen writes into a render: reproducible Lambda deployment zips.

No archive provider is available to the generated Terraform, so cfgen builds
each zip at render time. The bytes depend only on the files' relative paths
and contents: the same source gives the same zip on any machine and at any
time, which keeps the committed render (and ``render --check``) stable and
the function's ``source_code_hash`` unchanged until the code changes.
"""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

from ._resources import lambdas_dir
from .errors import RenderError

__all__ = ["lambda_zip"]

# The earliest date a zip entry can carry (DOS time starts in 1980).
_EPOCH = (1980, 1, 1, 0, 0, 0)
# Regular file, rw-r--r--, in the high 16 bits as Unix zip tools expect.
_FILE_MODE = (0o100644 & 0xFFFF) << 16
_CREATE_SYSTEM_UNIX = 3
_COMPRESS_LEVEL = 9
_NAME = re.compile(r"^[a-z][a-z0-9_]*$")
_SKIPPED_DIRS = frozenset({"__pycache__"})
_SKIPPED_SUFFIXES = frozenset({".pyc", ".pyo"})


def lambda_zip(name: str) -> bytes:
    """The deployment zip of ``lambdas/<name>/``, byte-for-byte reproducible.

    Entries are ``<name>/<relative path>`` (so the handler is
    ``<name>.<module>.<function>``), sorted, with a fixed timestamp
    (1980-01-01), fixed permissions (0644), no directory entries, and
    DEFLATE at a fixed level. ``__pycache__``, ``.pyc`` files and hidden
    files are left out. Raises :class:`RenderError` when there is no such
    function or it holds no file.
    """
    if not _NAME.match(name):
        raise RenderError(f"lambda name {name!r} must be a lowercase Python package name (letters, digits, _)")
    root = lambdas_dir() / name
    if not root.is_dir():
        raise RenderError(f"no Lambda source folder {root}: is the cfgen installation complete?")
    files = sorted(_source_files(root), key=lambda path: path.relative_to(root).as_posix())
    if not files:
        raise RenderError(f"Lambda source folder {root} holds no file")

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=_COMPRESS_LEVEL) as archive:
        for path in files:
            info = zipfile.ZipInfo(f"{name}/{path.relative_to(root).as_posix()}", date_time=_EPOCH)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = _CREATE_SYSTEM_UNIX
            info.external_attr = _FILE_MODE
            archive.writestr(info, path.read_bytes(), compresslevel=_COMPRESS_LEVEL)
    return buffer.getvalue()


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
