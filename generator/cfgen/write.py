"""The only code that touches the output folder.

cfgen keeps a manifest (``.cfgen-manifest.json``) of every file it wrote and
its hash. From that it knows, without asking, which files it may replace or
delete: its own, unchanged since. A file it did not write, or one edited by
hand since, is never overwritten or deleted unless the user says ``--force``.
Every file is written to a temporary name and renamed into place, and the
manifest last, so an interrupted run leaves either the old or the new file.
"""

from __future__ import annotations

import difflib
import hashlib
import json
import os
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .errors import WriteError

__all__ = ["MANIFEST", "Content", "Drift", "WriteResult", "check", "diff", "read_manifest", "write"]

MANIFEST = ".cfgen-manifest.json"

# Text for HCL and docs; bytes for built artifacts (a reproducible Lambda zip).
Content = str | bytes


@dataclass(frozen=True)
class Drift:
    """One file whose content on disk differs from the render."""

    path: str
    kind: str  # "changed", "missing" or "stale" (cfgen wrote it, the render no longer has it)

    def __str__(self) -> str:
        return f"{self.path}: {self.kind}"


@dataclass
class WriteResult:
    written: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)


def manifest_text(files: Mapping[str, Content], extra: Mapping[str, Any]) -> str:
    """The manifest of a render: deterministic JSON, like every other file."""
    body = {
        "generator": "cfgen",
        **extra,
        "files": {path: _digest(content) for path, content in sorted(files.items())},
    }
    return json.dumps(body, indent=2, sort_keys=True) + "\n"


def read_manifest(out_dir: Path) -> dict[str, Any]:
    """The manifest in ``out_dir``, or an empty one when cfgen never wrote there."""
    path = out_dir / MANIFEST
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except (OSError, ValueError) as exc:
        raise WriteError(f"{path}: unreadable manifest ({exc}); delete it and render again") from None
    if not isinstance(data, dict) or not isinstance(data.get("files", {}), dict):
        raise WriteError(f"{path}: not a cfgen manifest; delete it and render again")
    return data


def write(out_dir: Path, files: Mapping[str, Content], extra: Mapping[str, Any], *, force: bool = False) -> WriteResult:
    """Bring ``out_dir`` to ``files``; refuse (before writing anything) to lose user work."""
    if out_dir.exists() and not out_dir.is_dir():
        raise WriteError(f"{out_dir} is a file; render into a folder")
    previous: dict[str, str] = read_manifest(out_dir).get("files", {})
    blocked: list[str] = []
    for rel in files:
        target = out_dir / rel
        if not target.exists():
            continue
        if rel not in previous:
            blocked.append(f"{target} exists and cfgen did not write it")
        elif _digest_file(target) != previous[rel] and target.read_bytes() != _bytes(files[rel]):
            blocked.append(f"{target} was changed by hand since cfgen wrote it")
    stale = sorted(set(previous) - set(files))
    for rel in stale:
        target = out_dir / rel
        if target.exists() and _digest_file(target) != previous[rel]:
            blocked.append(f"{target} is no longer rendered and was changed by hand")
    if blocked and not force:
        more = f" (and {len(blocked) - 1} more)" if len(blocked) > 1 else ""
        raise WriteError(
            f"{blocked[0]}{more}; move your change into the spec, move the file away, or pass --force to overwrite"
        )
    result = WriteResult()
    for rel, content in files.items():
        target = out_dir / rel
        if target.is_file() and target.read_bytes() == _bytes(content):
            result.unchanged.append(rel)
            continue
        _atomic_write(target, content)
        result.written.append(rel)
    for rel in stale:
        target = out_dir / rel
        if target.exists():
            target.unlink()
            result.removed.append(rel)
            _prune_empty(target.parent, out_dir)
    _atomic_write(out_dir / MANIFEST, manifest_text(files, extra))
    return result


def check(out_dir: Path, files: Mapping[str, Content], extra: Mapping[str, Any]) -> list[Drift]:
    """Files that differ between ``out_dir`` and the render, manifest included."""
    expected: dict[str, Content] = {**files, MANIFEST: manifest_text(files, extra)}
    drift = []
    for rel, content in expected.items():
        target = out_dir / rel
        if not target.is_file():
            drift.append(Drift(rel, "missing"))
        elif target.read_bytes() != _bytes(content):
            drift.append(Drift(rel, "changed"))
    previous = read_manifest(out_dir).get("files", {})
    drift += [Drift(rel, "stale") for rel in sorted(set(previous) - set(files)) if (out_dir / rel).exists()]
    return drift


def diff(out_dir: Path, files: Mapping[str, Content], extra: Mapping[str, Any]) -> str:
    """A unified diff from what is on disk to the render (binary files named only)."""
    expected: dict[str, Content] = {**files, MANIFEST: manifest_text(files, extra)}
    chunks = []
    for item in check(out_dir, files, extra):
        target = out_dir / item.path
        old = _text(target.read_bytes()) if target.is_file() else ""
        new = _text(_bytes(expected.get(item.path, "")))
        if old is None or new is None:
            chunks.append(f"Binary file {item.path} differs\n")
            continue
        chunks.extend(
            difflib.unified_diff(
                old.splitlines(keepends=True),
                new.splitlines(keepends=True),
                fromfile=f"a/{item.path}" if old else "/dev/null",
                tofile=f"b/{item.path}" if item.path in expected else "/dev/null",
            )
        )
    return "".join(chunks)


def _atomic_write(target: Path, content: Content) -> None:
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(_bytes(content))
                handle.flush()
                os.fsync(handle.fileno())
            os.chmod(tmp, 0o644)
            os.replace(tmp, target)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
    except OSError as exc:
        raise WriteError(f"cannot write {target}: {exc.strerror or exc}") from None


def _prune_empty(folder: Path, top: Path) -> None:
    while folder != top and folder.is_dir() and not any(folder.iterdir()):
        folder.rmdir()
        folder = folder.parent


def _bytes(content: Content) -> bytes:
    return content.encode("utf-8") if isinstance(content, str) else content


def _text(data: bytes) -> str | None:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return None


def _digest(content: Content) -> str:
    return hashlib.sha256(_bytes(content)).hexdigest()


def _digest_file(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()
