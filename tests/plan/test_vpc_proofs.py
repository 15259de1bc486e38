"""The VPC-origin and private-API proofs hold on cfgen's plans, and each fails when its guarantee is broken.

One real offline plan per example (and per target-sync mode of the private
API) is taken per module; each failing case edits a copy of that plan's JSON
the way a hand edit of the HCL would change it.
"""

from __future__ import annotations

import copy
import json
import re
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
from cfgen.render import render
from cfgen.spec import load_spec
from cfgen.spec.vpc_origins import DEFAULT_TLS_POLICY

pytestmark = pytest.mark.plan
ALB = EXAMPLES / "alb-vpc-origin" / "spec.yaml"
EC2 = EXAMPLES / "ec2-vpc-origin" / "spec.yaml"
API = EXAMPLES / "private-api-vpc-origin" / "spec.yaml"


def _planned(spec: Path, tmp: Path, planner: Planner) -> Planned:
    return planned_spec(spec, tmp, planner)


def _api_variant(tmp: Path, mode: str) -> Path:
    """The private-API example with another target_sync mode (and no fixed IPs)."""
    text = API.read_text()
    text, count = re.subn(r"        target_sync: static_ips\n        static_ips:\n(          - .*\n)+", "", text)
    assert count == 1
    text = text.replace("        target_sync: static_ips\n", "")
    text = text.replace("    behaviors:\n", f"        target_sync: {mode}\n    behaviors:\n", 1)
    path = tmp / "spec.yaml"
    path.write_text(text)
    return path


@pytest.fixture(scope="module")
def alb(tmp_path_factory: pytest.TempPathFactory, planner: Planner) -> Planned:
    return _planned(ALB, tmp_path_factory.mktemp("alb"), planner)


LB_ARN = "arn:aws:elasticloadbalancing:eu-west-1:111111111111:loadbalancer/app/shop-web/0a1b2c3d4e5f6071"
ADOPTED_ALB = f"""\
        load_balancer:
          arn: {LB_ARN}
          security_group_id: sg-0a1b2c3d4e5f60702
          listener:
            arn: {LB_ARN.replace(":loadbalancer/", ":listener/")}/1a2b3c4d5e6f7081
            target_group_arn: arn:aws:elasticloadbalancing:eu-west-1:111111111111:targetgroup/shop-web/1b2c3d4e5f607182
            priority: 10
"""


@pytest.fixture(scope="module")
def adopted(tmp_path_factory: pytest.TempPathFactory, planner: Planner) -> Planned:
    """The ALB example on an existing ALB, its listener and target group."""
    tmp = tmp_path_factory.mktemp("adopted")
    text = ALB.read_text()
    assert "        load_balancer: {target_port: 8443}\n" in text
    (tmp / "spec.yaml").write_text(text.replace("        load_balancer: {target_port: 8443}\n", ADOPTED_ALB))
    return _planned(tmp / "spec.yaml", tmp, planner)


@pytest.fixture(scope="module")
def existing_api(tmp_path_factory: pytest.TempPathFactory, planner: Planner) -> Planned:
    """The private-API example on an existing API: its id, so the endpoint policy, are known at plan."""
    tmp = tmp_path_factory.mktemp("existing-api")
    text = API.read_text()
    demo = re.search(r"api: \{create_demo: true, .*\}\n", text)
    assert demo is not None
    existing = "api: {rest_api_id: a1b2c3d4e5, current_policy: none}\n"
    (tmp / "spec.yaml").write_text(text.replace(demo.group(0), existing))
    return _planned(tmp / "spec.yaml", tmp, planner)


@pytest.fixture(scope="module")
def nlb(tmp_path_factory: pytest.TempPathFactory, planner: Planner) -> Planned:
    """The ALB example as an NLB cfgen creates: a TLS listener that forwards, no header to check."""
    tmp = tmp_path_factory.mktemp("nlb")
    (tmp / "spec.yaml").write_text(ALB.read_text().replace("        type: alb\n", "        type: nlb\n"))
    return _planned(tmp / "spec.yaml", tmp, planner)


@pytest.fixture(scope="module")
def ec2(tmp_path_factory: pytest.TempPathFactory, planner: Planner) -> Planned:
    return _planned(EC2, tmp_path_factory.mktemp("ec2"), planner)


@pytest.fixture(scope="module")
def api(tmp_path_factory: pytest.TempPathFactory, planner: Planner) -> Planned:
    return _planned(API, tmp_path_factory.mktemp("api"), planner)


def config(plan: Plan, modules: tuple[str, ...], address: str) -> dict[str, Any]:
    node = plan["configuration"]["root_module"]
    for name in modules:
        node = node["module_calls"][name]["module"]
    found: dict[str, Any] = next(r for r in node["resources"] if r["address"] == address)
    return found


def dist_origin(plan: Plan, module: str) -> dict[str, Any]:
    return planned(plan, f"module.{module}.aws_cloudfront_distribution.this")["origin"][0]  # type: ignore[no-any-return]


# -- vpc_origin: alb / ec2 ---------------------------------------------------------


def test_vpc_origin_proofs_hold_for_a_created_alb(alb: Planned) -> None:
    assert proof_results(*alb[:2]) == {
        "CFG_VPC_ORIGIN_INTERNAL": "",
        "CFG_VPC_ORIGIN_INGRESS": "",
        "CFG_VPC_ORIGIN_TLS": "",
        "CFG_VPC_ORIGIN_SECRET": "",
        "CFG_VPC_ORIGIN_TARGETS": "",
    }
    rule = planned(alb[0], f"{W}aws_vpc_security_group_ingress_rule.targets[0]")
    assert (rule["from_port"], rule["to_port"]) == (8443, 8443)
    assert "app_web_targets_security_group_id" in alb[0]["configuration"]["root_module"]["outputs"]


