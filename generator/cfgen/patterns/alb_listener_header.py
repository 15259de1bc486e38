"""Internet-facing ALB behind a secret header (``type: alb``, ``protection: listener_header``).

Wiring: an ``origin-secret`` module call reads the secret; the
``alb-origin`` module creates (or adopts) an internet-facing ALB whose
security group admits HTTPS only from CloudFront's origin-facing managed
prefix list (one rule: the list weighs about 55 of a group's 60), read back
at apply by id and name so that a wrong id stops the apply. Its HTTPS
listener (``lb-listener``, shared with the VPC origins) answers a fixed 403
unless ``X-Origin-Verify`` is the current or the previous secret, which
CloudFront sends over HTTPS only. The prefix list alone admits every
distribution, anyone's: the secret is what tells this one apart.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .._hcl import Attr, Ref, template
from ..harness.plan import Const, PlanView, Resource
from ..harness.results import Finding
from ..spec import _names as names
from ..spec.public_origins import (
    CLOUDFRONT_PREFIX_LIST,
    CLOUDFRONT_PREFIX_LISTS,
    AlbListenerHeaderOrigin,
    prefix_list_of,
)
from ..spec.vpc_origins import DEFAULT_TLS_POLICY
from . import _network, _origin_verify, _prices
from ._base import OriginBinding, OriginView, Pattern, module_name
from ._probes import DISTRIBUTION, probe
from ._threats import Adoption, OriginDetails, ThreatModel, admins, path
from .vpc_origin import adopted_load_balancer

if TYPE_CHECKING:
    from ..spec import Distribution, Spec
    from ..spec.models import Origin

HEADER = _origin_verify.HEADER
MODULE = "alb-origin"
# The guard that reads the prefix list by the given id and CloudFront's name.
PREFIX_LIST_GUARD = "data.aws_ec2_managed_prefix_list.cloudfront"


def view(spec: Spec, dist: Distribution, origin: Origin) -> OriginView:
    """The secret's module call and the ``alb-origin`` module call of an internet-facing ALB."""
    assert isinstance(origin, AlbListenerHeaderOrigin)
    module = module_name(dist.name, origin.id)
    secret = _origin_verify.secret_of(module, origin.secret, f"{dist.name}/{origin.id}")
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
        assert lb.listener is not None and lb.security_group_id is not None, "validate requires them"
        inputs += [
            Attr("create_load_balancer", False),
            Attr("load_balancer_arn", lb.arn),
            Attr("security_group_id", lb.security_group_id),
            Attr("listener_arn", lb.listener.arn),
            Attr("target_group_arn", lb.listener.target_group_arn),
        ]
        if lb.listener.priority != 1:
            inputs.append(Attr("rule_priority", lb.listener.priority))
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
        skips.append(
            (
                "CKV2_AWS_28",
                "protection listener_header: the listener forwards only with the X-Origin-Verify secret and the group "
                "admits only CloudFront; a regional WAF web ACL on the ALB is the waf_header mode.",
            )
        )
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
    inputs.append(_origin_verify.input_of(secret))
    port = "" if origin.https_port == 443 else f":{origin.https_port}"
    endpoints = {"origin_domain": template(f"https://{origin.origin_domain}{port}{origin.origin_path}")}
    if lb.arn is None:
        dns_name = Ref(f"module.{module}.load_balancer_dns_name")
        endpoints["load_balancer"] = template("https://", dns_name, f"{port}{origin.origin_path}")
    return OriginView(
        module=module,
        inputs=inputs,
        distribution_origin=Ref(f"module.{module}.cloudfront_origin"),
        checkov_skips=skips,
        outputs=outputs,
        secrets=[secret],
        endpoints=endpoints,
    )


# -- proofs ------------------------------------------------------------------


def prove(plan: PlanView, binding: OriginBinding) -> list[Finding]:
    """Findings that ``binding``'s ALB lets in only CloudFront's requests that carry this distribution's secret."""
    module = (binding.module,)
    findings = [
        _origin_verify.finding(plan, binding, module, "CFG_ALB_SECRET"),
        _ingress(plan, binding, module),
        _https(plan, binding, module),
    ]
    if plan.one(module, "aws_lb", "this") is not None:
        findings.append(_network.targets_finding(plan, binding, module, "CFG_ALB_TARGETS"))
    return findings


