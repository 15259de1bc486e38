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

from typing import TYPE_CHECKING

from ..harness.plan import Const, PlanView, Resource, Sym, Value
from ..harness.results import Finding
from ..spec import _names as names
from ..spec.api_gateway import ApiGatewayWafHeaderOrigin
from . import _api_gateway as apigw
from . import _prices, _waf
from ._base import OriginBinding, OriginView, Pattern, module_name
from ._network import source
from ._probes import DISTRIBUTION, probe
from ._secret import MODULE as SECRET_MODULE
from ._secret import secret_call, secret_use
from ._threats import Adoption, OriginDetails, ThreatModel, admins, path

if TYPE_CHECKING:
    from ..spec import Distribution, Spec
    from ..spec.models import Origin

HEADER = _waf.HEADER


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
    waf = _waf.waf_call(
        apigw.part(module, "waf"),
        names.API_WAF.name(spec.project, dist.name, origin.id),
        secret,
        {"stage": api.stage_arn},
        origin.waf_logging.destination_arn if origin.waf_logging is not None else None,
        f"Regional web ACL on the stage: blocks every request whose {HEADER} is not the secret.",
    )
    calls = [*([api.call] if api.call else []), waf]
    outputs = [
        (f"{module}_web_acl_arn", f"module.{waf.name}.web_acl_arn", f"Web ACL of {dist.name}/{origin.id}'s stage.")
    ]
    if api.call is not None:
        outputs.append((f"{module}_api_id", f"module.{api.call.name}.rest_api_id", "The demo REST API's id."))
    # The header's value comes out of the WAF module once the ACL admits it: CloudFront never sends a value first.
    sent = _waf.header_value(waf)
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
    acl = plan.one((apigw.part(binding.module, "waf"),), _waf.ACL)
    acl_finding, accepted = _waf.acl_finding(plan, binding, acl, "CFG_APIGW_WAF_ACL", literals)
    api, missing = apigw.this_api(plan, binding)
    return [
        apigw.https_finding(plan, binding),
        acl_finding,
        _association(plan, binding, acl, api, missing),
        _sent(plan, binding, accepted, literals),
    ]


def _association(
    plan: PlanView, binding: OriginBinding, acl: Resource | None, api: apigw.Api | None, missing: str
) -> Finding:
    target = (f"{api.label}'s stage", api.is_stage_arn) if api is not None else None
    found = _waf.association_finding(
        plan, binding, acl, "CFG_APIGW_WAF_ASSOCIATION", "this API's stage", target, missing
    )
    if api is None or acl is None:
        return found
    problems = [p for p in [found.message, *_unguarded_stages(plan, api, acl)] if p]
    return apigw.finding(binding, found.check_id, found.title, found.address, "; ".join(problems))


def _unguarded_stages(plan: PlanView, api: apigw.Api, acl: Resource) -> list[str]:
    """Why another stage of this API in the plan answers without the web ACL (its methods are NONE in this mode).

    A stage is written as an ``aws_api_gateway_stage`` or by a deployment's
    ``stage_name``; one whose API may be this one (fail closed) needs an
    association with cfgen's ACL. An existing API's stages outside the plan are
    a residual path.
    """
    problems = []
    ours = Sym(acl.config_address, "arn")
    associated = [
        v
        for a in plan.resources(type="aws_wafv2_web_acl_association")
        if source(plan, a, "web_acl_arn") == [ours]
        for v in source(plan, a, "resource_arn")
    ]
    for deployment in plan.resources(type="aws_api_gateway_deployment"):
        if not api.may_be(source(plan, deployment, "rest_api_id")):
            continue
        stage = deployment.values.get("stage_name")
        if (stage or deployment.unknown.get("stage_name")) and Const(stage) != api.stage:
            problems.append(
                f"{deployment.address} creates stage {stage or '(unknown)'} of {api.label}, which has no web ACL: "
                "anyone may call it; write an aws_api_gateway_stage and associate the web ACL with it"
            )
    for stage in plan.resources(type="aws_api_gateway_stage"):
        if not api.may_be(source(plan, stage, "rest_api_id")):
            continue
        arns: list[Value] = [Sym(stage.config_address, "arn")]
        if stage.known("arn"):
            arns.append(Const(stage.values["arn"]))
        if any(api.is_stage_arn(a) for a in arns) or any(a in associated for a in arns):
            continue
        problems.append(
            f"{stage.address} is a stage of {api.label} (or of an API cfgen cannot tell apart) without "
            f"{acl.address}: anyone may call it"
        )
    return problems


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
            "other_stages",
            "closed",
            ("CFG_APIGW_WAF_ASSOCIATION",),
            "The methods need no authorization in this mode, so a stage without the web ACL answers anyone: every "
            "stage of the API in the plan (an aws_api_gateway_stage, a deployment's stage_name) has cfgen's web ACL.",
            when="demo_api",
        ),
        path(
            "other_stages",
            "residual",
            ("CFG_APIGW_WAF_ASSOCIATION",),
            "The API's other stages are not in the plan: they run the same methods without cfgen's web ACL, so one "
            "without a web ACL of its own answers anyone. Closed by associating the web ACL with each of them (or "
            "deleting them); list them with `aws apigateway get-stages --rest-api-id ID` (under to do).",
            when="adopted",
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
        admins(("the web ACL and its association", "the stage", "the distribution"), apigw.TEST_INVOKE),
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
            f"Other stages of API {api.rest_api_id} run the same methods without cfgen's web ACL: list them "
            f"(aws apigateway get-stages --rest-api-id {api.rest_api_id}) and associate the web ACL "
            "(web_acl_arn) with each, or delete them.",
        )
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
        conditions=frozenset({"adopted" if api.rest_api_id is not None else "demo_api"}),
    )


PROBES = (DISTRIBUTION, probe("internet", "execute_api"), probe("internet", "execute_api", wrong_header=HEADER))


PATTERN = Pattern(
    origin_type="api_gateway",
    protection="waf_header",
    summary="REGIONAL REST API stage; a regional WAF web ACL blocks all but CloudFront's secret header.",
    template="api_gateway/origin.tf.j2",
    modules=(_waf.MODULE, SECRET_MODULE),
    view=view,
    prove=prove,
    threats=THREATS,
    probes=PROBES,
    details=details,
)
