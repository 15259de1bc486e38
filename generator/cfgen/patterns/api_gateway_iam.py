"""REST API with AWS_IAM methods, signed for by a Lambda@Edge function's role alone (``iam_sigv4``).

Wiring: the ``edge-signer`` module deploys ``lambdas/edge_signer`` in
us-east-1 (through the root's ``aws.us_east_1`` provider), published, with a
role trusted by ``lambda.amazonaws.com`` and ``edgelambda.amazonaws.com``
that may invoke this API only; its configuration (the API's region, and its
host when known) is baked into the zip, since Lambda@Edge has no environment.
Every behavior that targets the origin runs it on origin requests with the
body. The ``api-gateway-policy`` module's resource policy allows
``execute-api:Invoke`` to that role and denies it to every other
``aws:PrincipalArn``. The demo API's methods are ``AWS_IAM`` and its
deployment hashes the policy; on an existing API, both are the user's.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .._hcl import Attr, Ref
from ..harness.plan import PlanView, Resource, Statement, Sym, Value, policy_statements
from ..harness.results import Finding
from ..spec import _names as names
from ..spec.api_gateway import ApiGatewayIamOrigin
from . import _api_gateway as apigw
from ._base import ModuleCall, OriginBinding, OriginView, Pattern, module_name
from ._probes import DISTRIBUTION, probe
from ._threats import Adoption, OriginDetails, ThreatModel, admins, path

if TYPE_CHECKING:
    from ..spec import Distribution, Spec
    from ..spec.models import Origin

EDGE = "edge-signer"
POLICY = "api-gateway-policy"
INVOKE = "execute-api:Invoke"
_FUNCTION = "aws_lambda_function"
_TRUSTED = {"edgelambda.amazonaws.com", "lambda.amazonaws.com"}


def view(spec: Spec, dist: Distribution, origin: Origin) -> OriginView:
    """The API (demo or existing), its role-only resource policy, and the Lambda@Edge signer."""
    assert isinstance(origin, ApiGatewayIamOrigin)
    from ..artifacts import edge_signer_config, lambda_zip

    module = module_name(dist.name, origin.id)
    edge, policy = apigw.part(module, "edge"), apigw.part(module, "policy")
    api = apigw.demo_call(
        spec,
        dist,
        origin,
        module,
        authorization="AWS_IAM",
        redeploy=Ref(f"module.{policy}.policy"),
        skips=[apigw.no_waf_skip("every method requires a SigV4 signature that only the edge function's role makes")],
    )
    # With an existing API the host is known: the function then signs for it and nothing else.
    host = None if api.call else apigw.existing_domain(origin.api.rest_api_id or "", spec.region)
    zip_path = f"artifacts/{module}/edge_signer.zip"
    edge_inputs = [
        Attr("name", names.API_EDGE_SIGNER.name(spec.project, dist.name, origin.id)),
        Attr("zip_path", Ref(f'"${{path.module}}/{zip_path}"')),
        Attr("api_id", api.api_id),
        Attr("api_region", Ref("var.region")),
    ]
    if not origin.keep_edge_function_on_destroy:
        edge_inputs.append(Attr("skip_destroy", False))
    calls = [
        *([api.call] if api.call else []),
        ModuleCall(
            name=edge,
            source=EDGE,
            comment="The Lambda@Edge signer (lambdas/edge_signer) in us-east-1: signs each origin request as its role.",
            inputs=edge_inputs,
            provider="us_east_1",
        ),
        ModuleCall(
            name=policy,
            source=POLICY,
            comment="The API's resource policy: execute-api:Invoke by the edge function's role only."
            + ("" if api.call else apigw.REPLACES),
            inputs=[
                Attr("rest_api_id", api.api_id),
                Attr("guard", "principal"),
                Attr("principal_arns", [Ref(f"module.{edge}.role_arn")]),
                *apigw.existing_api_input(api),
            ],
            keeps_policy=True,
        ),
    ]
    outputs = [
        (f"{module}_edge_function_name", f"module.{edge}.function_name", "The Lambda@Edge signer (in us-east-1)."),
        (f"{module}_edge_role_arn", f"module.{edge}.role_arn", "The only principal the API's resource policy admits."),
    ]
    if api.call is not None:
        outputs.append((f"{module}_api_id", f"module.{api.call.name}.rest_api_id", "The demo REST API's id."))
    return OriginView(
        module=module,
        inputs=(),
        distribution_origin=apigw.origin_entry(api.domain, api.stage_name, []),
        endpoints=apigw.endpoints(api),
        outputs=outputs,
        calls=calls,
        files={zip_path: lambda_zip("edge_signer", edge_signer_config(spec.region, host))},
        modules=(apigw.DEMO,) if api.call else (),
        origin_request_lambda=Ref(f"module.{edge}.qualified_arn"),
        moved=apigw.adopted_policy_moves(policy, "principal", api),
    )


# -- proofs ------------------------------------------------------------------


def prove(plan: PlanView, binding: OriginBinding) -> list[Finding]:
    """Findings that only requests the edge function signed as its role reach the API."""
    module = (apigw.part(binding.module, "edge"),)
    role = plan.one(module, "aws_iam_role")
    function = plan.one(module, _FUNCTION)
    api, missing = apigw.this_api(plan, binding)
    findings = [apigw.https_finding(plan, binding), _edge(plan, binding, function, role)]
    if api is None:
        findings.append(apigw.finding(binding, "CFG_APIGW_IAM_POLICY", "the API", binding.module, missing))
        return findings
    findings.append(_policy(plan, binding, api, role))
    findings.append(_methods(plan, binding, api))
    if api.demo is not None:
        findings.append(apigw.redeploy_finding(plan, binding, api))
    return findings


def _methods(plan: PlanView, binding: OriginBinding, api: apigw.Api) -> Finding:
    title = "every method requires AWS_IAM (a SigV4 signature)"
    methods = apigw.rest_methods(plan, api)
    problems = apigw.definition_problems(plan, api)
    if not methods and api.demo is not None:  # an existing API's own methods are not in the plan
        problems.append(f"no method of {api.label} is in the plan")
    for method in methods:
        if method.values.get("authorization") != "AWS_IAM":
            problems.append(
                f"{method.address} ({method.values.get('http_method')}) has authorization "
                f"{method.values.get('authorization')}, not AWS_IAM: the policy alone then decides"
            )
    address = apigw.methods_address(api, binding)
    return apigw.finding(binding, "CFG_APIGW_IAM_METHODS", title, address, "; ".join(problems))


def _policy(plan: PlanView, binding: OriginBinding, api: apigw.Api, role: Resource | None) -> Finding:
    title = "resource policy: Invoke allowed to the edge role only, denied to every other aws:PrincipalArn"
    check = "CFG_APIGW_IAM_POLICY"
    policies = apigw.policies_on(plan, api)
    if len(policies) != 1 or role is None:
        problem = f"{len(policies)} resource policies on {api.label}, not one" if role else "no edge role in the plan"
        return apigw.finding(binding, check, title, f"module.{binding.module}", problem)
    statements = policy_statements(plan, policies[0])
    if statements is None:
        return apigw.finding(binding, check, title, policies[0].address, "cannot read the policy")
    problem = role_only_problem(statements, Sym(role.config_address, "arn"))
    return apigw.finding(binding, check, title, policies[0].address, problem)


def role_only_problem(statements: list[Statement], role: Value) -> str:
    """Why these statements would let a principal other than ``role`` invoke the API ("" if none)."""
    allows = [s for s in statements if s.effect == "Allow"]
    if not allows:
        return "no Allow statement: the edge role could not invoke the API"
    for s in allows:
        name = f"statement '{s.sid}'" if s.sid else "an Allow statement"
        if s.not_principals or [str(a) for a in s.actions] != [INVOKE]:
            return f"{name} must allow {INVOKE} alone to listed principals"
        if s.principals != [("AWS", [role])]:
            return f"{name} allows {s.principal_text()}, not the edge role ({role}) alone"
    guards = [
        s
        for s in statements
        if s.effect == "Deny"
        and {str(a) for a in s.actions} & {INVOKE, "execute-api:*", "*"}
        and s.principals
        and all([str(i) for i in ids] == ["*"] for _, ids in s.principals)
        and len(s.conditions) == 1
    ]
    values = [v for g in guards for v in g.condition_values("StringNotEquals", "aws:PrincipalArn") or []]
    if not values:
        return (
            "no Deny of execute-api:Invoke to every aws:PrincipalArn but the edge role: any principal of the account "
            "whose identity policy allows Invoke would get in"
        )
    if values != [role]:
        return f"the Deny spares {', '.join(map(str, values))}, not the edge role alone"
    covered = {str(r) for g in guards for r in g.resources}
    for s in allows:
        if any(str(r) not in covered and "execute-api:/*" not in covered for r in s.resources):
            return "an Allow covers resources the Deny does not"
    return ""


def _edge(plan: PlanView, binding: OriginBinding, function: Resource | None, role: Resource | None) -> Finding:
    title = "every behavior of this origin runs the edge function (origin-request, with the body); it can replicate"
    check = "CFG_APIGW_IAM_EDGE"
    distribution = plan.one((binding.distribution_module,), "aws_cloudfront_distribution")
    if function is None or role is None or distribution is None:
        return apigw.finding(
            binding, check, title, f"module.{binding.module}", "no edge function, role or distribution"
        )
    problems = _function_problems(plan, function, role)
    behaviors = [distribution.values.get("default_cache_behavior") or []] + [
        [b] for b in distribution.values.get("ordered_cache_behavior") or []
    ]
    targeting = [b[0] for b in behaviors if b and b[0].get("target_origin_id") == binding.origin]
    if not targeting:
        problems.append(f"no behavior targets origin '{binding.origin}'")
    for behavior in targeting:
        where = behavior.get("path_pattern") or "default"
        associations = behavior.get("lambda_function_association") or []
        ours = [a for a in associations if a.get("event_type") == "origin-request"]
        if len(ours) != 1:
            problems.append(f"behavior {where} runs {len(ours)} origin-request functions, not the signer")
            continue
        if ours[0].get("include_body") is not True:
            problems.append(f"behavior {where} hides the body from the signer (include_body): POST/PUT would fail")
        if ours[0].get("lambda_arn") is not None:
            problems.append(f"behavior {where} runs {ours[0].get('lambda_arn')}, a fixed ARN, not this origin's signer")
    call = (plan.module_config(()) or {}).get("module_calls", {}).get(binding.distribution_module, {})
    for name in ("default_cache_behavior", "ordered_cache_behaviors"):
        used = apigw.resources_behind(plan, (), call.get("expressions", {}).get(name), _FUNCTION)
        strays = used - {function.config_address} - _other_signers(plan, binding)
        if strays:
            problems.append(f"{name} runs {', '.join(sorted(strays))}, not a signer cfgen made")
    if targeting and not any(
        function.config_address in apigw.resources_behind(plan, (), call.get("expressions", {}).get(name), _FUNCTION)
        for name in ("default_cache_behavior", "ordered_cache_behaviors")
    ):
        problems.append(f"no behavior runs {function.address}")
    return apigw.finding(binding, check, title, distribution.address, "; ".join(problems))


def _other_signers(plan: PlanView, binding: OriginBinding) -> set[str]:
    """The signers of this distribution's other iam_sigv4 origins (their behaviors share the expression)."""
    prefix = f"module.{binding.distribution_module}_"
    return {
        f.config_address
        for f in plan.resources(type=_FUNCTION)
        if f.module and f.module[0].endswith("_edge") and f.config_address.startswith(prefix)
    }


