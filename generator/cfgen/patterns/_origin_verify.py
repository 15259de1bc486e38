"""The secret header an ALB requires of CloudFront: ``X-Origin-Verify``, wiring and proof.

Every VPC origin of an account reaches every origin that admits
``CloudFront-VPCOrigins-Service-SG``, so an ALB behind a VPC origin tells
this distribution's requests apart by a secret header: CloudFront sends the
current secret as an origin custom header, the listener forwards only
requests whose ``X-Origin-Verify`` is the current or the previous secret,
and its default action answers 403. ALB header values are compared
case-insensitively with ``*`` and ``?`` as wildcards, so the module accepts
only secrets of 32-128 letters and digits.

Shared by ``alb`` + ``vpc_origin`` (created, or an adopted ALB's listener)
and the private API chain's ALB: the rule is the ``lb-listener`` module's in
both.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .._hcl import Attr
from ..harness.plan import Const, PlanView, Resource, Sym, Value
from ..harness.results import Finding
from ._base import OriginBinding
from ._network import distribution_origin, guard_problems, listeners_of, load_balancer, module_resources, source
from ._network import finding as network_finding
from ._secret import SecretCall, secret_call, secret_use
from ._threats import SecretUse

if TYPE_CHECKING:
    from ..spec.models import Secret

__all__ = ["HEADER", "ROTATE", "ROTATE_INTERNET", "RULE", "finding", "input_of", "secret_of", "sent_problems", "use_of"]

HEADER = "X-Origin-Verify"
# The listener rule that checks it, in the lb-listener module.
RULE = "aws_lb_listener_rule.origin_verify"
_SAFE = re.compile(r"[A-Za-z0-9]{32,128}")
ROTATE = f"Rotate the {HEADER} secret on a schedule (README: VPC origins and their secret)."
# The same, for an internet-facing ALB (its README section points to the same steps).
ROTATE_INTERNET = f"Rotate the {HEADER} secret on a schedule (README: Internet-facing ALBs)."


def secret_of(module: str, secret: Secret, label: str) -> SecretCall:
    """The origin-secret call that reads the header secret of origin ``label`` (dist/origin)."""
    return secret_call(
        f"{module}_origin_verify", secret, f"{HEADER} secret of {label}", requirement="32 to 128 letters and digits"
    )


def input_of(call: SecretCall) -> Attr:
    """The module input that hands the ALB every value it must accept."""
    return Attr("origin_secrets", call.values)


def use_of(secret: Secret, where: str = "the ALB listener rule (elasticloadbalancing:DescribeRules)") -> SecretUse:
    """Where the header secret's value lives once applied: ``where`` is the origin's own check."""
    return secret_use(f"{HEADER} secret", secret, also_in=(where,))


# -- proof -----------------------------------------------------------------------


def finding(plan: PlanView, binding: OriginBinding, module: tuple[str, ...], check_id: str) -> Finding:
    """``check_id``: the ALB of ``module`` forwards only requests carrying this distribution's secret."""
    title = f"the ALB forwards only requests with the {HEADER} secret this distribution sends"
    address, found = _problems(plan, binding, module)
    return network_finding(binding, check_id, title, address, "; ".join(found))


