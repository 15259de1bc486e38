"""The only code that touches the output folder.

cfgen keeps a manifest (``.cfgen-manifest.json``) of every file it wrote and
its hash. From that it knows, without asking, which files it may replace or
delete: its own, unchanged since. A file it did not write, or one edited by
hand since, is never overwritten or deleted unless the user says ``--force``.

The manifest is committed beside the render, so it is input like the spec:
every path in it must resolve (symlinks too) inside the output folder, or
nothing is touched. The same holds for the paths cfgen writes, so that a
symlinked folder cannot lead a write elsewhere. Files are opened without
blocking and only when regular: a FIFO or a device is refused, never waited on.

A render can be interrupted (killed, power lost, disk full) and two renders
can run at once. So a render:

1. takes an exclusive ``flock`` on the folder, or fails at once when another
   render holds it;
2. records in a journal (``.cfgen-journal.json``) every hash each path may
   hold from cfgen (the last manifest's, an interrupted render's, this one's)
   before it writes anything, and makes that durable;
3. writes each file to ``.NAME.cfgen-tmp`` and renames it into place, removes
   stale files, writes the manifest last and then removes the journal.

A later render reads the journal as its own: it finishes what was cut short
without ``--force``, removes the temporary files of the paths it lists, and
still refuses a file whose hash is none that cfgen wrote.
"""

from __future__ import annotations

import contextlib
import difflib
import errno
import fcntl
import hashlib
import json
import os
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from ._regular import NotRegular, open_regular, read_limited
from .errors import WriteError

__all__ = [
    "JOURNAL",
    "MANIFEST",
    "Content",
    "Drift",
    "WriteResult",
    "check",
    "diff",
    "read_manifest",
    "write",
]

MANIFEST = ".cfgen-manifest.json"
JOURNAL = ".cfgen-journal.json"
TMP_SUFFIX = ".cfgen-tmp"
# A manifest of 10,000 files is about 1 MB; anything far larger is not one cfgen wrote.
_MAX_RECORD_BYTES = 16 * 1024 * 1024
# --diff shows text up to this size and names larger files only.
_MAX_DIFF_BYTES = 4 * 1024 * 1024
_SHA256 = frozenset("0123456789abcdef")

# Text for HCL and docs; bytes for built artifacts (a reproducible Lambda zip).
Content = str | bytes


@dataclass(frozen=True)
class Drift:
    """One file whose content on disk differs from the render."""

    path: str
    # "missing"; "outdated" (an older render of cfgen's); "changed by hand"; "not written by cfgen";
    # "stale" (cfgen wrote it, the render no longer has it); "stale, changed by hand".
    kind: str

    @property
    def by_hand(self) -> bool:
        """Whether a person's work is in the way: a plain render would refuse it."""
        return self.kind in ("changed by hand", "not written by cfgen", "stale, changed by hand")

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
    """The manifest in ``out_dir``, or an empty one when cfgen never wrote there; every path checked."""
    data = _read_record(out_dir, MANIFEST)
    files = data.get("files", {})
    if not isinstance(files, dict) or not all(_is_digest(h) for h in files.values()):
        raise WriteError(f"{out_dir / MANIFEST}: not a cfgen manifest; {_RESTORE}")
    _confine(out_dir, files, out_dir / MANIFEST)
    return data


def write(out_dir: Path, files: Mapping[str, Content], extra: Mapping[str, Any], *, force: bool = False) -> WriteResult:
    """Bring ``out_dir`` to ``files``; refuse (before writing anything) to lose user work."""
    if out_dir.exists() and not out_dir.is_dir():
        raise WriteError(f"{out_dir} is a file; render into a folder")
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise WriteError(f"cannot create {out_dir}: {exc.strerror or exc}") from None
    with _locked(out_dir, exclusive=True):
        return _write_locked(out_dir, files, extra, force=force)


def check(out_dir: Path, files: Mapping[str, Content], extra: Mapping[str, Any]) -> list[Drift]:
    """Files that differ between ``out_dir`` and the render, manifest included."""
    if not out_dir.is_dir():
        return [Drift(rel, "missing") for rel in [*files, MANIFEST]]
    with _locked(out_dir, exclusive=False):
        return _check_locked(out_dir, files, extra)