def _ingress(plan: PlanView, binding: OriginBinding, module: tuple[str, ...]) -> Finding:
    """The ALB's group admits HTTPS from CloudFront's origin-facing prefix list only, once, checked at apply."""
    title = "the ALB's group admits only CloudFront's origin-facing prefix list; no 0.0.0.0/0 or ::/0"
    here = f"module.{binding.module}"
    targets = f"{here}.{_network.TARGETS_GROUP}"
    problems: list[str] = []
    wanted, guard_problem = _prefix_list_guard(plan, binding, module)
    problems += guard_problem
    for group in _network.module_resources(plan, module, "aws_security_group"):
        if group.config_address != targets and group.values.get("ingress"):
            problems.append(f"{group.address} has an inline ingress rule; the ALB admits only CloudFront's prefix list")
    for rule in _network.module_resources(plan, module, "aws_security_group_rule"):
        if rule.values.get("type") == "ingress":
            problems.append(f"{rule.address} is an ingress rule cfgen does not render; remove it")
    per_group: dict[str, int] = {}
    rules = [
        r
        for r in _network.module_resources(plan, module, "aws_vpc_security_group_ingress_rule")
        if not any(_network.is_id(v, targets) for v in _network.source(plan, r, "security_group_id"))
    ]
    for rule in rules:
        problems += _rule_problems(plan, rule, wanted)
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


def _rule_problems(plan: PlanView, rule: Resource, wanted: set[str]) -> list[str]:
    """Why one ingress rule on the ALB's group admits more than CloudFront's prefix list."""
    values = rule.values
    opened = sorted({str(values.get("cidr_ipv4")), str(values.get("cidr_ipv6"))} & _network.OPEN_CIDRS)
    if opened:
        return [f"{rule.address} admits {', '.join(opened)}: anyone could reach the ALB around CloudFront"]
    if values.get("cidr_ipv4") or values.get("cidr_ipv6") or values.get("referenced_security_group_id"):
        return [f"{rule.address} admits a CIDR or a security group; the ALB admits only CloudFront's prefix list"]
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


def _https(plan: PlanView, binding: OriginBinding, module: tuple[str, ...]) -> Finding:
    """CloudFront reaches the ALB over HTTPS only; the listener is HTTPS with an ELB.17 policy."""
    title = "CloudFront reaches the ALB over HTTPS only (TLSv1.2); HTTPS listener with an ELB.17 policy"
    here = f"module.{binding.module}"
    distribution, origins, missing = _network.distribution_origin(plan, binding)
    problems = [missing] if missing else []
    if not missing and not origins:
        problems.append(f"origin '{binding.origin}' is unknown at plan time: its protocol cannot be checked")
    for origin in origins:
        problems += _network.https_only_problems(origin)
    problems += _network.listener_problems(plan, module, "HTTPS")
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


# -- threat model --------------------------------------------------------------

_SHARED_RANGES = "Every CloudFront distribution, anyone's, connects from the prefix list's addresses"
_OTHERS_YOURS = (
    "the ALB's other security groups, listeners and listener rules are not in the plan: any group that admits "
    "other addresses, or any listener or rule that forwards without the header, lets requests in around CloudFront"
)

THREATS = ThreatModel(
    hops=(
        "viewer",
        "CloudFront distribution",
        f"HTTPS (TLSv1.2), {HEADER}: <secret>",
        "internet-facing ALB (ingress only from CloudFront's prefix list)",
    ),
    paths=(
        path(
            "distribution",
            "allowed",
            note=f"CloudFront connects from its origin-facing addresses over HTTPS and sends the current secret as "
            f"{HEADER}; the listener's only forwarding rule requires it.",
        ),
        path(
            "internet",
            "closed",
            ("CFG_ALB_INGRESS", "CFG_ALB_SECRET"),
            "The ALB's only security group admits HTTPS from CloudFront's origin-facing prefix list alone (the "
            "apply reads the list by id and name), and its listener answers a fixed 403 without the secret.",
            when="created_load_balancer",
        ),
        path(
            "internet",
            "residual",
            ("CFG_ALB_INGRESS", "CFG_ALB_SECRET"),
            "cfgen adds the prefix-list rule to the group you named and the X-Origin-Verify rule to the listener you "
            f"named (the apply stops unless its default action is a fixed 403), but {_OTHERS_YOURS}. Closed when "
            "the group you named is the ALB's only one and admits nothing else, and no other listener or rule "
            "forwards.",
            when="adopted",
        ),
        path(
            "other_distribution",
            "closed",
            ("CFG_ALB_SECRET", "CFG_ALB_HTTPS"),
            f"{_SHARED_RANGES}, so the group admits them all; the listener forwards only with this distribution's "
            f"secret (current or previous), which CloudFront sends over HTTPS only and overwrites in a viewer's "
            "request.",
            when="created_load_balancer",
        ),
        path(
            "other_distribution",
            "residual",
            ("CFG_ALB_SECRET", "CFG_ALB_HTTPS"),
            f"{_SHARED_RANGES}, so the group admits them all; cfgen's rule forwards only with this distribution's "
            "secret and the apply checks the listener's default action, but the listener's other rules are yours: "
            "any that forwards without the header lets another distribution in. Closed when no other rule forwards.",
            when="adopted",
        ),
        path(
            "vpc_hosts",
            "closed",
            ("CFG_ALB_INGRESS",),
            "The ALB's only group admits CloudFront's prefix list alone: no address of the VPC is in it.",
            when="created_load_balancer",
        ),
        path(
            "vpc_targets",
            "residual",
            ("CFG_ALB_TARGETS",),
            "cfgen creates a security group for the targets that admits the target port from the ALB's group only, "
            "but attaching it is yours, and so are the targets' other groups: until every target carries it and no "
            "other group of theirs admits ingress, hosts of the VPC (and the internet, for a target with a public "
            "IP) reach the targets directly.",
            when="created_load_balancer",
        ),
        path(
            "secret_holders",
            "residual",
            ("CFG_ALB_HTTPS",),
            "The check is a shared secret, not CloudFront's identity: whoever learns it (from state, plan files, the "
            "distribution's configuration or the listener rule) can send it through a distribution of their own and "
            "reach the ALB around this one's WAF, geo restriction, signed URLs and logs. It crosses the internet "
            "inside TLS only. Narrowed by rotation (two values accepted) and by guarding state.",
        ),
        admins(("the ALB's security groups", "its listener and rules", "the distribution")),
    ),
)


