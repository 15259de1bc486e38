"""The harness against the real binary and the stored aws provider (seconds each)."""

from __future__ import annotations

import json
import logging
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest

from cfgen.errors import CfgenError, ToolError
from cfgen.harness import _terraform as tf
from cfgen.harness._checkov import PARSE_ERROR_ID, run_checkov
from cfgen.harness.results import Finding

MIRROR = Path("/opt/tf-plugins")

pytestmark = pytest.mark.plan


def _binary() -> str:
    try:
        return tf.find_binary(None)
    except CfgenError as exc:
        pytest.skip(f"no terraform or tofu binary: {exc}")


def _mirror() -> Path:
    if not MIRROR.is_dir():
        pytest.skip(f"no provider mirror at {MIRROR} (the plan tests never download providers)")
    return MIRROR


MAIN_TF = """
terraform {
  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = ">= 5.0"
    }
  }
}

provider "aws" {
  region = "eu-west-1"
}

provider "aws" {
  alias  = "us_east_1"
  region = "us-east-1"
}

resource "aws_s3_bucket" "assets" {
  bucket = "cfgen-harness-assets"
}

resource "aws_s3_bucket" "edge" {
  provider = aws.us_east_1
  bucket   = "cfgen-harness-edge"
}
"""


def _write_tree(root: Path, main_tf: str = MAIN_TF) -> Path:
    root.mkdir(parents=True)
    (root / "main.tf").write_text(main_tf, encoding="utf-8")
    return root


def _snapshot(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in root.rglob("*") if p.is_file()}


