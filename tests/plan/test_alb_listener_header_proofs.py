"""The internet-facing ALB's proofs hold on cfgen's plans, and each fails when its guarantee is broken.

One offline plan of ``examples/alb-listener-header`` (an ALB cfgen creates)
and one of the same spec on an existing ALB; each failing case edits a copy
of a plan's JSON the way a hand edit of the HCL would change it, and one real
hand edit of the rendered module goes through `cfgen test --dir`.
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
    add_root,
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
SPEC = EXAMPLES / "alb-listener-header" / "spec.yaml"
M = "module.web_app."
RULE = f"{M}aws_vpc_security_group_ingress_rule.cloudfront"
GUARD = f"{M}data.aws_ec2_managed_prefix_list.cloudfront"
LISTENER = f"{M}module.listener.aws_lb_listener.this[0]"
VERIFY_RULE = f"{M}module.listener.aws_lb_listener_rule.origin_verify[0]"
LB = f"{M}aws_lb.this[0]"
DISTRIBUTION = "module.web.aws_cloudfront_distribution.this"
CREATED = {"CFG_ALB_SECRET": "", "CFG_ALB_INGRESS": "", "CFG_ALB_HTTPS": "", "CFG_ALB_TARGETS": ""}

LB_ARN = "arn:aws:elasticloadbalancing:eu-west-1:111111111111:loadbalancer/app/shop-web/0a1b2c3d4e5f6071"
ADOPTED = f"""\
        load_balancer:
          arn: {LB_ARN}
          security_group_id: sg-0a1b2c3d4e5f60702
          listener:
            arn: {LB_ARN.replace(":loadbalancer/", ":listener/")}/1a2b3c4d5e6f7081
            target_group_arn: arn:aws:elasticloadbalancing:eu-west-1:111111111111:targetgroup/shop-web/1b2c3d4e5f607182
            priority: 10
        cloudfront_prefix_list_id: pl-0123456789abcdef0