def diff(out_dir: Path, files: Mapping[str, Content], extra: Mapping[str, Any]) -> str:
    """A unified diff from what is on disk to the render (binary and very large files named only)."""
    expected: dict[str, Content] = {**files, MANIFEST: manifest_text(files, extra)}
    if not out_dir.is_dir():
        return _diff(out_dir, check(out_dir, files, extra), expected)
    with _locked(out_dir, exclusive=False):
        return _diff(out_dir, _check_locked(out_dir, files, extra), expected)


def _diff(out_dir: Path, drift: list[Drift], expected: Mapping[str, Content]) -> str:
    chunks = []
    for item in drift:
        raw = _read_for_diff(out_dir / item.path) if item.kind != "missing" else b""
        if raw is None:
            chunks.append(f"File {item.path} differs (over {_MAX_DIFF_BYTES >> 20} MiB, not shown)\n")
            continue
        old, new = _text(raw), _text(_bytes(expected.get(item.path, "")))
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


# -- the steps of a write -------------------------------------------------------


@dataclass
class _State:
    """What the folder holds, and every hash cfgen may have left at each path."""

    known: dict[str, set[str]]  # path -> hashes cfgen wrote there (manifest and journal)
    on_disk: dict[str, str | None]  # path -> hash now, None when absent


def _state(out_dir: Path, paths: Iterable[str]) -> _State:
    previous: dict[str, str] = read_manifest(out_dir).get("files", {})
    journal = _read_journal(out_dir)
    known: dict[str, set[str]] = {rel: {digest} for rel, digest in previous.items()}
    for rel, digests in journal.items():
        known.setdefault(rel, set()).update(digests)
    every = {*paths, *known}
    _confine(out_dir, paths, None)
    return _State(known, {rel: _digest_path(out_dir / rel) for rel in sorted(every)})


def _write_locked(out_dir: Path, files: Mapping[str, Content], extra: Mapping[str, Any], *, force: bool) -> WriteResult:
    state = _state(out_dir, files)
    new = {rel: _digest(content) for rel, content in files.items()}
    blocked = []
    for rel in files:
        now = state.on_disk[rel]
        if now is None or now == new[rel]:
            continue
        if rel not in state.known:
            blocked.append(f"{out_dir / rel} exists and cfgen did not write it")
        elif now not in state.known[rel]:
            blocked.append(f"{out_dir / rel} was changed by hand since cfgen wrote it")
    stale = sorted(set(state.known) - set(files))
    for rel in stale:
        now = state.on_disk[rel]
        if now is not None and now not in state.known[rel]:
            blocked.append(f"{out_dir / rel} is no longer rendered and was changed by hand")
    if blocked and not force:
        more = f" (and {len(blocked) - 1} more)" if len(blocked) > 1 else ""
        raise WriteError(
            f"{blocked[0]}{more}; move your change into the spec, move the file away, or pass --force to overwrite"
        )
    result = WriteResult(
        written=[rel for rel in files if state.on_disk[rel] != new[rel]],
        unchanged=[rel for rel in files if state.on_disk[rel] == new[rel]],
        removed=[rel for rel in stale if state.on_disk[rel] is not None],
    )
    _remove_temporaries(out_dir, [*files, *stale, MANIFEST, JOURNAL])
    if result.written or result.removed:
        # Before anything changes: every hash each path may hold from cfgen, durably.
        journal = {rel: sorted(state.known.get(rel, set()) | {new[rel]}) for rel in files}
        journal.update({rel: sorted(state.known[rel]) for rel in stale})
        _atomic_write(out_dir / JOURNAL, json.dumps({"files": journal}, indent=2, sort_keys=True) + "\n")
        _fsync_dir(out_dir)
    touched = {out_dir}
    for rel in result.written:
        _atomic_write(out_dir / rel, files[rel])
        touched.add((out_dir / rel).parent)
    for rel in result.removed:
        _unlink(out_dir / rel)
        touched.add((out_dir / rel).parent)
        _prune_empty((out_dir / rel).parent, out_dir)
    for folder in sorted(touched):  # the renames are on disk before the manifest says they are
        _fsync_dir(folder)
    manifest = manifest_text(files, extra)
    if _digest_path(out_dir / MANIFEST) != _digest(manifest):  # an unchanged render changes nothing at all
        _atomic_write(out_dir / MANIFEST, manifest)
    _unlink(out_dir / JOURNAL)
    _fsync_dir(out_dir)
    return result


