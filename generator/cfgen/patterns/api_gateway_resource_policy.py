"""REST API whose resource policy denies every call without CloudFront's secret Referer (``resource_policy``).

Wiring: an ``origin-secret`` call reads the secret; the ``api-gateway-policy``
module writes the API's resource policy (Allow ``execute-api:Invoke``; Deny
it unless ``aws:Referer`` is the current or the previous secret), built with
``jsonencode`` so that it is sensitive. The demo API's deployment hashes the
policy, so a change of it (a rotation) redeploys the stage; CloudFront sends
``Referer: <current>``. On an existing API, cfgen replaces its resource
policy, and redeploying the stage is the user's: ``explain`` says so.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .._hcl import Attr, Ref
from ..harness.plan import Const, PlanView, Statement, policy_statements
from ..harness.results import Finding
from ..spec.api_gateway import ApiGatewayResourcePolicyOrigin
from . import _api_gateway as apigw
from ._base import ModuleCall, OriginBinding, OriginView, Pattern, module_name
from ._probes import DISTRIBUTION, probe
from ._secret import MODULE as SECRET_MODULE
from ._secret import secret_call, secret_use
from ._threats import Adoption, OriginDetails, ThreatModel, admins, path

if TYPE_CHECKING:
    from ..spec import Distribution, Spec
    from ..spec.models import Origin

HEADER = "Referer"
POLICY = "api-gateway-policy"
INVOKE = "execute-api:Invoke"


def view(spec: Spec, dist: Distribution, origin: Origin) -> OriginView:
    """The secret's call, the API (demo or existing), and its resource policy on the secret Referer."""
    assert isinstance(origin, ApiGatewayResourcePolicyOrigin)
    module = module_name(dist.name, origin.id)
    secret = secret_call(f"{module}_referer", origin.secret, f"Referer secret of {dist.name}/{origin.id}")
    policy = apigw.part(module, "policy")
    api = apigw.demo_call(
        spec,
        dist,
        origin,
        module,
        redeploy=Ref(f"module.{policy}.policy"),
        skips=[
            apigw.no_waf_skip("the resource policy denies every call without the secret Referer"),
            (
                "CKV_AWS_59",
                "The method's authorization is NONE on purpose: the resource policy denies every call without the "
                "secret Referer (CFG_APIGW_REFERER_POLICY).",
            ),
        ],
    )
    calls = [
        *([api.call] if api.call else []),
        ModuleCall(
            name=policy,
            source=POLICY,
            comment="The API's resource policy: execute-api:Invoke denied unless aws:Referer is the secret "
            "(current or previous)." + ("" if api.call else apigw.REPLACES),
            inputs=[
                Attr("rest_api_id", api.api_id),
                Attr("guard", "referer"),
                Attr("referer_values", secret.values),
                *apigw.existing_api_input(api),
            ],
            keeps_policy=True,
        ),
    ]
    outputs = []
    if api.call is not None:
        outputs.append((f"{module}_api_id", f"module.{api.call.name}.rest_api_id", "The demo REST API's id."))
    return OriginView(
        module=module,
        inputs=(),
        distribution_origin=apigw.origin_entry(api.domain, api.stage_name, [(HEADER, secret.current)]),
        endpoints=apigw.endpoints(api),
        outputs=outputs,
        secrets=[secret],
        calls=calls,
        modules=(apigw.DEMO,) if api.call else (),
        moved=apigw.adopted_policy_moves(policy, "referer", api),
    )


# -- proofs ------------------------------------------------------------------


def prove(plan: PlanView, binding: OriginBinding) -> list[Finding]:
    """Findings that only requests carrying the secret Referer this distribution sends reach the API."""
    literals = plan.configured_strings()
    api, missing = apigw.this_api(plan, binding)
    findings = [apigw.https_finding(plan, binding)]
    accepted: list[str] = []
    if api is None:
        findings.append(
            apigw.finding(binding, "CFG_APIGW_REFERER_POLICY", "the API's resource policy", binding.module, missing)
        )
    else:
        policy_finding, accepted = _policy(plan, binding, api, literals)
        findings.append(policy_finding)
        if api.demo is not None:
            findings.append(apigw.redeploy_finding(plan, binding, api))
    findings.append(_sent(plan, binding, accepted, literals))
    return findings