"""


@pytest.fixture(scope="module")
def created(tmp_path_factory: pytest.TempPathFactory, planner: Planner) -> Planned:
    return planned_spec(SPEC, tmp_path_factory.mktemp("alb"), planner)


@pytest.fixture(scope="module")
def adopted(tmp_path_factory: pytest.TempPathFactory, planner: Planner) -> Planned:
    """The example on an existing ALB, its group, listener and target group, with its own prefix list id."""
    tmp = tmp_path_factory.mktemp("adopted")
    text = SPEC.read_text(encoding="utf-8")
    start, end = text.index("        certificate:\n"), text.index("        secret:")
    (tmp / "spec.yaml").write_text(text[:start] + ADOPTED + text[end:], encoding="utf-8")
    return planned_spec(tmp / "spec.yaml", tmp, planner)


def test_the_created_alb_admits_only_cloudfront_and_only_with_the_secret(created: Planned) -> None:
    plan = created[0]
    assert proof_results(*created[:2]) == CREATED
    assert planned(plan, LB)["internal"] is False and planned(plan, LB)["drop_invalid_header_fields"] is True
    assert planned(plan, RULE)["prefix_list_id"] == "pl-4fa04526"  # eu-west-1's, from cfgen's table
    guard = change(plan, GUARD)
    assert guard["actions"] == ["read"], "read at apply: an offline or first plan makes no AWS call"
    assert guard["after"]["name"] == "com.amazonaws.global.cloudfront.origin-facing"
    action = planned(plan, LISTENER)["default_action"][0]
    assert action["type"] == "fixed-response" and action["fixed_response"][0]["status_code"] == "403"
    [header] = planned(plan, VERIFY_RULE)["condition"][0]["http_header"]
    secret = _terraform.placeholder("web_app_origin_verify_secret")
    assert header == {"http_header_name": "X-Origin-Verify", "values": [secret]}
    origin = planned(plan, DISTRIBUTION)["origin"][0]
    assert origin["custom_header"] == [{"name": "X-Origin-Verify", "value": secret}]
    assert origin["custom_origin_config"][0]["origin_protocol_policy"] == "https-only"


def test_an_existing_alb_gets_the_rules_and_the_guards(adopted: Planned) -> None:
    plan = adopted[0]
    assert proof_results(*adopted[:2]) == {"CFG_ALB_SECRET": "", "CFG_ALB_INGRESS": "", "CFG_ALB_HTTPS": ""}
    assert not [c for c in plan["resource_changes"] if c["type"] in ("aws_lb", "aws_security_group")]
    assert planned(plan, RULE)["security_group_id"] == "sg-0a1b2c3d4e5f60702"
    assert planned(plan, RULE)["prefix_list_id"] == "pl-0123456789abcdef0"
    assert planned(plan, f"{M}module.listener.aws_lb_listener_rule.origin_verify[0]")["priority"] == 10
    for guard in (GUARD, f"{M}module.listener.data.aws_lb_listener.adopted[0]"):
        assert change(plan, guard)["actions"] == ["read"]


def _outputs(plan: Plan) -> dict[str, Any]:
    found: dict[str, Any] = plan["configuration"]["root_module"]["module_calls"]["web_app"]["module"]["outputs"]
    return found


def _open_to_the_internet(plan: Plan) -> None:
    planned(plan, RULE).update(prefix_list_id=None, cidr_ipv4="0.0.0.0/0")


def _another_prefix_list(plan: Plan) -> None:
    planned(plan, RULE)["prefix_list_id"] = "pl-02cd2c6b"


def _a_second_prefix_list_rule(plan: Plan) -> None:
    extra = copy.deepcopy(next(c for c in plan["resource_changes"] if c["address"] == RULE))
    extra["address"], extra["name"] = f"{M}aws_vpc_security_group_ingress_rule.http", "http"
    extra["change"]["after"].update(from_port=80, to_port=80)
    plan["resource_changes"].append(extra)
    resources = plan["configuration"]["root_module"]["module_calls"]["web_app"]["module"]["resources"]
    config = copy.deepcopy(
        next(r for r in resources if r["address"] == "aws_vpc_security_group_ingress_rule.cloudfront")
    )
    config.update(address="aws_vpc_security_group_ingress_rule.http", name="http")
    resources.append(config)


def _ingress_from_a_group(plan: Plan) -> None:
    planned(plan, RULE).update(prefix_list_id=None, referenced_security_group_id="sg-0aaaaaaaaaaaaaaaa")


def _guard_reads_another_list(plan: Plan) -> None:
    planned(plan, GUARD)["name"] = "com.amazonaws.eu-west-1.s3"


def _guard_removed(plan: Plan) -> None:
    plan["resource_changes"] = [c for c in plan["resource_changes"] if c["address"] != GUARD]


def _guard_without_condition(plan: Plan) -> None:
    plan["checks"] = [c for c in plan["checks"] if c["address"]["to_display"] != GUARD]


def _guard_not_upstream(plan: Plan) -> None:
    _outputs(plan)["cloudfront_origin"]["depends_on"].remove("data.aws_ec2_managed_prefix_list.cloudfront")


def _another_group_on_the_alb(plan: Plan) -> None:
    planned(plan, LB)["security_groups"] = ["sg-0bbbbbbbbbbbbbbbb"]
    change(plan, LB)["after_unknown"]["security_groups"] = False


def _default_forward(plan: Plan) -> None:
    planned(plan, LISTENER)["default_action"][0].update(
        type="forward", fixed_response=[], target_group_arn="arn:aws:elasticloadbalancing:tg"
    )


def _rule_without_header(plan: Plan) -> None:
    planned(plan, VERIFY_RULE)["condition"] = [{"path_pattern": [{"values": ["/*"]}], "http_header": []}]


def _match_viewer(plan: Plan) -> None:
    planned(plan, DISTRIBUTION)["origin"][0]["custom_origin_config"][0]["origin_protocol_policy"] = "match-viewer"


def _old_tls_policy(plan: Plan) -> None:
    planned(plan, LISTENER)["ssl_policy"] = "ELBSecurityPolicy-2016-08"


def _invalid_headers_kept(plan: Plan) -> None:
    planned(plan, LB)["drop_invalid_header_fields"] = False


def _every_protocol(plan: Plan) -> None:
    planned(plan, RULE).update(ip_protocol="-1", from_port=None, to_port=None)


def _every_port(plan: Plan) -> None:
    planned(plan, RULE).update(from_port=0, to_port=65535)


def _targets_open_to_every_port(plan: Plan) -> None:
    planned(plan, f"{M}aws_vpc_security_group_ingress_rule.targets[0]").update(from_port=0, to_port=65535)


@pytest.mark.parametrize(
    ("break_it", "check_id", "message"),
    [
        (_open_to_the_internet, "CFG_ALB_INGRESS", "admits 0.0.0.0/0: anyone could reach the ALB around CloudFront"),
        (_another_prefix_list, "CFG_ALB_INGRESS", "admits pl-02cd2c6b, not the prefix list the guard reads"),
        (_a_second_prefix_list_rule, "CFG_ALB_INGRESS", "so a group takes one"),
        (_ingress_from_a_group, "CFG_ALB_INGRESS", "admits a CIDR or a security group"),
        (_every_protocol, "CFG_ALB_INGRESS", "cloudfront admits every protocol, not only tcp on the HTTPS port 443"),
        (_every_port, "CFG_ALB_INGRESS", "cloudfront admits tcp ports 0-65535, not only tcp on the HTTPS port 443"),
        (_guard_reads_another_list, "CFG_ALB_INGRESS", "reads the list named com.amazonaws.eu-west-1.s3"),
        (_guard_removed, "CFG_ALB_INGRESS", "no data.aws_ec2_managed_prefix_list.cloudfront reads the prefix list"),
        (_guard_without_condition, "CFG_ALB_INGRESS", "data.aws_ec2_managed_prefix_list.cloudfront carries no"),
        (_guard_not_upstream, "CFG_ALB_INGRESS", "cloudfront_origin does not depend on"),
        (_another_group_on_the_alb, "CFG_ALB_INGRESS", "not only cfgen's group"),
        (_default_forward, "CFG_ALB_SECRET", "default action is forward"),
        (_rule_without_header, "CFG_ALB_SECRET", "forwards without requiring X-Origin-Verify"),
        (_match_viewer, "CFG_ALB_HTTPS", "origin_protocol_policy 'match-viewer', not 'https-only'"),
        (_old_tls_policy, "CFG_ALB_HTTPS", "'ELBSecurityPolicy-2016-08', not one of Security Hub ELB.17's"),
        (_invalid_headers_kept, "CFG_ALB_HTTPS", "keeps invalid header fields"),
        (_targets_open_to_every_port, "CFG_ALB_TARGETS", "admits ports 0-65535, not only the target port 8443"),
    ],
    ids=lambda v: v.__name__.strip("_") if callable(v) else None,
)
def test_each_alb_proof_fails_when_broken(
    created: Planned, break_it: Callable[[Plan], None], check_id: str, message: str
) -> None:
    assert_fails(broken(created, break_it), check_id, message)


ROOT_RULE = {"ip_protocol": "tcp", "from_port": 8443, "to_port": 8443, "cidr_ipv4": "198.51.100.0/24"}
ROOT_LISTENER = {
    "port": 8443,
    "protocol": "HTTPS",
    "ssl_policy": "ELBSecurityPolicy-TLS13-1-2-Res-2021-06",
    "certificate_arn": "arn:aws:acm:eu-west-1:111111111111:certificate/x",
    "default_action": [{"type": "forward", "target_group_arn": None, "fixed_response": []}],
}


def _root_ingress(plan: Plan) -> None:
    """In the root: a rule on module.web_app.security_group_id that admits a CIDR."""
    add_root(
        plan,
        "aws_vpc_security_group_ingress_rule",
        "extra",
        dict(ROOT_RULE),
        security_group_id="module.web_app.security_group_id",
    )


def _root_listener(plan: Plan) -> None:
    """In the root: an HTTPS listener on module.web_app.load_balancer_arn that forwards by default."""
    add_root(
        plan,
        "aws_lb_listener",
        "extra",
        copy.deepcopy(ROOT_LISTENER),
        load_balancer_arn="module.web_app.load_balancer_arn",
    )


def _root_http_listener(plan: Plan) -> None:
    """In the root: a plain HTTP listener (answering 403) on a load balancer named by a local cfgen cannot follow."""
    listener = copy.deepcopy(ROOT_LISTENER) | {"protocol": "HTTP", "ssl_policy": None, "certificate_arn": None}
    listener["default_action"] = [{"type": "fixed-response", "fixed_response": [{"status_code": "403"}]}]
    add_root(plan, "aws_lb_listener", "extra", listener, load_balancer_arn="local.alb_arn")


def _root_listener_elsewhere(plan: Plan) -> None:
    """In the root: a listener on another load balancer, named by reference: not this ALB's, not judged."""
    add_root(plan, "aws_lb_listener", "extra", copy.deepcopy(ROOT_LISTENER), load_balancer_arn="aws_lb.other.arn")