def _function_problems(plan: PlanView, function: Resource, role: Resource) -> list[str]:
    problems = []
    if function.values.get("publish") is not True:
        problems.append(f"{function.address} is not published: CloudFront takes a numbered version only")
    region = _provider_region(plan, function)
    if region != "us-east-1":
        problems.append(f"{function.address} is in {region or 'an unknown region'}, not us-east-1 (Lambda@Edge)")
    # The role's own trust policy, however it is written (a document, jsonencode, a literal): whoever it trusts
    # may sign as the edge role.
    trust = policy_statements(plan, role, "assume_role_policy")
    if trust is None:
        problems.append(f"cannot read {role.address}'s assume_role_policy: it must be known when planning")
        return problems
    allows = [s for s in trust if s.effect == "Allow"]
    trusted = {str(i) for s in allows for t, ids in s.principals if t == "Service" for i in ids}
    others = sorted({f"{t}:{i}" for s in allows for t, ids in s.principals if t != "Service" for i in ids})
    if any(s.not_principals for s in allows):
        others.append("NotPrincipal (everyone else)")
    if trusted != _TRUSTED or others:
        shown = sorted(trusted) + others
        problems.append(f"{role.address} is trusted by {shown}, not lambda and edgelambda alone")
    return problems


def _provider_region(plan: PlanView, resource: Resource) -> str:
    """The region of the provider configuration a resource uses (a module's provider passed from the root)."""
    prefix = "".join(f"module.{m}." for m in resource.module)
    config = plan.resource_config(resource.module, resource.config_address.removeprefix(prefix)) or {}
    key = str(config.get("provider_config_key", ""))
    providers = plan.raw.get("configuration", {}).get("provider_config", {})
    provider = providers.get(key) or {}
    region = provider.get("expressions", {}).get("region", {}).get("constant_value")
    return str(region) if region else ""


