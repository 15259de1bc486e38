"""The API Gateway proofs hold on cfgen's plans, and each fails when the path it closes is reopened.

Plans (one per tree per session, shared through the planner): the five
examples (demo APIs, and an existing API behind waf_header) and one spec that
adopts an existing API in every other mode. Failing cases edit a deep copy of
a plan's JSON the way a hand edit of the HCL would; one real hand edit per
mode goes through `cfgen test --dir` and must exit 1.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from tests.conftest import EXAMPLES
from tests.plan._plans import Plan, Planner, add_root, change, hand_edited_failures, plan_spec, planned
from tests.plan._sensitive import unmarked

from cfgen import _service, write
from cfgen.harness import _terraform
from cfgen.harness.plan import PlanView, policy_statements
from cfgen.patterns import OriginBinding
from cfgen.render import render
from cfgen.spec import load_spec

pytestmark = pytest.mark.plan
Planned = tuple[Plan, list[OriginBinding]]
Edit = Callable[[Plan], None]

ADOPTED = """\
version: 1
project: shop
region: eu-west-1
distributions:
  - name: old
    origins:
      - {id: keys, type: api_gateway, protection: api_key, api: {rest_api_id: aaaaaaaaa1, stage: live},
         api_keys: {generations: [g1, g2], send: g2}}
      - {id: referer, type: api_gateway, protection: resource_policy,
         api: {rest_api_id: aaaaaaaaa2, current_policy: referer-policy.json},
         secret: {source: secrets_manager, secret_id: old/referer}}
      - {id: authz, type: api_gateway, protection: authorizer, api: {rest_api_id: aaaaaaaaa3},
         secret: {source: ssm, parameter: /old/authz}}
      - {id: authzhttp, type: api_gateway, protection: authorizer,
         api: {kind: http, http_api_id: aaaaaaaaa4, stage: v1}}
      - {id: signed, type: api_gateway, protection: iam_sigv4,
         api: {rest_api_id: aaaaaaaaa5, current_policy: signed-policy.json},
         keep_edge_function_on_destroy: false}
    behaviors:
      - {path: /keys/*, origin: keys, cache: disabled, origin_request: all_viewer_except_host, methods: all}
      - {path: /referer/*, origin: referer, cache: disabled, origin_request: all_viewer_except_host, methods: all}
      - {path: /authz/*, origin: authz, cache: disabled, origin_request: all_viewer_except_host, methods: all}
      - {path: /http/*, origin: authzhttp, cache: disabled, origin_request: all_viewer_except_host, methods: all}
      - {path: default, origin: signed, cache: disabled, origin_request: all_viewer_except_host, methods: all}
"""

PROOFS = {
    "api-key": {
        "api/orders": {"CFG_APIGW_HTTPS", "CFG_APIGW_KEY_PLAN", "CFG_APIGW_KEY_SENT", "CFG_APIGW_KEY_METHODS"},
    },
    "resource-policy": {
        "api/orders": {"CFG_APIGW_HTTPS", "CFG_APIGW_REFERER_POLICY", "CFG_APIGW_REDEPLOY", "CFG_APIGW_REFERER_SENT"},
    },
    "authorizer": {
        origin: {
            "CFG_APIGW_HTTPS",
            "CFG_APIGW_AUTHORIZER_SECRET",
            "CFG_APIGW_AUTHORIZER_PERMISSION",
            "CFG_APIGW_AUTHORIZER_METHODS",
        }
        for origin in ("api/orders", "api/search")
    },
    "waf-header": {
        "api/legacy": {"CFG_APIGW_HTTPS", "CFG_APIGW_WAF_ACL", "CFG_APIGW_WAF_ASSOCIATION", "CFG_APIGW_WAF_SENT"},
    },
    "iam-sigv4": {
        "api/orders": {
            "CFG_APIGW_HTTPS",
            "CFG_APIGW_IAM_EDGE",
            "CFG_APIGW_IAM_POLICY",
            "CFG_APIGW_IAM_METHODS",
            "CFG_APIGW_REDEPLOY",
        },
    },
    # An existing API: the proofs of what cfgen owns; of its methods, only those the plan adds (none in cfgen's).
    "adopted": {
        "old/keys": {"CFG_APIGW_HTTPS", "CFG_APIGW_KEY_PLAN", "CFG_APIGW_KEY_SENT", "CFG_APIGW_KEY_METHODS"},
        "old/referer": {"CFG_APIGW_HTTPS", "CFG_APIGW_REFERER_POLICY", "CFG_APIGW_REFERER_SENT"},
        **{
            origin: {
                "CFG_APIGW_HTTPS",
                "CFG_APIGW_AUTHORIZER_SECRET",
                "CFG_APIGW_AUTHORIZER_PERMISSION",
                "CFG_APIGW_AUTHORIZER_METHODS",
            }
            for origin in ("old/authz", "old/authzhttp")
        },
        "old/signed": {"CFG_APIGW_HTTPS", "CFG_APIGW_IAM_EDGE", "CFG_APIGW_IAM_POLICY", "CFG_APIGW_IAM_METHODS"},
    },
}


# The existing APIs' own statements (current_policy), which cfgen keeps in the policies it writes.
OWNER_DENY = {
    "Sid": "DenyOutsideOffice",
    "Effect": "Deny",
    "Principal": "*",
    "Action": "execute-api:Invoke",
    "Resource": "execute-api:/*",
    "Condition": {"NotIpAddress": {"aws:SourceIp": "203.0.113.0/24"}},
}
OWNER_ALLOW = {"Sid": "AllowPartner", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::222222222222:root"}}
KEPT = {
    "referer-policy.json": [OWNER_DENY, {**OWNER_ALLOW, "Action": "execute-api:Invoke", "Resource": "execute-api:/*"}],
    "signed-policy.json": [OWNER_DENY],
}


def spec_of(name: str, folder: Path) -> Path:
    if name == "adopted":
        for file, kept in KEPT.items():
            (folder / file).write_text(json.dumps({"Version": "2012-10-17", "Statement": kept}), encoding="utf-8")
        (folder / "spec.yaml").write_text(ADOPTED, encoding="utf-8")
        return folder / "spec.yaml"
    return EXAMPLES / f"api-gateway-{name}" / "spec.yaml"


@pytest.fixture(scope="module")
def plans(tmp_path_factory: pytest.TempPathFactory, planner: Planner) -> Callable[[str], Planned]:
    """A fresh copy of the plan of an example (or of ADOPTED), planned once per session."""
    cache: dict[str, Planned] = {}

    def get(name: str) -> Planned:
        if name not in cache:
            folder = tmp_path_factory.mktemp(name)
            plan, rendered = plan_spec(spec_of(name, folder), folder, planner)
            cache[name] = (plan, rendered.bindings)
        return copy.deepcopy(cache[name])

    return get


def results(plan: Plan, bindings: list[OriginBinding]) -> dict[tuple[str, str], str]:
    """(origin, check id) -> "" when the proof holds, else its message."""
    out: dict[tuple[str, str], str] = {}
    for finding in _service.prove(plan, bindings):
        assert finding.origin is not None
        assert (finding.origin, finding.check_id) not in out, f"{finding.check_id} reported twice"
        out[(finding.origin, finding.check_id)] = finding.message
        assert finding.passed == (not finding.message)
    return out


@pytest.mark.parametrize("name", list(PROOFS))
def test_every_proof_holds_on_the_rendered_plan(plans: Callable[[str], Planned], name: str) -> None:
    expected = {(origin, check): "" for origin, checks in PROOFS[name].items() for check in checks}
    assert results(*plans(name)) == expected


# -- editing a plan as a hand edit of the HCL would -------------------------------------------------


def call(plan: Plan, name: str) -> dict[str, Any]:
    """The root module's call ``name`` in the configuration."""
    found: dict[str, Any] = plan["configuration"]["root_module"]["module_calls"][name]
    return found


def config(plan: Plan, module: str, address: str) -> dict[str, Any]:
    """The configuration expressions of ``address`` in the root module's call ``module``."""
    resource = next(r for r in call(plan, module)["module"]["resources"] if r["address"] == address)
    expressions: dict[str, Any] = resource["expressions"]
    return expressions


def origin(plan: Plan, distribution: str, origin_id: str) -> dict[str, Any]:
    after = planned(plan, f"module.{distribution}.aws_cloudfront_distribution.this")
    found: dict[str, Any] = next(o for o in after["origin"] if o["origin_id"] == origin_id)
    return found


def set_header(plan: Plan, origin_id: str, name: str, value: str, *, distribution: str = "api") -> None:
    """CloudFront sends ``value`` (sensitive, as from a variable) in header ``name`` of ``origin_id``."""
    entry = origin(plan, distribution, origin_id)
    entry["custom_header"] = [{"name": name, "value": value}]
    body = change(plan, f"module.{distribution}.aws_cloudfront_distribution.this")
    for o in body["after_unknown"].get("origin") or []:
        if isinstance(o, dict):
            o.pop("custom_header", None)


def test_an_existing_apis_statements_are_kept_in_the_policy_cfgen_writes(plans: Callable[[str], Planned]) -> None:
    plan, _ = plans("adopted")
    # referer: built with jsonencode (it holds the secret), the owner's statements first.
    referer = json.loads(planned(plan, OLD_REFERER)["policy"])["Statement"]
    assert referer[:2] == KEPT["referer-policy.json"]
    assert [s["Sid"] for s in referer[2:]] == ["AllowInvoke", DENY]
    # principal: merged by the policy document (source_policy_documents), read from the configuration.
    view = PlanView(plan)
    policy = view.one(("old_signed_policy",), "aws_api_gateway_rest_api_policy")
    assert policy is not None and policy.config_address.endswith(".adopted_principal")
    signed = policy_statements(view, policy)
    assert signed is not None
    assert [s.sid for s in signed] == ["DenyOutsideOffice", "AllowInvokeByTheseRoles", "DenyInvokeByAnyoneElse"]


def statements(plan: Plan, address: str, edit: Callable[[list[dict[str, Any]]], None]) -> None:
    after = planned(plan, address)
    document = json.loads(after["policy"])
    edit(document["Statement"])
    after["policy"] = json.dumps(document)


def acl_rule(plan: Plan) -> dict[str, Any]:
    rule: dict[str, Any] = planned(plan, "module.api_legacy_waf.aws_wafv2_web_acl.this")["rule"][0]
    return rule


def byte_matches(plan: Plan) -> list[dict[str, Any]]:
    inner = acl_rule(plan)["statement"][0]["or_statement"][0]["statement"]
    return [s["byte_match_statement"][0] for s in inner]


def env(plan: Plan, module: str) -> dict[str, Any]:
    variables: dict[str, Any] = planned(plan, f"module.{module}.aws_lambda_function.this")["environment"][0][
        "variables"
    ]
    return variables


REFERER = "module.api_orders_policy.aws_api_gateway_rest_api_policy.referer[0]"
# An existing API's policy, kept on destroy.
OLD_REFERER = "module.old_referer_policy.aws_api_gateway_rest_api_policy.adopted_referer[0]"
DENY = "DenyInvokeWithoutSecretReferer"
PRINCIPAL_DOC = "data.aws_iam_policy_document.principal"


def _deny(rows: list[dict[str, Any]]) -> dict[str, Any]:
    return next(s for s in rows if s["Sid"] == DENY)


def _second_allow_rule(plan: Plan) -> None:
    rules = planned(plan, "module.api_legacy_waf.aws_wafv2_web_acl.this")["rule"]
    rules.append({**copy.deepcopy(rules[0]), "name": "allow-office", "priority": 1})


def _keep(plan: Plan, module: str, *statements: dict[str, Any]) -> None:
    """Give the policy call ``module`` these kept statements, as an existing API's current_policy file would."""
    document = {"Version": "2012-10-17", "Statement": [*KEPT["signed-policy.json"], *statements]}
    call(plan, module)["expressions"]["kept_policy_json"] = {"constant_value": json.dumps(document)}


def _forget_sensitive(plan: Plan, address: str, attribute: str) -> None:
    change(plan, address)["after_sensitive"][attribute] = False


def _open_method(plan: Plan, api: str = "local.orders_api") -> None:
    """A keyless GET with a MOCK integration on the API a local names, deployed from the root."""
    add_root(
        plan,
        "aws_api_gateway_method",
        "open",
        {"http_method": "GET", "authorization": "NONE", "api_key_required": False},
        rest_api_id=api,
        resource_id="local.orders_root",
    )
    add_root(plan, "aws_api_gateway_integration", "open", {"http_method": "GET", "type": "MOCK"}, rest_api_id=api)
    add_root(plan, "aws_api_gateway_deployment", "open", {}, rest_api_id=api)


def _open_route(plan: Plan) -> None:
    add_root(
        plan,
        "aws_apigatewayv2_route",
        "open",
        {"route_key": "GET /open", "authorization_type": "NONE"},
        api_id="local.search_api",
    )


def _put_definition(plan: Plan, api: str = "local.orders_api") -> None:
    """An OpenAPI definition put on the API a local (or a literal id) names: methods without aws_api_gateway_method."""
    known = {} if api.startswith("local.") else {"rest_api_id": api}
    refs = {"rest_api_id": api} if api.startswith("local.") else {}
    add_root(plan, "aws_api_gateway_rest_api_put", "open", {"body": "{}", **known}, **refs)


def _on_existing(type_: str, **values: Any) -> Edit:
    """A method or route written in the root on an existing API, by its literal id."""
    return lambda plan: add_root(plan, type_, "open", values)


def _open_stage(plan: Plan) -> None:
    """A second stage of the existing API, written in the root: this mode's methods need no authorization."""
    add_root(plan, "aws_api_gateway_stage", "open", {"rest_api_id": "a1b2c3d4e5", "stage_name": "open"})


def _guarded_stage(plan: Plan) -> None:
    """The same second stage, with cfgen's web ACL associated: nothing is open."""
    _open_stage(plan)
    add_root(
        plan,
        "aws_wafv2_web_acl_association",
        "open",
        {},
        resource_arn="aws_api_gateway_stage.open.arn",
        web_acl_arn="module.api_legacy_waf.web_acl_arn",
    )


def _trust(plan: Plan, *principals: dict[str, Any]) -> None:
    """The edge role's own assume_role_policy (as jsonencode would write it) trusts ``principals``."""
    rows = [{"Effect": "Allow", "Action": "sts:AssumeRole", "Principal": p} for p in principals]
    planned(plan, "module.api_orders_edge.aws_iam_role.this")["assume_role_policy"] = json.dumps(
        {"Version": "2012-10-17", "Statement": rows}
    )


def _open_policy(plan: Plan) -> None:
    """A second resource policy, written in the root on the API a local names, that lets anyone invoke."""
    allow = {"Effect": "Allow", "Principal": "*", "Action": "execute-api:Invoke", "Resource": "execute-api:/*"}
    policy = json.dumps({"Version": "2012-10-17", "Statement": [allow]})
    add_root(plan, "aws_api_gateway_rest_api_policy", "open", {"policy": policy}, rest_api_id="local.orders_api")


CASES: list[tuple[str, str, str, Edit, str]] = [
    # -- what a hand edit adds on "this API" through a local: judged as this API's (fail closed) ----------------
    ("api-key", "api/orders", "CFG_APIGW_KEY_METHODS", _open_method, "aws_api_gateway_method.open (GET) does not"),
    ("iam-sigv4", "api/orders", "CFG_APIGW_IAM_METHODS", _open_method, "aws_api_gateway_method.open (GET) has"),
    ("authorizer", "api/orders", "CFG_APIGW_AUTHORIZER_METHODS", _open_method, "aws_api_gateway_method.open (GET)"),
    ("authorizer", "api/search", "CFG_APIGW_AUTHORIZER_METHODS", _open_route, "aws_apigatewayv2_route.open (GET"),
    ("resource-policy", "api/orders", "CFG_APIGW_REFERER_POLICY", _open_policy, "2 resource policies on"),
    ("iam-sigv4", "api/orders", "CFG_APIGW_IAM_POLICY", _open_policy, "2 resource policies on"),
    # -- waf_header: every stage of the API in the plan has the web ACL ---------------------------------------
    (
        "waf-header",
        "api/legacy",
        "CFG_APIGW_WAF_ASSOCIATION",
        lambda p: add_root(p, "aws_api_gateway_deployment", "open", {"stage_name": "open"}, rest_api_id="local.api"),
        "aws_api_gateway_deployment.open creates stage open of API a1b2c3d4e5, which has no web ACL",
    ),
    (
        "waf-header",
        "api/legacy",
        "CFG_APIGW_WAF_ASSOCIATION",
        _open_stage,
        "aws_api_gateway_stage.open is a stage of API a1b2c3d4e5 (or of an API cfgen cannot tell apart) without",
    ),
    # -- routes added without a method or route resource ----------------------------------------------------
    ("api-key", "api/orders", "CFG_APIGW_KEY_METHODS", _put_definition, "aws_api_gateway_rest_api_put.open puts"),
    (
        "api-key",
        "api/orders",
        "CFG_APIGW_KEY_METHODS",
        lambda p: planned(p, "module.api_orders_api.aws_api_gateway_rest_api.this").update(body="{}"),
        "module.api_orders_api.aws_api_gateway_rest_api.this sets body: it adds routes no proof reads",
    ),
    (
        "authorizer",
        "api/search",
        "CFG_APIGW_AUTHORIZER_METHODS",
        lambda p: planned(p, "module.api_search_api.aws_apigatewayv2_api.this").update(target="arn:aws:lambda:x"),
        "module.api_search_api.aws_apigatewayv2_api.this sets target",
    ),
    ("iam-sigv4", "api/orders", "CFG_APIGW_IAM_METHODS", _put_definition, "aws_api_gateway_rest_api_put.open puts"),
    # -- an existing API: what the plan adds to it is judged --------------------------------------------------
    (
        "adopted",
        "old/keys",
        "CFG_APIGW_KEY_METHODS",
        _on_existing("aws_api_gateway_method", rest_api_id="aaaaaaaaa1", http_method="GET", authorization="NONE"),
        "aws_api_gateway_method.open (GET) does not require an API key",
    ),
    (
        "adopted",
        "old/authz",
        "CFG_APIGW_AUTHORIZER_METHODS",
        _on_existing("aws_api_gateway_method", rest_api_id="aaaaaaaaa3", http_method="GET", authorization="NONE"),
        "aws_api_gateway_method.open (GET) has authorization NONE, not CUSTOM",
    ),
    (
        "adopted",
        "old/authzhttp",
        "CFG_APIGW_AUTHORIZER_METHODS",
        _on_existing("aws_apigatewayv2_route", api_id="aaaaaaaaa4", route_key="$default", authorization_type="NONE"),
        "aws_apigatewayv2_route.open ($default) has authorization_type NONE",
    ),
    (
        "adopted",
        "old/signed",
        "CFG_APIGW_IAM_METHODS",
        lambda p: _put_definition(p, "aaaaaaaaa5"),
        "aws_api_gateway_rest_api_put.open puts an OpenAPI definition on API aaaaaaaaa5",
    ),
    # (plan, origin, check, edit, what the failure says)
    (
        "api-key",
        "api/orders",
        "CFG_APIGW_HTTPS",
        lambda p: origin(p, "api", "orders")["custom_origin_config"][0].update(origin_protocol_policy="match-viewer"),
        "origin_protocol_policy is 'match-viewer': the secret would cross the network in clear",
    ),
    (
        "waf-header",
        "api/legacy",
        "CFG_APIGW_HTTPS",
        lambda p: origin(p, "api", "legacy")["custom_origin_config"][0].update(
            origin_ssl_protocols=["TLSv1.1", "TLSv1.2"]
        ),
        "origin_ssl_protocols is ['TLSv1.1', 'TLSv1.2'], not [TLSv1.2]",
    ),
    # -- api_key ------------------------------------------------------------------------------------
    (
        "api-key",
        "api/orders",
        "CFG_APIGW_KEY_METHODS",
        lambda p: planned(p, "module.api_orders_api.aws_api_gateway_method.get").update(api_key_required=False),
        "module.api_orders_api.aws_api_gateway_method.get (GET) does not require an API key: anyone may call it",
    ),
    (
        "api-key",
        "api/orders",
        "CFG_APIGW_KEY_METHODS",
        lambda p: call(p, "api_orders_api")["expressions"].update(cors={"constant_value": False}),
        "aws_api_gateway_method.options[0] (OPTIONS) does not require an API key (a keyless preflight needs cors on",
    ),
    (
        "api-key",
        "api/orders",
        "CFG_APIGW_KEY_METHODS",
        lambda p: planned(p, "module.api_orders_api.aws_api_gateway_integration.options[0]").update(type="HTTP_PROXY"),
        "aws_api_gateway_method.options[0] (OPTIONS) does not require an API key (a keyless preflight needs cors on "
        "and a MOCK integration)",
    ),
    (
        "api-key",
        "api/orders",
        "CFG_APIGW_KEY_METHODS",
        lambda p: planned(p, "module.api_orders_api.aws_api_gateway_rest_api.this").update(api_key_source="AUTHORIZER"),
        "reads keys from AUTHORIZER, not the x-api-key header",
    ),
    (
        "api-key",
        "api/orders",
        "CFG_APIGW_KEY_PLAN",
        lambda p: config(p, "api_orders_keys", "aws_api_gateway_usage_plan.this")["api_stages"].append(
            {"api_id": {"constant_value": "zzzzzzzzz9"}, "stage": {"constant_value": "prod"}}
        ),
        "covers 2 API stages: a key valid in a plan opens every API of it, so it must cover this stage alone",
    ),
    (
        "api-key",
        "api/orders",
        "CFG_APIGW_KEY_PLAN",
        lambda p: (
            planned(p, 'module.api_orders_keys.aws_api_gateway_usage_plan_key.this["g1"]').update(key_id="k1a2b3c4d5"),
            change(p, 'module.api_orders_keys.aws_api_gateway_usage_plan_key.this["g1"]')["after_unknown"].pop(
                "key_id"
            ),
        ),
        "attaches key id k1a2b3c4d5, not a key of module.api_orders_keys: it would open the API",
    ),
    (
        "api-key",
        "api/orders",
        "CFG_APIGW_KEY_PLAN",
        lambda p: p["resource_changes"].remove(
            next(c for c in p["resource_changes"] if "usage_plan_key" in c["address"])
        ),
        "no API key is attached to module.api_orders_keys.aws_api_gateway_usage_plan.this",
    ),
    (
        "adopted",
        "old/keys",
        "CFG_APIGW_KEY_PLAN",
        lambda p: planned(p, "module.old_keys_keys.aws_api_gateway_usage_plan.this")["api_stages"][0].update(
            api_id="zzzzzzzzz9"
        ),
        "covers API zzzzzzzzz9, not API aaaaaaaaa1",
    ),
    (
        "api-key",
        "api/orders",
        "CFG_APIGW_KEY_SENT",
        lambda p: set_header(p, "orders", "x-api-key", "abcdefghijklmnopqrst0123"),
        "the x-api-key value is known at plan, so it is not a key API Gateway generates",
    ),
    (
        "api-key",
        "api/orders",
        "CFG_APIGW_KEY_SENT",
        lambda p: call(p, "api")["expressions"]["origins"]["references"].append("aws_api_gateway_api_key.stray"),
        "the distribution sends aws_api_gateway_api_key.stray, which no usage plan holds",
    ),
    (
        "api-key",
        "api/orders",
        "CFG_APIGW_KEY_SENT",
        lambda p: call(p, "api")["expressions"].update(origins={"references": ["module.api_orders_api.domain_name"]}),
        "the distribution's origins send no key of module.api_orders_keys attached to its usage plan",
    ),
    # -- resource_policy --------------------------------------------------------------------------
    (
        "resource-policy",
        "api/orders",
        "CFG_APIGW_REFERER_POLICY",
        lambda p: statements(p, REFERER, lambda rows: rows.remove(_deny(rows))),
        "no Deny of execute-api:Invoke to every principal unless aws:Referer is the secret: the Allow admits anyone",
    ),
    (
        "resource-policy",
        "api/orders",
        "CFG_APIGW_REFERER_POLICY",
        lambda p: statements(
            p, REFERER, lambda rows: _deny(rows)["Condition"].update(IpAddress={"aws:SourceIp": "192.0.2.0/24"})
        ),
        "no Deny of execute-api:Invoke to every principal unless aws:Referer is the secret",
    ),
    (
        "resource-policy",
        "api/orders",
        "CFG_APIGW_REFERER_POLICY",
        lambda p: statements(
            p,
            REFERER,
            lambda rows: _deny(rows)["Condition"]["StringNotEquals"]["aws:Referer"].extend(["second", "third"]),
        ),
        "the Deny accepts 3 Referer values; keep the current and the previous secret",
    ),
    (
        "resource-policy",
        "api/orders",
        "CFG_APIGW_REFERER_POLICY",
        lambda p: statements(p, REFERER, lambda rows: _deny(rows).update(Resource="execute-api:/prod/GET/")),
        "an Allow covers execute-api:/*, which no Referer Deny covers",
    ),
    (
        "resource-policy",
        "api/orders",
        "CFG_APIGW_REFERER_POLICY",
        lambda p: statements(p, REFERER, lambda rows: rows[0].update(Action="execute-api:*")),
        "must allow execute-api:Invoke alone",
    ),
    (
        "resource-policy",
        "api/orders",
        "CFG_APIGW_REFERER_POLICY",
        lambda p: _forget_sensitive(p, REFERER, "policy"),
        "the policy is not sensitive in the plan, so its Referer values were written in the code",
    ),
    (
        "adopted",
        "old/referer",
        "CFG_APIGW_REFERER_POLICY",
        lambda p: planned(p, OLD_REFERER).update(rest_api_id="zzzzzzzzz9"),
        "0 resource policies on API aaaaaaaaa2, not one",
    ),
    (
        "resource-policy",
        "api/orders",
        "CFG_APIGW_REFERER_SENT",
        lambda p: set_header(p, "orders", "Referer", "not-the-secret-but-long-enough-0123456789"),
        "CloudFront sends a Referer the policy does not accept: every request would be denied",
    ),
    (
        "resource-policy",
        "api/orders",
        "CFG_APIGW_REDEPLOY",
        lambda p: call(p, "api_orders_api")["expressions"].pop("redeploy_triggers"),
        "triggers do not hash module.api_orders_policy.aws_api_gateway_rest_api_policy.referer.policy",
    ),
    (
        "iam-sigv4",
        "api/orders",
        "CFG_APIGW_REDEPLOY",
        lambda p: planned(p, "module.api_orders_api.aws_api_gateway_deployment.this").update(stage_name="prod"),
        "sets stage_name: the stage must be its own aws_api_gateway_stage",
    ),
    # -- authorizer -------------------------------------------------------------------------------
    (
        "authorizer",
        "api/orders",
        "CFG_APIGW_AUTHORIZER_METHODS",
        lambda p: planned(p, "module.api_orders_api.aws_api_gateway_method.get").update(authorization="NONE"),
        "module.api_orders_api.aws_api_gateway_method.get (GET) has authorization NONE, not CUSTOM",
    ),
    (
        "authorizer",
        "api/search",
        "CFG_APIGW_AUTHORIZER_METHODS",
        lambda p: planned(p, 'module.api_search_api.aws_apigatewayv2_route.this["$default"]').update(
            authorization_type="NONE"
        ),
        'aws_apigatewayv2_route.this["$default"] ($default) has authorization_type NONE, not CUSTOM',
    ),
    (
        "authorizer",
        "api/orders",
        "CFG_APIGW_AUTHORIZER_METHODS",
        lambda p: config(p, "api_orders_api", "aws_api_gateway_method.get").update(
            authorizer_id={"constant_value": "abc123"}
        ),
        "(GET) runs an authorizer cfgen cannot follow, not "
        "module.api_orders_authorizer.aws_api_gateway_authorizer.rest",
    ),
    (
        "authorizer",
        "api/orders",
        "CFG_APIGW_AUTHORIZER_PERMISSION",
        lambda p: config(p, "api_orders_authorizer", "aws_lambda_permission.rest").update(
            source_arn={"references": ["local.execution_arn"]}
        ),
        "source_arn is not this authorizer's ARN (it names no authorizer): other methods or APIs may invoke it",
    ),
    (
        "authorizer",
        "api/search",
        "CFG_APIGW_AUTHORIZER_PERMISSION",
        lambda p: planned(p, "module.api_search_authorizer.aws_lambda_permission.http[0]").update(principal="*"),
        "grants lambda:InvokeFunction to *",
    ),
    (
        "authorizer",
        "api/orders",
        "CFG_APIGW_AUTHORIZER_PERMISSION",
        lambda p: p["resource_changes"].remove(
            next(
                c for c in p["resource_changes"] if c["address"].startswith("module.api_orders_authorizer.aws_lambda_p")
            )
        ),
        "no permission lets API Gateway invoke module.api_orders_authorizer.aws_lambda_function.this",
    ),
    (
        "authorizer",
        "api/orders",
        "CFG_APIGW_AUTHORIZER_SECRET",
        lambda p: planned(p, "module.api_orders_authorizer.aws_api_gateway_authorizer.rest[0]").update(
            identity_source="method.request.header.Authorization"
        ),
        "caches on 'method.request.header.Authorization', not the X-Origin-Verify header",
    ),
    (
        "authorizer",
        "api/search",
        "CFG_APIGW_AUTHORIZER_SECRET",
        lambda p: planned(p, "module.api_search_authorizer.aws_apigatewayv2_authorizer.http[0]").update(
            enable_simple_responses=False
        ),
        "must use payload 2.0 with simple responses",
    ),
    (
        "authorizer",
        "api/orders",
        "CFG_APIGW_AUTHORIZER_SECRET",
        lambda p: env(p, "api_orders_authorizer").update(HEADER_NAME="X-Other"),
        "the function checks 'X-Other', not X-Origin-Verify",
    ),
    (
        "authorizer",
        "api/orders",
        "CFG_APIGW_AUTHORIZER_SECRET",
        lambda p: env(p, "api_orders_authorizer").update(SECRET_ID="shop/another-secret"),
        "the function reads 'shop/another-secret', but CloudFront's header comes from shop/api/origin-verify",
    ),
    (
        "authorizer",
        "api/search",
        "CFG_APIGW_AUTHORIZER_SECRET",
        lambda p: env(p, "api_search_authorizer").update(ORIGIN_SECRET="x" * 40),
        "CloudFront sends an X-Origin-Verify value the function does not accept: every request is refused",
    ),
    (
        "authorizer",
        "api/search",
        "CFG_APIGW_AUTHORIZER_SECRET",
        lambda p: change(p, "module.api_search_authorizer.aws_lambda_function.this")["after_sensitive"]["environment"][
            0
        ]["variables"].update(ORIGIN_SECRET=False),
        "the function's ORIGIN_SECRET is not sensitive in the plan, so it was written in the code",
    ),
    # -- waf_header -------------------------------------------------------------------------------
    (
        "waf-header",
        "api/legacy",
        "CFG_APIGW_WAF_ACL",
        lambda p: planned(p, "module.api_legacy_waf.aws_wafv2_web_acl.this").update(
            default_action=[{"allow": [{"custom_request_handling": []}], "block": []}]
        ),
        "the default action is not block: a request without the secret would pass",
    ),
    (
        "waf-header",
        "api/legacy",
        "CFG_APIGW_WAF_ACL",
        lambda p: acl_rule(p)["visibility_config"][0].update(sampled_requests_enabled=True),
        "rule allow-origin-secret samples requests: WAF would keep the secret",
    ),
    (
        "waf-header",
        "api/legacy",
        "CFG_APIGW_WAF_ACL",
        lambda p: byte_matches(p)[1]["text_transformation"][0].update(type="LOWERCASE"),
        "a match transforms the header (LOWERCASE): use NONE only",
    ),
    (
        "waf-header",
        "api/legacy",
        "CFG_APIGW_WAF_ACL",
        lambda p: byte_matches(p)[0].update(positional_constraint="CONTAINS"),
        "a match is CONTAINS, not EXACTLY: other values would pass",
    ),
    (
        "waf-header",
        "api/legacy",
        "CFG_APIGW_WAF_ACL",
        lambda p: byte_matches(p)[0]["field_to_match"][0]["single_header"][0].update(name="x-other"),
        "a match reads ['x-other'], not the single header x-origin-verify (lowercase)",
    ),
    (
        "waf-header",
        "api/legacy",
        "CFG_APIGW_WAF_ACL",
        _second_allow_rule,
        "2 rules allow (or challenge) requests; the header rule must be the only one",
    ),
    (
        "waf-header",
        "api/legacy",
        "CFG_APIGW_WAF_ACL",
        lambda p: planned(p, "module.api_legacy_waf.aws_wafv2_web_acl_logging_configuration.this[0]").update(
            redacted_fields=[]
        ),
        "logs the x-origin-verify header: redact it, or WAF logs store the secret",
    ),
    (
        "waf-header",
        "api/legacy",
        "CFG_APIGW_WAF_ACL",
        lambda p: _forget_sensitive(p, "module.api_legacy_waf.aws_wafv2_web_acl.this", "rule"),
        "the rule is not sensitive in the plan, so its values were written in the code",
    ),
    (
        "waf-header",
        "api/legacy",
        "CFG_APIGW_WAF_ASSOCIATION",
        lambda p: planned(p, 'module.api_legacy_waf.aws_wafv2_web_acl_association.this["stage"]').update(
            resource_arn="arn:aws:apigateway:eu-west-1::/restapis/a1b2c3d4e5/stages/test"
        ),
        "no association of module.api_legacy_waf.aws_wafv2_web_acl.this with API a1b2c3d4e5's stage",
    ),
    (
        "waf-header",
        "api/legacy",
        "CFG_APIGW_WAF_SENT",
        lambda p: set_header(p, "legacy", "x-origin-verify", "not-the-secret-but-long-enough-0123456789"),
        "CloudFront sends a x-origin-verify value the web ACL does not allow: every request would be blocked",
    ),
    # -- iam_sigv4 --------------------------------------------------------------------------------
    (
        "iam-sigv4",
        "api/orders",
        "CFG_APIGW_IAM_METHODS",
        lambda p: planned(p, "module.api_orders_api.aws_api_gateway_method.get").update(authorization="NONE"),
        "(GET) has authorization NONE, not AWS_IAM",
    ),
    (
        "iam-sigv4",
        "api/orders",
        "CFG_APIGW_IAM_POLICY",
        lambda p: config(p, "api_orders_policy", PRINCIPAL_DOC)["statement"][1].update(condition=[]),
        "no Deny of execute-api:Invoke to every aws:PrincipalArn but the edge role",
    ),
    (
        "iam-sigv4",
        "api/orders",
        "CFG_APIGW_IAM_POLICY",
        lambda p: config(p, "api_orders_policy", PRINCIPAL_DOC)["statement"][0]["principals"][0].update(
            identifiers={"constant_value": ["*"]}
        ),
        "allows AWS:*, not the edge role (module.api_orders_edge.aws_iam_role.this.arn) alone",
    ),
    (
        "adopted",
        "old/referer",
        "CFG_APIGW_REFERER_POLICY",
        # The owner's policy file had an Allow of every execute-api action to anyone: the Referer Deny bounds only
        # Invoke, so cache invalidation (execute-api:InvalidateCache) would be anyone's.
        lambda p: statements(
            p, OLD_REFERER, lambda rows: rows.insert(0, {**OWNER_ALLOW, "Principal": "*", "Action": "execute-api:*"})
        ),
        "statement 'AllowPartner' must allow execute-api:Invoke alone",
    ),
    (
        "adopted",
        "old/signed",
        "CFG_APIGW_IAM_POLICY",
        # The owner's policy file had an Allow of Invoke to anyone, without a condition.
        lambda p: _keep(p, "old_signed_policy", {**OWNER_ALLOW, "Principal": "*", "Action": "execute-api:Invoke"}),
        "statement 'AllowPartner' allows *:*, not the edge role",
    ),
    (
        "adopted",
        "old/signed",
        "CFG_APIGW_IAM_POLICY",
        lambda p: config(p, "old_signed_policy", PRINCIPAL_DOC)["statement"][1]["condition"][0].update(
            values={"constant_value": ["arn:aws:iam::111111111111:role/admin"]}
        ),
        "the Deny spares arn:aws:iam::111111111111:role/admin, not the edge role alone",
    ),
    (
        "iam-sigv4",
        "api/orders",
        "CFG_APIGW_IAM_EDGE",
        lambda p: planned(p, "module.api.aws_cloudfront_distribution.this")["default_cache_behavior"][0][
            "lambda_function_association"
        ][0].update(include_body=False),
        "behavior default hides the body from the signer (include_body): POST/PUT would fail",
    ),
    (
        "iam-sigv4",
        "api/orders",
        "CFG_APIGW_IAM_EDGE",
        lambda p: planned(p, "module.api.aws_cloudfront_distribution.this")["default_cache_behavior"][0].update(
            lambda_function_association=[]
        ),
        "behavior default runs 0 origin-request functions, not the signer",
    ),
    (
        "iam-sigv4",
        "api/orders",
        "CFG_APIGW_IAM_EDGE",
        lambda p: planned(p, "module.api_orders_edge.aws_lambda_function.this").update(publish=False),
        "is not published: CloudFront takes a numbered version only",
    ),
    (
        "iam-sigv4",
        "api/orders",
        "CFG_APIGW_IAM_EDGE",
        lambda p: p["configuration"]["provider_config"]["aws.us_east_1"]["expressions"].update(
            region={"constant_value": "eu-west-1"}
        ),
        "module.api_orders_edge.aws_lambda_function.this is in eu-west-1, not us-east-1 (Lambda@Edge)",
    ),
    (
        "iam-sigv4",
        "api/orders",
        "CFG_APIGW_IAM_EDGE",
        lambda p: _trust(p, {"Service": "lambda.amazonaws.com"}),
        "is trusted by ['lambda.amazonaws.com'], not lambda and edgelambda alone",
    ),
    (
        "iam-sigv4",
        "api/orders",
        "CFG_APIGW_IAM_EDGE",
        # The role's own trust written with jsonencode, the document left as it was: another account may sign.
        lambda p: _trust(
            p,
            {"Service": ["lambda.amazonaws.com", "edgelambda.amazonaws.com"]},
            {"AWS": "arn:aws:iam::222222222222:root"},
        ),
        "is trusted by ['edgelambda.amazonaws.com', 'lambda.amazonaws.com', 'AWS:arn:aws:iam::222222222222:root']",
    ),
    (
        "iam-sigv4",
        "api/orders",
        "CFG_APIGW_IAM_EDGE",
        lambda p: call(p, "api")["expressions"]["default_cache_behavior"]["references"].append(
            "aws_lambda_function.other"
        ),
        "default_cache_behavior runs aws_lambda_function.other, not a signer cfgen made",
    ),
]


@pytest.mark.parametrize(
    ("name", "label", "check", "edit", "expected"),
    CASES,
    ids=[f"{c[2]}-{i}" for i, c in enumerate(CASES)],
)
def test_a_broken_plan_fails_its_proof(
    plans: Callable[[str], Planned], name: str, label: str, check: str, edit: Edit, expected: str
) -> None:
    plan, bindings = plans(name)
    edit(plan)
    message = results(plan, bindings)[(label, check)]
    assert expected in message, message


def test_what_is_written_on_another_api_is_not_judged(plans: Callable[[str], Planned]) -> None:
    """Fail closed stops at a provably different API: a keyless method on another API's literal id is not ours."""
    plan, bindings = plans("adopted")
    _on_existing("aws_api_gateway_method", rest_api_id="zzzzzzzzz9", http_method="GET", authorization="NONE")(plan)
    _put_definition(plan, "zzzzzzzzz9")
    assert not any(results(plan, bindings).values())


def test_another_stage_with_the_web_acl_passes(plans: Callable[[str], Planned]) -> None:
    plan, bindings = plans("waf-header")
    _guarded_stage(plan)
    assert not any(results(plan, bindings).values())


def test_every_proof_has_a_failing_case() -> None:
    proved = {check for by_origin in PROOFS.values() for checks in by_origin.values() for check in checks}
    assert proved == {check for _, _, check, _, _ in CASES}


# -- one real hand edit per mode: `cfgen test --dir` exits 1 ---------------------------------------

HAND_EDITS = {
    "api-key": (
        {"modules/api-gateway-demo/main.tf": ("api_key_required = var.api_key_required", "api_key_required = false")},
        "CFG_APIGW_KEY_METHODS",
        "(GET) does not require an API key: anyone may call it",
    ),
    "resource-policy": (
        {
            "modules/api-gateway-policy/main.tf": (
                '        Sid       = "DenyInvokeWithoutSecretReferer"\n        Effect    = "Deny"',
                '        Sid       = "DenyInvokeWithoutSecretReferer"\n        Effect    = "Allow"',
            )
        },
        "CFG_APIGW_REFERER_POLICY",
        "no Deny of execute-api:Invoke to every principal unless aws:Referer is the secret",
    ),
    "authorizer": (
        {
            "modules/api-gateway-http-demo/main.tf": (
                "authorization_type = var.authorization",
                'authorization_type = "NONE"',
            )
        },
        "CFG_APIGW_AUTHORIZER_METHODS",
        "has authorization_type NONE, not CUSTOM",
    ),
    "waf-header": (
        {
            "modules/waf-header/main.tf": (
                "  default_action {\n    block {}\n  }",
                "  default_action {\n    allow {}\n  }",
            )
        },
        "CFG_APIGW_WAF_ACL",
        "the default action is not block",
    ),
    "iam-sigv4": (
        {"main.tf": ("include_body = true", "include_body = false")},
        "CFG_APIGW_IAM_EDGE",
        "behavior default hides the body from the signer",
    ),
}


@pytest.mark.parametrize("mode", list(HAND_EDITS))
def test_a_hand_edit_that_reopens_a_path_fails_cfgen_test(mode: str, tmp_path: Path, plugin_mirror: Path) -> None:
    edits, check, expected = HAND_EDITS[mode]
    failures = hand_edited_failures(EXAMPLES / f"api-gateway-{mode}" / "spec.yaml", tmp_path, plugin_mirror, edits)
    assert any(c == check and expected in m for c, m in failures), failures


# -- the API key API Gateway generates is never unmarked -------------------------------------------

CANARY_KEY = "canaryApiKey4f1e2d3c5b6a798877665544332211"


def test_an_api_key_value_is_marked_sensitive_wherever_the_plan_holds_it(tmp_path: Path, planner: Planner) -> None:
    """A generated key is unknown at plan; a value set in a copy shows where Terraform would keep it, all marked."""
    rendered = render(load_spec(EXAMPLES / "api-gateway-api-key" / "spec.yaml"))
    write.write(tmp_path / "tree", rendered.files, {"origins": []})
    keys = tmp_path / "tree" / "modules" / "api-gateway-keys" / "main.tf"
    text = keys.read_text(encoding="utf-8")
    keys.write_text(text.replace("  enabled     = true\n", f'  enabled     = true\n  value       = "{CANARY_KEY}"\n'))
    plan = planner.plan_tree(
        tmp_path / "tree",
        binary=_terraform.find_binary(None),
        plugin_mirror=planner.mirror,
        offline=True,
        work_dir=tmp_path / "work",
    )
    header = origin(plan, "api", "orders")["custom_header"]
    assert header == [{"name": "x-api-key", "value": CANARY_KEY}], "the key did not reach the distribution"
    # Only the literal of the copy's configuration holds it unmarked; every planned value is marked.
    leaks = unmarked(plan, [CANARY_KEY])
    assert leaks and all(leak.startswith("configuration.") for leak in leaks), leaks
    # ... and the proof refuses such a key: it is not one API Gateway generates.
    message = results(plan, rendered.bindings)[("api/orders", "CFG_APIGW_KEY_SENT")]
    assert "the x-api-key value is written in the configuration" in message
