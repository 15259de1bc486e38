"""The S3 + OAC proofs hold on cfgen's plan, and each one fails when its guarantee is broken.

One real offline plan of the basic example is taken per session; each
failing case edits a copy of that plan's JSON the way a hand edit of the HCL
would change it, so every proof has a fixture that makes it fail without
paying for a plan each.
"""

from __future__ import annotations

import copy
import json
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from tests.conftest import EXAMPLES, REPO
from tests.plan._plans import Plan, Planner, plan_spec, planned, proof_results

from cfgen.errors import ToolError
from cfgen.harness import _terraform
from cfgen.patterns import OriginBinding

pytestmark = pytest.mark.plan
BASIC = EXAMPLES / "s3-oac-basic" / "spec.yaml"
KMS = EXAMPLES / "s3-oac-kms" / "spec.yaml"


@pytest.fixture(scope="module")
def basic(tmp_path_factory: pytest.TempPathFactory, planner: Planner) -> tuple[Plan, list[OriginBinding]]:
    plan, rendered = plan_spec(BASIC, tmp_path_factory.mktemp("basic"), planner)
    return plan, rendered.bindings


@pytest.fixture(scope="module")
def kms(tmp_path_factory: pytest.TempPathFactory, planner: Planner) -> tuple[Plan, list[OriginBinding]]:
    plan, rendered = plan_spec(KMS, tmp_path_factory.mktemp("kms"), planner)
    return plan, rendered.bindings


def results(plan: Plan, bindings: list[OriginBinding]) -> dict[str, str]:
    """check id -> "" when it holds, else its message (first origin only)."""
    return proof_results(plan, bindings[:1])


def module_resource(plan: Plan, module: str, address: str) -> dict[str, Any]:
    call = plan["configuration"]["root_module"]["module_calls"][module]["module"]
    return next(r for r in call["resources"] if r["address"] == address)


def bucket_statement(plan: Plan) -> dict[str, Any]:
    document = module_resource(plan, "site_assets", "data.aws_iam_policy_document.bucket_policy")
    return next(s for s in document["expressions"]["statement"] if s["effect"]["constant_value"] == "Allow")


def test_all_proofs_hold_on_the_rendered_plan(basic: tuple[Plan, list[OriginBinding]]) -> None:
    assert results(*basic) == {
        "CFG_S3_OAC_POLICY": "",
        "CFG_S3_PUBLIC_ACCESS_BLOCK": "",
        "CFG_S3_OWNERSHIP": "",
        "CFG_S3_OAC": "",
    }


def test_kms_proof_holds_when_cfgen_owns_the_key(kms: tuple[Plan, list[OriginBinding]]) -> None:
    assert results(*kms)["CFG_S3_KMS"] == ""


def _drop_source_arn(plan: Plan) -> None:
    bucket_statement(plan).pop("condition")


def _public_allow(plan: Plan) -> None:
    bucket_statement(plan)["principals"] = [
        {"type": {"constant_value": "AWS"}, "identifiers": {"constant_value": ["*"]}}
    ]


def _another_distribution(plan: Plan) -> None:
    call = plan["configuration"]["root_module"]["module_calls"]["site_assets"]
    call["expressions"]["distribution_arn"] = {
        "constant_value": "arn:aws:cloudfront::111111111111:distribution/EOTHERDIST"
    }


def _source_arn_like(plan: Plan) -> None:
    bucket_statement(plan)["condition"][0]["test"] = {"constant_value": "StringLike"}


def _literal_policy_with_wildcard(plan: Plan) -> None:
    after = planned(plan, "module.site_assets.aws_s3_bucket_policy.this")
    after["policy"] = json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "*"}],
        }
    )
    for change in plan["resource_changes"]:
        if change["address"] == "module.site_assets.aws_s3_bucket_policy.this":
            change["change"]["after_unknown"].pop("policy", None)


def _public_access_flag_off(plan: Plan) -> None:
    planned(plan, "module.site_assets.aws_s3_bucket_public_access_block.this")["restrict_public_buckets"] = False


def _object_writer(plan: Plan) -> None:
    planned(plan, "module.site_assets.aws_s3_bucket_ownership_controls.this")["rule"][0]["object_ownership"] = (
        "ObjectWriter"
    )


def _oac_never_signs(plan: Plan) -> None:
    planned(plan, "module.site_assets.aws_cloudfront_origin_access_control.this[0]")["signing_behavior"] = "never"


def _no_bucket_policy(plan: Plan) -> None:
    plan["resource_changes"] = [
        c for c in plan["resource_changes"] if c["address"] != "module.site_assets.aws_s3_bucket_policy.this"
    ]


