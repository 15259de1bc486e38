"""Reproducible Lambda zips with files written at render time (the edge signer's baked configuration)."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import pytest

from cfgen.artifacts import EDGE_SIGNER_CONFIG, edge_signer_config, lambda_zip
from cfgen.errors import RenderError


@pytest.fixture
def fn_source(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    source = tmp_path / "fn"
    for name in ("app.py", "pkg/mod.py"):
        (source / name).parent.mkdir(parents=True, exist_ok=True)
        (source / name).write_text(f"# {name}\n")
    monkeypatch.setattr("cfgen.artifacts.lambdas_dir", lambda: tmp_path)
    return source


def _entries(data: bytes) -> dict[str, bytes]:
    archive = zipfile.ZipFile(io.BytesIO(data))
    return {info.filename: archive.read(info) for info in archive.infolist()}


def test_extra_files_are_sorted_in_with_the_sources_and_reproducible(fn_source: Path) -> None:
    extra = {"config.json": b'{"a": 1}\n', "pkg/data.txt": b"x"}

    first = lambda_zip("fn", extra)
    second = lambda_zip("fn", dict(reversed(list(extra.items()))))

    assert first == second, "the order extra files are given in does not change the bytes"
    archive = zipfile.ZipFile(io.BytesIO(first))
    assert archive.namelist() == ["fn/app.py", "fn/config.json", "fn/pkg/data.txt", "fn/pkg/mod.py"]
    assert {info.date_time for info in archive.infolist()} == {(1980, 1, 1, 0, 0, 0)}
    assert {info.external_attr >> 16 for info in archive.infolist()} == {0o100644}
    assert archive.read("fn/config.json") == b'{"a": 1}\n'


def test_extra_file_content_changes_the_zip_and_nothing_else_does(fn_source: Path) -> None:
    base = lambda_zip("fn", {"config.json": b"1"})

    assert lambda_zip("fn", {"config.json": b"2"}) != base
    assert _entries(lambda_zip("fn", {"config.json": b"2"}))["fn/app.py"] == _entries(base)["fn/app.py"]
    assert lambda_zip("fn") != base
    assert lambda_zip("fn", {}) == lambda_zip("fn") == lambda_zip("fn", None)


@pytest.mark.parametrize(
    "path",
    [
        "../escape.py",
        "/abs.json",
        "a/../b.json",
        "./config.json",
        "a//b.json",
        "a/",
        "",
        ".env",
        "a\\b.json",
        "__pycache__/x.pyc",
        "pkg/.hidden",
    ],
)
def test_extra_file_paths_must_be_plain_relative_paths(fn_source: Path, path: str) -> None:
    with pytest.raises(RenderError, match="must be a relative path"):
        lambda_zip("fn", {path: b"x"})


def test_an_extra_file_never_replaces_a_source_file(fn_source: Path) -> None:
    with pytest.raises(RenderError, match="would replace the source file"):
        lambda_zip("fn", {"pkg/mod.py": b"evil = True\n"})


def test_edge_signer_config_is_stable_json() -> None:
    files = edge_signer_config("eu-west-1", "abc123defg.execute-api.eu-west-1.amazonaws.com")

    assert list(files) == [EDGE_SIGNER_CONFIG] == ["config.json"]
    assert json.loads(files["config.json"]) == {
        "host": "abc123defg.execute-api.eu-west-1.amazonaws.com",
        "region": "eu-west-1",
    }
    assert files == edge_signer_config("eu-west-1", "abc123defg.execute-api.eu-west-1.amazonaws.com")
    assert json.loads(edge_signer_config("us-gov-west-1")["config.json"]) == {"host": None, "region": "us-gov-west-1"}


@pytest.mark.parametrize(
    ("region", "host", "message"),
    [
        ("eu-west", None, "not an AWS region"),
        ("EU-WEST-1", None, "not an AWS region"),
        ("eu-west-1 ", None, "not an AWS region"),
        ("eu-west-1", "https://api.example.com", "lowercase DNS name"),
        ("eu-west-1", "api.example.com:443", "lowercase DNS name"),
        ("eu-west-1", "API.example.com", "lowercase DNS name"),
        ("eu-west-1", "api.example.com/prod", "lowercase DNS name"),
        ("eu-west-1", "", "lowercase DNS name"),
    ],
)
def test_edge_signer_config_refuses_what_the_function_would_refuse(region: str, host: str | None, message: str) -> None:
    with pytest.raises(RenderError, match=message):
        edge_signer_config(region, host)
