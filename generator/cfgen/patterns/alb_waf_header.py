"""Internet-facing ALB behind a regional WAF web ACL (``type: alb``, ``protection: waf_header``).

Wiring: an ``origin-secret`` module call reads the secret; the
``alb-origin`` module creates (or adopts) the same internet-facing ALB as
``listener_header``, whose security group admits HTTPS only from
CloudFront's origin-facing prefix list, but with ``listener_checks_header =
false``: a created listener forwards to the target group, and an adopted
ALB's listeners are not touched. The ``waf-header`` module's REGIONAL web ACL
(the API Gateway ``waf_header`` mode's) is associated with the ALB: it blocks
every request whose ``x-origin-verify`` is not the current or the previous
secret, on every listener and rule of the ALB. CloudFront sends the header
over HTTPS only, its value taken from the WAF module's ``header_value``
output, so a new value goes out only once the ACL admits it.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import TYPE_CHECKING

from .._hcl import Attr, Ref
from ..harness.plan import Const, PlanView, Sym, Value
from ..harness.results import Finding
from ..spec import _names as names
from ..spec.public_origins import CLOUDFRONT_PREFIX_LISTS, AlbWafHeaderOrigin
from . import _alb, _network, _origin_verify, _prices, _waf
from ._base import ModuleCall, OriginBinding, OriginView, Pattern, module_name
from ._probes import DISTRIBUTION, probe
from ._secret import MODULE as SECRET_MODULE
from ._threats import OriginDetails, ThreatModel, admins, path

if TYPE_CHECKING:
    from ..spec import Distribution, Spec
    from ..spec.models import Origin

HEADER = _origin_verify.HEADER  # as CloudFront sends it; the web ACL reads it as _waf.HEADER (any case matches)


def _waf_name(module: str) -> str:
    return f"{module}_waf"


def view(spec: Spec, dist: Distribution, origin: Origin) -> OriginView:
    """The secret's call, the ``alb-origin`` call (the listener checks nothing), and the web ACL on the ALB."""
    assert isinstance(origin, AlbWafHeaderOrigin)
    module = module_name(dist.name, origin.id)
    secret = _origin_verify.secret_of(module, origin.secret, f"{dist.name}/{origin.id}")
    call = _alb.alb_call(spec, dist, origin, module, [])
    if origin.load_balancer.arn is None:
        call.skips.append(
            (
                "CKV2_AWS_28",
                f"The ALB's web ACL is module {_waf_name(module)}'s association (CFG_ALB_WAF_ASSOCIATION proves it); "
                "checkov does not follow the ALB's ARN into that module.",
            )
        )
    waf = _waf.waf_call(
        _waf_name(module),
        names.ALB_WAF.name(spec.project, dist.name, origin.id),
        secret,
        {"alb": Ref(f"module.{module}.load_balancer_arn")},
        origin.waf_logging.destination_arn if origin.waf_logging is not None else None,
        f"Regional web ACL on the ALB: blocks every request whose {_waf.HEADER} is not the secret.",
    )
    alb = ModuleCall(
        name=module,
        source=_alb.MODULE,
        comment="The ALB: its group admits only CloudFront's prefix list; the web ACL, not the listener, checks the "
        "header.",
        inputs=[
            *call.inputs,
            Attr("listener_checks_header", False),
            # CloudFront sends the value the WAF module gives out once the ACL admits it, never one first.
            Attr("origin_secrets", [_waf.header_value(waf)]),
        ],
        checkov_skips=call.skips,
    )
    outputs = [
        *call.outputs,
        (f"{module}_web_acl_arn", f"module.{waf.name}.web_acl_arn", f"Web ACL of {dist.name}/{origin.id}'s ALB."),
    ]
    return OriginView(
        module=module,
        inputs=(),
        distribution_origin=Ref(f"module.{module}.cloudfront_origin"),
        outputs=outputs,
        secrets=[secret],
        endpoints=call.endpoints,
        calls=[alb, waf],
    )


