"""README's `cfgen verify` lines and its scheduled workflow use options the command has."""

from __future__ import annotations

import re
import shlex
from typing import Any

import pytest
import typer.main
import yaml
from tests.docs.readme_blocks import README

from cfgen._cli import app

WORKFLOW = re.compile(r"```yaml\n(# \.github/workflows/cfgen-verify\.yml\n.*?)```", re.S)


def _parse(line: str) -> dict[str, Any]:
    """The parameters `cfgen verify` reads from ``line``; an option it does not have raises."""
    words = shlex.split(line.split("#")[0])
    assert words[:2] == ["cfgen", "verify"], line
    group = typer.main.get_command(app)
    parent = group.make_context("cfgen", words[1:])
    command = group.get_command(parent, "verify")
    params: dict[str, Any] = command.make_context("verify", words[2:], parent=parent).params
    return params


def test_the_workflow_runs_verify_on_a_schedule() -> None:
    (text,) = WORKFLOW.findall(README.read_text(encoding="utf-8"))
    workflow = yaml.safe_load(text)
    assert workflow[True]["schedule"][0]["cron"]  # YAML 1.1 reads the key `on` as True
    runs = [step["run"] for step in workflow["jobs"]["verify"]["steps"] if "run" in step]
    (line,) = [run for run in runs if run.startswith("cfgen verify")]
    params = _parse(line)
    assert (params["report_format"], str(params["report_file"])) == ("junit", "cfgen-verify.xml")


@pytest.mark.parametrize(
    "line",
    [line.strip() for line in README.read_text(encoding="utf-8").splitlines() if line.startswith("cfgen verify")],
)
def test_the_loop_ends_with_verify(line: str) -> None:
    assert _parse(line)["directory"] is not None