def _policy(plan: PlanView, binding: OriginBinding, api: apigw.Api, literals: set[str]) -> tuple[Finding, list[str]]:
    title = "resource policy: no Allow without the Deny unless aws:Referer is the secret, from references only"
    check = "CFG_APIGW_REFERER_POLICY"
    policies = apigw.policies_on(plan, api)
    if len(policies) != 1:
        problem = f"{len(policies)} resource policies on {api.label}, not one"
        return apigw.finding(binding, check, title, f"module.{binding.module}", problem), []
    policy = policies[0]
    statements = policy_statements(plan, policy) if policy.known("policy") else None
    if statements is None:
        problem = "cannot read the policy at plan time; the secret must be known when planning"
        return apigw.finding(binding, check, title, policy.address, problem), []
    problem, accepted = referer_guard_problem(statements, literals)
    if not problem and not policy.is_sensitive("policy"):
        problem = (
            "the policy is not sensitive in the plan, so its Referer values were written in the code: pass the "
            "origin-secret module's `values` and build the JSON from them with jsonencode"
        )
    return apigw.finding(binding, check, title, policy.address, problem), accepted


def referer_guard_problem(statements: list[Statement], literals: set[str]) -> tuple[str, list[str]]:
    """Why these statements would let a call without the secret Referer invoke the API ("" if none), and the secrets."""
    allows = [s for s in statements if s.effect == "Allow"]
    if not allows:
        return "no Allow statement: nobody, CloudFront included, could invoke the API", []
    for s in allows:
        name = f"statement '{s.sid}'" if s.sid else "an Allow statement"
        actions = [str(a) for a in s.actions]
        if s.not_principals or actions != [INVOKE] or not s.resources:
            return f"{name} must allow {INVOKE} alone, to principals, on listed resources", []
    guards = [s for s in statements if s.effect == "Deny" and _guards(s)]
    if not guards:
        return (
            "no Deny of execute-api:Invoke to every principal unless aws:Referer is the secret: the Allow admits "
            "anyone",
            [],
        )
    covered = {str(r) for g in guards for r in g.resources}
    for s in allows:
        loose = [str(r) for r in s.resources if str(r) not in covered and "execute-api:/*" not in covered]
        if loose:
            return (
                f"an Allow covers {', '.join(loose)}, which no Referer Deny covers: the Allow admits anyone there",
                [],
            )
    values = [v for g in guards for v in g.condition_values("StringNotEquals", "aws:Referer") or []]
    secrets = [v.value for v in values if isinstance(v, Const) and isinstance(v.value, str) and v.value]
    if not secrets or len(secrets) != len(values):
        return "the Deny has an empty or unreadable aws:Referer value", []
    if len(set(secrets)) > 2:
        return f"the Deny accepts {len(set(secrets))} Referer values; keep the current and the previous secret", []
    if any(v in literals for v in secrets):
        return "an aws:Referer value is written in the configuration: a secret in the code is leaked", []
    return "", list(dict.fromkeys(secrets))


def _guards(s: Statement) -> bool:
    """A Deny of Invoke to every principal whose only condition is StringNotEquals aws:Referer."""
    actions = {str(a) for a in s.actions}
    everyone = s.principals and all(t in ("*", "AWS") and [str(i) for i in ids] == ["*"] for t, ids in s.principals)
    only_referer = len(s.conditions) == 1 and s.condition_values("StringNotEquals", "aws:Referer") is not None
    return bool(actions & {INVOKE, "execute-api:*", "*"}) and bool(everyone) and only_referer and not s.not_principals


def _sent(plan: PlanView, binding: OriginBinding, accepted: list[str], literals: set[str]) -> Finding:
    title = "CloudFront sends Referer: the secret, one of the values the policy accepts"
    sent = apigw.sent_header(plan, binding, HEADER, literals)
    problems = list(sent.problems)
    if not problems and (sent.value is None or (accepted and sent.value not in accepted)):
        problems.append("CloudFront sends a Referer the policy does not accept: every request would be denied")
    return apigw.finding(binding, "CFG_APIGW_REFERER_SENT", title, sent.address, "; ".join(problems))


# -- threat model --------------------------------------------------------------

