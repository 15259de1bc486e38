"""What both modes of an internet-facing ALB share: the ``alb-origin`` call's inputs, the ingress and HTTPS proofs.

``listener_header`` (the listener checks ``X-Origin-Verify``) and
``waf_header`` (a web ACL on the ALB checks it) create or adopt the same ALB
with the same security group, admitting HTTPS from CloudFront's
origin-facing prefix list only, read back at apply by id and name.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .._hcl import Attr, Ref, template
from ..harness.plan import Const, PlanView, Resource
from ..harness.results import Finding
from ..spec import _names as names
from ..spec.public_origins import (
    CLOUDFRONT_PREFIX_LIST,
    AlbListenerHeaderOrigin,
    AlbWafHeaderOrigin,
    prefix_list_of,
)
from ..spec.vpc_origins import DEFAULT_TLS_POLICY
from . import _network
from ._base import OriginBinding

if TYPE_CHECKING:
    from ..spec import Distribution, Spec

__all__ = ["MODULE", "PREFIX_LIST_GUARD", "AlbCall", "alb_call", "https_finding", "ingress_finding"]

HEADER = "X-Origin-Verify"
MODULE = "alb-origin"
# The guard that reads the prefix list by the given id and CloudFront's name.
PREFIX_LIST_GUARD = "data.aws_ec2_managed_prefix_list.cloudfront"


@dataclass
class AlbCall:
    """The ``alb-origin`` call of an internet-facing ALB, before its mode's inputs are added."""

    inputs: list[Attr]
    skips: list[tuple[str, str]]
    outputs: list[tuple[str, str, str]]
    endpoints: dict[str, Any] = field(default_factory=dict)


def alb_call(
    spec: Spec,
    dist: Distribution,
    origin: AlbListenerHeaderOrigin | AlbWafHeaderOrigin,
    module: str,
    adopted: list[Attr],
) -> AlbCall:
    """The ALB's inputs (``adopted``: the mode's inputs for an existing ALB, after its ARN and group)."""
    prefix_list = prefix_list_of(origin, spec.region)
    assert prefix_list is not None, "validate requires a prefix list id"
    from_table = origin.cloudfront_prefix_list_id is None
    inputs = [
        Attr("name", names.ALB_SECURITY_GROUP.name(spec.project, dist.name, origin.id)),
        Attr("origin_domain", origin.origin_domain),
    ]
    if origin.origin_path:
        inputs.append(Attr("origin_path", origin.origin_path))
    if origin.https_port != 443:
        inputs.append(Attr("https_port", origin.https_port))
    inputs.append(
        Attr(
            "cloudfront_prefix_list_id",
            prefix_list,
            f"{CLOUDFRONT_PREFIX_LIST} in {spec.region} (cfgen's table; the apply checks it)" if from_table else "",
        )
    )
    lb = origin.load_balancer
    skips: list[tuple[str, str]] = []
    outputs = [
        (f"{module}_load_balancer_arn", f"module.{module}.load_balancer_arn", f"ALB of {dist.name}/{origin.id}."),
    ]
    if lb.arn is not None:
        assert lb.security_group_id is not None, "validate requires it"
        inputs += [
            Attr("create_load_balancer", False),
            Attr("load_balancer_arn", lb.arn),
            Attr("security_group_id", lb.security_group_id),
            *adopted,
        ]
    else:
        assert origin.network is not None and origin.certificate is not None, "validate requires them"
        inputs += [
            Attr("vpc_id", origin.network.vpc_id),
            Attr("subnets", list(origin.network.subnets)),
            Attr("certificate_arn", origin.certificate.arn),
        ]
        if lb.ssl_policy != DEFAULT_TLS_POLICY:
            inputs.append(Attr("ssl_policy", lb.ssl_policy))
        if lb.target_port != 443:
            inputs.append(Attr("target_port", lb.target_port))
        if lb.target_protocol != "HTTPS":
            inputs.append(Attr("target_protocol", lb.target_protocol))
        if lb.access_logs is not None:
            inputs.append(Attr("access_logs", {"bucket": lb.access_logs.bucket, "prefix": lb.access_logs.prefix}))
        else:
            skips.append(_network.no_access_logs("load_balancer.access_logs"))
        outputs += [
            (
                f"{module}_load_balancer_dns_name",
                f"module.{module}.load_balancer_dns_name",
                f"Point {origin.origin_domain} at this name (CNAME or alias) in public DNS.",
            ),
            (
                f"{module}_target_group_arn",
                f"module.{module}.target_group_arn",
                f"Register the targets of {dist.name}/{origin.id} here.",
            ),
            (
                f"{module}_targets_security_group_id",
                f"module.{module}.targets_security_group_id",
                f"Attach to every target of {dist.name}/{origin.id}: the target port from the ALB only.",
            ),
        ]
    port = "" if origin.https_port == 443 else f":{origin.https_port}"
    endpoints: dict[str, Any] = {"origin_domain": template(f"https://{origin.origin_domain}{port}{origin.origin_path}")}
    if lb.arn is None:
        dns_name = Ref(f"module.{module}.load_balancer_dns_name")
        endpoints["load_balancer"] = template("https://", dns_name, f"{port}{origin.origin_path}")
    return AlbCall(inputs, skips, outputs, endpoints)


