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

from .._hcl import Attr, Ref, template
from ..harness.plan import Const, PlanView
from ..harness.results import Finding
from ..spec import _names as names
from ..spec.vpc_origins import DEFAULT_TLS_POLICY, AdoptedListener, AlbOrigin, Ec2Origin, NlbOrigin
from . import _network, _origin_verify, _prices
from ._base import OriginBinding, OriginView, Pattern, module_name
from ._probes import DISTRIBUTION, Probe, probe
from ._threats import AccessPath, Adoption, OriginDetails, ThreatModel, admins, path

if TYPE_CHECKING:
    from ..spec import Distribution, Spec
    from ..spec.models import Origin


def view(spec: Spec, dist: Distribution, origin: Origin) -> OriginView:
    assert isinstance(origin, AlbOrigin | NlbOrigin | Ec2Origin)
    module = module_name(dist.name, origin.id)
    inputs = [
        Attr("name", names.VPC_ORIGIN.name(spec.project, dist.name, origin.id)),
        Attr("origin_type", origin.type),
        Attr("origin_domain", origin.origin_domain),
    ]
    if origin.origin_path:
        inputs.append(Attr("origin_path", origin.origin_path))
    if origin.https_port != 443:
        inputs.append(Attr("https_port", origin.https_port))
    inputs.append(Attr("vpc_id", origin.network.vpc_id))
    outputs = [(f"{module}_vpc_origin_id", f"module.{module}.vpc_origin_id", f"VPC origin of {dist.name}/{origin.id}.")]
    # From outside, neither name may resolve to an address that answers (the origin has no public one).
    port = "" if origin.https_port == 443 else f":{origin.https_port}"
    endpoints = {"origin_domain": template(f"https://{origin.origin_domain}{port}{origin.origin_path}")}
    skips: list[tuple[str, str]] = []
    if isinstance(origin, Ec2Origin):
        inputs += [
            Attr("instance_arn", origin.instance.arn),
            Attr("network_interface_id", origin.instance.network_interface_id),
        ]
        if origin.instance.keep_security_groups:
            inputs.append(Attr("keep_security_group_ids", list(origin.instance.keep_security_groups)))
    elif origin.load_balancer.arn is not None:
        inputs += [
            Attr("create_load_balancer", False),
            Attr("load_balancer_arn", origin.load_balancer.arn),
            Attr("security_group_id", origin.load_balancer.security_group_id),
        ]
        listener = origin.load_balancer.listener
        if isinstance(origin, AlbOrigin) and listener is not None:
            inputs += [
                Attr("listener_rule", True),
                Attr("listener_arn", listener.arn),
                Attr("target_group_arn", listener.target_group_arn),
            ]
            if listener.priority != 1:
                inputs.append(Attr("rule_priority", listener.priority))
    else:
        inputs.append(Attr("subnets", [{"id": s.id, "cidr": s.cidr} for s in origin.network.subnets]))
        if origin.certificate is not None:
            inputs.append(Attr("certificate_arn", origin.certificate.arn))
        lb = origin.load_balancer
        if lb.target_port != 443:
            inputs.append(Attr("target_port", lb.target_port))
        if lb.target_protocol is not None:
            inputs.append(Attr("target_protocol", lb.target_protocol))
        if lb.ssl_policy != DEFAULT_TLS_POLICY:
            inputs.append(Attr("ssl_policy", lb.ssl_policy))
        if lb.access_logs is not None:
            inputs.append(Attr("access_logs", {"bucket": lb.access_logs.bucket, "prefix": lb.access_logs.prefix}))
        else:
            skips.append(_network.no_access_logs("load_balancer.access_logs"))
        outputs += [
            (
                f"{module}_target_group_arn",
                f"module.{module}.target_group_arn",
                f"Register the targets of {dist.name}/{origin.id} here.",
            ),
            (
                f"{module}_targets_security_group_id",
                f"module.{module}.targets_security_group_id",
                f"Attach to every target of {dist.name}/{origin.id}: the target port from the load balancer only.",
            ),
            (
                f"{module}_load_balancer_dns_name",
                f"module.{module}.load_balancer_dns_name",
                f"Point {origin.origin_domain} at this name in a private hosted zone.",
            ),
        ]
        dns_name = Ref(f"module.{module}.load_balancer_dns_name")
        endpoints["load_balancer"] = template("https://", dns_name, f"{port}{origin.origin_path}")
    # Every ALB checks the secret header: on the listener cfgen creates, or on the adopted one the spec names.
    secrets = []
    if isinstance(origin, AlbOrigin):
        secrets.append(_origin_verify.secret_of(module, origin.secret, f"{dist.name}/{origin.id}"))
        inputs.append(_origin_verify.input_of(secrets[-1]))
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
        secrets=secrets,
        endpoints=endpoints,
    )


