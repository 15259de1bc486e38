"""The Lambda URL proofs hold on cfgen's plans, and each fails when its guarantee is broken.

One offline plan of ``examples/lambda-url-oac`` (the demo function) and one
of the same spec on an existing function's alias whose URL it reads; each
failing case edits a copy of a plan's JSON the way a hand edit of the HCL
would change it, and one real hand edit goes through `cfgen test --dir`.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from tests.conftest import EXAMPLES
from tests.plan._plans import (
    Plan,
    Planned,
    Planner,
    assert_fails,
    broken,
    change,
    hand_edited_failures,
    planned,
    planned_spec,
    proof_results,
)

pytestmark = pytest.mark.plan
SPEC = EXAMPLES / "lambda-url-oac" / "spec.yaml"
M = "module.web_api."
URL = f"{M}aws_lambda_function_url.this[0]"
INVOKE_URL = f"{M}aws_lambda_permission.invoke_url"
INVOKE = f"{M}aws_lambda_permission.invoke"
OAC = f"{M}aws_cloudfront_origin_access_control.this"
GUARD = f"{M}data.aws_lambda_function_url.existing[0]"
DISTRIBUTION = "module.web.aws_cloudfront_distribution.this"
HOLD = {"CFG_LAMBDA_URL_AUTH": "", "CFG_LAMBDA_URL_PERMISSIONS": "", "CFG_LAMBDA_URL_OAC": ""}
ALL_VIEWER = "216adef6-5c7f-47e4-b989-5492eafa07d3"


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory, planner: Planner) -> Planned:
    return planned_spec(SPEC, tmp_path_factory.mktemp("demo"), planner)


@pytest.fixture(scope="module")
def existing(tmp_path_factory: pytest.TempPathFactory, planner: Planner) -> Planned:
    """The example on an existing function's alias that already has its URL."""
    tmp = tmp_path_factory.mktemp("existing")
    text = SPEC.read_text(encoding="utf-8")
    mine = "function: {name: shop-api, qualifier: live, url: existing}"
    (tmp / "spec.yaml").write_text(text.replace("function: {create_demo: true}", mine), encoding="utf-8")
    return planned_spec(tmp / "spec.yaml", tmp, planner)


def test_the_demo_url_takes_only_what_cloudfront_signs_for_this_distribution(demo: Planned) -> None:
    plan, bindings, files = demo
    assert proof_results(plan, bindings) == HOLD
    assert planned(plan, URL)["authorization_type"] == "AWS_IAM"
    for address, action in ((INVOKE_URL, "lambda:InvokeFunctionUrl"), (INVOKE, "lambda:InvokeFunction")):
        permission = planned(plan, address)
        assert (permission["action"], permission["principal"]) == (action, "cloudfront.amazonaws.com")
        assert change(plan, address)["after_unknown"]["source_arn"] is True  # the distribution's ARN, at apply
    assert planned(plan, INVOKE_URL)["function_url_auth_type"] == "AWS_IAM"
    assert planned(plan, OAC)["origin_access_control_origin_type"] == "lambda"
    assert isinstance(files["artifacts/web_api/url_demo.zip"], bytes)


def test_an_existing_alias_keeps_its_url_and_gets_both_permissions_on_it(existing: Planned) -> None:
    plan = existing[0]
    assert proof_results(*existing[:2]) == HOLD
    mine = ("aws_lambda_function_url", "aws_lambda_function")
    assert not [c for c in plan["resource_changes"] if c["type"] in mine and c["mode"] == "managed"]
    assert change(plan, GUARD)["actions"] == ["read"], "read at apply: no AWS call at plan"
    assert {planned(plan, a)["qualifier"] for a in (INVOKE_URL, INVOKE)} == {"live"}
    assert {planned(plan, a)["function_name"] for a in (INVOKE_URL, INVOKE)} == {"shop-api"}


def _behavior(plan: Plan) -> dict[str, Any]:
    found: dict[str, Any] = planned(plan, DISTRIBUTION)["default_cache_behavior"][0]
    return found


def _auth_none(plan: Plan) -> None:
    planned(plan, URL)["authorization_type"] = "NONE"


def _no_invoke_permission(plan: Plan) -> None:
    plan["resource_changes"] = [c for c in plan["resource_changes"] if c["address"] != INVOKE]


def _public_permission(plan: Plan) -> None:
    planned(plan, INVOKE_URL)["principal"] = "*"


def _another_distribution(plan: Plan) -> None:
    planned(plan, INVOKE)["source_arn"] = "arn:aws:cloudfront::222222222222:distribution/EOTHER"
    change(plan, INVOKE)["after_unknown"]["source_arn"] = False


