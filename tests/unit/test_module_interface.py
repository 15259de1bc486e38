"""Every module cfgen ships reads like one a maintainer would merge.

Each variable has a description and a type, each output a description; each
module pins the same Terraform and provider versions as the root module cfgen
renders (the ones the plan tests run); each README says what the module never
touches. The HCL is read with python-hcl2 (checkov's parser), not with
cfgen's own reader, so a reader bug cannot hide a gap.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import hcl2
import pytest

ROOT = Path(__file__).resolve().parents[2]
MODULES = ROOT / "modules"
MODULE_DIRS = sorted(p for p in MODULES.iterdir() if p.is_dir())
# What a render writes (from cfgen._requirements): any example's versions.tf.
ROOT_VERSIONS = ROOT / "examples" / "s3-oac-basic" / "generated" / "versions.tf"


def _blocks(module: Path, kind: str) -> dict[str, dict[str, Any]]:
    found: dict[str, dict[str, Any]] = {}
    for path in sorted(module.glob("*.tf")):
        for block in hcl2.loads(path.read_text(encoding="utf-8")).get(kind, []):
            found.update(block)
    return found


def _text(body: dict[str, Any], key: str) -> str:
    value = body.get(key, "")
    # python-hcl2 wraps an attribute's value in a list
    return str(value[0] if isinstance(value, list) and value else value).strip()


def _gaps(module: Path) -> list[str]:
    """What the module's variables and outputs lack, one line each."""
    gaps = []
    for name, body in _blocks(module, "variable").items():
        if not _text(body, "description"):
            gaps.append(f"variable {name}: no description")
        if "type" not in body:
            gaps.append(f"variable {name}: no type")
    for name, body in _blocks(module, "output").items():
        if not _text(body, "description"):
            gaps.append(f"output {name}: no description")
    return gaps


@pytest.mark.parametrize("module", MODULE_DIRS, ids=lambda p: p.name)
def test_every_variable_has_a_description_and_a_type_and_every_output_a_description(module: Path) -> None:
    assert _blocks(module, "variable"), f"{module.name} declares no variable: the parser read nothing"
    assert _gaps(module) == []


def test_a_variable_or_output_without_them_is_found(tmp_path: Path) -> None:
    (tmp_path / "variables.tf").write_text(
        'variable "a" {\n  type = string\n}\n\nvariable "b" {\n  description = "B"\n}\n\n'
        'variable "c" {\n  description = ""\n  type        = number\n}\n'
    )
    (tmp_path / "outputs.tf").write_text('output "x" {\n  value = 1\n}\n')
    assert _gaps(tmp_path) == [
        "variable a: no description",
        "variable b: no type",
        "variable c: no description",
        "output x: no description",
    ]


def _constraints(text: str) -> tuple[str, str]:
    version = re.search(r'required_version\s*=\s*"([^"]+)"', text)
    provider = re.search(r'source\s*=\s*"hashicorp/aws"\s*\n\s*version\s*=\s*"([^"]+)"', text)
    assert version and provider, text
    return version.group(1), provider.group(1)


@pytest.mark.parametrize("module", MODULE_DIRS, ids=lambda p: p.name)
def test_each_module_pins_the_versions_the_root_module_pins(module: Path) -> None:
    # The root module's constraints are the tested ones (README: Terraform 1.11,
    # hashicorp/aws 5.100.0, the floor), and a floor OpenTofu 1.6+ also meets.
    want = _constraints(ROOT_VERSIONS.read_text(encoding="utf-8"))
    assert want == (">= 1.6", ">= 5.100.0, < 7.0.0")
    assert _constraints((module / "versions.tf").read_text(encoding="utf-8")) == want


@pytest.mark.parametrize("module", MODULE_DIRS, ids=lambda p: p.name)
def test_each_readme_says_what_the_module_never_touches(module: Path) -> None:
    readme = (module / "README.md").read_text(encoding="utf-8")
    assert re.search(r"\bnever touch(es)?\b", readme), f"{module.name}/README.md: say what the module never touches"