def _root_rule(listener_arn: str | None, references: dict[str, str] | None = None) -> Callable[[Plan], None]:
    """In the root: a rule that forwards everything, on the listener ``listener_arn`` names (or ``references``)."""

    def break_it(plan: Plan) -> None:
        rule = {
            "listener_arn": listener_arn,
            "priority": 5,
            "action": [{"type": "forward", "target_group_arn": "arn:aws:elasticloadbalancing:tg"}],
            "condition": [{"path_pattern": [{"values": ["/*"]}], "http_header": []}],
        }
        add_root(plan, "aws_lb_listener_rule", "extra", rule, **(references or {}))

    return break_it


LITERAL_LISTENER = "arn:aws:elasticloadbalancing:eu-west-1:111111111111:listener/app/shop-web/0a1b/1a2b"
_root_rule_by_arn = _root_rule(LITERAL_LISTENER)
_root_rule_by_data_source = _root_rule(None, {"listener_arn": "data.aws_lb_listener.mine.arn"})
_root_rule_by_local = _root_rule(None, {"listener_arn": "local.listener"})


def _second_distribution_module(plan: Plan) -> None:
    """A second call of the distribution module: module "web2", origins = { app = module.web_app.cloudfront_origin }."""
    second = copy.deepcopy(next(c for c in plan["resource_changes"] if c["address"] == DISTRIBUTION))
    second.update(address=DISTRIBUTION.replace("module.web.", "module.web2."), module_address="module.web2")
    plan["resource_changes"].append(second)
    calls = plan["configuration"]["root_module"]["module_calls"]
    calls["web2"] = copy.deepcopy(calls["web"])


