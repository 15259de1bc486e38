"""The internet-facing ALB behind a web ACL: its proofs hold on cfgen's plans, and each fails when broken.

One offline plan of ``examples/alb-waf-header`` (an ALB cfgen creates) and
one of the same spec on an existing ALB; each failing case edits a copy of a
plan's JSON the way a hand edit of the HCL would change it, and one real hand
edit of the rendered module goes through `cfgen test --dir`.
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

from cfgen.harness import _terraform

pytestmark = pytest.mark.plan
SPEC = EXAMPLES / "alb-waf-header" / "spec.yaml"
M = "module.web_app."
RULE = f"{M}aws_vpc_security_group_ingress_rule.cloudfront"
LISTENER = f"{M}module.listener.aws_lb_listener.this[0]"
LB = f"{M}aws_lb.this[0]"
ACL = "module.web_app_waf.aws_wafv2_web_acl.this"
ASSOCIATION = 'module.web_app_waf.aws_wafv2_web_acl_association.this["alb"]'
LOGGING = "module.web_app_waf.aws_wafv2_web_acl_logging_configuration.this[0]"
DISTRIBUTION = "module.web.aws_cloudfront_distribution.this"
CHECKS = ("CFG_ALB_INGRESS", "CFG_ALB_HTTPS", "CFG_ALB_WAF_ACL", "CFG_ALB_WAF_ASSOCIATION", "CFG_ALB_WAF_SENT")

LB_ARN = "arn:aws:elasticloadbalancing:eu-west-1:111111111111:loadbalancer/app/shop-web/0a1b2c3d4e5f6071"
ADOPTED = f"""\
        load_balancer:
          arn: {LB_ARN}
          security_group_id: sg-0a1b2c3d4e5f60702
        replace_web_acl: true   # the ALB's own web ACL, if any, is replaced
        cloudfront_prefix_list_id: pl-0123456789abcdef0
