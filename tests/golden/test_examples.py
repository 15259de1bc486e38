"""Every example's committed render matches a fresh render, byte for byte.

After an intended change, regenerate with:

    for d in examples/*/; do cfgen render "$d/spec.yaml" -o "$d/generated"; done
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from tests.conftest import EXAMPLES

from cfgen import _service, write
from cfgen.render import render
from cfgen.spec import load_spec

CASES = sorted(p.parent for p in EXAMPLES.glob("*/spec.yaml"))
REGENERATE = 'for d in examples/*/; do cfgen render "$d/spec.yaml" -o "$d/generated"; done'


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_committed_render_is_current(case: Path) -> None:
    loaded = load_spec(case / "spec.yaml")
    rendered = render(loaded)
    extra = _service._manifest_extra(loaded, rendered)
    drift = write.check(case / "generated", rendered.files, extra)
    assert not drift, f"examples/{case.name}/generated is stale ({', '.join(map(str, drift))}); run: {REGENERATE}"


def test_examples_are_terraform_fmt_clean() -> None:
    terraform = shutil.which("terraform") or shutil.which("tofu")
    if terraform is None:
        pytest.skip("needs terraform or tofu on PATH")
    result = subprocess.run(
        [terraform, "fmt", "-check", "-recursive", "-no-color", str(EXAMPLES)],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, f"not fmt clean: {result.stdout}"


def test_there_are_examples() -> None:
    assert len(CASES) >= 2


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_render_names_its_files_from_its_own_folder(case: Path) -> None:
    # A render is also called as a module (a monorepo's root, the fuzz batch plan): `path.root` is then the
    # caller's folder, and a zip or key named from it is not found. `path.module` is the render's own folder.
    rendered = render(load_spec(case / "spec.yaml"))
    uses = [name for name, body in rendered.files.items() if isinstance(body, str) and "path.root" in body]
    assert not uses, f"{', '.join(uses)} name files from path.root; use path.module"