@pytest.fixture(scope="module")
def planned(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """One offline plan shared by the tests below (a plan costs seconds)."""
    binary, mirror = _binary(), _mirror()
    base = tmp_path_factory.mktemp("plan")
    tree = _write_tree(base / "tree")
    before = _snapshot(tree)
    steps: list[str] = []
    run = tf.PlanRun(
        tree=tree,
        binary=binary,
        work_dir=base / "work",
        plugin_mirror=mirror,
        offline=True,
        progress=steps.append,
    )
    raw = run.run()
    return {"tree": tree, "before": before, "steps": steps, "raw": raw, "run": run}


def test_offline_plan_with_the_mirror_has_the_bucket(planned: dict[str, Any]) -> None:
    resources = planned["raw"]["planned_values"]["root_module"]["resources"]
    by_address = {r["address"]: r for r in resources}
    assert by_address["aws_s3_bucket.assets"]["values"]["bucket"] == "cfgen-harness-assets"
    # the aliased provider got mock credentials too, or this plan would have failed
    assert "aws_s3_bucket.edge" in by_address
    assert planned["steps"] == ["init", "plan", "show"]
    assert json.loads(planned["run"].plan_json_file.read_text(encoding="utf-8")) == planned["raw"]


def test_the_users_tree_is_untouched(planned: dict[str, Any]) -> None:
    tree: Path = planned["tree"]
    assert _snapshot(tree) == planned["before"]
    assert not (tree / ".terraform").exists()
    assert not (tree / ".terraform.lock.hcl").exists()
    assert not (tree / tf.OFFLINE_OVERRIDE_FILE).exists()


def test_a_broken_root_module_gives_a_readable_tool_error(tmp_path: Path) -> None:
    binary, mirror = _binary(), _mirror()
    broken = MAIN_TF + textwrap.dedent(
        """
        resource "aws_s3_bucket" "logs" {
          bucket = aws_s3_bucket.missing.id
        }
        """
    )
    tree = _write_tree(tmp_path / "tree", broken)
    with pytest.raises(ToolError) as caught:
        tf.plan_tree(tree, binary=binary, plugin_mirror=mirror, offline=True, work_dir=tmp_path / "work")
    error = caught.value
    message = str(error)
    assert message.startswith(f"`{Path(binary).name} plan` failed on a copy of {tree}:")
    assert "main.tf:" in message and "Reference to undeclared resource" in message
    assert "aws_s3_bucket.missing" not in message.splitlines()[0]
    assert "\x1b[" not in message and "Traceback" not in message
    assert error.rc == 1
    assert error.cmd.startswith(f"{Path(binary).name} plan ")
    assert error.exit_code == 2


# --------------------------------------------------------------------------
# checkov on the same tree
# --------------------------------------------------------------------------


def _find(findings: list[Finding], check_id: str, address: str) -> Finding:
    matches = [f for f in findings if f.check_id == check_id and f.address == address]
    assert len(matches) == 1, matches
    return matches[0]


def test_checkov_reports_a_builtin_failure(planned: dict[str, Any], capsys: pytest.CaptureFixture[str]) -> None:
    handlers = list(logging.getLogger().handlers)
    findings = run_checkov(planned["tree"], planned["run"].plan_json_file, external_checks=[])
    logging_check = _find(findings, "CKV_AWS_18", "aws_s3_bucket.assets")
    assert not logging_check.passed
    assert logging_check.source == "checkov"
    assert logging_check.file == "main.tf"
    assert logging_check.title
    assert any(f.passed for f in findings)
    # built-in checks run on the plan too, but each check and resource gives one
    # result, and a planned resource's result names its HCL file
    keys = [(f.check_id, f.address) for f in findings]
    assert len(keys) == len(set(keys))
    assert not [f for f in findings if f.file == "plan.json"]
    # checkov's logging and prints stay off the user's terminal
    assert capsys.readouterr() == ("", "")
    assert logging.getLogger().handlers == handlers


def test_a_skip_comment_turns_the_failure_into_skipped(tmp_path: Path) -> None:
    skipped = MAIN_TF.replace(
        'resource "aws_s3_bucket" "assets" {\n',
        'resource "aws_s3_bucket" "assets" {\n  #checkov:skip=CKV_AWS_18:access logs are the log bucket\'s job\n',
    )
    tree = _write_tree(tmp_path / "tree", skipped)
    findings = run_checkov(tree, None, external_checks=[])
    logging_check = _find(findings, "CKV_AWS_18", "aws_s3_bucket.assets")
    assert logging_check.result == "skipped"
    assert logging_check.message == "access logs are the log bucket's job"
    assert not _find(findings, "CKV_AWS_18", "aws_s3_bucket.edge").passed


def test_an_unparsable_file_is_a_failed_finding(tmp_path: Path) -> None:
    tree = _write_tree(tmp_path / "tree", 'resource "aws_s3_bucket" "x" {\n  bucket = \n')
    findings = run_checkov(tree, None, external_checks=[])
    assert [(f.check_id, f.passed, f.file) for f in findings] == [(PARSE_ERROR_ID, False, "main.tf")]


def test_a_missing_checks_folder_is_a_tool_error(tmp_path: Path) -> None:
    tree = _write_tree(tmp_path / "tree")
    with pytest.raises(ToolError, match="reinstall"):
        run_checkov(tree, None, external_checks=[tmp_path / "absent"])


CUSTOM_CHECK = """
from checkov.common.models.enums import CheckCategories, CheckResult
from checkov.terraform.checks.resource.base_resource_check import BaseResourceCheck


class PlannedBucketNamedByCfgen(BaseResourceCheck):
    def __init__(self):
        super().__init__(
            name="bucket is planned and named cfgen-harness-a*",
            id="CKV_CFG_9001",
            categories=[CheckCategories.GENERAL_SECURITY],
            supported_resources=["aws_s3_bucket"],
        )

    def scan_resource_conf(self, conf):
        # force_destroy has a provider default: it is in the plan, not in the HCL
        planned = "force_destroy" in conf
        name = conf.get("bucket", [""])
        name = name[0] if isinstance(name, list) else name
        named = str(name).startswith("cfgen-harness-a")
        return CheckResult.PASSED if planned and named else CheckResult.FAILED


check = PlannedBucketNamedByCfgen()
"""

# checkov keeps loaded checks in process-wide registries; a child process keeps
# this test's custom check out of every other test's findings.
CHILD = """
import json, sys
from dataclasses import asdict
from pathlib import Path
from cfgen.harness._checkov import run_checkov
tree, plan, policies = map(Path, sys.argv[1:4])
print(json.dumps([asdict(f) for f in run_checkov(tree, plan, external_checks=[policies])]))
"""


def test_custom_checks_run_on_the_plan_and_keep_hcl_skips(planned: dict[str, Any], tmp_path: Path) -> None:
    policies = tmp_path / "policies"
    policies.mkdir()
    (policies / "__init__.py").write_text("", encoding="utf-8")
    (policies / "bucket_named.py").write_text(CUSTOM_CHECK, encoding="utf-8")
    tree = tmp_path / "tree"
    shutil.copytree(planned["tree"], tree)
    main = tree / "main.tf"
    main.write_text(
        main.read_text(encoding="utf-8").replace(
            "  provider = aws.us_east_1\n",
            "  provider = aws.us_east_1\n  #checkov:skip=CKV_CFG_9001:edge bucket keeps its name\n",
        ),
        encoding="utf-8",
    )
    done = subprocess.run(
        [sys.executable, "-c", CHILD, str(tree), str(planned["run"].plan_json_file), str(policies)],
        capture_output=True,
        text=True,
        check=True,
        timeout=300,
    )
    findings = [Finding(**item) for item in json.loads(done.stdout)]
    custom = {f.address: f for f in findings if f.check_id == "CKV_CFG_9001"}
    # one result per resource, and it is the plan's: on the HCL this one fails
    assert [f.check_id for f in findings].count("CKV_CFG_9001") == 2
    assert custom["aws_s3_bucket.assets"].passed
    assert custom["aws_s3_bucket.assets"].file == "main.tf"
    # fails on the plan too, but the HCL block's skip comment carries over
    edge = custom["aws_s3_bucket.edge"]
    assert edge.result == "skipped" and edge.message == "edge bucket keeps its name"
    # built-ins run on the plan too: still one result per bucket
    assert [f.check_id for f in findings].count("CKV_AWS_18") == 2


@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("broken_check.py", "this is not python\n"),
        ("incomplete.yaml", "metadata:\n  id: CKV2_CFG_9002\n  name: no definition\n"),
    ],
)
def test_a_custom_check_that_does_not_load_is_a_tool_error(tmp_path: Path, name: str, text: str) -> None:
    # checkov itself only logs these and runs without the check.
    policies = tmp_path / "policies"
    policies.mkdir()
    (policies / "__init__.py").write_text("", encoding="utf-8")
    (policies / name).write_text(text, encoding="utf-8")
    tree = _write_tree(tmp_path / "tree")
    with pytest.raises(ToolError, match="could not load custom checks") as caught:
        run_checkov(tree, None, external_checks=[policies])
    assert name in str(caught.value) or "CKV2_CFG_9002" in str(caught.value)