"""


@pytest.fixture(scope="module")
def created(tmp_path_factory: pytest.TempPathFactory, planner: Planner) -> Planned:
    return planned_spec(SPEC, tmp_path_factory.mktemp("albwaf"), planner)


@pytest.fixture(scope="module")
def adopted(tmp_path_factory: pytest.TempPathFactory, planner: Planner) -> Planned:
    """The example on an existing ALB and its group, with its own prefix list id."""
    tmp = tmp_path_factory.mktemp("albwaf-adopted")
    text = SPEC.read_text(encoding="utf-8")
    start, end = text.index("        certificate:\n"), text.index("        waf_logging:")
    (tmp / "spec.yaml").write_text(text[:start] + ADOPTED + text[end:], encoding="utf-8")
    return planned_spec(tmp / "spec.yaml", tmp, planner)


def test_the_created_alb_is_behind_the_web_acl_and_forwards_what_it_admits(created: Planned) -> None:
    plan = created[0]
    assert proof_results(*created[:2]) == dict.fromkeys((*CHECKS, "CFG_ALB_TARGETS"), "")
    assert planned(plan, LB)["internal"] is False and planned(plan, LB)["drop_invalid_header_fields"] is True
    assert planned(plan, RULE)["prefix_list_id"] == "pl-4fa04526"
    action = planned(plan, LISTENER)["default_action"][0]
    assert action["type"] == "forward", "the web ACL checks the header: the listener forwards what WAF admits"
    assert not [c for c in plan["resource_changes"] if c["type"] == "aws_lb_listener_rule"]
    association = change(plan, ASSOCIATION)
    assert association["after_unknown"]["resource_arn"] is True, "the created ALB's ARN, known at apply"
    secret = _terraform.placeholder("web_app_origin_verify_secret")
    [match, _] = [s["byte_match_statement"][0] for s in _or(plan)]
    assert match["search_string"] == secret and match["positional_constraint"] == "EXACTLY"
    origin = planned(plan, DISTRIBUTION)["origin"][0]
    assert origin["custom_header"] == [{"name": "X-Origin-Verify", "value": secret}]
    assert origin["custom_origin_config"][0]["origin_protocol_policy"] == "https-only"
    [redacted] = planned(plan, LOGGING)["redacted_fields"]
    assert redacted["single_header"] == [{"name": "x-origin-verify"}]


def test_an_existing_alb_gets_the_web_acl_and_no_listener_change(adopted: Planned) -> None:
    plan = adopted[0]
    assert proof_results(*adopted[:2]) == dict.fromkeys(CHECKS, "")
    changed = {c["type"] for c in plan["resource_changes"] if c["mode"] == "managed"}
    assert change(plan, FAIL_OPEN_GUARD)["actions"] == ["read"], "enable_waf_fail_open is read at apply"
    assert not changed & {"aws_lb", "aws_security_group", "aws_lb_listener", "aws_lb_listener_rule"}, changed
    assert planned(plan, ASSOCIATION)["resource_arn"] == LB_ARN
    assert planned(plan, RULE)["security_group_id"] == "sg-0a1b2c3d4e5f60702"


def _or(plan: Plan) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = planned(plan, ACL)["rule"][0]["statement"][0]["or_statement"][0]["statement"]
    return found


def _default_allow(plan: Plan) -> None:
    planned(plan, ACL)["default_action"] = [{"allow": [{"custom_request_handling": []}], "block": []}]


def _second_allow_rule(plan: Plan) -> None:
    rules = planned(plan, ACL)["rule"]
    rules.append({**copy.deepcopy(rules[0]), "name": "allow-office", "priority": 1})


def _transform(plan: Plan) -> None:
    _or(plan)[1]["byte_match_statement"][0]["text_transformation"][0]["type"] = "LOWERCASE"


def _sampled(plan: Plan) -> None:
    planned(plan, ACL)["visibility_config"][0]["sampled_requests_enabled"] = True


def _logged(plan: Plan) -> None:
    planned(plan, LOGGING)["redacted_fields"] = []


def _moved(plan: Plan) -> None:
    """The association names another ALB (a hand edit of the call's associations)."""
    other = LB_ARN.replace("shop-web", "other")
    planned(plan, ASSOCIATION)["resource_arn"] = other
    change(plan, ASSOCIATION)["after_unknown"]["resource_arn"] = False
    call = plan["configuration"]["root_module"]["module_calls"]["web_app_waf"]
    call["expressions"]["associations"] = {"constant_value": {"alb": other}}


OLD_ACL = "arn:aws:wafv2:eu-west-1:111111111111:regional/webacl/old/0a1b2c3d"


def _second_acl(plan: Plan) -> None:
    """Another association, in the root, puts an older web ACL on the same ALB."""
    extra = copy.deepcopy(next(c for c in plan["resource_changes"] if c["address"] == ASSOCIATION))
    extra.update(address="aws_wafv2_web_acl_association.old", name="old", module_address=None)
    extra.pop("index", None)
    extra.pop("module_address", None)
    extra["change"]["after"]["web_acl_arn"] = OLD_ACL
    plan["resource_changes"].append(extra)
    plan["configuration"]["root_module"].setdefault("resources", []).append(
        {
            "address": "aws_wafv2_web_acl_association.old",
            "mode": "managed",
            "type": "aws_wafv2_web_acl_association",
            "name": "old",
            "expressions": {
                "resource_arn": {"references": ["module.web_app.load_balancer_arn", "module.web_app"]},
                "web_acl_arn": {"constant_value": OLD_ACL},
            },
        }
    )


def _open_to_the_internet(plan: Plan) -> None:
    planned(plan, RULE).update(prefix_list_id=None, cidr_ipv4="0.0.0.0/0")


def _header_unmarked(plan: Plan) -> None:
    change(plan, DISTRIBUTION)["after_sensitive"]["origin"] = [{"custom_header": [{}]}]


def _header_written(plan: Plan) -> None:
    value = planned(plan, DISTRIBUTION)["origin"][0]["custom_header"][0]["value"]
    plan["configuration"]["root_module"]["variables"]["written"] = {"default": value}


def _header_not_from_the_acl(plan: Plan) -> None:
    call = plan["configuration"]["root_module"]["module_calls"]["web_app"]
    call["expressions"]["origin_secrets"] = {"references": ["module.web_app_origin_verify.values"]}


def _match_viewer(plan: Plan) -> None:
    planned(plan, DISTRIBUTION)["origin"][0]["custom_origin_config"][0]["origin_protocol_policy"] = "match-viewer"


def _fails_open(plan: Plan) -> None:
    planned(plan, LB)["enable_waf_fail_open"] = True


def _targets_open_to_every_port(plan: Plan) -> None:
    planned(plan, f"{M}aws_vpc_security_group_ingress_rule.targets[0]").update(from_port=0, to_port=65535)


@pytest.mark.parametrize(
    ("break_it", "check_id", "message", "also"),
    [
        (_default_allow, "CFG_ALB_WAF_ACL", "the default action is not block", set()),
        (_second_allow_rule, "CFG_ALB_WAF_ACL", "2 rules allow (or challenge) requests", set()),
        (_transform, "CFG_ALB_WAF_ACL", "a match transforms the header (LOWERCASE): use NONE only", set()),
        (_sampled, "CFG_ALB_WAF_ACL", "sampled requests are on", set()),
        (_logged, "CFG_ALB_WAF_ACL", "logs the x-origin-verify header: redact it", set()),
        (_moved, "CFG_ALB_WAF_ASSOCIATION", "no association of module.web_app_waf.aws_wafv2_web_acl.this", set()),
        (
            _second_acl,
            "CFG_ALB_WAF_ASSOCIATION",
            "aws_wafv2_web_acl_association.old puts another web ACL on module.web_app.aws_lb.this[0]",
            set(),
        ),
        (_open_to_the_internet, "CFG_ALB_INGRESS", "admits 0.0.0.0/0: anyone could reach the ALB", set()),
        (_header_unmarked, "CFG_ALB_WAF_SENT", "origin header is not sensitive in the plan", set()),
        (_header_written, "CFG_ALB_WAF_SENT", "origin header is written in the configuration", {"CFG_ALB_WAF_ACL"}),
        (_header_not_from_the_acl, "CFG_ALB_WAF_SENT", "do not come from module.web_app_waf.header_value", set()),
        (_match_viewer, "CFG_ALB_HTTPS", "origin_protocol_policy 'match-viewer', not 'https-only'", set()),
        (_targets_open_to_every_port, "CFG_ALB_TARGETS", "admits ports 0-65535, not only the target port", set()),
        (_fails_open, "CFG_ALB_WAF_ASSOCIATION", "aws_lb.this[0] has enable_waf_fail_open", set()),
    ],
    ids=lambda v: v.__name__.strip("_") if callable(v) else None,
)
def test_each_alb_waf_proof_fails_when_broken(
    created: Planned, break_it: Callable[[Plan], None], check_id: str, message: str, also: set[str]
) -> None:
    assert_fails(broken(created, break_it), check_id, message, also)


def _adopted_moved(plan: Plan) -> None:
    other = LB_ARN.replace("shop-web", "other")
    planned(plan, ASSOCIATION)["resource_arn"] = other
    call = plan["configuration"]["root_module"]["module_calls"]["web_app_waf"]
    call["expressions"]["associations"] = {"constant_value": {"alb": other}}


FAIL_OPEN_GUARD = f"{M}data.aws_lb.waf_fail_closed[0]"


def _adopted_fail_open_guard_removed(plan: Plan) -> None:
    plan["resource_changes"] = [c for c in plan["resource_changes"] if c["address"] != FAIL_OPEN_GUARD]


def _adopted_fail_open_guard_without_condition(plan: Plan) -> None:
    plan["checks"] = [c for c in plan["checks"] if c["address"]["to_display"] != FAIL_OPEN_GUARD.removesuffix("[0]")]


def _adopted_open_rule(plan: Plan) -> None:
    planned(plan, RULE).update(prefix_list_id=None, cidr_ipv6="::/0")


@pytest.mark.parametrize(
    ("break_it", "check_id", "message"),
    [
        (_adopted_moved, "CFG_ALB_WAF_ASSOCIATION", f"with ALB {LB_ARN}: the ACL protects nothing"),
        (_adopted_open_rule, "CFG_ALB_INGRESS", "admits ::/0"),
        (_adopted_fail_open_guard_removed, "CFG_ALB_WAF_ASSOCIATION", "no data.aws_lb.waf_fail_closed reads"),
        (
            _adopted_fail_open_guard_without_condition,
            "CFG_ALB_WAF_ASSOCIATION",
            "data.aws_lb.waf_fail_closed carries no condition",
        ),
    ],
    ids=lambda v: v.__name__.strip("_") if callable(v) else None,
)
def test_each_adopted_alb_waf_break_fails_its_proof(
    adopted: Planned, break_it: Callable[[Plan], None], check_id: str, message: str
) -> None:
    assert_fails(broken(adopted, break_it), check_id, message)


def test_a_web_acl_that_allows_by_default_fails_cfgen_test(tmp_path: Path, plugin_mirror: Path) -> None:
    """The hand edit this proof exists for: the ALB's web ACL lets every request through."""
    failed = hand_edited_failures(
        SPEC,
        tmp_path,
        plugin_mirror,
        {"modules/waf-header/main.tf": ("default_action {\n    block {}", "default_action {\n    allow {}")},
    )
    assert {check for check, _ in failed} == {"CFG_ALB_WAF_ACL"}, failed
    assert any("the default action is not block" in message for _, message in failed), failed
