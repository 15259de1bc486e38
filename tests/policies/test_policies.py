"""cfgen's checkov checks (policies/) against pass_*/fail_* fixtures.

Each ``ckv*`` folder holds the fixtures of one check: ``main.tf`` and an
``expected.yaml`` listing every resource the check reports, by result. A folder
may also hold a hand-written ``plan.json`` (``terraform show -json``) with its
results under ``terraform_plan:`` in ``expected.yaml``. The
folder ``s3_oac_stack`` is a root module shaped like cfgen's S3 + OAC output
with failing neighbours; it is scanned as HCL and as the plan JSON of a real
``terraform plan`` against the offline provider (marked ``plan``; deselect with
``-m "not plan"``).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

HERE = Path(__file__).resolve().parent
POLICIES = HERE.parents[1] / "policies"
CHECK_FOLDERS = sorted(p for p in HERE.iterdir() if p.is_dir() and p.name.startswith("ckv"))
PLAN_FOLDERS = [p for p in CHECK_FOLDERS if (p / "plan.json").is_file()]
STACK = HERE / "s3_oac_stack"

# Where the offline hashicorp/aws provider is mirrored on cfgen's machines.
PLUGIN_MIRROR = Path(os.environ.get("CFGEN_TF_PLUGIN_MIRROR", "/opt/tf-plugins"))
OFFLINE_OVERRIDE = """\
provider "aws" {
  region                      = "eu-west-1"
  access_key                  = "mock"
  secret_key                  = "mock"
  skip_credentials_validation = true
  skip_requesting_account_id  = true
  skip_metadata_api_check     = true
  skip_region_validation      = true
}
"""


def _check_ids() -> list[str]:
    """Every check ID shipped in policies/, read from the files themselves."""
    ids: set[str] = set()
    for path in POLICIES.iterdir():
        if path.suffix == ".py" and not path.name.startswith("__"):
            ids.update(re.findall(r'"(CKV2?_CFG_\d+)"', path.read_text()))
        elif path.suffix in (".yaml", ".yml"):
            ids.add(yaml.safe_load(path.read_text())["metadata"]["id"])
    return sorted(ids)


@dataclass(frozen=True)
class Checkov:
    """checkov's in-process API, imported once per session."""

    hcl_runner: Any
    plan_runner: Any
    runner_filter: Any

    def scan_hcl(self, folder: Path, checks: list[str]) -> Any:
        return self.hcl_runner().run(
            root_folder=str(folder),
            external_checks_dir=[str(POLICIES)],
            runner_filter=self.runner_filter(framework=["terraform"], checks=checks),
        )

    def scan_plan(self, plan_json: Path, checks: list[str]) -> Any:
        return self.plan_runner().run(
            root_folder=None,
            files=[str(plan_json)],
            external_checks_dir=[str(POLICIES)],
            runner_filter=self.runner_filter(framework=["terraform_plan"], checks=checks),
        )


@pytest.fixture(scope="session")
def checkov() -> Iterator[Checkov]:
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("CKV_SKIP_PACKAGE_UPDATE_CHECK", "1")  # read when checkov is imported
        from checkov.runner_filter import RunnerFilter
        from checkov.terraform.plan_runner import Runner as PlanRunner
        from checkov.terraform.runner import Runner

        yield Checkov(Runner, PlanRunner, RunnerFilter)


def _results(report: Any, check_id: str) -> dict[str, Any]:
    records = [r for r in report.passed_checks + report.failed_checks if r.check_id == check_id]
    return {
        "pass": sorted(r.resource for r in report.passed_checks if r.check_id == check_id),
        "fail": sorted(r.resource for r in report.failed_checks if r.check_id == check_id),
        "details": {r.resource: " | ".join(r.details) for r in records},
    }


def _assert_matches(got: dict[str, Any], expected: dict[str, Any], where: str) -> None:
    want = {"pass": sorted(expected.get("pass") or []), "fail": sorted(expected.get("fail") or [])}
    assert {"pass": got["pass"], "fail": got["fail"]} == want, where
    for resource, phrase in (expected.get("details") or {}).items():
        assert phrase in got["details"].get(resource, ""), (
            f"{where}: {resource} should explain {phrase!r}, said {got['details'].get(resource)!r}"
        )


# --- one folder per check ---------------------------------------------------


@pytest.mark.parametrize("folder", CHECK_FOLDERS, ids=[p.name for p in CHECK_FOLDERS])
def test_check_on_its_fixtures(checkov: Checkov, folder: Path) -> None:
    check_id = folder.name.upper()
    expected = yaml.safe_load((folder / "expected.yaml").read_text())
    report = checkov.scan_hcl(folder, [check_id])
    _assert_matches(_results(report, check_id), expected, f"{check_id} on {folder.name}/")


@pytest.mark.parametrize("folder", PLAN_FOLDERS, ids=[p.name for p in PLAN_FOLDERS])
def test_check_on_its_plan_fixture(checkov: Checkov, folder: Path) -> None:
    check_id = folder.name.upper()
    expected = yaml.safe_load((folder / "expected.yaml").read_text())["terraform_plan"]
    report = checkov.scan_plan(folder / "plan.json", [check_id])
    _assert_matches(_results(report, check_id), expected, f"{check_id} on {folder.name}/plan.json")


