"""The HCL cfgen ships is valid on hashicorp/aws 5.100.0 and 6.x by construction.

It uses nothing that provider 6.0 removed or deprecated (its upgrade guide),
nor the S3 bucket arguments deprecated since 4.x, in the modules and in every
example's committed render (which is what the templates produce). Only 5.100.0
is installed here, so 6.x cannot be planned: this list is the guard, and a
rule that comes back fails with the reason and the way out.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from tests.conftest import EXAMPLES, REPO

from cfgen._tfdocs import _Block, _blocks

_INSTANCE = r"(\[[^\]]*\])?"

# (pattern of a reference, why it is out, an example that must be caught)
REFERENCES = [
    (
        rf"\bdata\.aws_region\.[\w-]+{_INSTANCE}\.name\b",
        "aws_region's name is deprecated in 6.0 and its replacement `region` is not in 5.x: pass the region in",
        "data.aws_region.current.name",
    ),
    (
        rf"\b(data\.)?aws_s3_bucket\.[\w-]+{_INSTANCE}\.region\b",
        "aws_s3_bucket's region is the Enhanced Region argument in 6.0 (bucket_region is not in 5.x)",
        "aws_s3_bucket.this[0].region",
    ),
    (
        rf"\bdata\.aws_vpc_endpoint_service\.[\w-]+{_INSTANCE}\.region\b",
        "deprecated in 6.0 (service_region)",
        "data.aws_vpc_endpoint_service.s3.region",
    ),
    (
        rf"\bdata\.aws_vpc_peering_connection\.[\w-]+{_INSTANCE}\.region\b",
        "deprecated in 6.0 (requester_region)",
        "data.aws_vpc_peering_connection.p.region",
    ),
    (
        rf"\baws_api_gateway_deployment\.[\w-]+{_INSTANCE}\.(invoke_url|execution_arn)\b",
        "removed in 6.0: read them from aws_api_gateway_stage",
        "aws_api_gateway_deployment.demo[0].invoke_url",
    ),
    (
        rf"\b(data\.)?aws_opensearch_domain\.[\w-]+{_INSTANCE}\.kibana_endpoint\b",
        "removed in 6.0 (dashboard_endpoint)",
        "aws_opensearch_domain.d.kibana_endpoint",
    ),
]

_S3_INLINE = "deprecated since provider 4.x, still in 6.x: use the aws_s3_bucket_* resource"
# resource type -> argument or nested block -> why it is out
ARGUMENTS: dict[str, dict[str, str]] = {
    "aws_api_gateway_deployment": dict.fromkeys(
        ("stage_name", "stage_description", "canary_settings"), "removed in 6.0: use aws_api_gateway_stage"
    ),
    "aws_api_gateway_account": {"reset_on_delete": "removed in 6.0"},
    "aws_instance": dict.fromkeys(("cpu_core_count", "cpu_threads_per_core"), "removed in 6.0: use cpu_options"),
    "aws_spot_instance_request": {"block_duration_minutes": "removed in 6.0"},
    "aws_eip": {"vpc": "removed in 6.0: use domain"},
    "aws_cloudfront_response_headers_policy": {"etag": "computed only in 6.0"},
    "aws_flow_log": {"log_group_name": "removed in 6.0: use log_destination"},
    "aws_ssm_association": {"instance_id": "removed in 6.0: use targets"},
    "aws_eks_addon": {"resolve_conflicts": "removed in 6.0"},
    "aws_launch_template": dict.fromkeys(
        ("elastic_gpu_specifications", "elastic_inference_accelerator"), "removed in 6.0"
    ),
    "aws_ecs_task_definition": {"inference_accelerator": "removed in 6.0"},
    "aws_redshift_cluster": dict.fromkeys(("snapshot_copy", "logging"), "removed in 6.0"),
    "aws_dx_gateway_association": {"vpn_gateway_id": "removed in 6.0: use associated_gateway_id"},
    "aws_batch_job_queue": {"compute_environments": "removed in 6.0: use compute_environment_order"},
    "aws_dms_endpoint": {"s3_settings": "removed in 6.0: use aws_dms_s3_endpoint"},
    "aws_guardduty_detector": {"datasources": "deprecated in 6.0: use aws_guardduty_detector_feature"},
    "aws_s3_bucket": dict.fromkeys(
        (
            "acceleration_status",
            "acl",
            "cors_rule",
            "grant",
            "lifecycle_rule",
            "logging",
            "object_lock_configuration",
            "policy",
            "replication_configuration",
            "request_payer",
            "server_side_encryption_configuration",
            "versioning",
            "website",
        ),
        _S3_INLINE,
    ),
}
PROVIDER_ARGUMENTS = {
    "s3_us_east_1_regional_endpoint": "deprecated in 6.0, removed in 7.0",
}
PROVIDER_ENDPOINTS = dict.fromkeys(("opsworks", "simpledb", "sdb", "worklink"), "removed in 6.0")


def _expressions(block: _Block) -> Iterator[str]:
    yield from block.attributes.values()
    for nested in block.blocks:
        yield from _expressions(nested)


def out_of_range(module: Path) -> list[str]:
    """Everything in the ``.tf`` files of ``module`` that 6.0 removed or deprecated, with why."""
    found = []
    for block in _blocks(module):
        where = f"{module.name}: {block.kind} {' '.join(block.labels)}"
        for expression in _expressions(block):
            for pattern, why, _ in REFERENCES:
                for match in re.finditer(pattern, expression):
                    found.append(f"{where}: {match.group()}: {why}")
        if block.kind == "resource" and block.labels and block.labels[0] in ARGUMENTS:
            rules = ARGUMENTS[block.labels[0]]
            for name in [*block.attributes, *(b.kind for b in block.blocks)]:
                if name in rules:
                    found.append(f"{where}: {name}: {rules[name]}")
        if block.kind == "provider" and block.labels == ["aws"]:
            found += [f"{where}: {n}: {why}" for n, why in PROVIDER_ARGUMENTS.items() if n in block.attributes]
            for endpoints in (b for b in block.blocks if b.kind == "endpoints"):
                found += [
                    f"{where}: endpoints.{n}: {why}"
                    for n, why in PROVIDER_ENDPOINTS.items()
                    if n in endpoints.attributes
                ]
    return found


def _shipped() -> list[Path]:
    roots = [p for p in sorted((REPO / "modules").iterdir()) if p.is_dir()]
    for generated in sorted(EXAMPLES.glob("*/generated")):
        roots.append(generated)
        roots += [p for p in sorted((generated / "modules").iterdir()) if p.is_dir()]
    return roots


@pytest.mark.parametrize("module", _shipped(), ids=lambda p: str(p.relative_to(REPO)))
def test_shipped_hcl_uses_nothing_provider_6_removed_or_deprecated(module: Path) -> None:
    assert out_of_range(module) == []


def _cases() -> Iterator[tuple[str, str]]:
    for pattern, _, example in REFERENCES:
        yield pattern, f'output "x" {{\n  value = "${{{example}}}-tail"\n}}\n'
    for resource, rules in ARGUMENTS.items():
        for name in rules:
            yield f"{resource}.{name}", f'resource "{resource}" "x" {{\n  {name} = "v"\n}}\n'
    yield "aws_s3_bucket block", 'resource "aws_s3_bucket" "x" {\n  website {\n    index_document = "i"\n  }\n}\n'
    for name in PROVIDER_ARGUMENTS:
        yield f"provider {name}", f'provider "aws" {{\n  {name} = "legacy"\n}}\n'
    for name in PROVIDER_ENDPOINTS:
        yield f"endpoints.{name}", f'provider "aws" {{\n  endpoints {{\n    {name} = "http://x"\n  }}\n}}\n'


@pytest.mark.parametrize(("rule", "hcl"), list(_cases()), ids=[rule for rule, _ in _cases()])
def test_each_rule_catches_what_it_names(rule: str, hcl: str, tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_text(hcl, encoding="utf-8")
    assert len(out_of_range(tmp_path)) == 1, rule


def test_the_constraint_admits_5_100_and_6_x_and_readme_names_what_is_tested() -> None:
    rendered = sorted(EXAMPLES.glob("*/generated/versions.tf"))
    assert rendered
    for versions in [*rendered, *sorted((REPO / "modules").glob("*/versions.tf"))]:
        assert 'version = ">= 5.100.0, < 7.0.0"' in versions.read_text(encoding="utf-8"), versions
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert "tested with hashicorp/aws 5.100.0 only" in readme