# -- proofs ------------------------------------------------------------------


def ingress_finding(plan: PlanView, binding: OriginBinding, module: tuple[str, ...]) -> Finding:
    """The ALB's group admits HTTPS from CloudFront's origin-facing prefix list only, once, checked at apply."""
    title = "the ALB's group admits only CloudFront's origin-facing prefix list; no 0.0.0.0/0 or ::/0"
    here = f"module.{binding.module}"
    problems: list[str] = []
    wanted, guard_problem = _prefix_list_guard(plan, binding, module)
    problems += guard_problem
    # Every rule of the plan that may be on the ALB's group, wherever it is written (a rule in the root on
    # module.<origin>.security_group_id is the group's as much as the module's own).
    rules, other_ingress = _network.ingress_rules(
        plan, _network.security_group(plan, module), "the ALB admits only CloudFront's prefix list"
    )
    problems += other_ingress
    per_group: dict[str, int] = {}
    ports = [v.value for v in plan.resolve(module, "var.https_port") if isinstance(v, Const)]
    port = ports[0] if len(ports) == 1 else 443
    for rule in rules:
        problems += _rule_problems(plan, rule, wanted, port)
        on = ", ".join(map(str, _network.source(plan, rule, "security_group_id")))
        per_group[on] = per_group.get(on, 0) + 1
    for on, count in per_group.items():
        if count > 1:
            problems.append(
                f"{count} ingress rules on {on}: the CloudFront prefix list weighs about 55 of a group's 60 rules, "
                "so a group takes one"
            )
    if not rules:
        problems.append("no ingress rule from CloudFront: the origin would be unreachable")
    problems += _only_cfgen_group(plan, module, here)
    address = rules[0].address if rules else here
    return _network.finding(binding, "CFG_ALB_INGRESS", title, address, "; ".join(problems))


def _prefix_list_guard(plan: PlanView, binding: OriginBinding, module: tuple[str, ...]) -> tuple[set[str], list[str]]:
    """The prefix list ids the guard reads as CloudFront's, and why the guard would not stop a wrong id."""
    guard = next(
        (g for g in _network.module_resources(plan, module, "aws_ec2_managed_prefix_list") if g.mode == "data"), None
    )
    if guard is None:
        return set(), [
            f"no {PREFIX_LIST_GUARD} reads the prefix list at apply: an id that is not CloudFront's list would "
            "admit other addresses"
        ]
    problems = []
    names_ = _network.source(plan, guard, "name")
    if names_ != [Const(CLOUDFRONT_PREFIX_LIST)]:
        shown = ", ".join(map(str, names_)) or "nothing"
        problems.append(f"{guard.address} reads the list named {shown}, not {CLOUDFRONT_PREFIX_LIST}")
    ids = _network.source(plan, guard, "id")
    wanted = {str(v.value) for v in ids if isinstance(v, Const) and isinstance(v.value, str)}
    if not wanted or len(wanted) != len(ids):
        problems.append(f"{guard.address} reads no prefix list id known at plan")
    problems += _network.guard_problems(plan, binding, guard)
    return wanted, problems


