"""Shared fixtures: small specs built from text, and the repository layout."""

from __future__ import annotations

import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
EXAMPLES = REPO / "examples"

MINIMAL_SPEC = """\
version: 1
project: shop
region: eu-west-1
distributions:
  - name: web
    default_root_object: index.html
    origins:
      - id: assets
        type: s3
        bucket: {name: shop-assets-test}
    behaviors:
      - {path: default, origin: assets}
"""


@pytest.fixture
def write_spec(tmp_path: Path) -> Callable[[str], Path]:
    """Write a spec (dedented) to tmp_path/spec.yaml and return its path."""

    def _write(text: str, name: str = "spec.yaml") -> Path:
        path = tmp_path / name
        path.write_text(textwrap.dedent(text), encoding="utf-8")
        return path

    return _write


@pytest.fixture(scope="session")
def plugin_mirror() -> Path:
    """The stored provider mirror: required in CI, a skip on a laptop without it."""
    import os

    candidate = Path(os.environ.get("CFGEN_PLUGIN_MIRROR", "/opt/tf-plugins"))
    if not (candidate / "registry.terraform.io").is_dir() and not (candidate / "registry.opentofu.org").is_dir():
        if os.environ.get("CI"):
            pytest.fail(f"no provider mirror at {candidate}: set CFGEN_PLUGIN_MIRROR")
        pytest.skip(f"no provider mirror at {candidate}; set CFGEN_PLUGIN_MIRROR to plan")
    return candidate