def _check_locked(out_dir: Path, files: Mapping[str, Content], extra: Mapping[str, Any]) -> list[Drift]:
    state = _state(out_dir, files)
    drift = []
    manifest_now = _digest_path(out_dir / MANIFEST)
    for rel, digest in [*((r, _digest(c)) for r, c in files.items()), (MANIFEST, _digest(manifest_text(files, extra)))]:
        now = manifest_now if rel == MANIFEST else state.on_disk[rel]
        if now is None:
            drift.append(Drift(rel, "missing"))
        elif now != digest:
            drift.append(Drift(rel, _kind(rel, now, state)))
    for rel in sorted(set(state.known) - set(files)):
        now = state.on_disk[rel]
        if now is not None:
            drift.append(Drift(rel, "stale" if now in state.known[rel] else "stale, changed by hand"))
    return drift


def _kind(rel: str, now: str, state: _State) -> str:
    if rel == MANIFEST:
        return "outdated"
    if rel not in state.known:
        return "not written by cfgen"
    return "outdated" if now in state.known[rel] else "changed by hand"


# -- records: manifest and journal ------------------------------------------------

_RESTORE = "restore it from git (it is committed with the render), or delete it and render again with --force"


def _read_record(out_dir: Path, name: str) -> dict[str, Any]:
    path = out_dir / name
    what = "manifest" if name == MANIFEST else "journal"
    try:
        raw = read_limited(path, _MAX_RECORD_BYTES)
    except FileNotFoundError:
        return {}
    except NotRegular as exc:
        raise WriteError(f"{path} is {exc.kind}, not a cfgen {what}; move it away and render again") from None
    except OSError as exc:
        raise WriteError(f"{path}: cannot read it ({exc.strerror or exc}); fix its permissions or {_RESTORE}") from None
    try:
        data = json.loads(raw.decode("utf-8")) if len(raw) <= _MAX_RECORD_BYTES else None
    except (ValueError, RecursionError) as exc:
        raise WriteError(f"{path}: unreadable {what} ({type(exc).__name__}); {_RESTORE}") from None
    if not isinstance(data, dict):
        raise WriteError(f"{path}: not a cfgen {what}; {_RESTORE}")
    return data


def _read_journal(out_dir: Path) -> dict[str, list[str]]:
    files = _read_record(out_dir, JOURNAL).get("files", {})
    if not isinstance(files, dict) or not all(
        isinstance(v, list) and all(_is_digest(h) for h in v) for v in files.values()
    ):
        raise WriteError(f"{out_dir / JOURNAL}: not a cfgen journal; delete it and render again")
    _confine(out_dir, files, out_dir / JOURNAL)
    return files


def _confine(out_dir: Path, paths: Iterable[object], record: Path | None) -> None:
    """Every path relative, plain and resolving (symlinks too) inside ``out_dir``; else nothing is touched."""
    root = out_dir.resolve()
    for rel in paths:
        problem = _path_problem(root, rel)
        if problem:
            source = f"{record}: entry {rel!r}" if record else f"{out_dir / str(rel)}"
            fix = _RESTORE if record else "move it away (a symlink must not lead out of the folder)"
            raise WriteError(f"{source} {problem}; cfgen writes only inside {out_dir}: {fix}")


def _path_problem(root: Path, rel: object) -> str | None:
    if not isinstance(rel, str) or not rel or "\0" in rel or "\\" in rel:
        return "is not a relative path"
    pure = PurePosixPath(rel)
    if pure.is_absolute() or any(part in ("", ".", "..") for part in rel.split("/")):
        return "is not a plain relative path (absolute, or with . or ..)"
    if pure.name in (MANIFEST, JOURNAL) or pure.name.endswith(TMP_SUFFIX):
        return "names a file cfgen keeps for itself"
    try:
        resolved = (root / pure).resolve()
    except (OSError, RuntimeError):
        return "cannot be resolved (a symlink loop?)"
    return None if resolved.is_relative_to(root) and resolved != root else "resolves outside the output folder"


def _is_digest(value: object) -> bool:
    return isinstance(value, str) and len(value) == 64 and set(value) <= _SHA256


# -- the file system -------------------------------------------------------------