def details(spec: Spec, dist: Distribution, origin: Origin) -> OriginDetails:
    assert isinstance(origin, AlbListenerHeaderOrigin)
    module = module_name(dist.name, origin.id)
    lb = origin.load_balancer
    conditions = {"adopted" if lb.arn is not None else "created_load_balancer"}
    todo: list[str] = []
    costs = []
    adopted: tuple[Adoption, ...] = ()
    if lb.arn is None:
        costs.append(_prices.alb("internet-facing ALB cfgen creates"))
        todo += [
            f"Point {origin.origin_domain} at output {module}_load_balancer_dns_name in public DNS.",
            f"Register the targets in output {module}_target_group_arn.",
            f"Attach output {module}_targets_security_group_id to every target and remove their other ingress.",
        ]
    else:
        assert lb.listener is not None
        adopted = (
            adopted_load_balancer(
                lb.arn,
                lb.security_group_id,
                origin.https_port,
                "from CloudFront's origin-facing prefix list",
                lb.listener,
                "CloudFront's servers",
            ),
        )
        todo += [
            f"Keep every other rule of listener {lb.listener.arn} from forwarding without {HEADER}, and give the ALB "
            "no other listener; the apply checks only that this listener's default action stays a fixed 403.",
            f"Keep {lb.security_group_id} the ALB's only security group, admitting nothing but CloudFront's prefix "
            "list, and turn on drop_invalid_header_fields.",
        ]
    notes = {}
    if origin.cloudfront_prefix_list_id is None:
        notes["internet"] = (
            f"The prefix list id {CLOUDFRONT_PREFIX_LISTS[spec.region]} comes from cfgen's table (AWS publishes "
            "none); the apply stops if it is not CloudFront's list in this region."
        )
    todo.append(_origin_verify.ROTATE_INTERNET)
    return OriginDetails(
        hops=(
            "viewer",
            f"CloudFront distribution {dist.name}",
            f"HTTPS (TLSv1.2) to {origin.origin_domain}, {HEADER}: <secret>",
            "internet-facing ALB (ingress only from CloudFront's prefix list)",
        ),
        conditions=frozenset(conditions),
        notes=notes,
        secrets=(_origin_verify.use_of(origin.secret),),
        costs=tuple(costs),
        todo=tuple(todo),
        adopted=adopted,
    )


PROBES = (
    DISTRIBUTION,
    probe("internet", "origin_domain"),
    probe("internet", "origin_domain", wrong_header=HEADER),
    probe("internet", "load_balancer", optional=True),
)


PATTERN = Pattern(
    origin_type="alb",
    protection="listener_header",
    summary=f"Internet-facing ALB; ingress only from CloudFront's prefix list, the listener forwards only with "
    f"{HEADER}, default 403.",
    template="alb_listener_header/origin.tf.j2",
    modules=(MODULE, "lb-listener", "custom-origin"),
    view=view,
    prove=prove,
    threats=THREATS,
    probes=PROBES,
    details=details,
)