# -- proofs ------------------------------------------------------------------


def prove(plan: PlanView, binding: OriginBinding) -> list[Finding]:
    """Findings that ``binding``'s ALB admits only CloudFront, and its web ACL only this distribution's secret."""
    module = (binding.module,)
    literals = plan.configured_strings()
    acl = plan.one((_waf_name(binding.module),), _waf.ACL)
    acl_finding, accepted = _waf.acl_finding(plan, binding, acl, "CFG_ALB_WAF_ACL", literals)
    findings = [
        _alb.ingress_finding(plan, binding, module),
        _alb.https_finding(plan, binding, module),
        acl_finding,
        _fails_closed(
            plan,
            binding,
            _waf.association_finding(
                plan, binding, acl, "CFG_ALB_WAF_ASSOCIATION", "this ALB", _this_alb(plan, binding)
            ),
        ),
        _sent(plan, binding, accepted, literals),
    ]
    if plan.one(module, "aws_lb", "this") is not None:
        findings.append(_network.targets_finding(plan, binding, module, "CFG_ALB_TARGETS"))
    return findings


# The adopted ALB's guard in alb-origin: its postcondition stops the apply if WAF fails open.
FAIL_OPEN_GUARD = "data.aws_lb.waf_fail_closed"


def _fails_closed(plan: PlanView, binding: OriginBinding, association: Finding) -> Finding:
    """``association``, failed too if the ALB would forward requests unchecked when it cannot reach WAF.

    A created ALB must leave ``enable_waf_fail_open`` unset or false; an
    adopted one's is read at apply by a guard upstream of the distribution.
    """
    module = (binding.module,)
    problems: list[str] = []
    lb = plan.one(module, "aws_lb", "this")
    if lb is not None:
        if lb.values.get("enable_waf_fail_open") or lb.unknown.get("enable_waf_fail_open"):
            problems.append(
                f"{lb.address} has enable_waf_fail_open: it would forward requests unchecked whenever it cannot "
                "reach WAF"
            )
    else:
        guard = plan.one(module, "aws_lb", FAIL_OPEN_GUARD.rsplit(".", 1)[1])
        if guard is None or guard.mode != "data":
            problems.append(
                f"no {FAIL_OPEN_GUARD} reads the adopted ALB's enable_waf_fail_open at apply: it could forward "
                "requests unchecked whenever it cannot reach WAF"
            )
        else:
            problems += _network.guard_problems(plan, binding, guard)
    if not problems:
        return association
    message = "; ".join([m for m in (association.message,) if m] + problems)
    return dataclasses.replace(association, passed=False, message=message)


def _this_alb(plan: PlanView, binding: OriginBinding) -> tuple[str, Callable[[Value], bool]] | None:
    """This origin's ALB: the one its module creates, else the existing ARN its module call is given."""
    lb = plan.one((binding.module,), "aws_lb", "this")
    if lb is not None:
        return lb.address, lambda v: v == Sym(lb.config_address, "arn")
    call = (plan.module_config(()) or {}).get("module_calls", {}).get(binding.module, {})
    arn = call.get("expressions", {}).get("load_balancer_arn", {}).get("constant_value")
    if not isinstance(arn, str):
        return None
    return f"ALB {arn}", lambda v: v == Const(arn)