@pytest.mark.parametrize(
    ("break_it", "check_id", "message"),
    [
        (_drop_source_arn, "CFG_S3_OAC_POLICY", "has no StringEquals AWS:SourceArn condition"),
        (_public_allow, "CFG_S3_OAC_POLICY", "allows Principal '*'"),
        (
            _another_distribution,
            "CFG_S3_OAC_POLICY",
            "distribution/EOTHERDIST, not module.site.aws_cloudfront_distribution.this.arn",
        ),
        (_source_arn_like, "CFG_S3_OAC_POLICY", "has no StringEquals AWS:SourceArn condition"),
        (_literal_policy_with_wildcard, "CFG_S3_OAC_POLICY", "allows Principal '*'"),
        (_no_bucket_policy, "CFG_S3_OAC_POLICY", "no bucket policy in the plan"),
        (_public_access_flag_off, "CFG_S3_PUBLIC_ACCESS_BLOCK", "restrict_public_buckets not true"),
        (_object_writer, "CFG_S3_OWNERSHIP", "object_ownership is 'ObjectWriter'"),
        (_oac_never_signs, "CFG_S3_OAC", "signing_behavior is 'never'"),
    ],
    ids=lambda v: v.__name__.strip("_") if callable(v) else None,
)
def test_each_proof_fails_when_broken(
    basic: tuple[Plan, list[OriginBinding]],
    break_it: Callable[[Plan], None],
    check_id: str,
    message: str,
) -> None:
    plan = copy.deepcopy(basic[0])
    break_it(plan)
    got = results(plan, basic[1])
    assert message in got[check_id], got
    assert [k for k, v in got.items() if v] == [check_id], "a break must fail its own proof only"


def test_kms_proof_fails_without_source_arn(kms: tuple[Plan, list[OriginBinding]]) -> None:
    plan = copy.deepcopy(kms[0])
    document = module_resource(plan, "web_assets", "data.aws_iam_policy_document.kms_key_policy")
    for statement in document["expressions"]["statement"]:
        statement.pop("condition", None)
    assert "has no StringEquals AWS:SourceArn condition" in results(plan, kms[1])["CFG_S3_KMS"]


def test_cfgen_test_fails_on_a_hand_edited_tree(tmp_path: Path, plugin_mirror: Path) -> None:
    """End to end: a tree edited after render fails `cfgen test --dir` with exit 1 and says why."""
    tree = tmp_path / "infra"
    cli = [sys.executable, "-m", "cfgen"]
    subprocess.run([*cli, "render", str(BASIC), "-o", str(tree)], check=True, capture_output=True)
    main = tree / "main.tf"
    main.write_text(
        main.read_text().replace(
            "distribution_arn           = module.site.arn",
            'distribution_arn           = "arn:aws:cloudfront::111111111111:distribution/EOTHERDIST"',
        )
    )
    before = sorted(p.relative_to(tree).as_posix() for p in tree.rglob("*"))
    result = subprocess.run(
        [
            *cli,
            "test",
            "--dir",
            str(tree),
            "--offline",
            "--plugin-mirror",
            str(plugin_mirror),
            "--format",
            "json",
        ],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 1, result.stderr
    failed = [f for f in json.loads(result.stdout)["findings"] if not f["passed"]]
    assert {(f["check_id"], f["origin"]) for f in failed if f["source"] == "proof"} == {
        ("CFG_S3_OAC_POLICY", "site/assets")
    }
    assert "EOTHERDIST" in failed[0]["message"] or any("EOTHERDIST" in f["message"] for f in failed)
    assert sorted(p.relative_to(tree).as_posix() for p in tree.rglob("*")) == before, "the user's tree is untouched"


ADOPTED_WITHOUT_REGION = """
provider "aws" {
  region = "eu-west-1"
}

module "adopted" {
  source = "./modules/s3-origin"

  bucket_name                = "cfgen-adopted-without-region"
  create_bucket              = false
  distribution_arn           = "arn:aws:cloudfront::111111111111:distribution/EDFDVBD6EXAMPLE"
  origin_access_control_name = "cfgen-adopted"
}
"""


def test_an_adopted_bucket_without_a_region_stops_the_plan_in_one_line(tmp_path: Path, planner: Planner) -> None:
    """The s3-origin module used on its own: the region it now takes as an input is required for adoption."""
    tree = tmp_path / "tree"
    shutil.copytree(REPO / "modules" / "s3-origin", tree / "modules" / "s3-origin")
    (tree / "main.tf").write_text(ADOPTED_WITHOUT_REGION, encoding="utf-8")
    with pytest.raises(ToolError) as caught:
        planner.plan_tree(
            tree,
            binary=_terraform.find_binary(None),
            plugin_mirror=planner.mirror,
            offline=True,
            work_dir=tmp_path / "w",
        )
    assert "An adopted bucket (create_bucket = false) needs region" in str(caught.value)