def _rule_problems(plan: PlanView, rule: Resource, wanted: set[str], port: int) -> list[str]:
    """Why one ingress rule on the ALB's group admits more than CloudFront's prefix list on the HTTPS port."""
    values = rule.values
    opened = sorted({str(values.get("cidr_ipv4")), str(values.get("cidr_ipv6"))} & _network.OPEN_CIDRS)
    if opened:
        return [f"{rule.address} admits {', '.join(opened)}: anyone could reach the ALB around CloudFront"]
    if values.get("cidr_ipv4") or values.get("cidr_ipv6") or values.get("referenced_security_group_id"):
        return [f"{rule.address} admits a CIDR or a security group; the ALB admits only CloudFront's prefix list"]
    got = (values.get("ip_protocol"), values.get("from_port"), values.get("to_port"))
    if got != ("tcp", port, port):
        shown = "every protocol" if str(got[0]) in ("-1", "all") else f"{got[0]} ports {got[1]}-{got[2]}"
        return [f"{rule.address} admits {shown}, not only tcp on the HTTPS port {port}"]
    lists = _network.source(plan, rule, "prefix_list_id")
    given = {str(v.value) for v in lists if isinstance(v, Const)}
    if not lists or len(given) != len(lists) or not given <= wanted or not wanted:
        shown = ", ".join(map(str, lists)) or "nothing"
        return [f"{rule.address} admits {shown}, not the prefix list the guard reads as {CLOUDFRONT_PREFIX_LIST}"]
    return []


def _only_cfgen_group(plan: PlanView, module: tuple[str, ...], here: str) -> list[str]:
    """A created ALB carries cfgen's group and no other (another group's rules are not judged here)."""
    lb = plan.one(module, "aws_lb", "this")
    if lb is None:
        return []
    groups = _network.source(plan, lb, "security_groups")
    if not groups or not all(_network.is_id(v, f"{here}.aws_security_group.this") for v in groups):
        return [f"{lb.address} carries {', '.join(map(str, groups)) or 'no group'}, not only cfgen's group"]
    return []


def https_finding(plan: PlanView, binding: OriginBinding, module: tuple[str, ...]) -> Finding:
    """CloudFront reaches the ALB over HTTPS only; the listener is HTTPS with an ELB.17 policy."""
    title = "CloudFront reaches the ALB over HTTPS only (TLSv1.2); HTTPS listener with an ELB.17 policy"
    here = f"module.{binding.module}"
    distribution, origins, missing = _network.distribution_origin(plan, binding)
    problems = [missing] if missing else []
    if not missing and not origins:
        problems.append(f"origin '{binding.origin}' is unknown at plan time: its protocol cannot be checked")
    for origin in origins:
        problems += _network.https_only_problems(origin)
    problems += _network.listener_problems(_network.listeners_of(plan, module), "HTTPS")
    lb = plan.one(module, "aws_lb", "this")
    if lb is not None:
        if lb.values.get("load_balancer_type") != "application":
            problems.append(f"{lb.address} is not an Application Load Balancer: it could not read {HEADER}")
        if lb.values.get("drop_invalid_header_fields") is not True:
            problems.append(
                f"{lb.address} keeps invalid header fields (drop_invalid_header_fields): a header the ALB does not "
                "parse would reach the targets"
            )
    address = distribution.address if distribution is not None else here
    return _network.finding(binding, "CFG_ALB_HTTPS", title, address, "; ".join(problems))