def test_an_nlb_forwards_every_connection_and_its_targets_get_a_group(nlb: Planned) -> None:
    plan, bindings, _ = nlb
    assert proof_results(plan, bindings) == {
        "CFG_VPC_ORIGIN_INTERNAL": "",
        "CFG_VPC_ORIGIN_INGRESS": "",
        "CFG_VPC_ORIGIN_TLS": "",
        "CFG_VPC_ORIGIN_TARGETS": "",
    }
    listener = planned(plan, f"{W}{LISTENER}")
    assert listener["protocol"] == "TLS" and listener["default_action"][0]["type"] == "forward"
    assert not [c for c in plan["resource_changes"] if c["type"] == "aws_lb_listener_rule"]
    assert "X-Origin-Verify" not in json.dumps(dist_origin(plan, "app"))


def test_the_listeners_default_to_an_elb17_policy_and_log_when_asked(alb: Planned, api: Planned) -> None:
    listener = planned(alb[0], f"{W}{LISTENER}")
    assert listener["ssl_policy"] == planned(api[0], f"{A}{API_LISTENER}")["ssl_policy"] == DEFAULT_TLS_POLICY
    assert planned(alb[0], f"{W}aws_lb.this[0]")["access_logs"] == []
    assert planned(api[0], f"{A}aws_lb.this")["access_logs"] == [
        {"bucket": "shop-alb-logs-example", "prefix": "api-orders", "enabled": True}
    ]
    [settings] = planned(api[0], f"{A}aws_api_gateway_stage.demo[0]")["access_log_settings"]
    assert settings["destination_arn"] == "arn:aws:logs:eu-west-1:111111111111:log-group:/shop/api-orders/access"
    assert "header" not in settings["format"].lower()


def test_the_alb_forwards_only_the_secret_cloudfront_sends(alb: Planned) -> None:
    plan = alb[0]
    listener = planned(plan, f"{W}{LISTENER}")["default_action"][0]
    assert listener["type"] == "fixed-response" and listener["fixed_response"][0]["status_code"] == "403"
    rule = change(plan, f"{W}{VERIFY_RULE}")
    [header] = rule["after"]["condition"][0]["http_header"]
    secret = _terraform.placeholder("app_web_origin_verify_secret")
    assert header == {"http_header_name": "X-Origin-Verify", "values": [secret]}
    assert rule["after_sensitive"]["condition"] is True
    assert dist_origin(plan, "app")["custom_header"] == [{"name": "X-Origin-Verify", "value": secret}]


def test_vpc_origin_proofs_hold_for_an_instance(ec2: Planned) -> None:
    got = proof_results(*ec2[:2])
    assert got == {
        "CFG_VPC_ORIGIN_INTERNAL": "",
        "CFG_VPC_ORIGIN_INGRESS": "",
        "CFG_VPC_ORIGIN_TLS": "",
        "CFG_VPC_ORIGIN_INSTANCE_GROUPS": "",
    }
    # The instance is read only once the VPC origin exists: no AWS call at plan.
    assert change(ec2[0], "module.legacy_server.data.aws_instance.this[0]")["actions"] == ["read"]


def test_instance_with_a_public_ip_fails(ec2: Planned) -> None:
    def public_ip(plan: Plan) -> None:
        read = change(plan, "module.legacy_server.data.aws_instance.this[0]")
        read["after"]["public_ip"] = "203.0.113.7"
        read["after_unknown"].pop("public_ip", None)

    assert_fails(broken(ec2, public_ip), "CFG_VPC_ORIGIN_INTERNAL", "the instance has a public IP")


def _guard_output(plan: Plan) -> dict[str, Any]:
    outputs: dict[str, Any] = plan["configuration"]["root_module"]["module_calls"]["legacy_server"]["module"]["outputs"]
    return outputs["cloudfront_origin"]  # type: ignore[no-any-return]


def _guard_not_upstream(plan: Plan) -> None:
    _guard_output(plan)["depends_on"].remove("data.aws_instance.this")


def _guard_without_condition(plan: Plan) -> None:
    instance = "module.legacy_server.data.aws_instance.this"
    plan["checks"] = [c for c in plan["checks"] if c["address"]["to_display"] != instance]


def _distribution_around_the_output(plan: Plan) -> None:
    call = plan["configuration"]["root_module"]["module_calls"]["legacy"]
    call["expressions"]["origins"]["references"] = ["module.legacy_server.vpc_origin_id", "module.legacy_server"]


@pytest.mark.parametrize(
    ("break_it", "message", "failing"),
    [
        (
            _guard_not_upstream,
            "cloudfront_origin does not depend on module.legacy_server.data.aws_instance.this",
            {"CFG_VPC_ORIGIN_INTERNAL"},
        ),
        (_guard_without_condition, "data.aws_instance.this carries no condition", {"CFG_VPC_ORIGIN_INTERNAL"}),
        (
            # Both guards of the instance are cut off at once.
            _distribution_around_the_output,
            "does not take its origins from module.legacy_server.cloudfront_origin",
            {"CFG_VPC_ORIGIN_INTERNAL", "CFG_VPC_ORIGIN_INSTANCE_GROUPS"},
        ),
    ],
    ids=lambda v: v.__name__.strip("_") if callable(v) else "",
)
def test_a_guard_the_distribution_does_not_wait_for_fails(
    ec2: Planned, break_it: Callable[[Plan], None], message: str, failing: set[str]
) -> None:
    assert_fails(broken(ec2, break_it), "CFG_VPC_ORIGIN_INTERNAL", message, also=failing)


def test_the_distribution_waits_for_the_instance_guard(ec2: Planned) -> None:
    """The guard is upstream of the distribution in the apply graph, as the configuration says."""
    assert "data.aws_instance.this" in _guard_output(ec2[0])["depends_on"]
    origins = ec2[0]["configuration"]["root_module"]["module_calls"]["legacy"]["expressions"]["origins"]
    assert "module.legacy_server.cloudfront_origin" in origins["references"]


NIC = "module.legacy_server.data.aws_network_interface.instance[0]"


