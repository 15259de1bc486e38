"""ALB, NLB or EC2 in private subnets behind a CloudFront VPC origin (``protection: vpc_origin``).

Wiring: the ``vpc-origin`` module creates (or adopts) an internal load
balancer with an HTTPS (ALB) or TLS (NLB) listener, or takes an instance
without a public IP; creates ``aws_cloudfront_vpc_origin`` (https-only,
TLSv1.2, replaced on change); and admits ingress to the origin's security
group only from CloudFront's VPC-origins service group, looked up after the
VPC origin exists.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .._hcl import Attr, Ref
from ..harness.plan import PlanView
from ..harness.results import Finding
from ..spec.vpc_origins import AlbOrigin, Ec2Origin, NlbOrigin
from . import _network
from ._base import OriginBinding, OriginView, Pattern, module_name

if TYPE_CHECKING:
    from ..spec import Distribution, Spec
    from ..spec.models import Origin


def view(spec: Spec, dist: Distribution, origin: Origin) -> OriginView:
    assert isinstance(origin, AlbOrigin | NlbOrigin | Ec2Origin)
    module = module_name(dist.name, origin.id)
    inputs = [
        Attr("name", f"{spec.project}-{dist.name}-{origin.id}"),
        Attr("origin_type", origin.type),
        Attr("origin_domain", origin.origin_domain),
    ]
    if origin.origin_path:
        inputs.append(Attr("origin_path", origin.origin_path))
    if origin.https_port != 443:
        inputs.append(Attr("https_port", origin.https_port))
    inputs.append(Attr("vpc_id", origin.network.vpc_id))
    outputs = [(f"{module}_vpc_origin_id", f"module.{module}.vpc_origin_id", f"VPC origin of {dist.name}/{origin.id}.")]
    if isinstance(origin, Ec2Origin):
        inputs += [
            Attr("instance_arn", origin.instance.arn),
            Attr("network_interface_id", origin.instance.network_interface_id),
        ]
    elif origin.load_balancer.arn is not None:
        inputs += [
            Attr("create_load_balancer", False),
            Attr("load_balancer_arn", origin.load_balancer.arn),
            Attr("security_group_id", origin.load_balancer.security_group_id),
        ]
    else:
        inputs.append(Attr("subnets", [{"id": s.id, "cidr": s.cidr} for s in origin.network.subnets]))
        if origin.certificate is not None:
            inputs.append(Attr("certificate_arn", origin.certificate.arn))
        lb = origin.load_balancer
        if lb.target_port != 443:
            inputs.append(Attr("target_port", lb.target_port))
        if lb.target_protocol is not None:
            inputs.append(Attr("target_protocol", lb.target_protocol))
        outputs += [
            (
                f"{module}_target_group_arn",
                f"module.{module}.target_group_arn",
                f"Register the targets of {dist.name}/{origin.id} here.",
            ),
            (
                f"{module}_load_balancer_dns_name",
                f"module.{module}.load_balancer_dns_name",
                f"Point {origin.origin_domain} at this name in a private hosted zone.",
            ),
        ]
    skips = []
    if isinstance(origin, Ec2Origin):
        skips.append(
            (
                "CKV2_AWS_5",
                "The group is attached to the instance's network interface by "
                "aws_network_interface_sg_attachment, which CKV2_AWS_5 does not count as an attachment.",
            )
        )
    return OriginView(
        module=module,
        inputs=inputs,
        distribution_origin=Ref(f"module.{module}.cloudfront_origin"),
        checkov_skips=skips,
        outputs=outputs,
    )


# -- proofs ------------------------------------------------------------------


def prove(plan: PlanView, binding: OriginBinding) -> list[Finding]:
    """Findings that ``binding``'s origin is private and reachable only through its VPC origin."""
    module = (binding.module,)
    return [_internal(plan, binding, module), _ingress(plan, binding, module), _tls(plan, binding, module)]


def _internal(plan: PlanView, binding: OriginBinding, module: tuple[str, ...]) -> Finding:
    title = "origin is private: internal load balancer / instance without a public IP"
    check = "CFG_VPC_ORIGIN_INTERNAL"
    here = f"module.{binding.module}"
    created = plan.one(module, "aws_lb", "this")
    if created is not None:
        problem = (
            "" if created.values.get("internal") is True else "the load balancer is internet-facing (internal = false)"
        )
        return _network.finding(binding, check, title, created.address, problem)
    guard = plan.one(module, "aws_lb", "adopted") or plan.one(module, "aws_instance", "this")
    if guard is None:
        return _network.finding(
            binding, check, title, here, "no created internal load balancer and no guard on the adopted origin"
        )
    # An adopted origin is read once the VPC origin exists; its postcondition stops the apply if it is public.
    if guard.type == "aws_lb" and guard.known("internal") and guard.values["internal"] is not True:
        return _network.finding(binding, check, title, guard.address, "the adopted load balancer is internet-facing")
    if guard.type == "aws_instance" and guard.known("public_ip") and guard.values["public_ip"]:
        return _network.finding(binding, check, title, guard.address, "the instance has a public IP")
    return _network.finding(binding, check, title, guard.address, "")


def _ingress(plan: PlanView, binding: OriginBinding, module: tuple[str, ...]) -> Finding:
    title = "security groups admit only CloudFront's VPC origins; no 0.0.0.0/0 or ::/0"
    problems = _network.ingress_problems(plan, module, default_source=_network.SERVICE_SG)
    rules = _network.module_resources(plan, module, "aws_vpc_security_group_ingress_rule")
    if not rules and not problems:
        problems = ["no ingress rule from CloudFront: the origin would be unreachable"]
    address = rules[0].address if rules else f"module.{binding.module}"
    return _network.finding(binding, "CFG_VPC_ORIGIN_INGRESS", title, address, "; ".join(problems))


def _tls(plan: PlanView, binding: OriginBinding, module: tuple[str, ...]) -> Finding:
    title = "CloudFront reaches the origin through this VPC origin, HTTPS with TLSv1.2"
    vpc_origin = plan.one(module, "aws_cloudfront_vpc_origin")
    problems = _network.vpc_origin_problems(plan, vpc_origin)
    created = plan.one(module, "aws_lb", "this")
    if created is not None:
        protocol = "HTTPS" if created.values.get("load_balancer_type") == "application" else "TLS"
        problems += _network.listener_problems(plan, module, protocol)
    _, origins, missing = _network.distribution_origin(plan, binding)
    if missing:
        problems.append(missing)
    problems += [p for p in map(_network.uses_vpc_origin, origins) if p]
    address = vpc_origin.address if vpc_origin else f"module.{binding.module}"
    return _network.finding(binding, "CFG_VPC_ORIGIN_TLS", title, address, "; ".join(problems))


def _pattern(origin_type: str, what: str) -> Pattern:
    return Pattern(
        origin_type=origin_type,
        protection="vpc_origin",
        summary=f"{what} in private subnets; CloudFront VPC origin over HTTPS/TLSv1.2, ingress only from CloudFront.",
        template="vpc_origin/origin.tf.j2",
        modules=("vpc-origin",),
        view=view,
        prove=prove,
    )


ALB = _pattern("alb", "Internal Application Load Balancer")
NLB = _pattern("nlb", "Internal Network Load Balancer")
EC2 = _pattern("ec2", "EC2 instance without a public IP")
