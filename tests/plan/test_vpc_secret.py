"""The X-Origin-Verify secret of an ALB behind a VPC origin: never unmarked, never echoed, never optional.

Real offline plans: the ALB example with canary secrets set as TF_VAR_* (as a
user's pipeline would), a secret an ALB would misread, and hand edits of a
rendered tree that `cfgen test --dir` must catch.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from tests.conftest import EXAMPLES
from tests.plan._plans import Plan, hand_edited_failures, plan_with_secrets, planned
from tests.plan._sensitive import unmarked

from cfgen import _service
from cfgen.errors import ToolError
from cfgen.harness import _terraform
from cfgen.render import render
from cfgen.spec import load_spec

pytestmark = pytest.mark.plan
ALB = EXAMPLES / "alb-vpc-origin" / "spec.yaml"
API = EXAMPLES / "private-api-vpc-origin" / "spec.yaml"
CANARY = "CanaryCurrent5f0c3e9a1b7d4c2e8a6f0b3d9e1c7a5f"
CANARY_PREVIOUS = "CanaryPrevious9d8c7b6a5f4e3d2c1b0a9f8e7d6c5b4a"
RULE = "module.listener[0].aws_lb_listener_rule.origin_verify[0]"


# The ALB example, and the private API chain whose origin output merges the secret header with its own.
CASES = {
    "alb": (ALB, "app_web", f"module.app_web.{RULE}"),
    "private-api": (API, "api_orders", f"module.api_orders.module.vpc_origin.{RULE}"),
}


@pytest.fixture(scope="module", params=sorted(CASES))
def canary(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory, plugin_mirror: Path
) -> tuple[_terraform.PlanRun, Plan, Path, str]:
    spec, module, _ = CASES[request.param]
    folder = tmp_path_factory.mktemp(f"{request.param}-canary")
    secrets = {f"{module}_origin_verify_secret": CANARY, f"{module}_origin_verify_secret_previous": CANARY_PREVIOUS}
    run, plan = plan_with_secrets(spec, folder, plugin_mirror, secrets)
    return run, plan, folder, request.param


def test_the_canary_reaches_the_rule_and_the_header_but_nothing_unmarked(
    canary: tuple[_terraform.PlanRun, Plan, Path, str],
) -> None:
    run, plan, folder, case = canary
    spec, _, rule = CASES[case]
    # It did reach the plan: otherwise the checks below would prove nothing.
    assert planned(plan, rule)["condition"][0]["http_header"][0]["values"] == [CANARY, CANARY_PREVIOUS]
    assert unmarked(plan, [CANARY, CANARY_PREVIOUS]) == []
    assert all(f.passed for f in _service.prove(plan, render(load_spec(spec)).bindings))

    written = [p for p in (folder / "tree").rglob("*") if p.is_file()]
    assert written and not [p for p in written if CANARY.encode() in p.read_bytes()]
    shown = run._step("show", "show", "-no-color", str(run.plan_file))
    assert rule in shown and CANARY not in shown and CANARY_PREVIOUS not in shown


@pytest.mark.parametrize(
    "secret",
    ["has-hyphens-0123456789abcdef0123456789", "wild*card0123456789abcdef0123456789ab", "short0123"],
    ids=["hyphens", "wildcard", "short"],
)
def test_a_secret_an_alb_would_misread_stops_the_plan_in_one_line(
    tmp_path: Path, plugin_mirror: Path, secret: str
) -> None:
    with pytest.raises(ToolError) as caught:
        plan_with_secrets(ALB, tmp_path, plugin_mirror, {"app_web_origin_verify_secret": secret})
    message = str(caught.value)
    assert secret not in message, message
    # One located line per failed condition, never the value: the ALB rule's, and for a short one the
    # origin-secret module's too.
    [rule] = [line for line in message.splitlines() if "origin_secrets must hold" in line]
    assert rule.strip().startswith("modules/lb-listener/main.tf:"), message


def test_a_listener_that_forwards_by_default_fails_cfgen_test(tmp_path: Path, plugin_mirror: Path) -> None:
    """The hand edit this proof exists for: the listener forwards whatever the rule does not."""
    failed = hand_edited_failures(
        ALB,
        tmp_path,
        plugin_mirror,
        {
            "modules/vpc-origin/main.tf": (
                'default_action    = var.origin_type == "alb" ? "deny" : "forward"',
                'default_action    = "forward"',
            )
        },
    )
    assert {check for check, _ in failed} == {"CFG_VPC_ORIGIN_SECRET"}, failed
    assert any("default action is forward" in message for _, message in failed), failed