def _nic_guard_removed(plan: Plan) -> None:
    plan["resource_changes"] = [c for c in plan["resource_changes"] if c["address"] != NIC]


def _nic_guard_reads_another_interface(plan: Plan) -> None:
    planned(plan, NIC)["id"] = "eni-0ffffffffffffffff"


def _another_group_attached(plan: Plan) -> None:
    attachment = config(plan, ("legacy_server",), "aws_network_interface_sg_attachment.instance")
    attachment["expressions"]["security_group_id"] = {"constant_value": "sg-0123456789abcdef0"}


def _nic_guard_without_condition(plan: Plan) -> None:
    nic = NIC.removesuffix("[0]")
    plan["checks"] = [c for c in plan["checks"] if c["address"]["to_display"] != nic]


def _nic_guard_not_upstream(plan: Plan) -> None:
    _guard_output(plan)["depends_on"].remove("data.aws_network_interface.instance")


@pytest.mark.parametrize(
    ("break_it", "message"),
    [
        (_nic_guard_removed, "no guard reads the instance's interface"),
        (_nic_guard_reads_another_interface, "reads eni-0ffffffffffffffff, not the interface cfgen's group is"),
        (_another_group_attached, "attaches sg-0123456789abcdef0, not cfgen's group"),
        (_nic_guard_without_condition, "data.aws_network_interface.instance carries no condition"),
        (_nic_guard_not_upstream, "cloudfront_origin does not depend on module.legacy_server.data.aws_network_inter"),
    ],
    ids=lambda v: v.__name__.strip("_") if callable(v) else None,
)
def test_each_instance_groups_break_fails_its_proof(
    ec2: Planned, break_it: Callable[[Plan], None], message: str
) -> None:
    assert_fails(broken(ec2, break_it), "CFG_VPC_ORIGIN_INSTANCE_GROUPS", message)


def test_a_guard_on_another_interface_fails_cfgen_test(tmp_path: Path, plugin_mirror: Path) -> None:
    """The hand edit: the guard reads an interface that is not the one cfgen's group is attached to."""
    failed = hand_edited_failures(
        EC2,
        tmp_path,
        plugin_mirror,
        {"modules/vpc-origin/main.tf": ("  id = var.network_interface_id\n", '  id = "eni-0ffffffffffffffff"\n')},
    )
    assert {check for check, _ in failed} == {"CFG_VPC_ORIGIN_INSTANCE_GROUPS"}, failed


def test_a_guard_cut_off_from_the_distribution_fails_cfgen_test(tmp_path: Path, plugin_mirror: Path) -> None:
    """The hand edit the dependency proof exists for: the distribution no longer waits for the guard."""
    failed = hand_edited_failures(
        EC2,
        tmp_path,
        plugin_mirror,
        {"modules/vpc-origin/outputs.tf": ("    data.aws_instance.this,\n", "")},
    )
    assert {check for check, _ in failed} == {"CFG_VPC_ORIGIN_INTERNAL"}, failed


W = "module.app_web."
# The listener and the secret-header rule live in the lb-listener module that vpc-origin and the chain call.
LISTENER = "module.listener[0].aws_lb_listener.this[0]"
VERIFY_RULE = "module.listener[0].aws_lb_listener_rule.origin_verify[0]"
API_LISTENER = "module.listener.aws_lb_listener.this[0]"


def _internet_facing(plan: Plan) -> None:
    planned(plan, f"{W}aws_lb.this[0]")["internal"] = False


def _open_ingress(plan: Plan) -> None:
    planned(plan, f"{W}aws_vpc_security_group_ingress_rule.cloudfront")["cidr_ipv4"] = "0.0.0.0/0"


def _open_ipv6_inline(plan: Plan) -> None:
    planned(plan, f"{W}aws_security_group.this[0]")["ingress"] = [{"cidr_blocks": [], "ipv6_cidr_blocks": ["::/0"]}]


def _root_ingress(plan: Plan) -> None:
    """In the root: a rule on module.app_web.security_group_id that admits a CIDR (a hand edit around the module)."""
    add_root(
        plan,
        "aws_vpc_security_group_ingress_rule",
        "extra",
        {"ip_protocol": "tcp", "from_port": 443, "to_port": 443, "cidr_ipv4": "10.0.0.0/8"},
        security_group_id="module.app_web.security_group_id",
    )


def _root_ingress_through_a_local(plan: Plan) -> None:
    """In the root: an aws_security_group_rule on a group named through a local (cfgen cannot follow it)."""
    add_root(
        plan,
        "aws_security_group_rule",
        "extra",
        {"type": "ingress", "protocol": "tcp", "from_port": 443, "to_port": 443, "cidr_blocks": ["10.0.0.0/8"]},
        security_group_id="local.origin_group",
    )


def _ingress_from_another_group(plan: Plan) -> None:
    rule = config(plan, ("app_web",), "aws_vpc_security_group_ingress_rule.cloudfront")
    rule["expressions"]["referenced_security_group_id"] = {"constant_value": "sg-0123456789abcdef0"}


def _http_to_origin(plan: Plan) -> None:
    planned(plan, f"{W}aws_cloudfront_vpc_origin.this")["vpc_origin_endpoint_config"][0]["origin_protocol_policy"] = (
        "match-viewer"
    )


def _old_tls_policy(plan: Plan) -> None:
    planned(plan, f"{W}{LISTENER}")["ssl_policy"] = "ELBSecurityPolicy-2016-08"


def _tls_policy_off_the_elb17_list(plan: Plan) -> None:
    planned(plan, f"{W}{LISTENER}")["ssl_policy"] = "ELBSecurityPolicy-TLS13-1-2-2021-06"


def _custom_origin(plan: Plan) -> None:
    origin = dist_origin(plan, "app")
    origin["vpc_origin_config"] = []
    origin["custom_origin_config"] = [{"origin_protocol_policy": "https-only"}]


TARGETS_RULE = f"{W}aws_vpc_security_group_ingress_rule.targets[0]"


