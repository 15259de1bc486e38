"""The writer under attack and under faults: a hostile manifest, odd files, failures mid-way, a second writer.

Regression tests of issue 8. The manifest is committed beside the render, so
anyone who can change a pull request can change it; and a render can be cut
short at any point. Kills of a real process are in tests/cli/test_interrupted.py.
"""

from __future__ import annotations

import errno
import fcntl
import hashlib
import json
import os
from collections.abc import Callable
from pathlib import Path

import pytest

from cfgen import write
from cfgen.errors import WriteError

OLD = {"main.tf": "old main\n", "modules/m/main.tf": "old module\n", "gone.tf": "dropped in the new render\n"}
NEW = {"main.tf": "new main\n", "modules/m/main.tf": "new module\n", "modules/n/main.tf": "added\n"}
EXTRA = {"spec": "spec.yaml", "origins": []}


def sha(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def tree(folder: Path) -> dict[str, str]:
    """Every file under ``folder`` with its text: what a reader of the folder sees."""
    return {p.relative_to(folder).as_posix(): p.read_text() for p in sorted(folder.rglob("*")) if p.is_file()}


def fresh(tmp_path: Path, files: dict[str, str]) -> dict[str, str]:
    """What a render of ``files`` into an empty folder gives."""
    clean = tmp_path / "clean"
    write.write(clean, files, EXTRA)
    return tree(clean)


def every_command_refuses(out: Path, match: str) -> None:
    """render (with and without --force), --check and --diff all stop with ``match``."""
    for action in (
        lambda: write.write(out, NEW, EXTRA),
        lambda: write.write(out, NEW, EXTRA, force=True),
        lambda: write.check(out, NEW, EXTRA),
        lambda: write.diff(out, NEW, EXTRA),
    ):
        with pytest.raises(WriteError, match=match):
            action()


# -- the manifest is input --------------------------------------------------------


@pytest.fixture
def victim(tmp_path: Path) -> Path:
    path = tmp_path / "victim.txt"
    path.write_text("precious\n")
    return path


@pytest.mark.parametrize("entry", ["../victim.txt", "ABSOLUTE", "modules/../../victim.txt", "./main.tf", "a//b"])
def test_a_manifest_entry_outside_the_folder_stops_everything(tmp_path: Path, victim: Path, entry: str) -> None:
    out = tmp_path / "infra"
    write.write(out, OLD, EXTRA)
    entry = str(victim) if entry == "ABSOLUTE" else entry
    manifest = json.loads((out / write.MANIFEST).read_text())
    manifest["files"][entry] = sha("precious\n")
    (out / write.MANIFEST).write_text(json.dumps(manifest))
    before = tree(out)
    every_command_refuses(out, r"\.cfgen-manifest\.json: entry .* restore it from git")
    assert victim.read_text() == "precious\n"
    assert tree(out) == before, "nothing is touched"


def test_a_manifest_entry_through_a_symlink_out_is_refused(tmp_path: Path, victim: Path) -> None:
    out = tmp_path / "infra"
    write.write(out, OLD, EXTRA)
    (out / "escape").symlink_to(tmp_path)
    manifest = json.loads((out / write.MANIFEST).read_text())
    manifest["files"]["escape/victim.txt"] = sha("precious\n")
    (out / write.MANIFEST).write_text(json.dumps(manifest))
    with pytest.raises(WriteError, match="resolves outside the output folder"):
        write.write(out, NEW, EXTRA, force=True)
    assert victim.read_text() == "precious\n"


def test_a_symlinked_folder_cannot_lead_a_write_out(tmp_path: Path) -> None:
    out = tmp_path / "infra"
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    out.mkdir()
    (out / "modules").symlink_to(elsewhere)
    with pytest.raises(WriteError, match=r"modules/m/main.tf resolves outside the output folder"):
        write.write(out, NEW, EXTRA, force=True)
    assert list(elsewhere.iterdir()) == []


@pytest.mark.parametrize(
    "manifest",
    [
        "[1, 2]",
        '{"files": []}',
        '{"files": {"main.tf": "not a hash"}}',
        '{"files": {"main.tf": 7}}',
        '{"files": {".cfgen-journal.json": "' + "0" * 64 + '"}}',
        "[" * 100_000,
    ],
    ids=["list", "files-list", "bad-hash", "number-hash", "own-record", "deep-json"],
)
def test_a_malformed_manifest_is_one_clear_error(tmp_path: Path, manifest: str) -> None:
    (tmp_path / write.MANIFEST).write_text(manifest)
    with pytest.raises(WriteError, match=r"\.cfgen-manifest\.json"):
        write.write(tmp_path, NEW, EXTRA)


# -- files that are not plain files ------------------------------------------------


@pytest.mark.parametrize("make", ["fifo", "folder"])
def test_a_non_regular_file_where_cfgen_writes_is_refused_without_blocking(tmp_path: Path, make: str) -> None:
    target = tmp_path / "main.tf"
    os.mkfifo(target) if make == "fifo" else target.mkdir()
    kind = "a FIFO" if make == "fifo" else "a folder"
    for action in (lambda: write.write(tmp_path, NEW, EXTRA, force=True), lambda: write.check(tmp_path, NEW, EXTRA)):
        with pytest.raises(WriteError, match=f"main.tf is {kind}; cfgen writes regular files only"):
            action()


def test_a_fifo_as_the_manifest_is_refused(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / write.MANIFEST)
    with pytest.raises(WriteError, match="is a FIFO, not a cfgen manifest"):
        write.write(tmp_path, NEW, EXTRA)


def test_an_unreadable_file_is_a_clear_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Mode 000 as root still reads, so the refusal is injected where the writer opens files."""
    write.write(tmp_path, NEW, EXTRA)
    real_open = os.open

    def deny(path: object, flags: int, *args: object) -> int:
        if str(path).endswith("modules/m/main.tf"):
            raise PermissionError(errno.EACCES, "Permission denied", str(path))
        return real_open(path, flags, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(os, "open", deny)
    every_command_refuses(tmp_path, r"cannot read .*modules/m/main.tf \(Permission denied\); fix its")


# -- interrupted renders: failures injected after N renames -----------------------


def _renames(tmp_path: Path) -> int:
    """How many renames a render from OLD to NEW makes (journal, files, manifest)."""
    probe = tmp_path / "probe"
    write.write(probe, OLD, EXTRA)
    count = 0
    real = os.replace

    def counting(src: str, dst: str) -> None:
        nonlocal count
        count += 1
        real(src, dst)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(os, "replace", counting)
        write.write(probe, NEW, EXTRA)
    return count


@pytest.fixture
def fail_at(monkeypatch: pytest.MonkeyPatch) -> Callable[[int], None]:
    """``fail_at(n)``: from now on, the nth rename fails as on a full disk (0: none fails)."""
    at = [0, 0]  # the rename that fails, renames counted since
    real = os.replace

    def failing(src: str, dst: str) -> None:
        at[1] += 1
        if at[1] == at[0]:
            raise OSError(errno.ENOSPC, "No space left on device")
        real(src, dst)

    def arm(n: int) -> None:
        at[:] = [n, 0]

    monkeypatch.setattr(os, "replace", failing)
    return arm


def test_every_failure_point_is_finished_by_the_next_plain_render(
    tmp_path: Path, fail_at: Callable[[int], None]
) -> None:
    total = _renames(tmp_path)
    assert total == 5  # journal, main.tf, modules/m/main.tf, modules/n/main.tf, manifest
    expected = fresh(tmp_path, NEW)
    for n in range(1, total + 1):
        out = tmp_path / f"out{n}"
        write.write(out, OLD, EXTRA)
        fail_at(n)
        with pytest.raises(WriteError, match="No space left on device"):
            write.write(out, NEW, EXTRA)
        fail_at(0)
        write.write(out, NEW, EXTRA)  # no --force
        assert tree(out) == expected, f"failure at rename {n}"
        assert write.check(out, NEW, EXTRA) == []


def test_after_a_failure_the_old_spec_renders_back_without_force(
    tmp_path: Path, fail_at: Callable[[int], None]
) -> None:
    out = tmp_path / "out"
    write.write(out, OLD, EXTRA)
    fail_at(3)  # the journal and main.tf are in place
    with pytest.raises(WriteError):
        write.write(out, NEW, EXTRA)
    fail_at(0)
    write.write(out, OLD, EXTRA)
    assert tree(out) == fresh(tmp_path, OLD)


def test_a_hand_edit_after_a_failure_is_still_refused(tmp_path: Path, fail_at: Callable[[int], None]) -> None:
    out = tmp_path / "out"
    write.write(out, OLD, EXTRA)
    fail_at(3)
    with pytest.raises(WriteError):
        write.write(out, NEW, EXTRA)
    fail_at(0)
    assert (out / "main.tf").read_text() == "new main\n"  # renamed before the failure
    (out / "main.tf").write_text("my edit\n")
    with pytest.raises(WriteError, match=r"main\.tf was changed by hand since cfgen wrote it"):
        write.write(out, NEW, EXTRA)
    assert [(d.path, d.kind) for d in write.check(out, NEW, EXTRA) if d.by_hand] == [("main.tf", "changed by hand")]
    assert (out / "main.tf").read_text() == "my edit\n"


def test_a_second_failure_keeps_what_the_first_knew(tmp_path: Path, fail_at: Callable[[int], None]) -> None:
    """Render NEW is cut short, then render OLD too; the files NEW left are still cfgen's for the next render."""
    out = tmp_path / "out"
    write.write(out, OLD, EXTRA)
    fail_at(5)  # every file of NEW is in place, the manifest is not
    with pytest.raises(WriteError):
        write.write(out, NEW, EXTRA)
    fail_at(2)  # OLD's journal is written, then its first file fails
    with pytest.raises(WriteError):
        write.write(out, OLD, EXTRA)
    assert (out / "modules/n/main.tf").read_text() == "added\n"
    fail_at(0)
    last = {"main.tf": "last\n"}
    write.write(out, last, EXTRA)
    assert tree(out) == fresh(tmp_path, last)


def test_leftover_temporary_files_are_removed(tmp_path: Path, fail_at: Callable[[int], None]) -> None:
    out = tmp_path / "out"
    write.write(out, OLD, EXTRA)
    for rel in ("main.tf", "modules/m/main.tf", write.MANIFEST, write.JOURNAL):
        (out / rel).parent.mkdir(parents=True, exist_ok=True)
        (out / rel).with_name(f".{Path(rel).name}{write.TMP_SUFFIX}").write_text("half written")
    write.write(out, NEW, EXTRA)
    assert tree(out) == fresh(tmp_path, NEW)


# -- two renders at once ------------------------------------------------------------


def test_a_second_render_fails_fast_while_one_writes(tmp_path: Path) -> None:
    write.write(tmp_path, OLD, EXTRA)
    fd = os.open(tmp_path, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)  # what a running render holds
        every_command_refuses(tmp_path, f"another cfgen render is writing {tmp_path}")
    finally:
        os.close(fd)
    assert tree(tmp_path) == fresh(tmp_path / "x", OLD)
