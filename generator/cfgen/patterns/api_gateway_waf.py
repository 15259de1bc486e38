"""REST API stage behind a regional WAF web ACL that admits only CloudFront's secret header (``waf_header``).

Wiring: an ``origin-secret`` call reads the secret; the ``waf-header`` module
creates a REGIONAL web ACL (default action block; one allow rule: the
``x-origin-verify`` header exactly the current or the previous secret, no
text transformation; sampled requests off; logs, when the spec asks, with
the header redacted) and associates it with the stage. CloudFront sends
``x-origin-verify: <current>``, taken from the module once the ACL admits it.
WAF runs before any method, resource policy or authorizer, so it covers every
method of the stage without a redeploy: an existing API's too.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .._hcl import Attr, Ref
from ..harness.plan import PlanView, Resource, Sym
from ..harness.results import Finding
from ..spec import _names as names
from ..spec.api_gateway import ApiGatewayWafHeaderOrigin
from . import _api_gateway as apigw
from . import _prices
from ._base import ModuleCall, OriginBinding, OriginView, Pattern, module_name
from ._network import source
from ._probes import DISTRIBUTION, probe
from ._secret import MODULE as SECRET_MODULE
from ._secret import secret_call, secret_use
from ._threats import Adoption, OriginDetails, ThreatModel, admins, path

if TYPE_CHECKING:
    from ..spec import Distribution, Spec
    from ..spec.models import Origin

HEADER = "x-origin-verify"  # lowercase: the provider requires it in the rule, and WAF matches names in any case
WAF = "waf-header"
_ACL = "aws_wafv2_web_acl"


def view(spec: Spec, dist: Distribution, origin: Origin) -> OriginView:
    """The secret's call, the API (demo or existing), and the web ACL on its stage."""
    assert isinstance(origin, ApiGatewayWafHeaderOrigin)
    module = module_name(dist.name, origin.id)
    secret = secret_call(
        f"{module}_origin_verify",
        origin.secret,
        f"{HEADER} secret of {dist.name}/{origin.id}",
        requirement="32 to 200 random characters",
    )
    api = apigw.demo_call(
        spec,
        dist,
        origin,
        module,
        skips=[
            (
                "CKV2_AWS_29",
                f"The stage's web ACL is module {apigw.part(module, 'waf')}'s association (CFG_APIGW_WAF_ASSOCIATION "
                "proves it); checkov does not follow the stage's ARN into that module.",
            ),
            (
                "CKV_AWS_59",
                "The method's authorization is NONE on purpose: the web ACL on the stage blocks every request "
                "without the secret header (CFG_APIGW_WAF_ACL).",
            ),
        ],
    )
    waf = apigw.part(module, "waf")
    inputs = [
        Attr("name", names.API_WAF.name(spec.project, dist.name, origin.id)),
        Attr("header_name", HEADER),
        Attr("header_values", secret.values),
        Attr("associations", {"stage": api.stage_arn}),
        Attr("metric_name", f"{module}-origin-verify"),
    ]
    skips = []
    if origin.waf_logging is not None:
        inputs.append(Attr("log_destination_arns", [origin.waf_logging.destination_arn]))
    else:
        skips.append(("CKV2_AWS_31", "No waf_logging in the spec: the web ACL keeps CloudWatch metrics, no logs."))
    calls = [
        *([api.call] if api.call else []),
        ModuleCall(
            name=waf,
            source=WAF,
            comment=f"Regional web ACL on the stage: blocks every request whose {HEADER} is not the secret.",
            inputs=inputs,
            checkov_skips=skips,
        ),
    ]
    outputs = [(f"{module}_web_acl_arn", f"module.{waf}.web_acl_arn", f"Web ACL of {dist.name}/{origin.id}'s stage.")]
    if api.call is not None:
        outputs.append((f"{module}_api_id", f"module.{api.call.name}.rest_api_id", "The demo REST API's id."))
    # The header's value comes out of the WAF module once the ACL admits it: CloudFront never sends a value first.
    sent = Ref(f"module.{waf}.header_value")
    return OriginView(
        module=module,
        inputs=(),
        distribution_origin=apigw.origin_entry(api.domain, api.stage_name, [(HEADER, sent)]),
        endpoints=apigw.endpoints(api),
        outputs=outputs,
        secrets=[secret],
        calls=calls,
        modules=(apigw.DEMO,) if api.call else (),
    )


