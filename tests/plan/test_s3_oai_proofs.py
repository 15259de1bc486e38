"""The S3 + OAI and OAI -> OAC migration (step 1) proofs hold on cfgen's plan, and fail when broken.

One real offline plan per example (module-scoped); each failing case edits a
deep copy of that plan's JSON the way a hand edit of the HCL would.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import pytest
from tests.conftest import EXAMPLES
from tests.plan._plans import Plan, Planner, plan_spec, proof_results

from cfgen.patterns import OriginBinding

pytestmark = pytest.mark.plan
LEGACY = EXAMPLES / "s3-oai-legacy" / "spec.yaml"
MIGRATION = EXAMPLES / "s3-oai-to-oac" / "spec.yaml"
MODULE = "site_assets"
OAI = f"module.{MODULE}.aws_cloudfront_origin_access_identity.this"
Planned = tuple[Plan, list[OriginBinding]]


@pytest.fixture(scope="module")
def legacy(tmp_path_factory: pytest.TempPathFactory, planner: Planner) -> Planned:
    plan, rendered = plan_spec(LEGACY, tmp_path_factory.mktemp("oai"), planner)
    return plan, rendered.bindings


@pytest.fixture(scope="module")
def migration(tmp_path_factory: pytest.TempPathFactory, planner: Planner) -> Planned:
    plan, rendered = plan_spec(MIGRATION, tmp_path_factory.mktemp("oai-to-oac"), planner)
    return plan, rendered.bindings


def module_call(plan: Plan, module: str = MODULE) -> dict[str, Any]:
    return plan["configuration"]["root_module"]["module_calls"][module]  # type: ignore[no-any-return]


def document(plan: Plan, name: str) -> dict[str, Any]:
    resources = module_call(plan)["module"]["resources"]
    return next(r for r in resources if r["address"] == f"data.aws_iam_policy_document.{name}")


def allows(plan: Plan, name: str) -> list[dict[str, Any]]:
    return [s for s in document(plan, name)["expressions"]["statement"] if s["effect"]["constant_value"] == "Allow"]


def oai_statement(plan: Plan, name: str) -> dict[str, Any]:
    return next(s for s in allows(plan, name) if s["principals"][0]["type"]["constant_value"] == "AWS")


def distribution_origin(plan: Plan) -> tuple[dict[str, Any], dict[str, Any]]:
    change = next(c for c in plan["resource_changes"] if c["type"] == "aws_cloudfront_distribution")["change"]
    return change["after"]["origin"][0], change["after_unknown"]["origin"][0]


def _constant(value: Any) -> dict[str, Any]:
    return {"constant_value": value}


# -- s3 + oai -------------------------------------------------------------------


def test_oai_proofs_hold_on_the_rendered_plan(legacy: Planned) -> None:
    assert proof_results(*legacy) == {
        "CFG_S3_OAI_POLICY": "",
        "CFG_S3_PUBLIC_ACCESS_BLOCK": "",
        "CFG_S3_OWNERSHIP": "",
        "CFG_S3_OAI": "",
    }


def _oai_public(plan: Plan) -> None:
    oai_statement(plan, "bucket_policy_oai")["principals"][0]["identifiers"] = _constant(["*"])


def _oai_and_a_role(plan: Plan) -> None:
    principals = oai_statement(plan, "bucket_policy_oai")["principals"]
    principals.append({"type": _constant("AWS"), "identifiers": _constant(["arn:aws:iam::111111111111:role/x"])})


def _another_oai(plan: Plan) -> None:
    oai_statement(plan, "bucket_policy_oai")["principals"][0]["identifiers"] = _constant(
        ["arn:aws:iam::cloudfront:user/CloudFront Origin Access Identity EOTHER"]
    )


def _oai_not_principal(plan: Plan) -> None:
    statement = oai_statement(plan, "bucket_policy_oai")
    statement["not_principals"] = statement.pop("principals")


def _two_documents_planned(plan: Plan) -> None:
    # Both the OAI and the OAC document instantiated: the policy is ambiguous.
    twin = copy.deepcopy(next(c for c in plan["resource_changes"] if c["type"] == "aws_iam_policy_document"))
    twin["address"] = twin["address"].replace("bucket_policy_oai[0]", "bucket_policy[0]")
    twin["name"] = "bucket_policy"
    plan["resource_changes"].append(twin)


def _custom_origin(plan: Plan) -> None:
    origin, _ = distribution_origin(plan)
    origin["custom_origin_config"] = [{"origin_protocol_policy": "http-only"}]


def _unsigned_origin(plan: Plan) -> None:
    origin, unknown = distribution_origin(plan)
    origin["s3_origin_config"] = []
    unknown.pop("s3_origin_config")


def _origin_from_elsewhere(plan: Plan) -> None:
    origin, unknown = distribution_origin(plan)
    origin["s3_origin_config"] = [{"origin_access_identity": "origin-access-identity/cloudfront/EOTHER"}]
    unknown.pop("s3_origin_config")


def _origins_not_from_the_module(plan: Plan) -> None:
    expression = module_call(plan, "site")["expressions"]["origins"]
    expression["references"] = [r for r in expression["references"] if MODULE not in r]


@pytest.mark.parametrize(
    ("break_it", "check_id", "message"),
    [
        (_oai_public, "CFG_S3_OAI_POLICY", "allows Principal '*'"),
        (_oai_and_a_role, "CFG_S3_OAI_POLICY", "allow only AWS"),
        (_another_oai, "CFG_S3_OAI_POLICY", f"Identity EOTHER, not {OAI}[0].iam_arn"),
        (_oai_not_principal, "CFG_S3_OAI_POLICY", "uses NotPrincipal"),
        (_two_documents_planned, "CFG_S3_OAI_POLICY", "cannot read the policy"),
        (_custom_origin, "CFG_S3_OAI", "is a custom origin"),
        (_unsigned_origin, "CFG_S3_OAI", "has no s3_origin_config"),
        (_origin_from_elsewhere, "CFG_S3_OAI", "names access identity 'origin-access-identity/cloudfront/EOTHER'"),
        (_origins_not_from_the_module, "CFG_S3_OAI", "does not pass aws_cloudfront_origin_access_identity"),
    ],
    ids=lambda v: v.__name__.strip("_") if callable(v) else None,
)
def test_each_oai_proof_fails_when_broken(
    legacy: Planned, break_it: Callable[[Plan], None], check_id: str, message: str
) -> None:
    plan = copy.deepcopy(legacy[0])
    break_it(plan)
    got = proof_results(plan, legacy[1])
    assert message in got[check_id], got
    assert [k for k, v in got.items() if v] == [check_id], "a break must fail its own proof only"


# -- s3 + oai_to_oac ----------------------------------------------------------------


def test_migration_proofs_hold_on_the_rendered_plan(migration: Planned) -> None:
    assert proof_results(*migration) == {
        "CFG_S3_MIGRATION_POLICY": "",
        "CFG_S3_PUBLIC_ACCESS_BLOCK": "",
        "CFG_S3_OWNERSHIP": "",
        "CFG_S3_OAI": "",
    }


def _drop_oai_statement(plan: Plan) -> None:
    statements = document(plan, "bucket_policy_oai_to_oac")["expressions"]["statement"]
    statements.remove(oai_statement(plan, "bucket_policy_oai_to_oac"))


def _drop_cloudfront_statement(plan: Plan) -> None:
    statements = document(plan, "bucket_policy_oai_to_oac")["expressions"]["statement"]
    service = next(s for s in statements if s["principals"][0]["type"]["constant_value"] == "Service")
    statements.remove(service)


def _third_principal(plan: Plan) -> None:
    extra = copy.deepcopy(oai_statement(plan, "bucket_policy_oai_to_oac"))
    extra["principals"][0]["identifiers"] = _constant(["arn:aws:iam::111111111111:role/reader"])
    document(plan, "bucket_policy_oai_to_oac")["expressions"]["statement"].append(extra)


def _migration_oai_public(plan: Plan) -> None:
    oai_statement(plan, "bucket_policy_oai_to_oac")["principals"][0]["identifiers"] = _constant(["*"])


def _migration_other_distribution(plan: Plan) -> None:
    module_call(plan)["expressions"]["distribution_arn"] = _constant(
        "arn:aws:cloudfront::111111111111:distribution/EOTHERDIST"
    )


def _switched_in_the_same_apply(plan: Plan) -> None:
    # The origin signs with OAC before the policy admits it: the outage step 1 avoids.
    origin, unknown = distribution_origin(plan)
    origin["s3_origin_config"] = []
    unknown.pop("s3_origin_config")
    origin["origin_access_control_id"] = "E2OAC"


@pytest.mark.parametrize(
    ("break_it", "check_id", "message"),
    [
        (_drop_oai_statement, "CFG_S3_MIGRATION_POLICY", "requests still signed with the OAI would fail"),
        (_drop_cloudfront_statement, "CFG_S3_MIGRATION_POLICY", "no Allow for Service cloudfront.amazonaws.com"),
        (_third_principal, "CFG_S3_MIGRATION_POLICY", "role/reader, not"),
        (_migration_oai_public, "CFG_S3_MIGRATION_POLICY", "allows Principal '*'"),
        (_migration_other_distribution, "CFG_S3_MIGRATION_POLICY", "distribution/EOTHERDIST"),
        (_switched_in_the_same_apply, "CFG_S3_OAI", "uses an origin access control, not the OAI"),
    ],
    ids=lambda v: v.__name__.strip("_") if callable(v) else None,
)
def test_each_migration_proof_fails_when_broken(
    migration: Planned, break_it: Callable[[Plan], None], check_id: str, message: str
) -> None:
    plan = copy.deepcopy(migration[0])
    break_it(plan)
    got = proof_results(plan, migration[1])
    assert message in got[check_id], got
    assert [k for k, v in got.items() if v] == [check_id], "a break must fail its own proof only"
