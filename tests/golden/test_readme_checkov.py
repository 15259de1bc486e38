"""The checkov command README.md gives passes on every example's committed render, run exactly as written."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from tests.conftest import EXAMPLES, REPO

CASES = sorted(p.parent for p in EXAMPLES.glob("*/spec.yaml"))
TREE = "infra/"


def readme_checkov_command() -> str:
    """The one `checkov -d infra/ ...` line of README.md's shell blocks."""
    blocks = re.findall(r"```sh\n(.*?)```", (REPO / "README.md").read_text(encoding="utf-8"), re.S)
    lines = [line for block in blocks for line in block.splitlines() if line.startswith(f"checkov -d {TREE} ")]
    assert len(lines) == 1, lines
    return lines[0]


def test_the_command_works_offline() -> None:
    # Without it checkov asks Prisma Cloud for guidelines and prints a traceback offline.
    assert "--skip-download" in readme_checkov_command().split()


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_readme_checkov_command_passes_on_the_committed_render(case: Path) -> None:
    command = readme_checkov_command().replace(f"-d {TREE} ", f"-d {case / 'generated'}/ ", 1)
    # `checkov` and `python` are the ones installed with cfgen, as for a user in its venv.
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"}
    done = subprocess.run(["bash", "-c", command], capture_output=True, text=True, env=env, timeout=600)
    output = done.stdout + done.stderr
    assert done.returncode == 0, output[-3000:]
    assert "Traceback" not in output, output[-3000:]
    assert re.search(r"Passed checks: [1-9]", output), output[-3000:]
