"""Proof helpers shared by the VPC patterns: security group ingress, TLS, the distribution's origin."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from ..harness.plan import Const, PlanView, Resource, Sym, Value
from ..harness.results import Finding
from ..spec.vpc_origins import DEFAULT_TLS_POLICY, TLS_POLICIES
from ._base import OriginBinding

__all__ = [
    "OPEN_CIDRS",
    "SERVICE_SG",
    "TARGETS_GROUP",
    "Target",
    "about",
    "distribution_origin",
    "finding",
    "guard_problems",
    "https_only_problems",
    "ingress_problems",
    "ingress_rules",
    "is_id",
    "listener_problems",
    "listeners_of",
    "load_balancer",
    "module_resources",
    "no_access_logs",
    "root_ingress_problems",
    "security_group",
    "source",
    "targets_finding",
    "uses_vpc_origin",
    "vpc_origin_problems",
]

OPEN_CIDRS = {"0.0.0.0/0", "::/0"}

_INDEX = re.compile(r"\[[^\]]*\]")
# The data source of the vpc-origin module that names CloudFront's VPC-origins service group.
SERVICE_SG = "data.aws_security_group.cloudfront_vpc_origins"


def finding(binding: OriginBinding, check_id: str, title: str, address: str, problem: str) -> Finding:
    return Finding(
        source="proof",
        check_id=check_id,
        title=title,
        passed=not problem,
        address=address,
        origin=binding.label,
        message=problem,
    )


def module_resources(plan: PlanView, module: tuple[str, ...], type_: str) -> list[Resource]:
    """Resources of ``type_`` in ``module`` and every module below it."""
    return [r for r in plan.resources(type=type_) if r.module[: len(module)] == module]


def _config(plan: PlanView, resource: Resource) -> dict[str, Any]:
    prefix = "".join(f"module.{m}." for m in resource.module)
    config = plan.resource_config(resource.module, resource.config_address.removeprefix(prefix)) or {}
    expressions: dict[str, Any] = config.get("expressions", {})
    return expressions


def source(plan: PlanView, resource: Resource, attribute: str) -> list[Value]:
    """What ``attribute`` of ``resource`` is: its planned value, else where its configuration points."""
    if resource.known(attribute) and resource.values.get(attribute) is not None:
        return [Const(resource.values[attribute])]
    return plan.values_of(resource.module, _config(plan, resource).get(attribute))


@dataclass(frozen=True)
class Target:
    """One resource a proof guards, as the plan can name it.

    ``address`` is its configuration address (a resource the plan creates, or
    the name it would have), ``attribute`` the one others name it by (``id``,
    ``arn``) and ``known`` that value when the plan knows it (an adopted
    resource's given id, or a created one already in state).
    """

    address: str
    attribute: str
    known: str | None = None


def _names(value: Value, target: Target) -> bool | None:
    """True when ``value`` names ``target``, False when it provably names something else, None when unknown."""
    if isinstance(value, Sym):
        if value.address == target.address:
            return True
        # A data source can read any resource, this one too: what it names is known only at apply.
        return None if ".data." in f".{value.address}" else False
    if isinstance(value, Const):
        if value.value is None:
            return False
        if target.known is not None:
            return bool(value.value == target.known)
        # The plan creates it, so its id is unknown here, but a literal may be the id it got at an earlier apply
        # (an offline plan has no state to tell).
        return None
    return None


def about(plan: PlanView, resource: Resource, attribute: str, target: Target) -> bool:
    """Whether ``resource.attribute`` may be ``target``: fail closed, unless it provably names another resource.

    A reference cfgen cannot follow (a local, a function, a data source) counts
    as ``target``; so does an expression of several values unless one of them
    provably names another resource and none names ``target``.
    """
    verdicts = [_names(v, target) for v in source(plan, resource, attribute)]
    if any(v is True for v in verdicts):
        return True
    return not any(v is False for v in verdicts)


def _known(resource: Resource | None, attribute: str) -> str | None:
    if resource is None or not resource.known(attribute):
        return None
    value = resource.values.get(attribute)
    return value if isinstance(value, str) else None


def _given(plan: PlanView, module: tuple[str, ...], variable: str) -> str | None:
    """The constant a module call gives ``variable`` (an adopted resource's id or ARN)."""
    consts = [v.value for v in plan.resolve(module, f"var.{variable}") if isinstance(v, Const)]
    return next((c for c in consts if isinstance(c, str)), None)


def load_balancer(plan: PlanView, module: tuple[str, ...]) -> Target:
    """The load balancer of an origin module: its ``aws_lb.this``, or the ARN its call adopts."""
    lb = plan.one(module, "aws_lb", "this")
    known = _known(lb, "arn") if lb is not None else _given(plan, module, "load_balancer_arn")
    return Target(_address(module, "aws_lb.this"), "arn", known)


def security_group(plan: PlanView, module: tuple[str, ...], name: str = "this") -> Target:
    """A security group of an origin module: its ``aws_security_group.<name>``, or (``this``) the id its call adopts."""
    group = plan.one(module, "aws_security_group", name)
    if group is not None:
        known = _known(group, "id")
    else:
        known = _given(plan, module, "security_group_id") if name == "this" else None
    return Target(_address(module, f"aws_security_group.{name}"), "id", known)


def root_ingress_problems(plan: PlanView, group: Target, what: str) -> list[str]:
    """Ingress rules written in the root module that may be on ``group`` (cfgen renders none there).

    ``what`` completes "an ingress rule on the origin's group written outside
    cfgen's module: the group admits only ...".
    """
    rules = [
        r
        for type_ in ("aws_vpc_security_group_ingress_rule", "aws_security_group_rule")
        for r in plan.resources(type=type_)
        if not r.module
        and r.mode == "managed"
        and r.values.get("type") != "egress"
        and about(plan, r, "security_group_id", group)
    ]
    return [
        f"{r.address} is an ingress rule on {group.address} written outside cfgen's module: the group admits "
        f"only {what}; remove it"
        for r in rules
    ]


def listeners_of(plan: PlanView, module: tuple[str, ...]) -> list[Resource]:
    """The managed listeners of ``module``, and every other one of the plan that may be on its load balancer."""
    lb = load_balancer(plan, module)
    return [
        r
        for r in plan.resources(type="aws_lb_listener")
        if r.mode == "managed" and (r.module[: len(module)] == module or about(plan, r, "load_balancer_arn", lb))
    ]


def ingress_rules(
    plan: PlanView, group: Target, only: str = "the chain admits only the previous hop"
) -> tuple[list[Resource], list[str]]:
    """Every ``aws_vpc_security_group_ingress_rule`` of the plan that may be on ``group``, and the other ingress.

    The second list says why: an inline ``ingress`` block of the group, or an
    ``aws_security_group_rule`` of type ingress that may be on it (cfgen
    renders neither).
    """
    problems: list[str] = []
    for sg in plan.resources(type="aws_security_group"):
        if sg.mode != "managed" or not (
            sg.config_address == group.address or (group.known and _known(sg, "id") == group.known)
        ):
            continue
        problems += _inline_ingress(sg, only)
    for rule in plan.resources(type="aws_security_group_rule"):
        if rule.values.get("type") != "egress" and about(plan, rule, "security_group_id", group):
            problems.append(f"{rule.address} is an ingress rule cfgen does not render; remove it")
    rules = [
        r
        for r in plan.resources(type="aws_vpc_security_group_ingress_rule")
        if r.mode == "managed" and about(plan, r, "security_group_id", group)
    ]
    return rules, problems


def _inline_ingress(group: Resource, only: str) -> list[str]:
    """One problem per inline ``ingress`` block of ``group`` (cfgen renders none), naming an open CIDR."""
    problems = []
    for rule in group.values.get("ingress") or []:
        cidrs = set(rule.get("cidr_blocks") or []) | set(rule.get("ipv6_cidr_blocks") or [])
        opened = sorted(cidrs & OPEN_CIDRS)
        what = f"admits {', '.join(opened)}" if opened else "has an inline ingress rule"
        problems.append(f"{group.address} {what}; {only}")
    return problems


def is_id(value: Value, address: str) -> bool:
    """Whether ``value`` is the ``id`` of the resource at ``address``."""
    return isinstance(value, Sym) and value.address == address and value.attribute == "id"


def ingress_problems(
    plan: PlanView,
    module: tuple[str, ...],
    *,
    default_source: str,
    sources: Mapping[str, str] | None = None,
    groups: Callable[[str], bool] = lambda _address: True,
) -> list[str]:
    """Why some security group of ``module`` admits more than the previous hop.

    Every ingress rule must come from one security group: ``sources[group]``
    for a rule on one of cfgen's groups (by configuration address), else
    ``default_source``. No rule may name 0.0.0.0/0 or ::/0, and no group may
    carry inline ingress or prefix-list rules. Only the groups whose
    configuration address ``groups`` accepts are judged (rules on a group
    the plan cannot name count as the module's own).
    """
    sources = sources or {}
    problems: list[str] = []
    for group in module_resources(plan, module, "aws_security_group"):
        if not groups(group.config_address):
            continue
        problems += _inline_ingress(group, "the chain admits only the previous hop")
    for rule in module_resources(plan, module, "aws_security_group_rule"):
        if rule.values.get("type") == "ingress" and groups(""):
            problems.append(f"{rule.address} is an ingress rule cfgen does not render; remove it")
    for rule in module_resources(plan, module, "aws_vpc_security_group_ingress_rule"):
        targets = source(plan, rule, "security_group_id")
        on = next((t.address for t in targets if isinstance(t, Sym)), "")
        if not groups(on):
            continue
        opened = sorted(c for c in (rule.values.get("cidr_ipv4"), rule.values.get("cidr_ipv6")) if c in OPEN_CIDRS)
        if opened:
            problems.append(f"{rule.address} admits {', '.join(opened)}: anyone could reach the origin")
            continue
        if rule.values.get("prefix_list_id") or rule.values.get("cidr_ipv4") or rule.values.get("cidr_ipv6"):
            problems.append(f"{rule.address} admits a CIDR or prefix list; admit only the previous hop's group")
            continue
        wanted = sources.get(on, default_source)
        wanted_address = wanted if wanted.startswith("module.") else _address(module, wanted)
        got = source(plan, rule, "referenced_security_group_id")
        if not got or not all(is_id(v, wanted_address) for v in got):
            shown = ", ".join(map(str, got)) or "nothing"
            problems.append(f"{rule.address} admits {shown}, not {wanted_address}.id")
    return problems


def _address(module: tuple[str, ...], address: str) -> str:
    return "".join(f"module.{m}." for m in module) + address


def listener_problems(listeners: list[Resource], protocol: str) -> list[str]:
    """Why one of ``listeners`` is not ``protocol`` with an ELB.17 policy and a certificate."""
    problems: list[str] = []
    for listener in listeners:
        if listener.mode == "data":
            continue  # an adopted listener: its guard checks it at apply
        values = listener.values
        if values.get("protocol") != protocol:
            problems.append(f"{listener.address} listens on {values.get('protocol')}, not {protocol} only")
            continue
        policy = str(values.get("ssl_policy") or "")
        if policy not in TLS_POLICIES:
            problems.append(
                f"{listener.address} has ssl_policy {policy or 'none'!r}, not one of Security Hub ELB.17's "
                f"recommended policies (e.g. {DEFAULT_TLS_POLICY})"
            )
        if not values.get("certificate_arn") and not listener.unknown.get("certificate_arn"):
            problems.append(f"{listener.address} has no certificate")
    return problems


def vpc_origin_problems(plan: PlanView, vpc_origin: Resource | None) -> list[str]:
    """Why the VPC origin would not speak HTTPS with TLSv1.2 only."""
    if vpc_origin is None:
        return ["no aws_cloudfront_vpc_origin in the plan"]
    configs = vpc_origin.values.get("vpc_origin_endpoint_config") or [{}]
    config = configs[0]
    problems = []
    if config.get("origin_protocol_policy") != "https-only":
        problems.append(f"origin_protocol_policy is {config.get('origin_protocol_policy')!r}, not 'https-only'")
    protocols = (config.get("origin_ssl_protocols") or [{}])[0].get("items")
    if protocols != ["TLSv1.2"]:
        problems.append(f"origin_ssl_protocols are {protocols}, not only TLSv1.2")
    return [f"{vpc_origin.address}: {p}" for p in problems]


def distribution_origin(plan: PlanView, binding: OriginBinding) -> tuple[Resource | None, list[dict[str, Any]], str]:
    """The distribution, its planned origin entries for this binding, and why they are missing."""
    distribution = plan.one((binding.distribution_module,), "aws_cloudfront_distribution")
    if distribution is None:
        return None, [], "the distribution of this origin is not in the plan"
    origins = [o for o in distribution.values.get("origin") or [] if o.get("origin_id") == binding.origin]
    if not origins and not distribution.unknown.get("origin"):
        return distribution, [], f"{distribution.address} has no origin '{binding.origin}'"
    return distribution, origins, ""


def uses_vpc_origin(origin: dict[str, Any]) -> str:
    """Why a planned distribution origin does not go through a VPC origin."""
    if origin.get("custom_origin_config"):
        return f"origin '{origin.get('origin_id')}' has a custom_origin_config: CloudFront would go around the VPC"
    if not origin.get("vpc_origin_config"):
        return f"origin '{origin.get('origin_id')}' has no vpc_origin_config"
    return ""


def https_only_problems(origin: dict[str, Any]) -> list[str]:
    """Why a planned distribution origin is not a custom origin reached over HTTPS with TLSv1.2 only."""
    name = f"origin '{origin.get('origin_id')}'"
    if origin.get("s3_origin_config") or origin.get("vpc_origin_config"):
        return [f"{name} is not a custom origin"]
    configs = origin.get("custom_origin_config")
    if not isinstance(configs, list) or len(configs) != 1 or not isinstance(configs[0], dict):
        return [f"{name} has no custom_origin_config"]
    config = configs[0]
    problems = []
    if config.get("origin_protocol_policy") != "https-only":
        problems.append(
            f"{name} has origin_protocol_policy {config.get('origin_protocol_policy')!r}, not 'https-only': "
            f"the secret header could cross the internet in clear HTTP"
        )
    if config.get("origin_ssl_protocols") != ["TLSv1.2"]:
        problems.append(f"{name} allows {config.get('origin_ssl_protocols')}, not only TLSv1.2")
    return problems


def guard_problems(plan: PlanView, binding: OriginBinding, guard: Resource) -> list[str]:
    """Why ``guard`` would not stop the apply before the distribution uses this origin.

    A guard is a data source of the origin's module whose condition reads at
    apply what the plan cannot know (an adopted load balancer's scheme, an
    instance's public IP). It stops the apply only if it carries a condition
    (the plan lists it under ``checks``) and sits upstream of the
    distribution: the module's ``cloudfront_origin`` output depends on it and
    the distribution's ``origins`` take that output.
    """
    prefix = "".join(f"module.{m}." for m in guard.module)
    problems: list[str] = []
    checks = plan.raw.get("checks")
    if checks is None:
        problems.append("the plan lists no condition results (`checks`): plan with Terraform 1.5+ or OpenTofu 1.6+")
    elif not any(c.get("address", {}).get("to_display") == guard.config_address for c in checks):
        problems.append(f"{guard.config_address} carries no condition: nothing would stop the apply")
    # The origin's module gives cloudfront_origin; the guard is in it, or in a module it calls (then the
    # output must wait for that whole call, which holds the guard).
    owner = next(
        (guard.module[:n] for n in range(len(guard.module), 0, -1) if _output(plan, guard.module[:n])),
        guard.module,
    )
    output = _output(plan, owner)
    owner_prefix = "".join(f"module.{m}." for m in owner)
    local = guard.config_address.removeprefix(prefix) if owner == guard.module else f"module.{guard.module[len(owner)]}"
    upstream = [*output.get("depends_on", []), *output.get("expression", {}).get("references", [])]
    if not any(_INDEX.sub("", ref) == local for ref in upstream):
        problems.append(
            f"{owner_prefix}cloudfront_origin does not depend on {guard.config_address}: the distribution could use "
            "the origin before the guard has read it"
        )
    call = (plan.module_config(()) or {}).get("module_calls", {}).get(binding.distribution_module, {})
    origins = call.get("expressions", {}).get("origins", {}).get("references", [])
    if f"module.{binding.module}.cloudfront_origin" not in origins:
        problems.append(
            f"module.{binding.distribution_module} does not take its origins from "
            f"module.{binding.module}.cloudfront_origin, so it does not wait for the guards"
        )
    return problems


def _output(plan: PlanView, module: tuple[str, ...]) -> dict[str, Any]:
    found: dict[str, Any] = (plan.module_config(module) or {}).get("outputs", {}).get("cloudfront_origin") or {}
    return found


TARGETS_GROUP = "aws_security_group.targets"


def targets_finding(plan: PlanView, binding: OriginBinding, module: tuple[str, ...], check: str) -> Finding:
    """``check``: a created load balancer's targets get a group that admits the target port from it only.

    The module names its load balancer's group ``aws_security_group.this``, the targets' one
    :data:`TARGETS_GROUP`, and its target group ``aws_lb_target_group.this``.
    """
    title = "a group for the targets admits only the load balancer, on the target port, and is an output"
    here = f"module.{binding.module}"
    group = plan.one(module, "aws_security_group", "targets")
    if group is None:
        return finding(binding, check, title, here, "no security group for the targets")
    targets = f"{here}.{TARGETS_GROUP}"
    problems = ingress_problems(
        plan, module, default_source="aws_security_group.this", groups=lambda address: address == targets
    )
    rules = [
        r
        for r in module_resources(plan, module, "aws_vpc_security_group_ingress_rule")
        if any(is_id(v, targets) for v in source(plan, r, "security_group_id"))
    ]
    if not rules:
        problems.append(f"{targets} admits nothing: the load balancer could not reach the targets")
    port = (plan.one(module, "aws_lb_target_group", "this") or group).values.get("port")
    for rule in rules:
        ports = (rule.values.get("from_port"), rule.values.get("to_port"))
        if ports != (port, port):
            problems.append(f"{rule.address} admits ports {ports[0]}-{ports[1]}, not only the target port {port}")
    outputs = (plan.module_config(()) or {}).get("outputs", {})
    wanted = f"{here}.targets_security_group_id"
    if not any(wanted in o.get("expression", {}).get("references", []) for o in outputs.values()):
        problems.append(f"no root output gives {wanted}: the user cannot attach the group")
    return finding(binding, check, title, group.address, "; ".join(problems))


def no_access_logs(field: str) -> tuple[str, str]:
    """The call-site checkov skip of a load balancer whose spec leaves ``field`` (its access logs) out."""
    return "CKV_AWS_91", f"No {field} in the spec: this load balancer keeps no access logs; set {field} to keep them."