def _problems(plan: PlanView, binding: OriginBinding, module: tuple[str, ...]) -> tuple[str, list[str]]:
    """Where to report, and why a request without this distribution's secret could pass the ALB.

    Every listener that may be on the ALB of ``module`` answers a fixed 403
    by default; every rule of the plan that forwards and may sit on one of
    them (or on an adopted ALB's listener) requires the header with the current (and at
    most the previous) secret, values that are sensitive in the plan and
    never written in the configuration; and the distribution sends one of
    them.
    """
    literals = plan.configured_strings()
    found: list[str] = []
    # Every listener that may be on this ALB, wherever it is written: one added in the root on
    # module.<origin>.load_balancer_arn must answer 403 as cfgen's does.
    listeners = listeners_of(plan, module)
    # An adopted ALB's listener is someone else's: a guard reads its default action at apply.
    guards = [r for r in module_resources(plan, module, "aws_lb_listener") if r.mode == "data"]
    if not listeners and not guards:
        found.append("no listener of this ALB is in the plan, and no guard reads its default action")
    for listener in listeners:
        found += _default_action_problems(listener)
    for guard in guards:
        found += guard_problems(plan, binding, guard)
    # Fail closed: every rule of the plan is judged as on this ALB's listener unless it provably names another.
    ours = _Listeners(
        {lst.config_address for lst in listeners},
        {str(v.value) for g in guards for v in source(plan, g, "arn") if isinstance(v, Const) and v.value}
        | {str(lst.values["arn"]) for lst in listeners if lst.known("arn") and lst.values.get("arn")},
        load_balancer(plan, module).known,
    )
    rules = [r for r in plan.resources(type="aws_lb_listener_rule") if _in(r, module) or ours.may_hold(plan, r)]
    forwarding = [r for r in rules if any(a.get("type") == "forward" for a in r.values.get("action") or [])]
    if not forwarding:
        found.append(f"no listener rule forwards requests carrying {HEADER}: CloudFront would get 403 only")
    accepted: list[str] = []
    for rule in forwarding:
        values, rule_problems = _rule_values(rule, literals)
        found += rule_problems
        accepted += values
    address = forwarding[0].address if forwarding else f"module.{binding.module}"
    found += sent_problems(plan, binding, accepted, literals)
    return address, found


def _in(resource: Resource, module: tuple[str, ...]) -> bool:
    return resource.module[: len(module)] == module


@dataclass(frozen=True)
class _Listeners:
    """This ALB's listeners: by configuration address, by known ARN, and by the ALB's ARN when known."""

    addresses: set[str]
    arns: set[str]
    load_balancer_arn: str | None

    def may_hold(self, plan: PlanView, rule: Resource) -> bool:
        """Whether ``rule`` may sit on one of these listeners: unless its ``listener_arn`` provably names another.

        A literal ARN names one of them when it is a known one, or a listener
        of this ALB (a listener ARN carries its load balancer's); a data
        source, a local or a function may name any listener.
        """
        verdicts = [self._names(v) for v in source(plan, rule, "listener_arn")]
        return any(v is True for v in verdicts) or not any(v is False for v in verdicts)

    def _names(self, value: Value) -> bool | None:
        if isinstance(value, Sym):
            if value.address in self.addresses:
                return True
            return None if ".data." in f".{value.address}" else False
        if isinstance(value, Const):
            if not isinstance(value.value, str):
                return False
            if value.value in self.arns:
                return True
            if self.load_balancer_arn is None:
                return None  # a created ALB's ARN is unknown here: a literal may be one it got at an earlier apply
            # A listener's ARN carries its load balancer's.
            return value.value.startswith(self.load_balancer_arn.replace(":loadbalancer/", ":listener/") + "/")
        return None


def _default_action_problems(listener: Resource) -> list[str]:
    actions = listener.values.get("default_action") or []
    fixed = [a for a in actions if a.get("type") == "fixed-response"]
    status = ((fixed[0].get("fixed_response") or [{}])[0]).get("status_code") if fixed else None
    if len(actions) != 1 or not fixed or status != "403":
        kinds = ", ".join(str(a.get("type")) for a in actions) or "none"
        return [
            f"{listener.address} default action is {kinds} (status {status}), not a fixed 403: requests "
            f"without {HEADER} would reach the targets"
        ]
    return []


