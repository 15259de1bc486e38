"""The writer never loses user work: it touches only files it wrote, unchanged since."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from cfgen import write
from cfgen.errors import WriteError

FILES = {"main.tf": "a\n", "modules/m/main.tf": "b\n"}
EXTRA = {"spec": "spec.yaml", "origins": []}


def test_first_write_creates_files_and_manifest(tmp_path: Path) -> None:
    result = write.write(tmp_path, FILES, EXTRA)
    assert sorted(result.written) == sorted(FILES)
    manifest = json.loads((tmp_path / write.MANIFEST).read_text())
    assert set(manifest["files"]) == set(FILES)
    assert write.check(tmp_path, FILES, EXTRA) == []


def test_rewrite_is_a_no_op(tmp_path: Path) -> None:
    write.write(tmp_path, FILES, EXTRA)
    before = {p: p.stat().st_mtime_ns for p in tmp_path.rglob("*") if p.is_file()}
    result = write.write(tmp_path, FILES, EXTRA)
    assert result.written == [] and sorted(result.unchanged) == sorted(FILES)
    assert before == {p: p.stat().st_mtime_ns for p in tmp_path.rglob("*") if p.is_file()}, "nothing is rewritten"


def test_refuses_to_overwrite_a_file_it_did_not_write(tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_text("mine\n")
    with pytest.raises(WriteError, match="exists and cfgen did not write it"):
        write.write(tmp_path, FILES, EXTRA)
    assert (tmp_path / "main.tf").read_text() == "mine\n"
    assert not (tmp_path / "modules").exists(), "nothing may be written when anything is refused"


def test_refuses_to_overwrite_a_hand_edit_unless_forced(tmp_path: Path) -> None:
    write.write(tmp_path, FILES, EXTRA)
    (tmp_path / "main.tf").write_text("edited\n")
    new = {**FILES, "main.tf": "a2\n"}
    with pytest.raises(WriteError, match=r"changed by hand since cfgen wrote it.*--force"):
        write.write(tmp_path, new, EXTRA)
    assert (tmp_path / "main.tf").read_text() == "edited\n"
    write.write(tmp_path, new, EXTRA, force=True)
    assert (tmp_path / "main.tf").read_text() == "a2\n"


def test_leaves_other_files_alone(tmp_path: Path) -> None:
    (tmp_path / "backend.tf").write_text("terraform {}\n")
    write.write(tmp_path, FILES, EXTRA)
    write.write(tmp_path, {"main.tf": "a\n"}, EXTRA)
    assert (tmp_path / "backend.tf").read_text() == "terraform {}\n"


def test_removes_its_own_stale_files_and_empty_folders(tmp_path: Path) -> None:
    write.write(tmp_path, FILES, EXTRA)
    result = write.write(tmp_path, {"main.tf": "a\n"}, EXTRA)
    assert result.removed == ["modules/m/main.tf"]
    assert not (tmp_path / "modules").exists()


def test_keeps_a_stale_file_edited_by_hand(tmp_path: Path) -> None:
    write.write(tmp_path, FILES, EXTRA)
    (tmp_path / "modules/m/main.tf").write_text("edited\n")
    with pytest.raises(WriteError, match="no longer rendered and was changed by hand"):
        write.write(tmp_path, {"main.tf": "a\n"}, EXTRA)


def test_check_and_diff_name_every_drift(tmp_path: Path) -> None:
    write.write(tmp_path, FILES, EXTRA)
    (tmp_path / "main.tf").write_text("edited\n")
    (tmp_path / "modules/m/main.tf").unlink()
    (tmp_path / "mine.tf").write_text("mine\n")
    drift = write.check(tmp_path, {**FILES, "new.tf": "n\n", "mine.tf": "m\n"}, EXTRA)
    assert {(d.path, d.kind) for d in drift} == {
        ("main.tf", "changed by hand"),
        ("modules/m/main.tf", "missing"),
        ("new.tf", "missing"),
        ("mine.tf", "not written by cfgen"),
        (write.MANIFEST, "outdated"),
    }
    assert [d.path for d in drift if d.by_hand] == ["main.tf", "mine.tf"]
    text = write.diff(tmp_path, FILES, EXTRA)
    assert "-edited\n+a\n" in text and "+++ b/modules/m/main.tf" in text


def test_no_temporary_files_are_left(tmp_path: Path) -> None:
    write.write(tmp_path, FILES, EXTRA)
    assert not [p for p in tmp_path.rglob("*.tmp")] + [p for p in tmp_path.rglob(f"*{write.TMP_SUFFIX}")]
    assert not (tmp_path / write.JOURNAL).exists()


def test_output_path_that_is_a_file(tmp_path: Path) -> None:
    target = tmp_path / "infra"
    target.write_text("x")
    with pytest.raises(WriteError, match="is a file"):
        write.write(target, FILES, EXTRA)


def test_corrupt_manifest_is_one_clear_error(tmp_path: Path) -> None:
    (tmp_path / write.MANIFEST).write_text("{not json")
    with pytest.raises(WriteError, match="unreadable manifest"):
        write.write(tmp_path, FILES, EXTRA)


def test_binary_artifacts_are_written_checked_and_diffed(tmp_path: Path) -> None:
    files = {**FILES, "artifacts/fn.zip": b"PK\x03\x04\xff\x00"}
    write.write(tmp_path, files, EXTRA)
    assert (tmp_path / "artifacts/fn.zip").read_bytes() == b"PK\x03\x04\xff\x00"
    assert write.check(tmp_path, files, EXTRA) == []
    changed = {**files, "artifacts/fn.zip": b"PK\x03\x04\xfe\x00"}
    assert [d.path for d in write.check(tmp_path, changed, EXTRA)] == [
        "artifacts/fn.zip",
        write.MANIFEST,
    ]
    assert "Binary file artifacts/fn.zip differs" in write.diff(tmp_path, changed, EXTRA)


def test_diff_into_a_folder_that_does_not_exist_shows_every_file(tmp_path: Path) -> None:
    text = write.diff(tmp_path / "infra", FILES, EXTRA)
    assert "+++ b/main.tf\n@@ -0,0 +1 @@\n+a\n" in text and f"+++ b/{write.MANIFEST}" in text
    assert not (tmp_path / "infra").exists()