# -- threat model --------------------------------------------------------------

THREATS = ThreatModel(
    hops=("viewer", "CloudFront distribution", "Lambda@Edge signer (SigV4 as its role)", "HTTPS", "REST API stage"),
    paths=(
        path(
            "distribution",
            "allowed",
            ("CFG_APIGW_HTTPS", "CFG_APIGW_IAM_EDGE"),
            "The Lambda@Edge function signs each origin request (body included) with SigV4 as its role; API Gateway "
            "checks the signature, and the resource policy admits that role.",
        ),
        path(
            "internet",
            "closed",
            ("CFG_APIGW_IAM_METHODS", "CFG_APIGW_IAM_POLICY", "CFG_APIGW_REDEPLOY"),
            "Every method requires a valid SigV4 signature (AWS_IAM), and the resource policy denies every principal "
            "but the edge role; each change of it redeploys the stage.",
            when="demo_api",
        ),
        path(
            "internet",
            "residual",
            ("CFG_APIGW_IAM_POLICY", "CFG_APIGW_IAM_METHODS"),
            "cfgen writes the resource policy and proves it admits the edge role alone, but the API's methods and its "
            "deployments are yours (those the plan adds to it are judged): a policy acts only once the stage is "
            "redeployed. Closed once every method is "
            "AWS_IAM and the stage is redeployed (listed under to do).",
            when="adopted",
        ),
        path(
            "account_principals",
            "closed",
            ("CFG_APIGW_IAM_POLICY", "CFG_APIGW_REDEPLOY"),
            "In the API's own account one Allow suffices, so a principal whose identity policy allows "
            "execute-api:Invoke would get in with its own signature; the resource policy denies every "
            "aws:PrincipalArn but the edge role's.",
            when="demo_api",
        ),
        path(
            "account_principals",
            "residual",
            ("CFG_APIGW_IAM_POLICY",),
            "The resource policy denies every aws:PrincipalArn but the edge role's once the stage runs it: until "
            "you redeploy, the stage's old policy decides.",
            when="adopted",
        ),
        path(
            "other_distribution",
            "closed",
            ("CFG_APIGW_IAM_EDGE", "CFG_APIGW_IAM_POLICY"),
            "A distribution of another account can neither use this function (Lambda@Edge functions are associated "
            "in their own account only) nor sign as its role.",
        ),
        path(
            "account_distribution",
            "residual",
            ("CFG_APIGW_IAM_EDGE",),
            "A distribution of this account may be given the same function version (by whoever may update "
            "distributions and replicate the function): its requests to this API would be signed too. With an "
            "existing API the function signs for that API's host alone. Narrow it by IAM: deny "
            "lambda:EnableReplication* on this function to all but the pipeline that applies this configuration.",
        ),
        path(
            "role_holders",
            "residual",
            ("CFG_APIGW_IAM_EDGE",),
            "The edge role trusts lambda.amazonaws.com (and edgelambda) alone, as CFG_APIGW_IAM_EDGE proves, so any "
            "function given the role signs as it: whoever may pass it to a function of theirs (iam:PassRole with "
            "lambda:CreateFunction) or change the edge function's code or configuration reaches the API as "
            "CloudFront does. Narrow it by an SCP that denies iam:PassRole on the role and "
            "lambda:UpdateFunctionCode and lambda:UpdateFunctionConfiguration on the function to all but the "
            "pipeline that applies this configuration.",
        ),
        admins(
            (
                "the edge function and its role",
                "the API's resource policy, methods and deployments",
                "the distribution",
            ),
            apigw.TEST_INVOKE,
        ),
    ),
)


