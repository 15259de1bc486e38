"""The VPC-origin and private-API proofs hold on cfgen's plans, and each fails when its guarantee is broken.

One real offline plan per example (and per target-sync mode of the private
API) is taken per module; each failing case edits a copy of that plan's JSON
the way a hand edit of the HCL would change it.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from tests.conftest import EXAMPLES
from tests.plan._plans import Plan, Planner, change, plan_spec, planned, proof_results

from cfgen.patterns import OriginBinding
from cfgen.render import render
from cfgen.spec import load_spec

pytestmark = pytest.mark.plan
ALB = EXAMPLES / "alb-vpc-origin" / "spec.yaml"
EC2 = EXAMPLES / "ec2-vpc-origin" / "spec.yaml"
API = EXAMPLES / "private-api-vpc-origin" / "spec.yaml"
Planned = tuple[Plan, list[OriginBinding], dict[str, str | bytes]]


def _planned(spec: Path, tmp: Path, planner: Planner) -> Planned:
    plan, rendered = plan_spec(spec, tmp, planner)
    return plan, rendered.bindings, rendered.files


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
    }


def test_vpc_origin_proofs_hold_for_an_instance(ec2: Planned) -> None:
    got = proof_results(*ec2[:2])
    assert got == {"CFG_VPC_ORIGIN_INTERNAL": "", "CFG_VPC_ORIGIN_INGRESS": "", "CFG_VPC_ORIGIN_TLS": ""}
    # The instance is read only once the VPC origin exists: no AWS call at plan.
    assert change(ec2[0], "module.legacy_server.data.aws_instance.this[0]")["actions"] == ["read"]


def test_instance_with_a_public_ip_fails(ec2: Planned) -> None:
    plan = copy.deepcopy(ec2[0])
    read = change(plan, "module.legacy_server.data.aws_instance.this[0]")
    read["after"]["public_ip"] = "203.0.113.7"
    read["after_unknown"].pop("public_ip", None)
    got = proof_results(plan, ec2[1])
    assert "the instance has a public IP" in got["CFG_VPC_ORIGIN_INTERNAL"]
    assert [k for k, v in got.items() if v] == ["CFG_VPC_ORIGIN_INTERNAL"]


W = "module.app_web."


def _internet_facing(plan: Plan) -> None:
    planned(plan, f"{W}aws_lb.this[0]")["internal"] = False


def _open_ingress(plan: Plan) -> None:
    planned(plan, f"{W}aws_vpc_security_group_ingress_rule.cloudfront")["cidr_ipv4"] = "0.0.0.0/0"


def _open_ipv6_inline(plan: Plan) -> None:
    planned(plan, f"{W}aws_security_group.this[0]")["ingress"] = [{"cidr_blocks": [], "ipv6_cidr_blocks": ["::/0"]}]


def _ingress_from_another_group(plan: Plan) -> None:
    rule = config(plan, ("app_web",), "aws_vpc_security_group_ingress_rule.cloudfront")
    rule["expressions"]["referenced_security_group_id"] = {"constant_value": "sg-0123456789abcdef0"}


def _http_to_origin(plan: Plan) -> None:
    planned(plan, f"{W}aws_cloudfront_vpc_origin.this")["vpc_origin_endpoint_config"][0]["origin_protocol_policy"] = (
        "match-viewer"
    )


def _old_tls_policy(plan: Plan) -> None:
    planned(plan, f"{W}aws_lb_listener.this[0]")["ssl_policy"] = "ELBSecurityPolicy-2016-08"


def _custom_origin(plan: Plan) -> None:
    origin = dist_origin(plan, "app")
    origin["vpc_origin_config"] = []
    origin["custom_origin_config"] = [{"origin_protocol_policy": "https-only"}]


@pytest.mark.parametrize(
    ("break_it", "check_id", "message"),
    [
        (_internet_facing, "CFG_VPC_ORIGIN_INTERNAL", "internet-facing"),
        (_open_ingress, "CFG_VPC_ORIGIN_INGRESS", "admits 0.0.0.0/0"),
        (_open_ipv6_inline, "CFG_VPC_ORIGIN_INGRESS", "admits ::/0"),
        (
            _ingress_from_another_group,
            "CFG_VPC_ORIGIN_INGRESS",
            "admits sg-0123456789abcdef0, not module.app_web.data.aws_security_group.cloudfront_vpc_origins.id",
        ),
        (_http_to_origin, "CFG_VPC_ORIGIN_TLS", "origin_protocol_policy is 'match-viewer'"),
        (_old_tls_policy, "CFG_VPC_ORIGIN_TLS", "allows TLS below 1.2"),
        (_custom_origin, "CFG_VPC_ORIGIN_TLS", "has a custom_origin_config"),
    ],
    ids=lambda v: v.__name__.strip("_") if callable(v) else None,
)
def test_each_vpc_origin_proof_fails_when_broken(
    alb: Planned, break_it: Callable[[Plan], None], check_id: str, message: str
) -> None:
    plan = copy.deepcopy(alb[0])
    break_it(plan)
    got = proof_results(plan, alb[1])
    assert message in got[check_id], got
    assert [k for k, v in got.items() if v] == [check_id], "a break must fail its own proof only"


# -- api_gateway / private_vpc_origin ------------------------------------------------

A = "module.api_orders."
API_CHECKS = {
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
    listener = planned(plan, f"{A}aws_lb_listener.https")
    listener["protocol"] = "HTTP"
    listener["ssl_policy"] = None


def _endpoint_open_to_vpc(plan: Plan) -> None:
    planned(plan, f"{A}aws_vpc_security_group_ingress_rule.endpoint_from_alb")["cidr_ipv4"] = "0.0.0.0/0"


def _endpoint_from_cloudfront(plan: Plan) -> None:
    rule = config(plan, ("api_orders",), "aws_vpc_security_group_ingress_rule.endpoint_from_alb")
    rule["expressions"]["referenced_security_group_id"] = {
        "references": ["module.vpc_origin.vpc_origin_id", "module.vpc_origin"]
    }


def _header_for_another_api(plan: Plan) -> None:
    origin = dist_origin(plan, "api")
    origin["custom_header"] = [{"name": "x-apigw-api-id", "value": "zzzzzzzzzz"}]


def _header_missing(plan: Plan) -> None:
    dist_origin(plan, "api")["custom_header"] = []


def _health_check_200(plan: Plan) -> None:
    planned(plan, f"{A}aws_lb_target_group.endpoint")["health_check"][0]["matcher"] = "200"


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
        (_endpoint_open_to_vpc, "CFG_PRIVATE_API_INGRESS", "admits 0.0.0.0/0"),
        (_endpoint_from_cloudfront, "CFG_PRIVATE_API_INGRESS", "not module.api_orders.aws_security_group.alb.id"),
        (_header_for_another_api, "CFG_PRIVATE_API_HEADER", "x-apigw-api-id is 'zzzzzzzzzz', not the API's id"),
        (_header_missing, "CFG_PRIVATE_API_HEADER", "sends 0 x-apigw-api-id headers"),
        (_health_check_200, "CFG_PRIVATE_API_TARGETS", "use '200,403'"),
        (_target_not_the_endpoint, "CFG_PRIVATE_API_TARGETS", "not the endpoint's fixed IPs"),
    ],
    ids=lambda v: v.__name__.strip("_") if callable(v) else None,
)
def test_each_private_api_proof_fails_when_broken(
    api: Planned, break_it: Callable[[Plan], None], check_id: str, message: str
) -> None:
    plan = copy.deepcopy(api[0])
    break_it(plan)
    got = proof_results(plan, api[1])
    assert message in got[check_id], got
    assert [k for k, v in got.items() if v] == [check_id], "a break must fail its own proof only"