def _sent(plan: PlanView, binding: OriginBinding, accepted: list[str], literals: set[str]) -> Finding:
    """CloudFront sends one sensitive, unwritten header the ACL admits, and only once the ACL admits it.

    When the ACL's values are unknown (a broken ACL, which CFG_ALB_WAF_ACL reports), only the header is checked.
    """
    title = f"CloudFront sends {HEADER}: the secret, one of the values the web ACL allows, once the ACL is in place"
    problems = _origin_verify.sent_problems(plan, binding, accepted, literals, by="the web ACL")
    waf = _waf_name(binding.module)
    call = (plan.module_config(()) or {}).get("module_calls", {}).get(binding.module, {})
    given = call.get("expressions", {}).get("origin_secrets", {}).get("references", [])
    if f"module.{waf}.header_value" not in given:
        problems.append(
            f"module.{binding.module}'s origin_secrets do not come from module.{waf}.header_value: CloudFront could "
            "send a new value before the web ACL admits it, and every request would be blocked meanwhile"
        )
    distribution, _, _ = _network.distribution_origin(plan, binding)
    address = distribution.address if distribution is not None else f"module.{binding.module}"
    return _network.finding(binding, "CFG_ALB_WAF_SENT", title, address, "; ".join(problems))


# -- threat model --------------------------------------------------------------

_SHARED_RANGES = "Every CloudFront distribution, anyone's, connects from the prefix list's addresses"
_WAF_FIRST = "WAF inspects every request the ALB receives, on every listener and rule, before any rule forwards it"

THREATS = ThreatModel(
    hops=(
        "viewer",
        "CloudFront distribution",
        f"HTTPS (TLSv1.2), {HEADER}: <secret>",
        "regional WAF web ACL",
        "internet-facing ALB (ingress only from CloudFront's prefix list)",
    ),
    paths=(
        path(
            "distribution",
            "allowed",
            ("CFG_ALB_HTTPS", "CFG_ALB_WAF_SENT"),
            f"CloudFront connects from its origin-facing addresses over HTTPS and sends the current secret as "
            f"{HEADER}; the ALB's web ACL allows exactly it and blocks the rest.",
        ),
        path(
            "internet",
            "closed",
            ("CFG_ALB_INGRESS", "CFG_ALB_WAF_ACL", "CFG_ALB_WAF_ASSOCIATION"),
            "The ALB's only security group admits HTTPS from CloudFront's origin-facing prefix list alone (the "
            "apply reads the list by id and name), and its web ACL blocks every request without the secret. "
            f"{_WAF_FIRST}; the ALB does not fail open when WAF is unreachable (enable_waf_fail_open off).",
            when="created_load_balancer",
        ),
        path(
            "internet",
            "residual",
            ("CFG_ALB_INGRESS", "CFG_ALB_WAF_ACL", "CFG_ALB_WAF_ASSOCIATION"),
            f"The web ACL covers the whole ALB: {_WAF_FIRST}, so every listener and rule of yours is closed "
            "without the secret. cfgen adds the prefix-list rule to the group you named, but the ALB's other groups "
            "are yours: one that admits other addresses lets them reach WAF directly (still blocked without the "
            "secret). The apply stops if the ALB fails open when WAF is unreachable (enable_waf_fail_open). Closed "
            "when the group you named is the ALB's only one and admits nothing else.",
            when="adopted",
        ),
        path(
            "other_distribution",
            "closed",
            ("CFG_ALB_WAF_ACL", "CFG_ALB_WAF_SENT"),
            f"{_SHARED_RANGES}, so the group admits them all; the web ACL allows only this distribution's secret "
            f"(current or previous), which CloudFront sends over HTTPS only and overwrites in a viewer's request. "
            f"{_WAF_FIRST}, on an ALB you adopted too.",
        ),
        path(
            "vpc_hosts",
            "closed",
            ("CFG_ALB_INGRESS", "CFG_ALB_WAF_ACL", "CFG_ALB_WAF_ASSOCIATION"),
            "The web ACL on the ALB blocks a request without the secret from anywhere, whatever an adopted ALB's "
            "other groups admit; a created ALB's only group admits CloudFront's prefix list alone.",
        ),
        path(
            "vpc_targets",
            "residual",
            ("CFG_ALB_TARGETS",),
            "cfgen creates a security group for the targets that admits the target port from the ALB's group only, "
            "but attaching it is yours, and so are the targets' other groups: until every target carries it and no "
            "other group of theirs admits ingress, hosts of the VPC (and the internet, for a target with a public "
            "IP) reach the targets directly, around WAF.",
            when="created_load_balancer",
        ),
        path(
            "secret_holders",
            "residual",
            ("CFG_ALB_HTTPS", "CFG_ALB_WAF_ACL"),
            "The check is a shared secret, not CloudFront's identity: whoever learns it (from state, plan files, the "
            "distribution's configuration or the web ACL, wafv2:GetWebACL) can send it through a distribution of "
            "their own and reach the ALB around this one's WAF, geo restriction, signed URLs and logs. WAF keeps no "
            "copy of requests: sampled requests are off and its logs redact the header. It crosses the internet "
            "inside TLS only. Narrowed by rotation (two values accepted) and by guarding state.",
        ),
        admins(("the ALB's security groups", "the web ACL and its association", "the distribution")),
    ),
)