def test_a_second_distribution_given_the_origin_fails(created: Planned) -> None:
    got = broken(created, _second_distribution_module)
    assert_fails(got, "CFG_ALB_SECRET", "module.web2 takes module.web_app.cloudfront_origin")
    assert "module.web2.aws_cloudfront_distribution.this sends this origin's X-Origin-Verify" in got["CFG_ALB_SECRET"]


def test_a_listener_on_another_load_balancer_is_not_judged(created: Planned) -> None:
    assert broken(created, _root_listener_elsewhere) == CREATED


@pytest.mark.parametrize(
    ("break_it", "check_id", "message"),
    [
        (_root_ingress, "CFG_ALB_INGRESS", "aws_vpc_security_group_ingress_rule.extra admits a CIDR"),
        (_root_listener, "CFG_ALB_SECRET", "aws_lb_listener.extra default action is forward"),
        (_root_http_listener, "CFG_ALB_HTTPS", "aws_lb_listener.extra listens on HTTP, not HTTPS only"),
        (_root_rule_by_arn, "CFG_ALB_SECRET", "aws_lb_listener_rule.extra forwards without requiring X-Origin"),
        (_root_rule_by_data_source, "CFG_ALB_SECRET", "aws_lb_listener_rule.extra forwards without requiring"),
        (_root_rule_by_local, "CFG_ALB_SECRET", "aws_lb_listener_rule.extra forwards without requiring"),
    ],
    ids=lambda v: v.__name__.strip("_") if callable(v) else None,
)
def test_ingress_and_listeners_written_outside_the_module_are_judged(
    created: Planned, break_it: Callable[[Plan], None], check_id: str, message: str
) -> None:
    assert_fails(broken(created, break_it), check_id, message)


