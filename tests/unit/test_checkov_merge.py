"""How the HCL and plan scans of checkov become one result per check and resource (no checkov run)."""

from __future__ import annotations

from pathlib import Path

import pytest

from cfgen.harness._checkov import PARSE_ERROR_ID, _Block, _block_address, _HclScan, _merge, _planned_blocks, _PlanScan
from cfgen.harness.results import Finding

PLAN_JSON = Path("/work/plan.json")


def _f(check_id: str, address: str, *, passed: bool = True, file: str = "", message: str = "") -> Finding:
    return Finding("checkov", check_id, check_id.lower(), passed, address, message=message, file=file)


@pytest.mark.parametrize(
    ("address", "block"),
    [
        ("aws_s3_bucket.b", "aws_s3_bucket.b"),
        ('aws_s3_bucket.b["x.y"]', "aws_s3_bucket.b"),
        ("module.o.aws_s3_bucket.this[0]", "module.o.aws_s3_bucket.this"),
        ("module.o.data.aws_iam_policy_document.p[0]", "module.o.aws_iam_policy_document.p"),
        ('module.o["k"].module.inner.data.aws_region.current', "module.o.module.inner.aws_region.current"),
        ("module.data.aws_s3_bucket.this", "module.data.aws_s3_bucket.this"),
        ("aws.default", "aws.default"),
    ],
)
def test_block_address_drops_instance_keys_and_the_data_marker(address: str, block: str) -> None:
    assert _block_address(address) == block


def test_planned_blocks_come_from_changes_planned_values_and_the_prior_state() -> None:
    plan = {
        "resource_changes": [{"address": "module.o.aws_s3_bucket.this[0]"}],
        "planned_values": {
            "root_module": {
                "resources": [{"address": "aws_s3_bucket.root"}],
                "child_modules": [{"resources": [{"address": "module.o.module.i.aws_lb.this[1]"}]}],
            }
        },
        "prior_state": {"values": {"root_module": {"resources": [{"address": "data.aws_partition.current"}]}}},
    }
    assert _planned_blocks(plan) == {
        "module.o.aws_s3_bucket.this",
        "aws_s3_bucket.root",
        "module.o.module.i.aws_lb.this",
        "aws_partition.current",
    }


HCL = _HclScan(
    findings=[
        _f("CKV_AWS_18", "module.o.aws_s3_bucket.this", file="modules/o/main.tf"),
        _f("CKV_AWS_21", "module.o.aws_s3_bucket.this", passed=False, file="modules/o/main.tf"),
        _f("CKV_AWS_91", "module.o.aws_lb.this", passed=False, file="modules/o/main.tf"),
        _f("CKV_AWS_41", "aws.default", file="providers.tf"),
        _f(PARSE_ERROR_ID, "", passed=False, file="broken.tf"),
    ],
    blocks={
        "module.o.aws_s3_bucket.this": _Block("modules/o/main.tf", {"CKV_AWS_145": "SSE-S3 by choice"}),
        "module.o.aws_lb.this": _Block("modules/o/main.tf", {}),
        "module.o.aws_iam_policy_document.p": _Block("modules/o/main.tf", {}),
    },
)
PLAN = _PlanScan(
    findings=[
        _f("CKV_AWS_18", "module.o.aws_s3_bucket.this[0]"),
        _f("CKV_AWS_21", "module.o.aws_s3_bucket.this[0]"),
        _f("CKV_AWS_21", "module.o.aws_s3_bucket.this[1]", passed=False),
        _f("CKV_AWS_145", "module.o.aws_s3_bucket.this[0]", passed=False),
        _f("CKV_AWS_1", "module.o.data.aws_iam_policy_document.p[0]"),
        _f("CKV_AWS_41", "aws.default", passed=False),
        _f("CKV_AWS_999", "aws_s3_bucket.outside"),
    ],
    blocks=frozenset({"module.o.aws_s3_bucket.this", "module.o.aws_iam_policy_document.p", "aws_s3_bucket.outside"}),
)


def _by_key(findings: list[Finding]) -> dict[tuple[str, str], Finding]:
    out = {(f.check_id, f.address): f for f in findings}
    assert len(out) == len(findings), "one result per check and resource"
    return out


def test_the_plan_results_replace_the_hcl_ones_per_instance() -> None:
    merged = _by_key(_merge(HCL, PLAN, PLAN_JSON))
    # resolved on the plan: the HCL's failure of the block gives way to each instance's result
    assert ("CKV_AWS_21", "module.o.aws_s3_bucket.this") not in merged
    assert merged["CKV_AWS_21", "module.o.aws_s3_bucket.this[0]"].result == "passed"
    assert merged["CKV_AWS_21", "module.o.aws_s3_bucket.this[1]"].result == "failed"
    # the plan result names the HCL file of its block, also for a data source
    assert merged["CKV_AWS_18", "module.o.aws_s3_bucket.this[0]"].file == "modules/o/main.tf"
    assert merged["CKV_AWS_1", "module.o.data.aws_iam_policy_document.p[0]"].file == "modules/o/main.tf"
    # a block the HCL scan did not see keeps the plan's name as its file
    assert merged["CKV_AWS_999", "aws_s3_bucket.outside"].file == "plan.json"


def test_a_check_only_the_plan_evaluates_takes_the_blocks_skip() -> None:
    skipped = _by_key(_merge(HCL, PLAN, PLAN_JSON))["CKV_AWS_145", "module.o.aws_s3_bucket.this[0]"]
    assert (skipped.result, skipped.message) == ("skipped", "SSE-S3 by choice")


def test_without_the_skip_the_plan_failure_stands() -> None:
    bare = _HclScan(findings=HCL.findings, blocks={k: _Block(v.file, {}) for k, v in HCL.blocks.items()})
    assert _by_key(_merge(bare, PLAN, PLAN_JSON))["CKV_AWS_145", "module.o.aws_s3_bucket.this[0]"].result == "failed"


def test_a_block_with_no_planned_instance_reports_nothing() -> None:
    merged = _by_key(_merge(HCL, PLAN, PLAN_JSON))
    assert not [key for key in merged if key[1].startswith("module.o.aws_lb.")]


def test_provider_results_are_the_trees_not_the_work_copys() -> None:
    merged = _by_key(_merge(HCL, PLAN, PLAN_JSON))
    provider = merged["CKV_AWS_41", "aws.default"]
    assert (provider.result, provider.file) == ("passed", "providers.tf")


def test_parse_errors_of_either_scan_stay() -> None:
    plan = _PlanScan(
        findings=[*PLAN.findings, _f(PARSE_ERROR_ID, "", passed=False, file="plan.json")], blocks=PLAN.blocks
    )
    errors = [f.file for f in _merge(HCL, plan, PLAN_JSON) if f.check_id == PARSE_ERROR_ID]
    assert sorted(errors) == ["broken.tf", "plan.json"]