def _targets_group_removed(plan: Plan) -> None:
    plan["resource_changes"] = [c for c in plan["resource_changes"] if "aws_security_group.targets" not in c["address"]]


def _targets_open(plan: Plan) -> None:
    planned(plan, TARGETS_RULE)["cidr_ipv4"] = "0.0.0.0/0"


def _targets_from_another_group(plan: Plan) -> None:
    rule = config(plan, ("app_web",), "aws_vpc_security_group_ingress_rule.targets")
    rule["expressions"]["referenced_security_group_id"] = {"constant_value": "sg-0123456789abcdef0"}


def _targets_every_port(plan: Plan) -> None:
    planned(plan, TARGETS_RULE).update(from_port=0, to_port=65535)


def _targets_rule_removed(plan: Plan) -> None:
    plan["resource_changes"] = [c for c in plan["resource_changes"] if c["address"] != TARGETS_RULE]


def _targets_not_an_output(plan: Plan) -> None:
    plan["configuration"]["root_module"]["outputs"].pop("app_web_targets_security_group_id")


def _rule(plan: Plan, module: str = W) -> dict[str, Any]:
    return change(plan, f"{module}{VERIFY_RULE}")


def _header_values(plan: Plan, module: str = W) -> list[str]:
    values: list[str] = _rule(plan, module)["after"]["condition"][0]["http_header"][0]["values"]
    return values


def _default_forward(plan: Plan) -> None:
    action = planned(plan, f"{W}{LISTENER}")["default_action"][0]
    action.update(type="forward", fixed_response=[], target_group_arn="arn:aws:elasticloadbalancing:tg")


def _rule_without_header(plan: Plan) -> None:
    _rule(plan)["after"]["condition"][0]["http_header"] = []
    _rule(plan)["after"]["condition"][0]["path_pattern"] = [{"values": ["/*"]}]


def _second_open_rule(plan: Plan) -> None:
    extra = copy.deepcopy(next(c for c in plan["resource_changes"] if c["address"] == f"{W}{VERIFY_RULE}"))
    extra["address"] = f"{W}aws_lb_listener_rule.open"
    extra["name"] = "open"
    extra["index"] = None
    extra["change"]["after"]["condition"] = [{"path_pattern": [{"values": ["/*"]}], "http_header": []}]
    extra["change"]["after_sensitive"]["condition"] = False
    plan["resource_changes"].append(extra)


def _secret_written_in_the_code(plan: Plan) -> None:
    call = plan["configuration"]["root_module"]["module_calls"]["app_web"]
    call["expressions"]["origin_secrets"] = {"constant_value": _header_values(plan)}


def _secret_not_sensitive(plan: Plan) -> None:
    _rule(plan)["after_sensitive"]["condition"] = False


def _three_secrets(plan: Plan) -> None:
    _header_values(plan).extend(["a" * 40, "b" * 40])


def _wildcard_secret(plan: Plan) -> None:
    _header_values(plan)[0] = "*"


def _header_not_sent(plan: Plan) -> None:
    dist_origin(plan, "app")["custom_header"] = []


def _stale_header(plan: Plan) -> None:
    dist_origin(plan, "app")["custom_header"][0]["value"] = "b" * 64


@pytest.mark.parametrize(
    ("break_it", "check_id", "message"),
    [
        (_internet_facing, "CFG_VPC_ORIGIN_INTERNAL", "internet-facing"),
        (_open_ingress, "CFG_VPC_ORIGIN_INGRESS", "admits 0.0.0.0/0"),
        (_open_ipv6_inline, "CFG_VPC_ORIGIN_INGRESS", "admits ::/0"),
        (_root_ingress, "CFG_VPC_ORIGIN_INGRESS", "aws_vpc_security_group_ingress_rule.extra is an ingress rule on"),
        (_root_ingress_through_a_local, "CFG_VPC_ORIGIN_INGRESS", "aws_security_group_rule.extra is an ingress rule"),
        (
            _ingress_from_another_group,
            "CFG_VPC_ORIGIN_INGRESS",
            "admits sg-0123456789abcdef0, not module.app_web.data.aws_security_group.cloudfront_vpc_origins.id",
        ),
        (_http_to_origin, "CFG_VPC_ORIGIN_TLS", "origin_protocol_policy is 'match-viewer'"),
        (_old_tls_policy, "CFG_VPC_ORIGIN_TLS", "'ELBSecurityPolicy-2016-08', not one of Security Hub ELB.17's"),
        (_tls_policy_off_the_elb17_list, "CFG_VPC_ORIGIN_TLS", "TLS13-1-2-2021-06', not one of Security Hub ELB.17's"),
        (_custom_origin, "CFG_VPC_ORIGIN_TLS", "has a custom_origin_config"),
        (_targets_group_removed, "CFG_VPC_ORIGIN_TARGETS", "no security group for the targets"),
        (_targets_open, "CFG_VPC_ORIGIN_TARGETS", "targets[0] admits 0.0.0.0/0"),
        (
            _targets_from_another_group,
            "CFG_VPC_ORIGIN_TARGETS",
            "admits sg-0123456789abcdef0, not module.app_web.aws_security_group.this.id",
        ),
        (_targets_every_port, "CFG_VPC_ORIGIN_TARGETS", "admits ports 0-65535, not only the target port 8443"),
        (_targets_rule_removed, "CFG_VPC_ORIGIN_TARGETS", "admits nothing: the load balancer could not reach"),
        (_targets_not_an_output, "CFG_VPC_ORIGIN_TARGETS", "no root output gives module.app_web.targets_security"),
        (_default_forward, "CFG_VPC_ORIGIN_SECRET", "default action is forward (status None), not a fixed 403"),
        (_rule_without_header, "CFG_VPC_ORIGIN_SECRET", "forwards without requiring X-Origin-Verify"),
        (_second_open_rule, "CFG_VPC_ORIGIN_SECRET", "aws_lb_listener_rule.open forwards without requiring"),
        (_secret_written_in_the_code, "CFG_VPC_ORIGIN_SECRET", "value 1 is written in the configuration"),
        (_secret_not_sensitive, "CFG_VPC_ORIGIN_SECRET", "value 1 is not sensitive in the plan"),
        (_three_secrets, "CFG_VPC_ORIGIN_SECRET", "accepts 3 X-Origin-Verify values"),
        (_wildcard_secret, "CFG_VPC_ORIGIN_SECRET", "is not 32-128 letters and digits"),
        (_header_not_sent, "CFG_VPC_ORIGIN_SECRET", "sends 0 X-Origin-Verify headers"),
        (_stale_header, "CFG_VPC_ORIGIN_SECRET", "a X-Origin-Verify value the listener rule does not accept"),
    ],
    ids=lambda v: v.__name__.strip("_") if callable(v) else None,
)
def test_each_vpc_origin_proof_fails_when_broken(
    alb: Planned, break_it: Callable[[Plan], None], check_id: str, message: str
) -> None:
    assert_fails(broken(alb, break_it), check_id, message)


