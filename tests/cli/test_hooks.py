"""cfgen._hooks, the entry of the pre-commit hooks, on the cases pre-commit's own test does not reach."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from tests.conftest import EXAMPLES

from cfgen import _service
from cfgen._hooks import main

SPEC = EXAMPLES / "s3-oac-basic" / "spec.yaml"


@pytest.fixture
def project(tmp_path: Path) -> Path:
    shutil.copy(SPEC, tmp_path / "spec.yaml")
    _service.render_spec(tmp_path / "spec.yaml", tmp_path / "infra")
    return tmp_path


def test_the_render_is_found_by_its_manifest(project: Path) -> None:
    assert main(["render-check", str(project / "spec.yaml")]) == 0


def test_a_rendered_file_brings_its_spec(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (project / "infra" / "outputs.tf").write_text("# edited\n", encoding="utf-8")
    assert main(["render-check", str(project / "infra" / "outputs.tf"), str(project / "infra" / "main.tf")]) == 1
    err = capsys.readouterr().err
    assert err.count("outputs.tf: changed") == 1


def test_output_names_the_render_folder(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (project / "infra").rename(project / "elsewhere")
    assert main(["render-check", str(project / "spec.yaml")]) == 0  # still found by its manifest
    shutil.rmtree(project / "elsewhere")
    assert main(["render-check", "--output", "generated", str(project / "spec.yaml")]) == 1
    assert "generated/main.tf: missing" in capsys.readouterr().err


def test_no_render_next_to_the_spec_names_the_fix(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    shutil.rmtree(project / "infra")
    assert main(["render-check", str(project / "spec.yaml")]) == 2
    err = capsys.readouterr().err
    assert "no folder next to it holds a render of it" in err and "args: [--output, DIR]" in err


def test_validate_takes_many_specs_and_reports_each(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = project / "bad.yaml"
    bad.write_text(SPEC.read_text().replace("protection: oac", "protection: nope"), encoding="utf-8")
    assert main(["validate", str(project / "spec.yaml"), str(bad)]) == 2
    (line,) = [line for line in capsys.readouterr().err.splitlines() if "error" in line]
    assert line.startswith(f"{bad}:") and "protection" in line


def test_usage(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["lint"]) == 2
    assert "usage:" in capsys.readouterr().err