def details(spec: Spec, dist: Distribution, origin: Origin) -> OriginDetails:
    assert isinstance(origin, AlbWafHeaderOrigin)
    module = module_name(dist.name, origin.id)
    lb = origin.load_balancer
    conditions = {"adopted" if lb.arn is not None else "created_load_balancer"}
    costs = [_prices.waf_web_acl(1)]
    todo: list[str] = []
    if lb.arn is None:
        costs.append(_prices.alb("internet-facing ALB cfgen creates"))
        todo += [
            f"Point {origin.origin_domain} at output {module}_load_balancer_dns_name in public DNS.",
            f"Register the targets in output {module}_target_group_arn.",
            f"Attach output {module}_targets_security_group_id to every target and remove their other ingress.",
        ]
    else:
        todo += [
            f"The association REPLACES any web ACL ALB {lb.arn} had (an ALB takes one): move its rules into the "
            "distribution's web ACL (web_acl_arn) before the apply.",
            f"Keep {lb.security_group_id} the ALB's only security group, admitting nothing but CloudFront's prefix "
            "list, and turn on drop_invalid_header_fields.",
        ]
    todo.append(
        "Rotate the secret: set the new value with the old one as previous and apply (CloudFront sends the new "
        "value only after the web ACL allows it). Regional WAF takes about a minute to apply a change: to leave no "
        "window at all, first set the new value as the previous one (CloudFront keeps sending the current), apply, "
        "wait a minute, then swap them. Drop the previous one once the distribution is deployed."
    )
    notes = {}
    if origin.cloudfront_prefix_list_id is None:
        notes["internet"] = (
            f"The prefix list id {CLOUDFRONT_PREFIX_LISTS[spec.region]} comes from cfgen's table (AWS publishes "
            "none); the apply stops if it is not CloudFront's list in this region."
        )
    return OriginDetails(
        hops=(
            "viewer",
            f"CloudFront distribution {dist.name}",
            f"HTTPS (TLSv1.2) to {origin.origin_domain}, {HEADER}: <secret>",
            "regional WAF web ACL",
            "internet-facing ALB (ingress only from CloudFront's prefix list)",
        ),
        conditions=frozenset(conditions),
        notes=notes,
        secrets=(_origin_verify.use_of(origin.secret, "the web ACL's rule (wafv2:GetWebACL)"),),
        costs=tuple(costs),
        todo=tuple(todo),
    )


PROBES = (
    DISTRIBUTION,
    probe("internet", "origin_domain"),
    probe("internet", "origin_domain", wrong_header=HEADER),
    probe("internet", "load_balancer", optional=True),
)


PATTERN = Pattern(
    origin_type="alb",
    protection="waf_header",
    summary=f"Internet-facing ALB; ingress only from CloudFront's prefix list, a regional WAF web ACL on it allows "
    f"only {HEADER}.",
    template="alb_waf_header/origin.tf.j2",
    modules=(_alb.MODULE, "lb-listener", "custom-origin", _waf.MODULE, SECRET_MODULE),
    view=view,
    prove=prove,
    threats=THREATS,
    probes=PROBES,
    details=details,
)