def _adopted_root_ingress(plan: Plan) -> None:
    rule = dict(ROOT_RULE) | {"security_group_id": "sg-0a1b2c3d4e5f60702"}
    add_root(plan, "aws_vpc_security_group_ingress_rule", "extra", rule)


def _adopted_root_listener(plan: Plan) -> None:
    add_root(plan, "aws_lb_listener", "extra", copy.deepcopy(ROOT_LISTENER) | {"load_balancer_arn": LB_ARN})


# Another listener of the adopted ALB (its ARN carries the ALB's), named by a literal.
_adopted_root_rule = _root_rule(f"{LB_ARN.replace(':loadbalancer/', ':listener/')}/9f8e7d6c5b4a3921")


def test_a_rule_on_another_albs_listener_is_not_judged(adopted: Planned) -> None:
    other = LB_ARN.replace(":loadbalancer/", ":listener/").replace("shop-web/0a1b2c3d4e5f6071", "other/1234")
    assert broken(adopted, _root_rule(other)) == {"CFG_ALB_SECRET": "", "CFG_ALB_INGRESS": "", "CFG_ALB_HTTPS": ""}


def _adopted_listener_guard_removed(plan: Plan) -> None:
    guard = f"{M}module.listener.data.aws_lb_listener.adopted[0]"
    plan["resource_changes"] = [c for c in plan["resource_changes"] if c["address"] != guard]


def _adopted_open_rule(plan: Plan) -> None:
    planned(plan, RULE).update(prefix_list_id=None, cidr_ipv6="::/0")


@pytest.mark.parametrize(
    ("break_it", "check_id", "message"),
    [
        (_adopted_listener_guard_removed, "CFG_ALB_SECRET", "no guard reads its default action"),
        (_adopted_open_rule, "CFG_ALB_INGRESS", "admits ::/0"),
        (_adopted_root_ingress, "CFG_ALB_INGRESS", "aws_vpc_security_group_ingress_rule.extra admits a CIDR"),
        (_adopted_root_listener, "CFG_ALB_SECRET", "aws_lb_listener.extra default action is forward"),
        (_adopted_root_rule, "CFG_ALB_SECRET", "aws_lb_listener_rule.extra forwards without requiring X-Origin"),
    ],
    ids=lambda v: v.__name__.strip("_") if callable(v) else None,
)
def test_each_adopted_alb_break_fails_its_proof(
    adopted: Planned, break_it: Callable[[Plan], None], check_id: str, message: str
) -> None:
    assert_fails(broken(adopted, break_it), check_id, message)


def test_a_group_opened_to_the_internet_fails_cfgen_test(tmp_path: Path, plugin_mirror: Path) -> None:
    """The hand edit this proof exists for: the ALB's group admits everyone, not CloudFront's prefix list."""
    failed = hand_edited_failures(
        SPEC,
        tmp_path,
        plugin_mirror,
        {
            "modules/alb-origin/main.tf": (
                "prefix_list_id    = var.cloudfront_prefix_list_id\n\n  tags",
                'cidr_ipv4         = "0.0.0.0/0"\n\n  tags',
            )
        },
    )
    assert {check for check, _ in failed} == {"CFG_ALB_INGRESS"}, failed
    assert any("admits 0.0.0.0/0" in message for _, message in failed), failed
