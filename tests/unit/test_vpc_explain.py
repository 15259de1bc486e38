"""What `cfgen explain` and the render say of VPC origins follows the spec: each choice moves the paths it opens."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from tests.conftest import EXAMPLES

from cfgen.errors import SpecError
from cfgen.explain import OriginExplanation, explain
from cfgen.render import render
from cfgen.spec import load_spec

ALB = (EXAMPLES / "alb-vpc-origin" / "spec.yaml").read_text()
EC2 = (EXAMPLES / "ec2-vpc-origin" / "spec.yaml").read_text()
API = (EXAMPLES / "private-api-vpc-origin" / "spec.yaml").read_text()
KEEP = "          network_interface_id: eni-0a1b2c3d4e5f60788\n"


def _explained(write_spec: Callable[[str], Path], text: str) -> OriginExplanation:
    (origin,) = explain(load_spec(write_spec(text)))
    return origin


def _path(origin: OriginExplanation, key: str) -> tuple[str, tuple[str, ...], str]:
    found = next(p for p in origin.paths if p.key == key)
    return found.status, found.proofs, found.note


def test_an_instance_alone_in_cfgens_group_closes_the_vpc_hosts_path(write_spec: Callable[[str], Path]) -> None:
    status, proofs, note = _path(_explained(write_spec, EC2), "vpc_hosts")
    assert status == "closed" and "CFG_VPC_ORIGIN_INSTANCE_GROUPS" in proofs
    assert "checked at apply" in note


def test_groups_the_instance_keeps_leave_it_residual_and_named(write_spec: Callable[[str], Path]) -> None:
    kept = KEEP + "          keep_security_groups: [sg-0a1b2c3d4e5f60701]\n"
    text = EC2.replace(KEEP, kept)
    origin = _explained(write_spec, text)
    status, proofs, note = _path(origin, "vpc_hosts")
    assert status == "residual" and "CFG_VPC_ORIGIN_INSTANCE_GROUPS" in proofs
    assert "sg-0a1b2c3d4e5f60701" in note
    assert any("sg-0a1b2c3d4e5f60701" in t and "no ingress" in t for t in origin.todo)
    main = str(render(load_spec(write_spec(text))).files["main.tf"])
    assert 'keep_security_group_ids = ["sg-0a1b2c3d4e5f60701"]' in main


def test_a_group_kept_twice_is_one_located_error(write_spec: Callable[[str], Path]) -> None:
    twice = KEEP + "          keep_security_groups: [sg-0a1b2c3d4e5f60701, sg-0a1b2c3d4e5f60701]\n"
    path = write_spec(EC2.replace(KEEP, twice))
    with pytest.raises(SpecError) as caught:
        load_spec(path)
    [line] = str(caught.value).splitlines()
    assert "instance.keep_security_groups: " in line and "listed twice" in line, line


@pytest.mark.parametrize(("text", "pattern"), [(ALB, "alb/vpc_origin"), (API, "api_gateway/private_vpc_origin")])
def test_an_alb_checks_the_secret_header_and_names_where_it_lives(
    write_spec: Callable[[str], Path], text: str, pattern: str
) -> None:
    origin = _explained(write_spec, text)
    assert origin.pattern == pattern
    status, proofs, _ = _path(origin, "other_vpc_origin")
    assert status == "closed" and proofs in (("CFG_VPC_ORIGIN_SECRET",), ("CFG_PRIVATE_API_SECRET",))
    (secret,) = origin.secrets
    assert secret.name == "X-Origin-Verify secret" and any("listener rule" in place for place in secret.lives_in)
    assert any("Rotate the X-Origin-Verify secret" in t for t in origin.todo)
    assert any("X-Origin-Verify" in hop for hop in origin.request_path)


@pytest.mark.parametrize(
    ("text", "edit"),
    [(EC2, ("", "")), (ALB, ("        type: alb\n", "        type: nlb\n"))],
    ids=["ec2", "nlb"],
)
def test_origins_without_a_header_say_what_closes_the_path(
    write_spec: Callable[[str], Path], text: str, edit: tuple[str, str]
) -> None:
    origin = _explained(write_spec, text.replace(*edit) if edit[0] else text)
    status, proofs, note = _path(origin, "other_vpc_origin")
    assert status == "residual" and not proofs and not origin.secrets
    assert "cannot check a header" in note and "cloudfront:CreateVpcOrigin" in note
    assert any("cloudfront:CreateVpcOrigin" in t for t in origin.todo)


def test_an_adopted_alb_gets_the_rule_but_its_other_rules_stay_residual(write_spec: Callable[[str], Path]) -> None:
    arn = "arn:aws:elasticloadbalancing:eu-west-1:111111111111:loadbalancer/app/shop-web/0a1b2c3d4e5f6071"
    listener = arn.replace(":loadbalancer/", ":listener/") + "/1a2b3c4d5e6f7081"
    targets = "arn:aws:elasticloadbalancing:eu-west-1:111111111111:targetgroup/shop-web/1b2c3d4e5f607182"
    adopted = (
        f"        load_balancer:\n          arn: {arn}\n          security_group_id: sg-0a1b2c3d4e5f60702\n"
        f"          listener: {{arn: {listener}, target_group_arn: {targets}, priority: 7}}\n"
    )
    text = ALB.replace("        load_balancer: {target_port: 8443}\n", adopted)
    origin = _explained(write_spec, text)
    status, proofs, note = _path(origin, "other_vpc_origin")
    assert status == "residual" and proofs == ("CFG_VPC_ORIGIN_SECRET",) and "other rules" in note
    assert any(listener in t and "fixed 403" in t for t in origin.todo)
    assert origin.secrets and not origin.costs
    main = " ".join(str(render(load_spec(write_spec(text))).files["main.tf"]).split())
    for line in ("listener_rule = true", f'listener_arn = "{listener}"', "rule_priority = 7"):
        assert line in main, main


@pytest.mark.parametrize("kind", ["alb", "nlb"])
def test_a_created_load_balancers_targets_get_a_group_to_attach(write_spec: Callable[[str], Path], kind: str) -> None:
    text = ALB.replace("        type: alb\n", f"        type: {kind}\n")
    origin = _explained(write_spec, text)
    status, proofs, note = _path(origin, "vpc_targets")
    assert status == "residual" and proofs == ("CFG_VPC_ORIGIN_TARGETS",) and "attaching it is yours" in note
    assert any("app_web_targets_security_group_id" in t and "remove their other ingress" in t for t in origin.todo)
    outputs = str(render(load_spec(write_spec(text))).files["outputs.tf"])
    assert 'output "app_web_targets_security_group_id"' in outputs


def test_explain_says_what_cfgen_adds_to_an_adopted_instance_and_what_destroy_does(
    write_spec: Callable[[str], Path],
) -> None:
    (alone,) = _explained(write_spec, EC2).adopted
    assert alone.resource == "instance i-0a1b2c3d4e5f60799" and not alone.kept
    assert "eni-0a1b2c3d4e5f60788: cfgen's security group attached" in alone.changes[0]
    assert alone.on_destroy.startswith("Not removed:") and "attach a group of yours" in alone.on_destroy
    (keeping,) = _explained(
        write_spec, EC2.replace(KEEP, KEEP + "          keep_security_groups: [sg-0a1b2c3d4e5f60701]\n")
    ).adopted
    assert keeping.on_destroy.startswith(
        "Removed: destroy detaches cfgen's group (the interface keeps sg-0a1b2c3d4e5f60701)"
    )


def test_explain_says_what_cfgen_adds_to_an_adopted_load_balancer(write_spec: Callable[[str], Path]) -> None:
    assert _explained(write_spec, ALB).adopted == ()  # cfgen creates this one
    lb = "arn:aws:elasticloadbalancing:eu-west-1:111111111111:loadbalancer/app/shop-web/0a1b2c3d4e5f6071"
    listener = lb.replace(":loadbalancer/", ":listener/") + "/1a2b3c4d5e6f7081"
    targets = "arn:aws:elasticloadbalancing:eu-west-1:111111111111:targetgroup/shop-web/1b2c3d4e5f607182"
    adopted = ALB.replace(
        "        load_balancer: {target_port: 8443}\n",
        f"        load_balancer:\n          arn: {lb}\n          security_group_id: sg-0a1b2c3d4e5f60702\n"
        f"          listener: {{arn: {listener}, target_group_arn: {targets}, priority: 7}}\n",
    )
    (adoption,) = _explained(write_spec, adopted).adopted
    assert adoption.resource == "load balancer shop-web" and not adoption.kept
    assert adoption.changes[0].startswith("Security group sg-0a1b2c3d4e5f60702: an ingress rule, port 443")
    assert (
        f"Listener {listener}: a rule at priority 7 that forwards to {targets} only with X-Origin-Verify"
        in (adoption.changes[1])
    )
    assert adoption.on_destroy.startswith("Removed:")