# -- proofs ------------------------------------------------------------------


def prove(plan: PlanView, binding: OriginBinding) -> list[Finding]:
    """Findings that ``binding``'s origin is private and reachable only through its VPC origin."""
    module = (binding.module,)
    findings = [_internal(plan, binding, module), _ingress(plan, binding, module), _tls(plan, binding, module)]
    if binding.pattern == ALB.key:
        findings.append(_origin_verify.finding(plan, binding, module, "CFG_VPC_ORIGIN_SECRET"))
    if binding.pattern == EC2.key:
        findings.append(_instance_groups(plan, binding, module))
    elif plan.one(module, "aws_lb", "this") is not None:
        findings.append(_network.targets_finding(plan, binding, module, "CFG_VPC_ORIGIN_TARGETS"))
    return findings


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
    # An adopted origin is read once the VPC origin exists, and before the distribution uses it;
    # its postcondition stops the apply if it is public.
    if guard.type == "aws_lb" and guard.known("internal") and guard.values["internal"] is not True:
        return _network.finding(binding, check, title, guard.address, "the adopted load balancer is internet-facing")
    if guard.type == "aws_instance" and guard.known("public_ip") and guard.values["public_ip"]:
        return _network.finding(binding, check, title, guard.address, "the instance has a public IP")
    problems = _network.guard_problems(plan, binding, guard)
    return _network.finding(binding, check, title, guard.address, "; ".join(problems))


def _ingress(plan: PlanView, binding: OriginBinding, module: tuple[str, ...]) -> Finding:
    title = "security groups admit only CloudFront's VPC origins; no 0.0.0.0/0 or ::/0"
    # The targets' group admits the load balancer, not CloudFront: CFG_VPC_ORIGIN_TARGETS judges it.
    targets = f"module.{binding.module}.{_TARGETS_GROUP}"
    problems = _network.ingress_problems(
        plan, module, default_source=_network.SERVICE_SG, groups=lambda address: address != targets
    )
    problems += _network.root_ingress_problems(plan, _network.security_group(plan, module), "CloudFront's VPC origins")
    rules = [
        r
        for r in _network.module_resources(plan, module, "aws_vpc_security_group_ingress_rule")
        if r.config_address != f"module.{binding.module}.aws_vpc_security_group_ingress_rule.targets"
    ]
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
        problems += _network.listener_problems(_network.listeners_of(plan, module), protocol)
    _, origins, missing = _network.distribution_origin(plan, binding)
    if missing:
        problems.append(missing)
    problems += [p for p in map(_network.uses_vpc_origin, origins) if p]
    address = vpc_origin.address if vpc_origin else f"module.{binding.module}"
    return _network.finding(binding, "CFG_VPC_ORIGIN_TLS", title, address, "; ".join(problems))


_TARGETS_GROUP = _network.TARGETS_GROUP


def _instance_groups(plan: PlanView, binding: OriginBinding, module: tuple[str, ...]) -> Finding:
    """The instance's interface carries cfgen's group, and the apply checks it carries no group it was not told of."""
    title = "the instance's interface: cfgen's group attached, every other group checked at apply"
    check = "CFG_VPC_ORIGIN_INSTANCE_GROUPS"
    here = f"module.{binding.module}"
    guard = plan.one(module, "aws_network_interface", "instance")
    attachment = plan.one(module, "aws_network_interface_sg_attachment")
    if guard is None or attachment is None:
        missing = "no guard reads the instance's interface" if guard is None else "cfgen's group is not attached"
        return _network.finding(binding, check, title, here, f"{missing}: its other groups could admit anyone")
    problems = []
    attached = _network.source(plan, attachment, "network_interface_id")
    read = _network.source(plan, guard, "id")
    if not attached or attached != read or not all(isinstance(v, Const) for v in attached):
        shown = ", ".join(map(str, read)) or "nothing"
        problems.append(f"{guard.address} reads {shown}, not the interface cfgen's group is attached to")
    group = _network.source(plan, attachment, "security_group_id")
    if not group or not all(_network.is_id(v, f"{here}.aws_security_group.this") for v in group):
        problems.append(f"{attachment.address} attaches {', '.join(map(str, group)) or 'nothing'}, not cfgen's group")
    problems += _network.guard_problems(plan, binding, guard)
    return _network.finding(binding, check, title, guard.address, "; ".join(problems))