def _rule_values(rule: Resource, literals: set[str]) -> tuple[list[str], list[str]]:
    """The secret values a forwarding rule accepts, and what is wrong with them."""
    conditions = rule.values.get("condition") or []
    found = [
        (i, header)
        for i, condition in enumerate(conditions)
        for header in condition.get("http_header") or []
        if str(header.get("http_header_name", "")).lower() == HEADER.lower()
    ]
    if len(found) != 1:
        return [], [f"{rule.address} forwards without requiring {HEADER} (it has {len(found)} such conditions)"]
    i, header = found[0]
    values: list[Any] = header.get("values") or []
    if rule.unknown.get("condition") and not values:
        return [], [f"{rule.address}: the {HEADER} values are unknown at plan; they must be the secret, known"]
    problems: list[str] = []
    if not 1 <= len(values) <= 2:
        problems.append(f"{rule.address} accepts {len(values)} {HEADER} values; keep the current and the previous")
    for k, value in enumerate(values):
        if not rule.is_sensitive("condition", i, "http_header", 0, "values", k):
            problems.append(
                f"{rule.address}: {HEADER} value {k + 1} is not sensitive in the plan, so it was written in the "
                "code: pass the origin-secret module's `values`"
            )
        elif value in literals:
            problems.append(f"{rule.address}: {HEADER} value {k + 1} is written in the configuration")
        elif not isinstance(value, str) or not _SAFE.fullmatch(value):
            # Never echo the value: it is meant to be a secret.
            problems.append(
                f"{rule.address}: {HEADER} value {k + 1} is not 32-128 letters and digits; the ALB would read "
                "* and ? as wildcards and ignore case"
            )
    return [v for v in values if isinstance(v, str)], problems


def sent_problems(
    plan: PlanView, binding: OriginBinding, accepted: list[str], literals: set[str], by: str = "the listener rule"
) -> list[str]:
    """Why the distribution would not send exactly one sensitive, unwritten X-Origin-Verify that the origin accepts.

    ``literals`` are the configuration's strings; ``accepted`` the values the origin takes (empty skips
    that check: an origin whose accepted values are not in the plan), ``by`` what takes them.
    """
    distribution, origins, missing = distribution_origin(plan, binding)
    if missing or distribution is None:
        return [missing or "the distribution of this origin is not in the plan"]
    index = {id(o): i for i, o in enumerate(distribution.values.get("origin") or [])}
    problems: list[str] = []
    for origin in origins:
        sent = [
            (j, h)
            for j, h in enumerate(origin.get("custom_header") or [])
            if str(h.get("name", "")).lower() == HEADER.lower()
        ]
        if len(sent) != 1:
            problems.append(f"origin '{binding.origin}' sends {len(sent)} {HEADER} headers, not one")
            continue
        j, header = sent[0]
        value = header.get("value")
        if not distribution.is_sensitive("origin", index[id(origin)], "custom_header", j, "value"):
            problems.append(f"the {HEADER} origin header is not sensitive in the plan, so it was written in the code")
        elif value in literals:
            problems.append(f"the {HEADER} origin header is written in the configuration")
        elif accepted and value not in accepted:
            problems.append(f"CloudFront sends a {HEADER} value {by} does not accept: every request would get 403")
    sending = [
        str(h.get("value"))
        for o in origins
        for h in o.get("custom_header") or []
        if str(h.get("name", "")).lower() == HEADER.lower() and h.get("value")
    ]
    return problems + _elsewhere(plan, binding, distribution, {*accepted, *sending})


def _elsewhere(plan: PlanView, binding: OriginBinding, ours: Resource, secrets: set[str]) -> list[str]:
    """Why another distribution of the plan could send this origin's secret, and so reach it around ``ours``.

    One that takes this origin's ``cloudfront_origin`` (a second module call,
    say), or whose origins send ``X-Origin-Verify`` with a value this origin
    accepts or this distribution sends.
    """
    problems: list[str] = []
    wanted = f"module.{binding.module}.cloudfront_origin"
    for name, call in (plan.module_config(()) or {}).get("module_calls", {}).items():
        if name == binding.distribution_module:
            continue
        refs = [r for e in call.get("expressions", {}).values() if isinstance(e, dict) for r in e.get("references", [])]
        if wanted in refs:
            problems.append(f"module.{name} takes {wanted}: another distribution would send this origin's secret")
    for other in plan.resources(type="aws_cloudfront_distribution"):
        if other.address == ours.address or other.mode != "managed":
            continue
        headers = [
            h
            for o in other.values.get("origin") or []
            for h in o.get("custom_header") or []
            if str(h.get("name", "")).lower() == HEADER.lower()
        ]
        if any(h.get("value") in secrets for h in headers):
            problems.append(f"{other.address} sends this origin's {HEADER} secret: it would reach the origin too")
    return problems
