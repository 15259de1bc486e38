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

from .._hcl import Attr, Ref
from ..harness.plan import PlanView
from ..harness.results import Finding
from ..spec.public_origins import CLOUDFRONT_PREFIX_LISTS, AlbListenerHeaderOrigin
from . import _alb, _network, _origin_verify, _prices
from ._base import OriginBinding, OriginView, Pattern, module_name
from ._probes import DISTRIBUTION, probe
from ._threats import Adoption, OriginDetails, ThreatModel, admins, path
from .vpc_origin import adopted_load_balancer

if TYPE_CHECKING:
    from ..spec import Distribution, Spec
    from ..spec.models import Origin

HEADER = _origin_verify.HEADER


def view(spec: Spec, dist: Distribution, origin: Origin) -> OriginView:
    """The secret's module call and the ``alb-origin`` module call of an internet-facing ALB."""
    assert isinstance(origin, AlbListenerHeaderOrigin)
    module = module_name(dist.name, origin.id)
    secret = _origin_verify.secret_of(module, origin.secret, f"{dist.name}/{origin.id}")
    lb = origin.load_balancer
    adopted: list[Attr] = []
    if lb.listener is not None:
        adopted += [Attr("listener_arn", lb.listener.arn), Attr("target_group_arn", lb.listener.target_group_arn)]
        if lb.listener.priority != 1:
            adopted.append(Attr("rule_priority", lb.listener.priority))
    call = _alb.alb_call(spec, dist, origin, module, adopted)
    if lb.arn is None:
        call.skips.append(
            (
                "CKV2_AWS_28",
                "protection listener_header: the listener forwards only with the X-Origin-Verify secret and the group "
                "admits only CloudFront; a regional WAF web ACL on the ALB is the waf_header mode.",
            )
        )
    return OriginView(
        module=module,
        inputs=[*call.inputs, _origin_verify.input_of(secret)],
        distribution_origin=Ref(f"module.{module}.cloudfront_origin"),
        checkov_skips=call.skips,
        outputs=call.outputs,
        secrets=[secret],
        endpoints=call.endpoints,
    )


# -- proofs ------------------------------------------------------------------


def prove(plan: PlanView, binding: OriginBinding) -> list[Finding]:
    """Findings that ``binding``'s ALB lets in only CloudFront's requests that carry this distribution's secret."""
    module = (binding.module,)
    findings = [
        _origin_verify.finding(plan, binding, module, "CFG_ALB_SECRET"),
        _alb.ingress_finding(plan, binding, module),
        _alb.https_finding(plan, binding, module),
    ]
    if plan.one(module, "aws_lb", "this") is not None:
        findings.append(_network.targets_finding(plan, binding, module, "CFG_ALB_TARGETS"))
    return findings


# -- threat model --------------------------------------------------------------

_SHARED_RANGES = "Every CloudFront distribution, anyone's, connects from the prefix list's addresses"
_OTHERS_YOURS = (
    "cfgen judges every ingress rule, listener and listener rule of the plan that may be on the ALB (one it "
    "cannot attribute counts as the ALB's), but the ALB's other security groups, listeners and rules made outside "
    "this configuration are not in the plan: any group that admits "
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
    modules=(_alb.MODULE, "lb-listener", "custom-origin"),
    view=view,
    prove=prove,
    threats=THREATS,
    probes=PROBES,
    details=details,
)