# -- threat model --------------------------------------------------------------


def _threats(what: str, extra: tuple[AccessPath, ...]) -> ThreatModel:
    return ThreatModel(
        hops=("viewer", "CloudFront distribution", "VPC origin (CloudFront's ENIs in the VPC), HTTPS", what),
        paths=(
            path(
                "distribution",
                "allowed",
                note="CloudFront reaches the private origin through this distribution's VPC origin, over HTTPS.",
            ),
            path(
                "internet",
                "closed",
                ("CFG_VPC_ORIGIN_INTERNAL", "CFG_VPC_ORIGIN_INGRESS"),
                "The origin has no public address, and its security group admits only CloudFront's VPC origins.",
            ),
            path(
                "other_distribution",
                "closed",
                ("CFG_VPC_ORIGIN_INTERNAL", "CFG_VPC_ORIGIN_TLS"),
                "A distribution reaches a private origin only through a VPC origin of the origin's own account.",
            ),
            *extra,
            admins(
                (
                    "the security groups",
                    "the load balancer, its listener and rules, or the instance",
                    "the distribution",
                )
            ),
        ),
    )


_SERVICE_SG = "CloudFront-VPCOrigins-Service-SG admits every VPC origin of the account"
_ALB_SECRET = path(
    "other_vpc_origin",
    "closed",
    ("CFG_VPC_ORIGIN_SECRET",),
    f"{_SERVICE_SG}, but the listener answers a fixed 403 unless X-Origin-Verify is this distribution's secret "
    "(current or previous), which CloudFront sends as an origin header and another distribution does not know.",
    when="created_load_balancer",
)
_ALB_ADOPTED_SECRET = path(
    "other_vpc_origin",
    "residual",
    ("CFG_VPC_ORIGIN_SECRET",),
    f"{_SERVICE_SG}. cfgen adds a rule to the listener you named that forwards only requests with this "
    "distribution's X-Origin-Verify secret, and a guard stops the apply unless the listener's default action is a "
    "fixed 403; but the listener's other rules are yours and not in the plan: any that forwards without the header "
    "lets another distribution of this account in. Closed when no other rule forwards.",
    when="adopted",
)


def _no_header(what: str) -> AccessPath:
    return path(
        "other_vpc_origin",
        "residual",
        note=f"{_SERVICE_SG}, and {what} cannot check a header, so another distribution of this account with a VPC "
        "origin on this ARN reaches it. Closed by a check in the server (the origin requires a secret header or a "
        "client certificate of its own) or by an SCP that denies cloudfront:CreateVpcOrigin to everyone but the "
        "pipeline that applies this configuration.",
    )


_CREATED_GROUPS = path(
    "vpc_hosts",
    "closed",
    ("CFG_VPC_ORIGIN_INGRESS",),
    "The load balancer's only security group is cfgen's, which admits only CloudFront-VPCOrigins-Service-SG.",
    when="created_load_balancer",
)
_ADOPTED_GROUPS = path(
    "vpc_hosts",
    "residual",
    ("CFG_VPC_ORIGIN_INGRESS",),
    "cfgen adds the CloudFront rule to the group you named and proves no rule it renders is open, but the "
    "origin's other security groups are not in the plan: check that none admits other hosts.",
    when="adopted",
)
_TARGETS = path(
    "vpc_targets",
    "residual",
    ("CFG_VPC_ORIGIN_TARGETS",),
    "cfgen creates a security group for the targets that admits the target port from the load balancer's group "
    "only, but attaching it is yours, and so are the targets' other groups: until every target carries it and no "
    "other group of theirs admits ingress, other hosts of the VPC reach the targets directly.",
    when="created_load_balancer",
)