THREATS = ThreatModel(
    hops=("viewer", "CloudFront distribution", f"HTTPS with {HEADER}: <secret>", "REST API stage"),
    paths=(
        path(
            "distribution",
            "allowed",
            ("CFG_APIGW_HTTPS", "CFG_APIGW_REFERER_SENT"),
            "CloudFront sends the secret Referer; the resource policy denies execute-api:Invoke without it.",
        ),
        path(
            "internet",
            "closed",
            ("CFG_APIGW_REFERER_POLICY", "CFG_APIGW_REDEPLOY"),
            "The resource policy denies execute-api:Invoke unless aws:Referer is the current or previous secret (a "
            "request without a Referer too), on every method and stage; each change of it redeploys the stage.",
            when="demo_api",
        ),
        path(
            "internet",
            "residual",
            ("CFG_APIGW_REFERER_POLICY",),
            "cfgen writes the API's resource policy and proves it, but a resource policy acts only once the stage is "
            "redeployed, which is yours: until then the stage answers with its old policy. Closed once you redeploy "
            "after every apply that changes the policy (listed under to do).",
            when="adopted",
        ),
        path(
            "other_distribution",
            "closed",
            ("CFG_APIGW_REFERER_POLICY", "CFG_APIGW_REFERER_SENT"),
            "Another distribution does not send the secret (CloudFront overwrites a Referer a viewer sends), so the "
            "policy denies it.",
            when="demo_api",
        ),
        path(
            "other_distribution",
            "residual",
            ("CFG_APIGW_REFERER_POLICY", "CFG_APIGW_REFERER_SENT"),
            "Another distribution does not send the secret, so the policy denies it once the stage runs it: until the "
            "stage is redeployed, its old policy decides.",
            when="adopted",
        ),
        path(
            "secret_holders",
            "residual",
            ("CFG_APIGW_HTTPS",),
            "The check is a shared secret, not CloudFront's identity (IAM warns that aws:Referer protects nothing "
            "once its value is known): whoever reads it from the state, plan files, the distribution's configuration "
            "or the API's policy (apigateway:GET) calls the API directly, around the distribution's WAF, geo "
            "restriction and logs. Your application never sees the viewer's own Referer. Narrowed by HTTPS to the "
            "origin and by rotation (two values accepted); closed only by `iam_sigv4`.",
        ),
        admins(("the API's resource policy", "its deployments", "the distribution"), apigw.TEST_INVOKE),
    ),
)


def details(spec: Spec, dist: Distribution, origin: Origin) -> OriginDetails:
    assert isinstance(origin, ApiGatewayResourcePolicyOrigin)
    api = origin.api
    adopted = api.rest_api_id is not None
    todo = [
        "Rotate the Referer secret: set the new value with the old one as previous and apply (the policy accepts "
        "both, CloudFront sends the new one once deployed); then drop the previous one and apply.",
    ]
    adopted_api: tuple[Adoption, ...] = ()
    if adopted:
        assert api.rest_api_id is not None
        adopted_api = (
            apigw.policy_adoption(
                api.rest_api_id,
                "execute-api:Invoke denied unless aws:Referer is the secret",
                api.current_policy or "none",
                "an Allow of more than execute-api:Invoke, or of a NotPrincipal, fails CFG_APIGW_REFERER_POLICY; "
                "an Allow of Invoke stays bounded by the Referer Deny, which no Allow overrides.",
                apigw.kept_policy_address(dist, origin, "referer"),
            ),
        )
        todo[:0] = [
            f"Redeploy stage {api.stage} of API {api.rest_api_id} after the first apply and after every apply that "
            f"changes the policy (a rotation does): aws apigateway create-deployment --rest-api-id {api.rest_api_id} "
            f"--stage-name {api.stage}. Until then the stage answers with its old policy.",
        ]
    return OriginDetails(
        hops=(
            "viewer",
            f"CloudFront distribution {dist.name}",
            f"HTTPS with {HEADER}: <secret>",
            f"REST API {api.rest_api_id or '(demo)'}, stage {api.stage}",
        ),
        conditions=frozenset({"adopted" if adopted else "demo_api"}),
        secrets=(secret_use("Referer secret", origin.secret, also_in=("the API's resource policy (apigateway:GET)",)),),
        todo=tuple(todo),
        adopted=adopted_api,
    )


PROBES = (DISTRIBUTION, probe("internet", "execute_api"), probe("internet", "execute_api", wrong_header=HEADER))


PATTERN = Pattern(
    origin_type="api_gateway",
    protection="resource_policy",
    summary="REGIONAL REST API; CloudFront sends a secret Referer, the resource policy denies Invoke without it.",
    template="api_gateway/origin.tf.j2",
    modules=(POLICY, SECRET_MODULE),
    view=view,
    prove=prove,
    threats=THREATS,
    probes=PROBES,
    details=details,
)