def details(spec: Spec, dist: Distribution, origin: Origin) -> OriginDetails:
    assert isinstance(origin, ApiGatewayIamOrigin)
    api = origin.api
    adopted = api.rest_api_id is not None
    function = names.API_EDGE_SIGNER.name(spec.project, dist.name, origin.id)
    todo = [
        "Whoever applies needs lambda:GetFunction, lambda:EnableReplication* and iam:CreateServiceLinkedRole "
        "(Lambda@Edge replicates the function).",
        "Request bodies over 1 MB cannot be signed (CloudFront truncates them for the function): they get 413.",
    ]
    if origin.keep_edge_function_on_destroy:
        todo.append(
            f"After `destroy`, the function {function} stays in us-east-1 (CloudFront deletes its replicas hours "
            "after the distribution stops using it, and until then Lambda refuses to delete it): then run aws lambda "
            f"delete-function --region us-east-1 --function-name {function}."
        )
    adopted_api: tuple[Adoption, ...] = ()
    if adopted:
        assert api.rest_api_id is not None
        todo[:0] = [
            f"Set authorization AWS_IAM on every method of API {api.rest_api_id}, then redeploy stage {api.stage} "
            f"(aws apigateway create-deployment --rest-api-id {api.rest_api_id} --stage-name {api.stage}) after the "
            "first apply and after every apply that changes the resource policy.",
        ]
        adopted_api = (
            apigw.policy_adoption(
                api.rest_api_id,
                "execute-api:Invoke by the edge function's role only, denied to every other aws:PrincipalArn",
                api.current_policy or "none",
                "an Allow to any principal but the edge role fails CFG_APIGW_IAM_POLICY (cfgen's Deny would "
                "refuse that principal anyway).",
                apigw.kept_policy_address(dist, origin, "principal"),
            ),
        )
    return OriginDetails(
        hops=(
            "viewer",
            f"CloudFront distribution {dist.name}",
            f"Lambda@Edge {function} (SigV4 as its role)",
            "HTTPS",
            f"REST API {api.rest_api_id or '(demo)'}, stage {api.stage}",
        ),
        conditions=frozenset({"adopted" if adopted else "demo_api"}),
        todo=tuple(todo),
        adopted=adopted_api,
    )


PROBES = (DISTRIBUTION, probe("internet", "execute_api"))


PATTERN = Pattern(
    origin_type="api_gateway",
    protection="iam_sigv4",
    summary="REGIONAL REST API with AWS_IAM methods; a Lambda@Edge function signs as the only role the policy admits.",
    template="api_gateway/origin.tf.j2",
    modules=(EDGE, POLICY),
    view=view,
    prove=prove,
    threats=THREATS,
    probes=PROBES,
    details=details,
)