def details(spec: Spec, dist: Distribution, origin: Origin) -> OriginDetails:
    assert isinstance(origin, AlbOrigin | NlbOrigin | Ec2Origin)
    module = module_name(dist.name, origin.id)
    target = {"alb": "internal ALB", "nlb": "internal NLB", "ec2": "EC2 instance (no public IP)"}[origin.type]
    conditions: set[str] = set()
    todo: list[str] = []
    costs = []
    if isinstance(origin, AlbOrigin | NlbOrigin) and origin.load_balancer.arn is None:
        conditions.add("created_load_balancer")
        costs.append(_prices.alb(f"{target} cfgen creates") if origin.type == "alb" else _prices.nlb(target))
        todo += [
            f"Register the targets in output {module}_target_group_arn.",
            f"Attach output {module}_targets_security_group_id to every target and remove their other ingress.",
            f"Resolve {origin.origin_domain} to output {module}_load_balancer_dns_name in a private hosted zone.",
        ]
    else:
        conditions.add("adopted")
    notes = {}
    if isinstance(origin, Ec2Origin):
        kept = origin.instance.keep_security_groups
        conditions.add("instance_other_groups" if kept else "instance_only_group")
        if kept:
            notes["vpc_hosts"] = f"Kept here: {', '.join(kept)}."
            todo.append(f"Check that {', '.join(kept)} admit no ingress (the instance keeps them).")
    secrets = []
    if isinstance(origin, AlbOrigin):
        secrets.append(_origin_verify.use_of(origin.secret))
        todo.append(_origin_verify.ROTATE)
        listener = origin.load_balancer.listener
        if listener is not None:
            todo.append(
                f"Keep every other rule of listener {listener.arn} from forwarding without X-Origin-Verify; "
                "the apply checks only that its default action stays a fixed 403."
            )
    if isinstance(origin, NlbOrigin | Ec2Origin):
        todo.append(
            "Close 'another VPC origin of this account': make the origin require a secret header or a client "
            "certificate itself, or deny cloudfront:CreateVpcOrigin by SCP to all but this pipeline."
        )
    hop = "VPC origin (CloudFront's ENIs in the VPC), HTTPS" + (
        f", {_origin_verify.HEADER}: <secret>" if secrets else ""
    )
    return OriginDetails(
        hops=("viewer", f"CloudFront distribution {dist.name}", hop, f"{target} {origin.origin_domain}"),
        conditions=frozenset(conditions),
        notes=notes,
        secrets=tuple(secrets),
        costs=tuple(costs),
        todo=tuple(todo),
        adopted=adoption(origin),
    )


# After apply: CloudFront reaches the origin; from outside, its name and the load balancer's (when cfgen creates
# it, the one name the root module knows) do not resolve, or resolve to private addresses that do not answer.
_PROBES = (DISTRIBUTION, probe("internet", "origin_domain"))
_LOAD_BALANCER = probe("internet", "load_balancer", optional=True)


_FROM_VPC_ORIGINS = "from CloudFront-VPCOrigins-Service-SG"


def adoption(origin: AlbOrigin | NlbOrigin | Ec2Origin) -> tuple[Adoption, ...]:
    """What cfgen adds to an adopted load balancer or instance, and what destroy then removes."""
    if isinstance(origin, Ec2Origin):
        instance = origin.instance
        changes = (
            f"Network interface {instance.network_interface_id}: cfgen's security group attached (ingress: port "
            f"{origin.https_port} {_FROM_VPC_ORIGINS} only); the apply stops unless its other groups are those in "
            "keep_security_groups.",
            "The instance, its other settings and its other interfaces stay as they are.",
        )
        if instance.keep_security_groups:
            kept = ", ".join(instance.keep_security_groups)
            on_destroy = f"Removed: destroy detaches cfgen's group (the interface keeps {kept}) and deletes it."
        else:
            on_destroy = NO_GROUP_LEFT
        return (Adoption(f"instance {instance.arn.rsplit('/', 1)[1]}", changes, on_destroy),)
    balancer = origin.load_balancer
    if balancer.arn is None:
        return ()
    listener = balancer.listener if isinstance(origin, AlbOrigin) else None
    return (
        adopted_load_balancer(
            balancer.arn,
            balancer.security_group_id,
            origin.https_port,
            _FROM_VPC_ORIGINS,
            listener,
            "CloudFront's VPC origins",
        ),
    )