# -- proofs ------------------------------------------------------------------


def prove(plan: PlanView, binding: OriginBinding) -> list[Finding]:
    """Findings that the stage admits only requests carrying the secret header this distribution sends."""
    literals = plan.configured_strings()
    acl = plan.one((apigw.part(binding.module, "waf"),), _ACL)
    acl_finding, accepted = _acl(plan, binding, acl, literals)
    api, missing = apigw.this_api(plan, binding)
    return [
        apigw.https_finding(plan, binding),
        acl_finding,
        _association(plan, binding, acl, api, missing),
        _sent(plan, binding, accepted, literals),
    ]


def _acl(plan: PlanView, binding: OriginBinding, acl: Resource | None, literals: set[str]) -> tuple[Finding, list[str]]:
    title = f"web ACL: block by default; the only allow rule is {HEADER} exactly the secret; WAF keeps no copy"
    check = "CFG_APIGW_WAF_ACL"
    if acl is None:
        return apigw.finding(binding, check, title, f"module.{binding.module}", "no web ACL for this origin"), []
    problems, accepted = acl_problems(acl, HEADER, literals)
    problems += _logging_problems(plan, acl, HEADER)
    return apigw.finding(binding, check, title, acl.address, "; ".join(problems)), accepted


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


def _logging_problems(plan: PlanView, acl: Resource, header: str) -> list[str]:
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


def _association(
    plan: PlanView, binding: OriginBinding, acl: Resource | None, api: apigw.Api | None, missing: str
) -> Finding:
    title = "the web ACL is associated with this API's stage, and no other web ACL is"
    check = "CFG_APIGW_WAF_ASSOCIATION"
    if acl is None or api is None:
        return apigw.finding(binding, check, title, f"module.{binding.module}", missing or "no web ACL")
    ours, problems = [], []
    for association in plan.resources(type="aws_wafv2_web_acl_association"):
        if not any(api.is_stage_arn(v) for v in source(plan, association, "resource_arn")):
            continue
        acls = source(plan, association, "web_acl_arn")
        if acls == [Sym(acl.config_address, "arn")]:
            ours.append(association)
        else:
            problems.append(f"{association.address} puts another web ACL on the stage ({', '.join(map(str, acls))})")
    if not ours:
        problems.insert(0, f"no association of {acl.address} with {api.label}'s stage: the ACL protects nothing")
    address = ours[0].address if ours else acl.address
    return apigw.finding(binding, check, title, address, "; ".join(problems))


def _sent(plan: PlanView, binding: OriginBinding, accepted: list[str], literals: set[str]) -> Finding:
    title = f"CloudFront sends {HEADER}: the secret, one of the values the web ACL allows"
    sent = apigw.sent_header(plan, binding, HEADER, literals)
    problems = list(sent.problems)
    if not problems and (sent.value is None or (accepted and sent.value not in accepted)):
        problems.append(f"CloudFront sends a {HEADER} value the web ACL does not allow: every request would be blocked")
    return apigw.finding(binding, "CFG_APIGW_WAF_SENT", title, sent.address, "; ".join(problems))


# -- threat model --------------------------------------------------------------