# -- alb adopted: cfgen's rule on the listener the spec names ----------------------------

AW = "module.app_web."
LISTENER_GUARD = "data.aws_lb_listener.adopted"


def test_an_adopted_alb_gets_the_rule_and_guards_the_distribution_waits_for(adopted: Planned) -> None:
    plan, bindings, _ = adopted
    assert proof_results(plan, bindings) == {
        "CFG_VPC_ORIGIN_INTERNAL": "",
        "CFG_VPC_ORIGIN_INGRESS": "",
        "CFG_VPC_ORIGIN_TLS": "",
        "CFG_VPC_ORIGIN_SECRET": "",
    }
    rule = planned(plan, f"{AW}{VERIFY_RULE}")
    assert rule["priority"] == 10 and rule["condition"][0]["http_header"][0]["http_header_name"] == "X-Origin-Verify"
    assert not [
        c for c in plan["resource_changes"] if c["type"] in ("aws_lb", "aws_lb_listener") and c["mode"] == "managed"
    ]
    for guard in ("data.aws_lb.adopted[0]", f"module.listener[0].{LISTENER_GUARD}[0]"):
        assert change(plan, f"{AW}{guard}")["actions"] == ["read"], "read at apply: no AWS call at plan"
    depends = plan["configuration"]["root_module"]["module_calls"]["app_web"]["module"]["outputs"]["cloudfront_origin"]
    assert {"data.aws_lb.adopted", "module.listener"} <= set(depends["depends_on"])


def _listener_guard_removed(plan: Plan) -> None:
    guard = f"{AW}module.listener[0].{LISTENER_GUARD}[0]"
    plan["resource_changes"] = [c for c in plan["resource_changes"] if c["address"] != guard]


def _listener_guard_without_condition(plan: Plan) -> None:
    guard = f"{AW}module.listener.{LISTENER_GUARD}"
    plan["checks"] = [c for c in plan["checks"] if c["address"]["to_display"] != guard]


def _adopted_rule_removed(plan: Plan) -> None:
    plan["resource_changes"] = [c for c in plan["resource_changes"] if c["address"] != f"{AW}{VERIFY_RULE}"]


def _listener_guard_not_upstream(plan: Plan) -> None:
    outputs = plan["configuration"]["root_module"]["module_calls"]["app_web"]["module"]["outputs"]
    outputs["cloudfront_origin"]["depends_on"].remove("module.listener")


def _lb_guard_not_upstream(plan: Plan) -> None:
    outputs = plan["configuration"]["root_module"]["module_calls"]["app_web"]["module"]["outputs"]
    outputs["cloudfront_origin"]["depends_on"].remove("data.aws_lb.adopted")


@pytest.mark.parametrize(
    ("break_it", "check_id", "message"),
    [
        (_listener_guard_removed, "CFG_VPC_ORIGIN_SECRET", "no guard reads its default action"),
        (_listener_guard_without_condition, "CFG_VPC_ORIGIN_SECRET", "data.aws_lb_listener.adopted carries no"),
        (_adopted_rule_removed, "CFG_VPC_ORIGIN_SECRET", "no listener rule forwards requests carrying"),
        (
            _listener_guard_not_upstream,
            "CFG_VPC_ORIGIN_SECRET",
            "does not depend on module.app_web.module.listener.data.aws_lb_listener.adopted",
        ),
        (_lb_guard_not_upstream, "CFG_VPC_ORIGIN_INTERNAL", "does not depend on module.app_web.data.aws_lb.adopted"),
    ],
    ids=lambda v: v.__name__.strip("_") if callable(v) else None,
)
def test_each_adopted_alb_break_fails_its_proof(
    adopted: Planned, break_it: Callable[[Plan], None], check_id: str, message: str
) -> None:
    assert_fails(broken(adopted, break_it), check_id, message)


# -- api_gateway / private_vpc_origin ------------------------------------------------

A = "module.api_orders."
API_CHECKS = {
    "CFG_PRIVATE_API_ENDPOINT_POLICY",
    "CFG_PRIVATE_API_SECRET",
    "CFG_PRIVATE_API_TYPE",
    "CFG_PRIVATE_API_POLICY",
    "CFG_PRIVATE_API_ALB_INTERNAL",
    "CFG_PRIVATE_API_HTTPS",
    "CFG_PRIVATE_API_INGRESS",
    "CFG_PRIVATE_API_HEADER",
    "CFG_PRIVATE_API_TARGETS",
}


def test_private_api_proofs_hold_with_static_ips(api: Planned) -> None:
    got = proof_results(*api[:2])
    assert got == dict.fromkeys(API_CHECKS, "")
    targets = sorted(
        planned(api[0], a)["target_id"]
        for a in (
            f'{A}aws_lb_target_group_attachment.static["{s}"]'
            for s in ("subnet-0a1b2c3d4e5f60711", "subnet-0a1b2c3d4e5f60722")
        )
    )
    assert targets == ["10.20.1.10", "10.20.2.10"], "fixed IPs are known at plan"


