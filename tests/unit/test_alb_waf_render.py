"""What `alb` + `waf_header` renders (the ALB, its web ACL, the header CloudFront sends) and what explain says."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from tests.conftest import EXAMPLES

from cfgen.explain import explain
from cfgen.render import render
from cfgen.spec import load_spec

SPEC = EXAMPLES / "alb-waf-header" / "spec.yaml"
LB_ARN = "arn:aws:elasticloadbalancing:eu-west-1:111111111111:loadbalancer/app/shop-web/0a1b2c3d4e5f6071"
NETWORK = """        network:
          vpc_id: vpc-0a1b2c3d4e5f60718
          subnets: [subnet-0a1b2c3d4e5f60711, subnet-0a1b2c3d4e5f60722]   # public subnets, two zones
"""


def _adopted(write_spec: Callable[[str], Path]) -> Path:
    text = SPEC.read_text(encoding="utf-8").replace(NETWORK, "")
    start, end = text.index("        certificate:\n"), text.index("        waf_logging:")
    lb = f"        load_balancer: {{arn: {LB_ARN}, security_group_id: sg-0a1b2c3d4e5f60702}}\n"
    return write_spec(text[:start] + lb + "        replace_web_acl: true\n" + text[end:])


def _call(main: str, name: str) -> str:
    start = main.index(f'module "{name}" {{')
    return main[start : main.index("\n}\n", start)]


def test_the_listener_checks_nothing_and_cloudfront_sends_what_the_acl_gives_out() -> None:
    main = render(load_spec(SPEC)).files["main.tf"]
    assert isinstance(main, str)
    alb, waf = _call(main, "web_app"), _call(main, "web_app_waf")
    assert "listener_checks_header    = false" in alb
    assert "origin_secrets            = [module.web_app_waf.header_value]" in alb
    assert "alb = module.web_app.load_balancer_arn" in waf
    assert "header_values = module.web_app_origin_verify.values" in waf
    assert 'name          = "shop-web-app-origin-verify"' in waf
    assert "app = module.web_app.cloudfront_origin" in main
    assert "listener_arn" not in alb and "#checkov:skip=CKV2_AWS_31" not in waf


def test_an_existing_alb_gets_no_listener_input(write_spec: Callable[[str], Path]) -> None:
    main = render(load_spec(_adopted(write_spec))).files["main.tf"]
    assert isinstance(main, str)
    alb = _call(main, "web_app")
    assert f'load_balancer_arn         = "{LB_ARN}"' in alb
    assert "listener_arn" not in alb and "target_group_arn" not in alb and "CKV2_AWS_28" not in alb


@pytest.mark.parametrize("adopted", [False, True], ids=["created", "adopted"])
def test_explain_costs_the_acl_and_warns_of_the_replaced_one(write_spec: Callable[[str], Path], adopted: bool) -> None:
    (origin,) = explain(load_spec(_adopted(write_spec) if adopted else SPEC))
    assert origin.monthly_fixed_usd == (6.0 if adopted else round(6.0 + 0.0225 * 730, 2))
    assert any("REPLACES any web ACL" in t for t in origin.todo) == adopted
    assert any("Rotate the secret" in t for t in origin.todo)
    statuses = {(p.key, p.status) for p in origin.paths}
    assert ("internet", "residual" if adopted else "closed") in statuses
    assert ("vpc_targets", "residual") in statuses or adopted