def test_every_check_has_fixtures_that_fail_it() -> None:
    folders = {p.name.upper(): p for p in CHECK_FOLDERS}
    assert sorted(folders) == _check_ids()
    for check_id, folder in folders.items():
        expected = yaml.safe_load((folder / "expected.yaml").read_text())
        sections = {"main.tf": expected}
        if (folder / "plan.json").is_file():
            sections["plan.json"] = expected.get("terraform_plan") or {}
        for fixture, section in sections.items():
            assert section.get("fail"), f"{check_id} has no failing fixture in {fixture}"
            for result in ("pass", "fail"):
                for address in section.get(result) or []:
                    assert address.rsplit(".", 1)[-1].startswith(f"{result}_"), (
                        f"{folder.name}/{fixture}: {address} is listed as {result} but not named {result}_*"
                    )


def test_policies_folder_holds_only_checks() -> None:
    # checkov executes every .py and parses every .yaml/.json it finds there.
    # cfgen_policy_reading.py is the one helper: shared by the S3 policy checks, it registers nothing.
    allowed = {"README.md", "__init__.py", "__pycache__", "cfgen_policy_reading.py"}
    for path in POLICIES.iterdir():
        if path.name in allowed:
            continue
        assert path.suffix in (".py", ".yaml"), f"{path.name} is not a check"
        assert re.search(r"CKV2?_CFG_\d+", path.read_text()), f"{path.name} declares no check"


# --- cfgen's S3 + OAC shape, as HCL and as plan JSON --------------------------


def _stack_expected(framework: str) -> dict[str, dict[str, Any]]:
    expected: dict[str, dict[str, Any]] = yaml.safe_load((STACK / "expected.yaml").read_text())
    return expected[framework]


def test_stack_as_hcl(checkov: Checkov) -> None:
    expected = _stack_expected("terraform")
    report = checkov.scan_hcl(STACK, sorted(expected))
    for check_id, want in expected.items():
        _assert_matches(_results(report, check_id), want, f"{check_id} on HCL")


@pytest.fixture(scope="module")
def stack_plan_json(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """``terraform show -json`` of the stack, planned offline (about 5 s)."""
    binary = shutil.which("terraform")
    if binary is None:
        pytest.skip("terraform is not on PATH: the plan JSON cannot be produced")
    if not (PLUGIN_MIRROR / "registry.terraform.io" / "hashicorp" / "aws").is_dir():
        pytest.skip(f"no hashicorp/aws provider mirror at {PLUGIN_MIRROR} (CFGEN_TF_PLUGIN_MIRROR)")
    work = tmp_path_factory.mktemp("stack")
    root = work / "root"
    shutil.copytree(STACK, root, ignore=shutil.ignore_patterns("expected.yaml"))
    (root / "cfgen_offline_override.tf").write_text(OFFLINE_OVERRIDE)
    tfrc = work / "cli.tfrc"
    tfrc.write_text(
        "provider_installation {\n"
        f'  filesystem_mirror {{\n    path    = "{PLUGIN_MIRROR}"\n'
        '    include = ["registry.terraform.io/hashicorp/aws"]\n  }\n'
        '  direct { exclude = ["registry.terraform.io/hashicorp/aws"] }\n'
        "}\n"
    )
    env = {
        **os.environ,
        "TF_CLI_CONFIG_FILE": str(tfrc),
        "TF_IN_AUTOMATION": "1",
        "TF_INPUT": "0",
        "TF_DATA_DIR": str(work / ".terraform"),
    }
    env.pop("TF_PLUGIN_CACHE_DIR", None)

    def run(*args: str) -> str:
        done = subprocess.run([binary, f"-chdir={root}", *args], env=env, capture_output=True, text=True, check=False)
        assert done.returncode == 0, f"terraform {args[0]} failed:\n{done.stderr}"
        return done.stdout

    run("init", "-input=false", "-no-color", "-backend=false")
    run("plan", "-input=false", "-no-color", "-lock=false", "-refresh=false", "-out=stack.tfplan")
    plan_json = work / "plan.json"
    plan_json.write_text(run("show", "-json", "stack.tfplan"))
    return plan_json


@pytest.mark.plan
def test_stack_as_plan_json(checkov: Checkov, stack_plan_json: Path) -> None:
    expected = _stack_expected("terraform_plan")
    report = checkov.scan_plan(stack_plan_json, sorted(expected))
    for check_id, want in expected.items():
        _assert_matches(_results(report, check_id), want, f"{check_id} on plan JSON")


def test_ckv_cfg_12_knows_the_list_the_spec_allows() -> None:
    """The check cannot import cfgen, so it keeps its own copy of ELB.17's list: the two must agree."""
    from cfgen.spec.vpc_origins import TLS_POLICIES

    text = (POLICIES / "cfgen_lb_listener_tls_policy.py").read_text()
    listed = re.findall(r'"(ELBSecurityPolicy-[^"]+)"', text.split("ELB17_POLICIES = (", 1)[1].split(")", 1)[0])
    assert tuple(listed) == TLS_POLICIES