@pytest.mark.parametrize("mode", ["apply_time", "lambda"])
def test_other_target_sync_modes_plan_offline_and_hold(
    tmp_path_factory: pytest.TempPathFactory, planner: Planner, mode: str
) -> None:
    tmp = tmp_path_factory.mktemp(mode)
    plan, bindings, files = _planned(_api_variant(tmp, mode), tmp, planner)
    assert proof_results(plan, bindings) == dict.fromkeys(API_CHECKS, "")
    addresses = {c["address"]: c["change"]["actions"] for c in plan["resource_changes"]}
    if mode == "apply_time":
        # Keyed by subnet and read during apply: the endpoint does not exist yet.
        for subnet in ("subnet-0a1b2c3d4e5f60711", "subnet-0a1b2c3d4e5f60722"):
            assert addresses[f'{A}data.aws_network_interface.endpoint["{subnet}"]'] == ["read"]
            assert addresses[f'{A}aws_lb_target_group_attachment.apply_time["{subnet}"]'] == ["create"]
    else:
        assert "artifacts/api_orders/target_sync.zip" in files
        assert "modules/ip-target-sync/main.tf" in files
        assert any(a.startswith("module.api_orders_target_sync.") for a in addresses)
        assert not any("aws_lb_target_group_attachment" in a for a in addresses)
        # The function's state tag on the target group must survive the next apply.
        assert plan["configuration"]["provider_config"]["aws"]["expressions"]["ignore_tags"] == [
            {"key_prefixes": {"constant_value": ["cfgen:target-sync:"]}}
        ]


def test_static_ips_need_neither_the_sync_module_nor_ignored_tags() -> None:

    files = render(load_spec(API)).files
    assert not any(path.startswith("modules/ip-target-sync/") for path in files)
    assert "ignore_tags" not in str(files["providers.tf"])


def _api_regional(plan: Plan) -> None:
    planned(plan, f"{A}aws_api_gateway_rest_api.demo[0]")["endpoint_configuration"][0]["types"] = ["REGIONAL"]


def _policy_statement(plan: Plan) -> dict[str, Any]:
    document = config(plan, ("api_orders",), "data.aws_iam_policy_document.api")
    return next(s for s in document["expressions"]["statement"] if s["effect"]["constant_value"] == "Allow")


def _policy_unconditional(plan: Plan) -> None:
    _policy_statement(plan).pop("condition")


def _policy_other_endpoint(plan: Plan) -> None:
    _policy_statement(plan)["condition"][0]["values"] = {"constant_value": ["vpce-0123456789abcdef0"]}


def _alb_internet_facing(plan: Plan) -> None:
    planned(plan, f"{A}aws_lb.this")["internal"] = False


def _http_listener(plan: Plan) -> None:
    listener = planned(plan, f"{A}{API_LISTENER}")
    listener["protocol"] = "HTTP"
    listener["ssl_policy"] = None


def _api_tls_policy_off_the_elb17_list(plan: Plan) -> None:
    planned(plan, f"{A}{API_LISTENER}")["ssl_policy"] = "ELBSecurityPolicy-TLS13-1-2-2021-06"


def _endpoint_open_to_vpc(plan: Plan) -> None:
    planned(plan, f"{A}aws_vpc_security_group_ingress_rule.endpoint_from_alb")["cidr_ipv4"] = "0.0.0.0/0"


def _endpoint_from_cloudfront(plan: Plan) -> None:
    rule = config(plan, ("api_orders",), "aws_vpc_security_group_ingress_rule.endpoint_from_alb")
    rule["expressions"]["referenced_security_group_id"] = {
        "references": ["module.vpc_origin.vpc_origin_id", "module.vpc_origin"]
    }


def _api_id_header(plan: Plan) -> dict[str, Any]:
    return next(h for h in dist_origin(plan, "api")["custom_header"] if h["name"] == "x-apigw-api-id")


def _header_for_another_api(plan: Plan) -> None:
    _api_id_header(plan)["value"] = "zzzzzzzzzz"


def _header_missing(plan: Plan) -> None:
    origin = dist_origin(plan, "api")
    origin["custom_header"] = [h for h in origin["custom_header"] if h["name"] != "x-apigw-api-id"]


def _health_check_200(plan: Plan) -> None:
    planned(plan, f"{A}aws_lb_target_group.endpoint")["health_check"][0]["matcher"] = "200"


def _api_default_forward(plan: Plan) -> None:
    action = planned(plan, f"{A}{API_LISTENER}")["default_action"][0]
    action.update(type="forward", fixed_response=[])


def _api_secret_not_sent(plan: Plan) -> None:
    origin = dist_origin(plan, "api")
    origin["custom_header"] = [h for h in origin["custom_header"] if h["name"] != "X-Origin-Verify"]


def _api_rule_without_secret(plan: Plan) -> None:
    conditions = _rule(plan, f"{A}module.vpc_origin.")["after"]["condition"]
    conditions[:] = [c for c in conditions if c["http_header"][0]["http_header_name"] != "X-Origin-Verify"]


def _endpoint_statement(plan: Plan) -> dict[str, Any]:
    document = config(plan, ("api_orders",), "data.aws_iam_policy_document.endpoint_demo")
    return document["expressions"]["statement"][0]  # type: ignore[no-any-return]


def _endpoint_any_api(plan: Plan) -> None:
    _endpoint_statement(plan)["resources"] = {"constant_value": ["*"]}


def _endpoint_every_action(plan: Plan) -> None:
    _endpoint_statement(plan)["actions"] = {"constant_value": ["execute-api:*"]}


def _endpoint_without_policy(plan: Plan) -> None:
    config(plan, ("api_orders",), "aws_vpc_endpoint.execute_api")["expressions"].pop("policy")