@contextlib.contextmanager
def _locked(out_dir: Path, *, exclusive: bool) -> Iterator[None]:
    """An flock on the folder: one render writes at a time; --check and --diff read a settled tree."""
    try:
        fd = os.open(out_dir, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0) | getattr(os, "O_CLOEXEC", 0))
    except OSError as exc:
        raise WriteError(f"cannot open {out_dir}: {exc.strerror or exc}") from None
    try:
        try:
            fcntl.flock(fd, (fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH) | fcntl.LOCK_NB)
        except BlockingIOError:
            raise WriteError(
                f"another cfgen render is writing {out_dir}; wait for it to finish and run again"
            ) from None
        except OSError as exc:  # a file system without locks; one writer is then the user's promise
            if exc.errno not in (errno.ENOLCK, errno.EOPNOTSUPP, errno.ENOSYS):
                raise WriteError(f"cannot lock {out_dir}: {exc.strerror or exc}") from None
        yield
    finally:
        os.close(fd)


def _digest_path(path: Path) -> str | None:
    """The sha256 of the regular file at ``path``, read in chunks; None when there is none."""
    try:
        fd = open_regular(path)
    except FileNotFoundError:
        return None
    except NotRegular as exc:
        raise WriteError(f"{path} is {exc.kind}; cfgen writes regular files only: move it away") from None
    except OSError as exc:
        if exc.errno == errno.ENOTDIR:  # a file where cfgen needs a folder
            raise WriteError(f"{path}: a parent is a file, not a folder: move it away") from None
        raise WriteError(f"cannot read {path} ({exc.strerror or exc}); fix its permissions or move it away") from None
    digest = hashlib.sha256()
    try:
        with os.fdopen(fd, "rb") as handle:
            for chunk in iter(lambda: handle.read(1 << 20), b""):
                digest.update(chunk)
    except OSError as exc:
        raise WriteError(f"cannot read {path} ({exc.strerror or exc}); fix its permissions or move it away") from None
    return digest.hexdigest()


def _read_for_diff(path: Path) -> bytes | None:
    try:
        data = read_limited(path, _MAX_DIFF_BYTES)
    except FileNotFoundError:
        return b""
    except OSError as exc:
        raise WriteError(f"cannot read {path} ({exc.strerror or exc}); fix its permissions or move it away") from None
    return None if len(data) > _MAX_DIFF_BYTES else data


def _tmp(target: Path) -> Path:
    return target.with_name(f".{target.name}{TMP_SUFFIX}")


def _atomic_write(target: Path, content: Content) -> None:
    tmp = _tmp(target)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_NOFOLLOW", 0), 0o644)
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(_bytes(content))
                handle.flush()
                os.fsync(handle.fileno())
            os.chmod(tmp, 0o644)
            os.replace(tmp, target)
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise
    except OSError as exc:
        raise WriteError(f"cannot write {target}: {exc.strerror or exc}") from None


def _remove_temporaries(out_dir: Path, paths: Iterable[str]) -> None:
    """Temporary files an interrupted render left: their names are cfgen's own, derived from the paths."""
    for rel in paths:
        tmp = _tmp(out_dir / rel)
        if tmp.is_symlink() or tmp.is_file():
            _unlink(tmp)


def _unlink(path: Path) -> None:
    try:
        path.unlink(missing_ok=True)
    except OSError as exc:
        raise WriteError(f"cannot remove {path}: {exc.strerror or exc}") from None


def _fsync_dir(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except OSError:
        return  # removed since (pruned); nothing to make durable
    try:
        os.fsync(fd)
    except OSError:
        pass  # some file systems cannot sync a folder; the rename itself was atomic
    finally:
        os.close(fd)


def _prune_empty(folder: Path, top: Path) -> None:
    with contextlib.suppress(OSError):  # a folder that cannot go stays; the render is complete without it
        while folder != top and folder.is_dir() and not any(folder.iterdir()):
            folder.rmdir()
            folder = folder.parent


def _bytes(content: Content) -> bytes:
    return content.encode("utf-8") if isinstance(content, str) else content


def _text(data: bytes) -> str | None:
    if b"\0" in data:
        return None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return None


def _digest(content: Content) -> str:
    return hashlib.sha256(_bytes(content)).hexdigest()