THREATS = ThreatModel(
    hops=(
        "viewer",
        "CloudFront distribution",
        f"HTTPS with {HEADER}: <secret>",
        "regional WAF web ACL",
        "REST API stage",
    ),
    paths=(
        path(
            "distribution",
            "allowed",
            ("CFG_APIGW_HTTPS", "CFG_APIGW_WAF_SENT"),
            f"CloudFront sends the secret {HEADER}; the stage's web ACL allows exactly it and blocks the rest.",
        ),
        path(
            "internet",
            "closed",
            ("CFG_APIGW_WAF_ACL", "CFG_APIGW_WAF_ASSOCIATION"),
            "The stage's web ACL blocks by default and allows only the current or previous secret, compared exactly. "
            "WAF runs before any method, resource policy or authorizer, so it covers every method of the stage, "
            "without a redeploy.",
        ),
        path(
            "other_distribution",
            "closed",
            ("CFG_APIGW_WAF_ACL", "CFG_APIGW_WAF_SENT"),
            f"Another distribution does not send the secret (CloudFront overwrites an {HEADER} a viewer sends), so "
            "the web ACL blocks it.",
        ),
        path(
            "secret_holders",
            "residual",
            ("CFG_APIGW_HTTPS", "CFG_APIGW_WAF_ACL"),
            "The check is a shared secret, not CloudFront's identity: whoever reads it from the state, plan files, "
            "the distribution's configuration or the web ACL (wafv2:GetWebACL) calls the API directly, around the "
            "distribution's WAF, geo restriction and logs. WAF keeps no copy of requests: sampled requests are off "
            "and its logs redact the header. Narrowed by HTTPS to the origin and by rotation (two values accepted); "
            "closed only by `iam_sigv4`.",
        ),
        admins(("the web ACL and its association", "the stage", "the distribution")),
    ),
)


def details(spec: Spec, dist: Distribution, origin: Origin) -> OriginDetails:
    assert isinstance(origin, ApiGatewayWafHeaderOrigin)
    api = origin.api
    todo = [
        "Rotate the secret: set the new value with the old one as previous and apply (CloudFront sends the new "
        "value only after the web ACL allows it). Regional WAF takes about a minute to apply a change: to leave no "
        "window at all, first set the new value as the previous one (CloudFront keeps sending the current), apply, "
        "wait a minute, then swap them. Drop the previous one once the distribution is deployed.",
    ]
    adoption: tuple[Adoption, ...] = ()
    if api.rest_api_id is not None:
        todo.insert(
            0,
            f"The association REPLACES any web ACL stage {api.stage} of API {api.rest_api_id} had (a stage has one): "
            "move its rules into the distribution's web ACL (web_acl_arn) first.",
        )
        acl = names.API_WAF.name(spec.project, dist.name, origin.id)
        adoption = (
            Adoption(
                f"stage {api.stage} of API {api.rest_api_id}",
                (
                    f"Web ACL: cfgen's {acl} associated. A stage has one web ACL, so this REPLACES any it had "
                    "(validate warns; the ACL itself stays, unassociated).",
                    "The API's methods, deployments, other stages and resource policy stay as they are.",
                ),
                "Removed: destroy disassociates and deletes cfgen's web ACL, and leaves the stage with NO web ACL, "
                "not the one it had: associate yours again (aws wafv2 associate-web-acl --web-acl-arn ARN "
                "--resource-arn STAGE_ARN).",
            ),
        )
    return OriginDetails(
        hops=(
            "viewer",
            f"CloudFront distribution {dist.name}",
            f"HTTPS with {HEADER}: <secret>",
            "regional WAF web ACL",
            f"REST API {api.rest_api_id or '(demo)'}, stage {api.stage}",
        ),
        secrets=(secret_use(f"{HEADER} secret", origin.secret, also_in=("the web ACL's rule (wafv2:GetWebACL)",)),),
        costs=(_prices.waf_web_acl(1),),
        todo=tuple(todo),
        adopted=adoption,
    )


PROBES = (DISTRIBUTION, probe("internet", "execute_api"), probe("internet", "execute_api", wrong_header=HEADER))


PATTERN = Pattern(
    origin_type="api_gateway",
    protection="waf_header",
    summary="REGIONAL REST API stage; a regional WAF web ACL blocks all but CloudFront's secret header.",
    template="api_gateway/origin.tf.j2",
    modules=(WAF, SECRET_MODULE),
    view=view,
    prove=prove,
    threats=THREATS,
    probes=PROBES,
    details=details,
)