def adopted_load_balancer(
    arn: str, group: str | None, port: int, source: str, listener: AdoptedListener | None, admitted: str
) -> Adoption:
    """What cfgen adds to an adopted load balancer (an ingress rule, a listener rule), and what destroy removes.

    ``source`` says where the ingress rule admits from, ``admitted`` who then
    gets in no more once destroy has removed it.
    """
    changes = [f"Security group {group}: an ingress rule, port {port} {source}; its other rules stay."]
    if listener is not None:
        changes.append(
            f"Listener {listener.arn}: a rule at priority {listener.priority} that forwards to "
            f"{listener.target_group_arn} only with {_origin_verify.HEADER}; its other rules and its "
            "default action stay (the apply stops unless that is a fixed 403)."
        )
    changes.append("The load balancer, its listeners and its targets stay as they are.")
    return Adoption(
        f"load balancer {arn.rsplit('/', 2)[1]}",
        tuple(changes),
        f"Removed: destroy deletes only what cfgen added (the rule, and the listener rule), and {admitted} are "
        "admitted no more; nothing of yours changes.",
    )


# An interface keeps at least one security group (EC2's ModifyNetworkInterfaceAttribute refuses none).
NO_GROUP_LEFT = (
    "Not removed: cfgen's group is the interface's only one, and EC2 keeps at least one group on an interface, so "
    "destroy stops at detaching it (an EC2 error) and the instance stays behind cfgen's group, which admits at most "
    "CloudFront's VPC origins, by then gone. To take the render down, attach a group of yours to the interface "
    "first (one without ingress rules keeps it closed), then destroy."
)


def _pattern(
    origin_type: str, what: str, extra: tuple[AccessPath, ...] = (), probes: tuple[Probe, ...] = _PROBES
) -> Pattern:
    return Pattern(
        origin_type=origin_type,
        protection="vpc_origin",
        summary=f"{what} in private subnets; CloudFront VPC origin over HTTPS/TLSv1.2, ingress only from CloudFront.",
        template="vpc_origin/origin.tf.j2",
        modules=("vpc-origin", "lb-listener"),
        view=view,
        prove=prove,
        threats=_threats(what, extra),
        details=details,
        probes=probes,
    )


ALB = _pattern(
    "alb",
    "Internal Application Load Balancer",
    (_ALB_SECRET, _ALB_ADOPTED_SECRET, _CREATED_GROUPS, _ADOPTED_GROUPS, _TARGETS),
    (*_PROBES, _LOAD_BALANCER),
)
NLB = _pattern(
    "nlb",
    "Internal Network Load Balancer",
    (_no_header("an NLB"), _CREATED_GROUPS, _ADOPTED_GROUPS, _TARGETS),
    (*_PROBES, _LOAD_BALANCER),
)
_INSTANCE_ONLY_GROUP = path(
    "vpc_hosts",
    "closed",
    ("CFG_VPC_ORIGIN_INGRESS", "CFG_VPC_ORIGIN_INSTANCE_GROUPS"),
    "The instance's interface carries cfgen's group, which admits only CloudFront-VPCOrigins-Service-SG, and no "
    "other: checked at apply, where a guard reads the interface once the group is attached and stops the apply, "
    "before the distribution uses the VPC origin, if it carries any other group or is not the instance's primary "
    "interface.",
    when="instance_only_group",
)
_INSTANCE_OTHER_GROUPS = path(
    "vpc_hosts",
    "residual",
    ("CFG_VPC_ORIGIN_INGRESS", "CFG_VPC_ORIGIN_INSTANCE_GROUPS"),
    "The instance keeps security groups besides cfgen's (instance.keep_security_groups), whose rules are not in "
    "the plan: any ingress they admit reaches the instance. The apply stops if the interface carries a group not "
    "listed. Closed by detaching them, or by keeping only groups without ingress rules.",
    when="instance_other_groups",
)
EC2 = _pattern(
    "ec2",
    "EC2 instance without a public IP",
    (_no_header("an instance"), _INSTANCE_ONLY_GROUP, _INSTANCE_OTHER_GROUPS),
)
