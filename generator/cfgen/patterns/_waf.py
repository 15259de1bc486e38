"""What the ``waf_header`` modes share: the ``waf-header`` module call and the proofs of its web ACL.

A REGIONAL web ACL (default action block; one allow rule: the
``x-origin-verify`` header exactly the current or the previous secret, no
text transformation; sampled requests off; logs, when the spec asks, with
the header redacted) associated with the origin (a REST API stage, an ALB).
The distribution sends the header's value taken from the module's
``header_value`` output, so a new value goes out only once the ACL admits it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .._hcl import Attr, Ref
from ..harness.plan import PlanView, Resource, Sym, Value
from ..harness.results import Finding
from ._base import ModuleCall, OriginBinding
from ._network import finding, source
from ._secret import SecretCall

__all__ = [
    "ACL",
    "HEADER",
    "MODULE",
    "acl_finding",
    "acl_problems",
    "association_finding",
    "logging_problems",
    "waf_call",
]

HEADER = "x-origin-verify"  # lowercase: the provider requires it in the rule, and WAF matches names in any case
MODULE = "waf-header"
ACL = "aws_wafv2_web_acl"


def waf_call(
    name: str,
    acl_name: str,
    secret: SecretCall,
    associations: dict[str, Any],
    log_destination: str | None,
    comment: str,
    skips: list[tuple[str, str]] | None = None,
) -> ModuleCall:
    """The ``waf-header`` call: the web ACL on ``associations``, logs to ``log_destination`` (header redacted)."""
    inputs = [
        Attr("name", acl_name),
        Attr("header_name", HEADER),
        Attr("header_values", secret.values),
        Attr("associations", associations),
        Attr("metric_name", f"{name.removesuffix('_waf')}-origin-verify"),
    ]
    all_skips = list(skips or [])
    if log_destination is not None:
        inputs.append(Attr("log_destination_arns", [log_destination]))
    else:
        all_skips.append(("CKV2_AWS_31", "No waf_logging in the spec: the web ACL keeps CloudWatch metrics, no logs."))
    return ModuleCall(name=name, source=MODULE, comment=comment, inputs=inputs, checkov_skips=all_skips)


def header_value(call: ModuleCall) -> Ref:
    """The secret CloudFront sends: the module gives it out once the web ACL and its associations admit it."""
    return Ref(f"module.{call.name}.header_value")


def acl_finding(
    plan: PlanView, binding: OriginBinding, acl: Resource | None, check: str, literals: set[str]
) -> tuple[Finding, list[str]]:
    """``check``: the web ACL blocks all but the secret header, keeps no copy of it; and the values it admits."""
    title = f"web ACL: block by default; the only allow rule is {HEADER} exactly the secret; WAF keeps no copy"
    if acl is None:
        return finding(binding, check, title, f"module.{binding.module}", "no web ACL for this origin"), []
    problems, accepted = acl_problems(acl, HEADER, literals)
    problems += logging_problems(plan, acl, HEADER)
    return finding(binding, check, title, acl.address, "; ".join(problems)), accepted


def acl_problems(acl: Resource, header: str, literals: set[str]) -> tuple[list[str], list[str]]:
    """Why ``acl`` would admit a request without the secret ``header``, or keep the secret; and the secrets."""
    values = acl.values
    problems = []
    if values.get("scope") != "REGIONAL":
        problems.append(f"scope is {values.get('scope')}, not REGIONAL")
    default = (values.get("default_action") or [{}])[0]
    if not default.get("block") or default.get("allow"):
        problems.append("the default action is not block: a request without the secret would pass")
    if any(v.get("sampled_requests_enabled") for v in values.get("visibility_config") or []):
        problems.append("sampled requests are on: WAF would keep requests with their headers, the secret included")
    rules = values.get("rule") or []
    allows = [r for r in rules if _action(r) not in ("block", "count")]
    if len(allows) != 1:
        problems.append(f"{len(allows)} rules allow (or challenge) requests; the header rule must be the only one")
        return problems, []
    rule = allows[0]
    if _action(rule) != "allow":
        problems.append(f"rule {rule.get('name')} does not allow: CloudFront's requests would be blocked")
    if any(v.get("sampled_requests_enabled") for v in rule.get("visibility_config") or []):
        problems.append(f"rule {rule.get('name')} samples requests: WAF would keep the secret")
    matches, why = _byte_matches((rule.get("statement") or [{}])[0])
    if why:
        problems.append(f"rule {rule.get('name')} {why}")
        return problems, []
    accepted: list[str] = []
    for match in matches:
        fields = (match.get("field_to_match") or [{}])[0]
        read = [h.get("name") for h in fields.get("single_header") or []]
        others = [k for k, v in fields.items() if v and k != "single_header"]
        if read != [header] or others:
            problems.append(f"a match reads {read or others}, not the single header {header} (lowercase)")
        if match.get("positional_constraint") != "EXACTLY":
            problems.append(f"a match is {match.get('positional_constraint')}, not EXACTLY: other values would pass")
        transforms = [t.get("type") for t in match.get("text_transformation") or []]
        if transforms != ["NONE"]:
            problems.append(f"a match transforms the header ({', '.join(map(str, transforms))}): use NONE only")
        value = match.get("search_string")
        if not isinstance(value, str) or not value:
            problems.append("a match has an empty or unknown search string")
        elif value in literals:
            problems.append("a search string is written in the configuration: a secret in the code is leaked")
        else:
            accepted.append(value)
    if accepted and not acl.is_sensitive("rule"):
        problems.append("the rule is not sensitive in the plan, so its values were written in the code")
    if len(set(accepted)) > 2:
        problems.append(f"the rule accepts {len(set(accepted))} values; keep the current and the previous secret")
    return problems, list(dict.fromkeys(accepted))


def _action(rule: dict[str, Any]) -> str:
    action = (rule.get("action") or [{}])[0]
    if rule.get("override_action"):
        return "override"
    found = [k for k, v in action.items() if v]
    return found[0] if len(found) == 1 else "?"


def _byte_matches(statement: dict[str, Any]) -> tuple[list[dict[str, Any]], str]:
    """The byte matches an allow rule ORs together, or why its statement is something else."""
    if statement.get("byte_match_statement"):
        return list(statement["byte_match_statement"]), ""
    ors = statement.get("or_statement") or []
    if len(ors) != 1:
        kinds = [k for k, v in statement.items() if v]
        return [], f"matches {', '.join(kinds) or 'nothing'}, not the header's values"
    matches = []
    for inner in ors[0].get("statement") or []:
        if not inner.get("byte_match_statement") or any(v for k, v in inner.items() if k != "byte_match_statement"):
            return [], "ORs a statement that is not a byte match on the header"
        matches += inner["byte_match_statement"]
    return matches, ""


def logging_problems(plan: PlanView, acl: Resource, header: str) -> list[str]:
    problems = []
    for config in plan.resources(type="aws_wafv2_web_acl_logging_configuration"):
        if not any(
            isinstance(v, Sym) and v.address == acl.config_address for v in source(plan, config, "resource_arn")
        ):
            continue
        redacted = [
            h.get("name") for f in config.values.get("redacted_fields") or [] for h in f.get("single_header") or []
        ]
        if header not in [str(n).lower() for n in redacted]:
            problems.append(f"{config.address} logs the {header} header: redact it, or WAF logs store the secret")
    return problems


def association_finding(
    plan: PlanView,
    binding: OriginBinding,
    acl: Resource | None,
    check: str,
    what: str,
    target: tuple[str, Callable[[Value], bool]] | None,
    missing: str = "",
) -> Finding:
    """``check``: ``acl`` is associated with ``what`` (``target``: its label and its ARN's test), no other ACL is."""
    label = target[0] if target is not None else what
    title = f"the web ACL is associated with {what}, and no other web ACL is"
    if acl is None or target is None:
        return finding(binding, check, title, f"module.{binding.module}", missing or "no web ACL")
    is_target = target[1]
    ours, problems = [], []
    for association in plan.resources(type="aws_wafv2_web_acl_association"):
        if not any(is_target(v) for v in source(plan, association, "resource_arn")):
            continue
        acls = source(plan, association, "web_acl_arn")
        if acls == [Sym(acl.config_address, "arn")]:
            ours.append(association)
        else:
            problems.append(f"{association.address} puts another web ACL on {label} ({', '.join(map(str, acls))})")
    if not ours:
        problems.insert(0, f"no association of {acl.address} with {label}: the ACL protects nothing")
    address = ours[0].address if ours else acl.address
    return finding(binding, check, title, address, "; ".join(problems))
