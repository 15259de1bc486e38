"""The S3 + OAI and OAI -> OAC migration (step 1) proofs hold on cfgen's plan, and fail when broken.

One real offline plan per example (module-scoped); each failing case edits a
deep copy of that plan's JSON the way a hand edit of the HCL would.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from tests.conftest import EXAMPLES
from tests.plan._plans import Plan, Planner, cfgen_test_edited, plan_spec, proof_results

from cfgen.patterns import OriginBinding

pytestmark = pytest.mark.plan
LEGACY = EXAMPLES / "s3-oai-legacy" / "spec.yaml"
MIGRATION = EXAMPLES / "s3-oai-to-oac" / "spec.yaml"
MODULE = "site_assets"
OAI = f"module.{MODULE}.aws_cloudfront_origin_access_identity.this"
GUARD_SID = "DenyObjectReadsNotThroughThisDistribution"
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


def guard_exceptions(plan: Plan, name: str) -> dict[str, Any]:
    """The aws:PrincipalArn condition of the read guard in document ``name``."""
    statements = document(plan, name)["expressions"]["statement"]
    guard = next(s for s in statements if s.get("sid", {}).get("constant_value") == GUARD_SID)
    condition: dict[str, Any] = next(
        c for c in guard["condition"] if c["variable"]["constant_value"] == "aws:PrincipalArn"
    )
    return condition


def _forgets_the_oai(name: str) -> Callable[[Plan], None]:
    def edit(plan: Plan) -> None:
        guard_exceptions(plan, name)["values"] = {"references": ["var.direct_reader_arns"]}

    edit.__name__ = f"_guard_forgets_the_oai_in_{name}"
    return edit


def _excepts_another_oai(plan: Plan) -> None:
    guard_exceptions(plan, "bucket_policy_oai")["values"] = _constant(
        ["arn:aws:iam::cloudfront:user/CloudFront Origin Access Identity EOTHER"]
    )


# Breaks that reopen more than one guarantee: the policy as a whole, or the distribution's ARN it names.
ALSO_FAILS = {
    "_two_documents_planned": ["CFG_S3_ACCOUNT_GUARD"],
    "_migration_other_distribution": ["CFG_S3_ACCOUNT_GUARD"],
}


def assert_fails_alone(got: dict[str, str], break_it: Callable[[Plan], None], check_id: str, message: str) -> None:
    assert message in got[check_id], got
    expected = sorted([check_id, *ALSO_FAILS.get(break_it.__name__, [])])
    assert sorted(k for k, v in got.items() if v) == expected, "a break must fail its own proof only"


# -- s3 + oai -------------------------------------------------------------------


def test_oai_proofs_hold_on_the_rendered_plan(legacy: Planned) -> None:
    assert proof_results(*legacy) == {
        "CFG_S3_OAI_POLICY": "",
        "CFG_S3_PUBLIC_ACCESS_BLOCK": "",
        "CFG_S3_OWNERSHIP": "",
        "CFG_S3_OAI": "",
        "CFG_S3_ACCOUNT_GUARD": "",
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
        (
            _forgets_the_oai("bucket_policy_oai"),
            "CFG_S3_ACCOUNT_GUARD",
            f"does not except this origin's access identity ({OAI}[0].iam_arn), which signs without a SourceArn",
        ),
        (_excepts_another_oai, "CFG_S3_ACCOUNT_GUARD", "does not except this origin's access identity"),
    ],
    ids=lambda v: v.__name__.strip("_") if callable(v) else None,
)
def test_each_oai_proof_fails_when_broken(
    legacy: Planned, break_it: Callable[[Plan], None], check_id: str, message: str
) -> None:
    plan = copy.deepcopy(legacy[0])
    break_it(plan)
    got = proof_results(plan, legacy[1])
    assert_fails_alone(got, break_it, check_id, message)


# -- s3 + oai_to_oac ----------------------------------------------------------------


def test_migration_proofs_hold_on_the_rendered_plan(migration: Planned) -> None:
    assert proof_results(*migration) == {
        "CFG_S3_MIGRATION_POLICY": "",
        "CFG_S3_PUBLIC_ACCESS_BLOCK": "",
        "CFG_S3_OWNERSHIP": "",
        "CFG_S3_OAI": "",
        "CFG_S3_ACCOUNT_GUARD": "",
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
        (
            _forgets_the_oai("bucket_policy_oai_to_oac"),
            "CFG_S3_ACCOUNT_GUARD",
            "does not except this origin's access identity",
        ),
    ],
    ids=lambda v: v.__name__.strip("_") if callable(v) else None,
)
def test_each_migration_proof_fails_when_broken(
    migration: Planned, break_it: Callable[[Plan], None], check_id: str, message: str
) -> None:
    plan = copy.deepcopy(migration[0])
    break_it(plan)
    got = proof_results(plan, migration[1])
    assert_fails_alone(got, break_it, check_id, message)


def _oai_left_out_of_the_guard_by_hand(tree: Path) -> None:
    main = tree / "modules" / "s3-origin" / "main.tf"
    text = main.read_text(encoding="utf-8")
    edited = text.replace(
        "concat([aws_cloudfront_origin_access_identity.this[0].iam_arn], var.direct_reader_arns)",
        "var.direct_reader_arns",
    )
    assert edited != text
    main.write_text(edited, encoding="utf-8")


def test_cfgen_test_fails_when_the_guard_would_deny_the_oai(tmp_path: Path, plugin_mirror: Path) -> None:
    """The hand edit that would make the OAI's every read a 403: `cfgen test --dir` exits 1 and says why."""
    code, failed = cfgen_test_edited(LEGACY, tmp_path, plugin_mirror, _oai_left_out_of_the_guard_by_hand)
    assert code == 1
    proofs = [f for f in failed if f["source"] == "proof"]
    assert [(f["check_id"], f["origin"]) for f in proofs] == [("CFG_S3_ACCOUNT_GUARD", "site/assets")]
    assert "does not except this origin's access identity" in proofs[0]["message"]


# -- an adopted bucket's own statements, judged with cfgen's -----------------------------------

OWNERS_READ = {
    "Sid": "OwnersRead",
    "Effect": "Allow",
    "Principal": {"AWS": "arn:aws:iam::111111111111:role/reports"},
    "Action": "s3:GetObject",
    "Resource": "arn:aws:s3:::any-bucket/*",
}
OWNERS_UPLOADS = {**OWNERS_READ, "Sid": "OwnersUploads", "Action": "s3:PutObject"}


@pytest.mark.parametrize(
    ("which", "check_id"), [("legacy", "CFG_S3_OAI_POLICY"), ("migration", "CFG_S3_MIGRATION_POLICY")]
)
def test_a_kept_statement_that_reads_fails_the_oai_policy_proofs(
    request: pytest.FixtureRequest, which: str, check_id: str
) -> None:
    planned_: Planned = request.getfixturevalue(which)
    for statement, message in ((OWNERS_UPLOADS, ""), (OWNERS_READ, "role/reports")):
        plan = copy.deepcopy(planned_[0])
        kept = {"Version": "2012-10-17", "Statement": [statement]}
        module_call(plan)["expressions"]["kept_policy_json"] = _constant(json.dumps(kept))
        got = proof_results(plan, planned_[1])
        if message:
            assert_fails_alone(got, test_a_kept_statement_that_reads_fails_the_oai_policy_proofs, check_id, message)
        else:
            assert not any(got.values()), got