def _url_permission_for_auth_none(plan: Plan) -> None:
    planned(plan, INVOKE_URL)["function_url_auth_type"] = "NONE"


def _permission_on_another_alias(plan: Plan) -> None:
    planned(plan, INVOKE)["qualifier"] = "live"


def _extra_permission_in_the_root(plan: Plan) -> None:
    extra = copy.deepcopy(next(c for c in plan["resource_changes"] if c["address"] == INVOKE_URL))
    extra.update(address="aws_lambda_permission.anyone", module_address=None, name="anyone")
    extra.pop("module_address")
    extra["change"]["after"].update(principal="*", statement_id="anyone")
    plan["resource_changes"].append(extra)


def _root_copy(plan: Plan, address: str, name: str, **after: Any) -> dict[str, Any]:
    """A copy of ``address`` written in the root as ``name``, with ``after`` changed; its configuration too."""
    extra = copy.deepcopy(next(c for c in plan["resource_changes"] if c["address"] == address))
    type_ = extra["type"]
    extra.update(address=f"{type_}.{name}", name=name, index=None)
    extra.pop("module_address", None)
    extra.pop("index", None)
    extra["change"]["after"].update(after)
    plan["resource_changes"].append(extra)
    expressions = {k: {"constant_value": v} for k, v in after.items() if v is not None}
    expressions |= {k: {"references": ["local.fn"]} for k, v in after.items() if v is None}
    root = plan["configuration"]["root_module"]
    root.setdefault("resources", []).append(
        {"address": f"{type_}.{name}", "mode": "managed", "type": type_, "name": name, "expressions": expressions}
    )
    return extra


def _function_name(plan: Plan) -> str:
    name: str = planned(plan, URL)["function_name"]
    return name


def _permission_by_arn(plan: Plan) -> None:
    """A root permission that names the function by its ARN: anyone may invoke it."""
    arn = f"arn:aws:lambda:eu-west-1:111111111111:function:{_function_name(plan)}"
    _root_copy(plan, INVOKE_URL, "by_arn", function_name=arn, principal="*", statement_id="by-arn")


def _permission_by_partial_arn(plan: Plan) -> None:
    partial = f"111111111111:function:{_function_name(plan)}:live"
    _root_copy(plan, INVOKE, "by_partial_arn", function_name=partial, principal="222222222222")


def _permission_through_a_local(plan: Plan) -> None:
    """function_name = local.fn: the plan cannot tell which function, so it is judged as this one's."""
    extra = _root_copy(plan, INVOKE, "by_local", function_name=None, principal="*")
    extra["change"]["after"].pop("function_name")
    extra["change"]["after_unknown"]["function_name"] = True


def _second_url(plan: Plan) -> None:
    _root_copy(plan, URL, "open", function_name=_function_name(plan), authorization_type="NONE")


def _oac_never_signs(plan: Plan) -> None:
    planned(plan, OAC)["signing_behavior"] = "never"


def _oac_for_s3(plan: Plan) -> None:
    planned(plan, OAC)["origin_access_control_origin_type"] = "s3"


def _origin_without_oac(plan: Plan) -> None:
    planned(plan, DISTRIBUTION)["origin"][0]["origin_access_control_id"] = ""
    change(plan, DISTRIBUTION)["after_unknown"]["origin"][0]["origin_access_control_id"] = False


def _output_without_oac(plan: Plan) -> None:
    output = plan["configuration"]["root_module"]["module_calls"]["web_api"]["module"]["outputs"]["cloudfront_origin"]
    output["expression"]["references"] = [
        r for r in output["expression"]["references"] if "aws_cloudfront_origin_access_control" not in r
    ]


def _host_forwarded(plan: Plan) -> None:
    _behavior(plan)["origin_request_policy_id"] = ALL_VIEWER


def _hash_not_forwarded(plan: Plan) -> None:
    _behavior(plan)["origin_request_policy_id"] = ""


def _match_viewer(plan: Plan) -> None:
    planned(plan, DISTRIBUTION)["origin"][0]["custom_origin_config"][0]["origin_protocol_policy"] = "match-viewer"


