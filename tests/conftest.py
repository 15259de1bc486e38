"""Shared fixtures: small specs built from text, and the repository layout."""

from __future__ import annotations

import textwrap
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from tests.plan._plans import Planner

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


@pytest.fixture(scope="session")
def session_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder of this test session that every pytest-xdist worker shares (guard writes with a file lock)."""
    import os

    base = tmp_path_factory.getbasetemp()
    # Each xdist worker has its own base temp inside the session's.
    return base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base


@pytest.fixture(scope="session")
def planner(plugin_mirror: Path, session_dir: Path) -> Planner:
    """One offline plan per tree per test session, shared by the pytest-xdist workers."""
    from tests.plan._plans import Planner

    return Planner(session_dir / "plan-cache", plugin_mirror)


@pytest.fixture
def shared_plans(planner: Planner) -> Iterator[Planner]:
    """Make `cfgen test` (`_service.test`) in this test plan through the session's cache."""
    with planner.shared():
        yield planner