def _rule_for_another_api(plan: Plan) -> None:
    call = plan["configuration"]["root_module"]["module_calls"]["api_orders"]["module"]["module_calls"]["vpc_origin"]
    call["expressions"]["rule_headers"] = {"constant_value": {"x-apigw-api-id": ["zzzzzzzzzz"]}}


def _rule_for_any_api(plan: Plan) -> None:
    conditions = _rule(plan, f"{A}module.vpc_origin.")["after"]["condition"]
    conditions[:] = [c for c in conditions if c["http_header"][0]["http_header_name"] != "x-apigw-api-id"]


def _root_ingress_on_a_chain_group(plan: Plan) -> None:
    """In the root: a rule admitting the VPC on a group named through a local (the endpoint's, once applied)."""
    add_root(
        plan,
        "aws_vpc_security_group_ingress_rule",
        "extra",
        {"ip_protocol": "tcp", "from_port": 443, "to_port": 443, "cidr_ipv4": "10.0.0.0/8"},
        security_group_id="local.endpoint_group",
    )


def _root_ingress_by_literal_id(plan: Plan) -> None:
    """In the root: an aws_security_group_rule on a literal id (the ALB's group got it at an earlier apply)."""
    add_root(
        plan,
        "aws_security_group_rule",
        "extra",
        {
            "type": "ingress",
            "protocol": "tcp",
            "from_port": 443,
            "to_port": 443,
            "cidr_blocks": ["10.0.0.0/8"],
            "security_group_id": "sg-0aaaaaaaaaaaaaaa1",
        },
    )


def _target_not_the_endpoint(plan: Plan) -> None:
    planned(plan, f'{A}aws_lb_target_group_attachment.static["subnet-0a1b2c3d4e5f60722"]')["target_id"] = "10.20.2.99"


@pytest.mark.parametrize(
    ("break_it", "check_id", "message"),
    [
        (_api_regional, "CFG_PRIVATE_API_TYPE", "types is ['REGIONAL'], not [PRIVATE]"),
        (_policy_unconditional, "CFG_PRIVATE_API_POLICY", "has no StringEquals aws:SourceVpce condition"),
        (
            _policy_other_endpoint,
            "CFG_PRIVATE_API_POLICY",
            "aws:SourceVpce vpce-0123456789abcdef0, not module.api_orders.aws_vpc_endpoint.execute_api.id",
        ),
        (_alb_internet_facing, "CFG_PRIVATE_API_ALB_INTERNAL", "internet-facing"),
        (_http_listener, "CFG_PRIVATE_API_HTTPS", "listens on HTTP, not HTTPS only"),
        (_api_tls_policy_off_the_elb17_list, "CFG_PRIVATE_API_HTTPS", "not one of Security Hub ELB.17's recommended"),
        (_endpoint_open_to_vpc, "CFG_PRIVATE_API_INGRESS", "admits 0.0.0.0/0"),
        (_endpoint_from_cloudfront, "CFG_PRIVATE_API_INGRESS", "not module.api_orders.aws_security_group.alb.id"),
        (
            _root_ingress_on_a_chain_group,
            "CFG_PRIVATE_API_INGRESS",
            "aws_vpc_security_group_ingress_rule.extra is an ingress rule on "
            "module.api_orders.aws_security_group.endpoint",
        ),
        (
            _root_ingress_by_literal_id,
            "CFG_PRIVATE_API_INGRESS",
            "aws_security_group_rule.extra is an ingress rule on module.api_orders.aws_security_group.alb",
        ),
        (_header_for_another_api, "CFG_PRIVATE_API_HEADER", "x-apigw-api-id is 'zzzzzzzzzz', not the API's id"),
        (_header_missing, "CFG_PRIVATE_API_HEADER", "sends 0 x-apigw-api-id headers"),
        (_health_check_200, "CFG_PRIVATE_API_TARGETS", "use '200,403'"),
        (_target_not_the_endpoint, "CFG_PRIVATE_API_TARGETS", "not the endpoint's fixed IPs"),
        (_endpoint_any_api, "CFG_PRIVATE_API_ENDPOINT_POLICY", "allows *, not this API's execute-api ARN"),
        (_endpoint_every_action, "CFG_PRIVATE_API_ENDPOINT_POLICY", "allows execute-api:*; allow only"),
        (_endpoint_without_policy, "CFG_PRIVATE_API_ENDPOINT_POLICY", "an endpoint without one admits every"),
        (_rule_for_another_api, "CFG_PRIVATE_API_HEADER", '["zzzzzzzzzz"]}, not this API\'s id'),
        (_rule_for_any_api, "CFG_PRIVATE_API_HEADER", "has 0 x-apigw-api-id conditions, not one naming this API"),
        (_api_default_forward, "CFG_PRIVATE_API_SECRET", "aws_lb_listener.this[0] default action is forward"),
        (_api_secret_not_sent, "CFG_PRIVATE_API_SECRET", "sends 0 X-Origin-Verify headers"),
        (_api_rule_without_secret, "CFG_PRIVATE_API_SECRET", "forwards without requiring X-Origin-Verify"),
    ],
    ids=lambda v: v.__name__.strip("_") if callable(v) else None,
)
def test_each_private_api_proof_fails_when_broken(
    api: Planned, break_it: Callable[[Plan], None], check_id: str, message: str
) -> None:
    assert_fails(broken(api, break_it), check_id, message)


def _root_rule_on_a_group_of_its_own(plan: Plan) -> None:
    add_root(
        plan,
        "aws_vpc_security_group_ingress_rule",
        "bastion",
        {"ip_protocol": "tcp", "from_port": 22, "to_port": 22, "cidr_ipv4": "10.0.0.0/8"},
        security_group_id="aws_security_group.bastion.id",
    )


def test_a_root_rule_on_a_group_of_its_own_leaves_the_chain_alone(api: Planned) -> None:
    # Fail closed, not blind: a rule that provably names another group is not the chain's.
    assert broken(api, _root_rule_on_a_group_of_its_own) == dict.fromkeys(API_CHECKS, "")