@pytest.mark.parametrize(
    ("break_it", "check_id", "message"),
    [
        (_auth_none, "CFG_LAMBDA_URL_AUTH", "has authorization_type 'NONE', not 'AWS_IAM'"),
        (_no_invoke_permission, "CFG_LAMBDA_URL_PERMISSIONS", "0 permissions for lambda:InvokeFunction, not one"),
        (_public_permission, "CFG_LAMBDA_URL_PERMISSIONS", "allows '*', not cloudfront.amazonaws.com"),
        (_another_distribution, "CFG_LAMBDA_URL_PERMISSIONS", "admits source_arn arn:aws:cloudfront::222222222222"),
        (_url_permission_for_auth_none, "CFG_LAMBDA_URL_PERMISSIONS", "function_url_auth_type 'NONE'"),
        (_permission_on_another_alias, "CFG_LAMBDA_URL_PERMISSIONS", "has qualifier 'live', the URL None"),
        (_extra_permission_in_the_root, "CFG_LAMBDA_URL_PERMISSIONS", "aws_lambda_permission.anyone allows '*'"),
        (_permission_by_arn, "CFG_LAMBDA_URL_PERMISSIONS", "aws_lambda_permission.by_arn allows '*'"),
        (_permission_by_partial_arn, "CFG_LAMBDA_URL_PERMISSIONS", "by_partial_arn allows '222222222222'"),
        (_permission_through_a_local, "CFG_LAMBDA_URL_PERMISSIONS", "aws_lambda_permission.by_local allows '*'"),
        (_second_url, "CFG_LAMBDA_URL_AUTH", "aws_lambda_function_url.open is another URL of the function"),
        (_oac_never_signs, "CFG_LAMBDA_URL_OAC", "signing_behavior is 'never', not 'always'"),
        (_oac_for_s3, "CFG_LAMBDA_URL_OAC", "origin_access_control_origin_type is 's3', not 'lambda'"),
        (_origin_without_oac, "CFG_LAMBDA_URL_OAC", "has no origin_access_control_id"),
        (_output_without_oac, "CFG_LAMBDA_URL_OAC", "does not take this origin access control's id"),
        (_host_forwarded, "CFG_LAMBDA_URL_OAC", "forwards the viewer's Host"),
        (_hash_not_forwarded, "CFG_LAMBDA_URL_OAC", "does not forward x-amz-content-sha256"),
        (_match_viewer, "CFG_LAMBDA_URL_OAC", "origin_protocol_policy 'match-viewer', not 'https-only'"),
    ],
    ids=lambda v: v.__name__.strip("_") if callable(v) else None,
)
def test_each_lambda_url_proof_fails_when_broken(
    demo: Planned, break_it: Callable[[Plan], None], check_id: str, message: str
) -> None:
    assert_fails(broken(demo, break_it), check_id, message)


def _guard_removed(plan: Plan) -> None:
    plan["resource_changes"] = [c for c in plan["resource_changes"] if c["address"] != GUARD]


def _guard_without_condition(plan: Plan) -> None:
    plan["checks"] = [c for c in plan["checks"] if c["address"]["to_display"] != GUARD.removesuffix("[0]")]


def _guard_not_upstream(plan: Plan) -> None:
    output = plan["configuration"]["root_module"]["module_calls"]["web_api"]["module"]["outputs"]["cloudfront_origin"]
    output["depends_on"] = []


@pytest.mark.parametrize(
    ("break_it", "message"),
    [
        (_guard_removed, "0 function URLs, not one"),
        (_guard_without_condition, "data.aws_lambda_function_url.existing carries no condition"),
        (_guard_not_upstream, "cloudfront_origin does not depend on"),
    ],
    ids=lambda v: v.__name__.strip("_") if callable(v) else None,
)
def test_each_break_of_the_existing_urls_guard_fails(
    existing: Planned, break_it: Callable[[Plan], None], message: str
) -> None:
    got = broken(existing, break_it)
    assert message in got["CFG_LAMBDA_URL_AUTH"], got


def test_a_permission_on_another_function_is_not_judged(demo: Planned) -> None:
    """Fail closed stops at a function the plan tells apart: a root permission on another one by ARN."""
    arn = "arn:aws:lambda:eu-west-1:111111111111:function:another-function"
    got = broken(demo, lambda p: _root_copy(p, INVOKE_URL, "other", function_name=arn, principal="*"))
    assert got == HOLD, got


def test_a_url_open_to_anyone_fails_cfgen_test(tmp_path: Path, plugin_mirror: Path) -> None:
    """The hand edit this proof exists for: the URL takes unsigned requests."""
    failed = hand_edited_failures(
        SPEC,
        tmp_path,
        plugin_mirror,
        {"modules/lambda-url-origin/main.tf": ('authorization_type = "AWS_IAM"', 'authorization_type = "NONE"')},
    )
    assert {check for check, _ in failed} == {"CFG_LAMBDA_URL_AUTH"}, failed