# -- an existing API: the endpoint policy and the rule are known at plan ----------------


def test_an_existing_api_is_the_only_one_the_endpoint_and_the_alb_admit(existing_api: Planned) -> None:
    plan, bindings, _ = existing_api
    assert proof_results(plan, bindings) == dict.fromkeys(API_CHECKS, "")
    document = json.loads(planned(plan, f"{A}aws_vpc_endpoint.execute_api")["policy"])
    [statement] = document["Statement"]
    assert statement["Resource"] == "arn:aws:execute-api:eu-west-1:111111111111:a1b2c3d4e5/*"
    conditions = planned(plan, f"{A}module.vpc_origin.{VERIFY_RULE}")["condition"]
    assert {"http_header_name": "x-apigw-api-id", "values": ["a1b2c3d4e5"]} in [c["http_header"][0] for c in conditions]


def _existing_policy_for(plan: Plan, resource: str) -> None:
    endpoint = planned(plan, f"{A}aws_vpc_endpoint.execute_api")
    document = json.loads(endpoint["policy"])
    document["Statement"][0]["Resource"] = resource
    endpoint["policy"] = json.dumps(document)


@pytest.mark.parametrize(
    ("resource", "message"),
    [
        ("arn:aws:execute-api:eu-west-1:111111111111:zzzzzzzzzz/*", "zzzzzzzzzz/*, not this API's execute-api ARN"),
        ("arn:aws:execute-api:eu-west-1:111111111111:*", "111111111111:*, not this API's"),
    ],
)
def test_an_endpoint_policy_on_another_api_fails(existing_api: Planned, resource: str, message: str) -> None:
    got = broken(existing_api, lambda plan: _existing_policy_for(plan, resource))
    assert_fails(got, "CFG_PRIVATE_API_ENDPOINT_POLICY", message)


def test_a_known_rule_for_another_api_fails(existing_api: Planned) -> None:
    def another_api(plan: Plan) -> None:
        for condition in planned(plan, f"{A}module.vpc_origin.{VERIFY_RULE}")["condition"]:
            header = condition["http_header"][0]
            if header["http_header_name"] == "x-apigw-api-id":
                header["values"] = ["zzzzzzzzzz"]

    got = broken(existing_api, another_api)
    assert_fails(got, "CFG_PRIVATE_API_HEADER", "forwards x-apigw-api-id ['zzzzzzzzzz'], not this API")


def _kept_api_statement(effect: str) -> Callable[[Plan], None]:
    """The existing API's current_policy holds one statement of its owner, about another endpoint."""

    def edit(plan: Plan) -> None:
        statement = {
            "Sid": "OwnersEndpoint",
            "Effect": effect,
            "Principal": "*",
            "Action": "execute-api:Invoke",
            "Resource": "execute-api:/*",
            "Condition": {"StringEquals": {"aws:SourceVpce": "vpce-0a1b2c3d4e5f60799"}},
        }
        call = plan["configuration"]["root_module"]["module_calls"][A.split(".")[1]]["expressions"]
        call["kept_policy_json"] = {"constant_value": json.dumps({"Version": "2012-10-17", "Statement": [statement]})}

    return edit


def test_the_existing_apis_kept_statements_are_judged_with_cfgens(existing_api: Planned) -> None:
    assert not any(broken(existing_api, _kept_api_statement("Deny")).values())
    got = broken(existing_api, _kept_api_statement("Allow"))
    assert_fails(got, "CFG_PRIVATE_API_POLICY", "statement 'OwnersEndpoint' has aws:SourceVpce vpce-0a1b2c3d4e5f60799")
    assert planned(existing_api[0], f"{A}aws_api_gateway_rest_api_policy.adopted[0]")["rest_api_id"] == "a1b2c3d4e5"


def test_an_endpoint_open_to_every_api_fails_cfgen_test(tmp_path: Path, plugin_mirror: Path) -> None:
    """The hand edit: the endpoint policy admits every private API again."""
    failed = hand_edited_failures(
        API,
        tmp_path,
        plugin_mirror,
        {
            "modules/private-api-origin/main.tf": (
                'resources = ["${aws_api_gateway_rest_api.demo[0].execution_arn}/*"]',
                'resources = ["*"]',
            )
        },
    )
    assert {check for check, _ in failed} == {"CFG_PRIVATE_API_ENDPOINT_POLICY"}, failed


def test_targets_open_to_the_vpc_fail_cfgen_test(tmp_path: Path, plugin_mirror: Path) -> None:
    """The hand edit: the targets' group admits the VPC's addresses instead of the load balancer."""
    failed = hand_edited_failures(
        ALB,
        tmp_path,
        plugin_mirror,
        {
            "modules/vpc-origin/main.tf": (
                "  to_port                      = var.target_port\n"
                "  referenced_security_group_id = aws_security_group.this[0].id\n",
                '  to_port   = var.target_port\n  cidr_ipv4 = "10.20.0.0/16"\n',
            )
        },
    )
    assert {check for check, _ in failed} == {"CFG_VPC_ORIGIN_TARGETS"}, failed
    assert any("admits a CIDR or prefix list" in message for _, message in failed), failed


def test_a_listener_policy_off_the_elb17_list_fails_cfgen_test(tmp_path: Path, plugin_mirror: Path) -> None:
    """The hand edit: the created ALB's listener back on the policy ELB.17 no longer recommends."""
    failed = hand_edited_failures(
        ALB,
        tmp_path,
        plugin_mirror,
        {
            "modules/vpc-origin/variables.tf": (
                'default     = "ELBSecurityPolicy-TLS13-1-2-Res-2021-06"',
                'default     = "ELBSecurityPolicy-TLS13-1-2-2021-06"',
            )
        },
    )
    assert {check for check, _ in failed} == {"CFG_VPC_ORIGIN_TLS"}, failed
