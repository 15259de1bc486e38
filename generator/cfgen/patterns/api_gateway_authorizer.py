"""REST or HTTP API whose every method or route runs a Lambda authorizer on CloudFront's secret (``authorizer``).

Wiring: an ``origin-secret`` call reads the secret for CloudFront's header;
the ``lambda-authorizer`` module deploys ``lambdas/origin_authorizer`` (zipped
at render time), creates the REQUEST authorizer on the API (REST: payload
1.0, a policy for the whole stage; HTTP: payload 2.0 with simple responses)
and lets API Gateway invoke the function as that authorizer only. The
function reads the current and previous secret from Secrets Manager or SSM at
cold start, or from its environment when the spec says so. The demo API's
every method (REST) or route, ``$default`` included (HTTP), uses the
authorizer; on an existing API, attaching it is the user's.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .._hcl import Attr, Ref
from ..harness.plan import Const, PlanView, Resource
from ..harness.results import Finding
from ..spec import _names as names
from ..spec._secrets import SecretsManagerSecret, SsmSecret
from ..spec.api_gateway import ApiGatewayAuthorizerOrigin
from . import _api_gateway as apigw
from ._base import ModuleCall, OriginBinding, OriginView, Pattern, module_name
from ._network import source
from ._probes import DISTRIBUTION, probe
from ._secret import MODULE as SECRET_MODULE
from ._secret import secret_call, secret_use
from ._threats import Adoption, OriginDetails, ThreatModel, admins, path

if TYPE_CHECKING:
    from ..spec import Distribution, Spec
    from ..spec.models import Origin

HEADER = "X-Origin-Verify"
AUTHORIZER = "lambda-authorizer"
_FUNCTION = "aws_lambda_function"
_REST = "aws_api_gateway_authorizer"
_HTTP = "aws_apigatewayv2_authorizer"
_DEFAULT_TTL = 300
_DEFAULT_CACHE = 60


def view(spec: Spec, dist: Distribution, origin: Origin) -> OriginView:
    """The secret's call, the authorizer (function, permission), and the API whose methods or routes use it."""
    assert isinstance(origin, ApiGatewayAuthorizerOrigin)
    from ..artifacts import lambda_zip

    module = module_name(dist.name, origin.id)
    secret = secret_call(f"{module}_origin_verify", origin.secret, f"{HEADER} secret of {dist.name}/{origin.id}")
    authorizer = apigw.part(module, "authorizer")
    authorizer_id = Ref(f"module.{authorizer}.authorizer_id")
    files: dict[str, str | bytes] = {f"artifacts/{module}/origin_authorizer.zip": lambda_zip("origin_authorizer")}
    kind = origin.api.kind
    if kind == "rest":
        api = apigw.demo_call(
            spec,
            dist,
            origin,
            module,
            authorization="CUSTOM",
            authorizer_id=authorizer_id,
            skips=[apigw.no_waf_skip("every method runs the authorizer on the secret header")],
        )
    elif origin.api.create_demo:
        api = apigw.http_demo_call(spec, dist, origin, module, authorizer_id)
        files[f"artifacts/{module}/demo_api.zip"] = lambda_zip("demo_api")
    else:
        api_id, stage = origin.api.http_api_id or "", origin.api.stage_name
        api = apigw.ApiRefs(None, api_id, stage, stage, apigw.existing_domain(api_id, spec.region))
    inputs = [
        Attr("name", names.API_AUTHORIZER.name(spec.project, dist.name, origin.id)),
        Attr("zip_path", Ref(f'"${{path.module}}/artifacts/{module}/origin_authorizer.zip"')),
        Attr("region", Ref("var.region")),
        Attr("api_type", kind),
        Attr("api_id", api.api_id),
        Attr("header_name", HEADER),
        *_secret_inputs(origin, secret.values),
    ]
    if origin.authorizer.result_ttl_seconds != _DEFAULT_TTL:
        inputs.append(Attr("result_ttl_seconds", origin.authorizer.result_ttl_seconds))
    if origin.authorizer.secret_cache_seconds != _DEFAULT_CACHE:
        inputs.append(Attr("secret_cache_seconds", origin.authorizer.secret_cache_seconds))
    if origin.secret_in_environment:
        environment = (
            "The environment holds the secret (secret_from: environment), encrypted at rest with Lambda's AWS managed "
            "key; a customer managed key would not hide it from lambda:GetFunctionConfiguration, which decrypts. "
            "Keep the secret in Secrets Manager or SSM (secret_from: store) to take it out of the environment."
        )
    else:
        environment = "The environment holds the secret's name, not its value; Lambda encrypts it at rest."
    calls = [
        ModuleCall(
            name=authorizer,
            source=AUTHORIZER,
            checkov_skips=[("CKV_AWS_173", environment)],
            comment=f"The Lambda REQUEST authorizer on {HEADER} (lambdas/origin_authorizer), invoked only as this "
            "authorizer.",
            inputs=inputs,
        ),
        *([api.call] if api.call else []),
    ]
    outputs = [
        (
            f"{module}_authorizer_id",
            f"module.{authorizer}.authorizer_id",
            f"Authorizer of {dist.name}/{origin.id}: every method or route of the API must use it.",
        ),
        (
            f"{module}_authorizer_role_arn",
            f"module.{authorizer}.role_arn",
            "Execution role of the authorizer (grant it kms:Decrypt when the secret's key is customer managed).",
        ),
    ]
    if api.call is not None:
        outputs.append(
            (
                f"{module}_api_id",
                f"module.{api.call.name}.{'rest_' if kind == 'rest' else ''}api_id",
                "The demo API's id.",
            )
        )
    demo = () if api.call is None else (apigw.DEMO,) if kind == "rest" else (apigw.HTTP_DEMO,)
    return OriginView(
        module=module,
        inputs=(),
        distribution_origin=apigw.origin_entry(api.domain, api.stage_name, [(HEADER, secret.current)]),
        endpoints=apigw.endpoints(api),
        outputs=outputs,
        secrets=[secret],
        calls=calls,
        files=files,
        modules=demo,
    )


def _secret_inputs(origin: ApiGatewayAuthorizerOrigin, values: Ref) -> list[Attr]:
    if origin.secret_in_environment:
        return [Attr("secret_source", "environment"), Attr("secret_values", values)]
    if isinstance(origin.secret, SecretsManagerSecret):
        return [Attr("secret_source", "secrets_manager"), Attr("secret_id", origin.secret.secret_id)]
    assert isinstance(origin.secret, SsmSecret)
    return [Attr("secret_source", "ssm"), Attr("parameter_name", origin.secret.parameter)]


# -- proofs ------------------------------------------------------------------


def prove(plan: PlanView, binding: OriginBinding) -> list[Finding]:
    """Findings that only requests carrying the secret this distribution sends get past the authorizer."""
    module = (apigw.part(binding.module, "authorizer"),)
    function = plan.one(module, _FUNCTION)
    authorizers = plan.resources(module=module, type=_REST) + plan.resources(module=module, type=_HTTP)
    authorizer = authorizers[0] if len(authorizers) == 1 else None
    api, missing = apigw.this_api(plan, binding)
    findings = [
        apigw.https_finding(plan, binding),
        _secret(plan, binding, function, authorizer),
        _permission(plan, binding, function, authorizer),
    ]
    if api is not None:
        findings.append(_methods(plan, binding, api, authorizer))
    else:
        findings.append(apigw.finding(binding, "CFG_APIGW_AUTHORIZER_METHODS", "the API", binding.module, missing))
    return findings


def _methods(plan: PlanView, binding: OriginBinding, api: apigw.Api, authorizer: Resource | None) -> Finding:
    title = "every method and route ($default too) runs this authorizer"
    check = "CFG_APIGW_AUTHORIZER_METHODS"
    address = apigw.methods_address(api, binding)
    if authorizer is None:
        return apigw.finding(binding, check, title, address, "no authorizer of this origin in the plan")
    if api.kind == "rest":
        items, kind_attr, type_ = apigw.rest_methods(plan, api), "authorization", _REST
    else:
        items = [r for r in plan.resources(type="aws_apigatewayv2_route") if api.may_be(source(plan, r, "api_id"))]
        kind_attr, type_ = "authorization_type", _HTTP
    problems = apigw.definition_problems(plan, api)
    if not items and api.demo is not None:  # an existing API's own methods and routes are not in the plan
        problems.append(f"no method or route of {api.label} is in the plan")
    for item in items:
        name = item.values.get("http_method") or item.values.get("route_key")
        if item.values.get(kind_attr) != "CUSTOM":
            problems.append(f"{item.address} ({name}) has {kind_attr} {item.values.get(kind_attr)}, not CUSTOM: anyone")
            continue
        used = apigw.resources_behind(plan, item.module, apigw.expressions(plan, item).get("authorizer_id"), type_)
        if used != {authorizer.config_address}:
            shown = ", ".join(sorted(used)) or "an authorizer cfgen cannot follow"
            problems.append(f"{item.address} ({name}) runs {shown}, not {authorizer.config_address}")
    return apigw.finding(binding, check, title, address, "; ".join(problems))


def _permission(
    plan: PlanView, binding: OriginBinding, function: Resource | None, authorizer: Resource | None
) -> Finding:
    title = "API Gateway may invoke the function as this authorizer only (source_arn)"
    check = "CFG_APIGW_AUTHORIZER_PERMISSION"
    if function is None or authorizer is None:
        return apigw.finding(binding, check, title, f"module.{binding.module}", "no authorizer function or authorizer")
    permissions = [
        p
        for p in plan.resources(type="aws_lambda_permission")
        if function.config_address
        in apigw.resources_behind(plan, p.module, apigw.expressions(plan, p).get("function_name"), _FUNCTION)
    ]
    problems = [] if permissions else [f"no permission lets API Gateway invoke {function.address}: every call fails"]
    for permission in permissions:
        values = permission.values
        if values.get("principal") != "apigateway.amazonaws.com" or values.get("action") != "lambda:InvokeFunction":
            problems.append(f"{permission.address} grants {values.get('action')} to {values.get('principal')}")
            continue
        expression = apigw.expressions(plan, permission).get("source_arn")
        if permission.known("source_arn") and not values.get("source_arn"):
            problems.append(f"{permission.address} has no source_arn: any API of any account may invoke the function")
            continue
        scoped = {
            a for type_ in (_REST, _HTTP) for a in apigw.resources_behind(plan, permission.module, expression, type_)
        }
        if scoped != {authorizer.config_address}:
            problems.append(
                f"{permission.address}'s source_arn is not this authorizer's ARN "
                f"(it names {', '.join(sorted(scoped)) or 'no authorizer'}): other methods or APIs may invoke it"
            )
    return apigw.finding(binding, check, title, function.address, "; ".join(problems))


def _secret(plan: PlanView, binding: OriginBinding, function: Resource | None, authorizer: Resource | None) -> Finding:
    title = f"the authorizer is the function on {HEADER}, which admits the secret CloudFront sends, and only it"
    check = "CFG_APIGW_AUTHORIZER_SECRET"
    literals = plan.configured_strings()
    sent = apigw.sent_header(plan, binding, HEADER, literals)
    problems = list(sent.problems)
    if function is None or authorizer is None:
        return apigw.finding(binding, check, title, sent.address, "no authorizer function or authorizer")
    problems += _authorizer_problems(plan, authorizer, function)
    # Read value by value: the environment is partly unknown when it holds a secret read at apply.
    env = (function.values.get("environment") or [{}])[0].get("variables") or {}
    if str(env.get("HEADER_NAME", "")).lower() != HEADER.lower():
        problems.append(f"the function checks {env.get('HEADER_NAME')!r}, not {HEADER}")
    source_ = env.get("SECRET_SOURCE")
    if source_ == "environment":
        problems += _environment_problems(function, env, sent.value, literals)
    elif source_ in ("secrets_manager", "ssm"):
        problems += _store_problems(plan, binding, env, source_)
    else:
        problems.append(f"the function's SECRET_SOURCE is {source_!r}")
    return apigw.finding(binding, check, title, authorizer.address, "; ".join(problems))


def _authorizer_problems(plan: PlanView, authorizer: Resource, function: Resource) -> list[str]:
    values, problems = authorizer.values, []
    uri = apigw.resources_behind(
        plan, authorizer.module, apigw.expressions(plan, authorizer).get("authorizer_uri"), _FUNCTION
    )
    if uri != {function.config_address}:
        problems.append(
            f"{authorizer.address} calls {', '.join(sorted(uri)) or 'another function'}, not {function.address}"
        )
    if authorizer.type == _REST:
        if values.get("type") != "REQUEST":
            problems.append(f"{authorizer.address} is {values.get('type')}, not REQUEST")
        identity = str(values.get("identity_source") or "")
        if identity.lower() != f"method.request.header.{HEADER}".lower():
            problems.append(f"{authorizer.address} caches on {identity!r}, not the {HEADER} header")
        return problems
    if values.get("authorizer_type") != "REQUEST":
        problems.append(f"{authorizer.address} is {values.get('authorizer_type')}, not REQUEST")
    if values.get("authorizer_payload_format_version") != "2.0" or values.get("enable_simple_responses") is not True:
        problems.append(f"{authorizer.address} must use payload 2.0 with simple responses (what the function answers)")
    identities = [str(i).lower() for i in values.get("identity_sources") or []]
    if identities != [f"$request.header.{HEADER.lower()}"]:
        problems.append(f"{authorizer.address} caches on {identities}, not the {HEADER} header alone")
    return problems


def _environment_problems(function: Resource, env: dict[str, Any], sent: str | None, literals: set[str]) -> list[str]:
    accepted = [env.get(k) for k in ("ORIGIN_SECRET", "ORIGIN_SECRET_PREVIOUS") if env.get(k)]
    problems = []
    for key in ("ORIGIN_SECRET", "ORIGIN_SECRET_PREVIOUS"):
        if env.get(key) and not function.is_sensitive("environment", 0, "variables", key):
            problems.append(f"the function's {key} is not sensitive in the plan, so it was written in the code")
        elif env.get(key) in literals:
            problems.append(f"the function's {key} is written in the configuration: a leaked secret")
    if not accepted:
        problems.append("the function's ORIGIN_SECRET is empty: it would refuse every request")
    elif sent is None or sent not in accepted:
        problems.append(f"CloudFront sends an {HEADER} value the function does not accept: every request is refused")
    return problems


def _store_problems(plan: PlanView, binding: OriginBinding, env: dict[str, Any], source_: str) -> list[str]:
    """The function reads the store CloudFront's header is read from."""
    key, argument = (
        ("SECRET_ID", "secret_id") if source_ == "secrets_manager" else ("SECRET_PARAMETER", "parameter_name")
    )
    call = (plan.module_config(()) or {}).get("module_calls", {}).get(f"{binding.module}_origin_verify", {})
    read = plan.values_of((), call.get("expressions", {}).get(argument))
    if read != [Const(env.get(key))]:
        shown = ", ".join(map(str, read))
        return [f"the function reads {env.get(key)!r}, but CloudFront's header comes from {shown or 'elsewhere'}"]
    return []


# -- threat model --------------------------------------------------------------

THREATS = ThreatModel(
    hops=("viewer", "CloudFront distribution", f"HTTPS with {HEADER}: <secret>", "Lambda authorizer", "API stage"),
    paths=(
        path(
            "distribution",
            "allowed",
            ("CFG_APIGW_HTTPS", "CFG_APIGW_AUTHORIZER_SECRET", "CFG_APIGW_AUTHORIZER_PERMISSION"),
            f"CloudFront sends the secret {HEADER}; the authorizer (which API Gateway may invoke as this authorizer "
            "only) allows the current or previous secret, compared in constant time.",
        ),
        path(
            "internet",
            "closed",
            ("CFG_APIGW_AUTHORIZER_METHODS", "CFG_APIGW_AUTHORIZER_SECRET"),
            "Every method (REST) or route, $default included (HTTP), runs the authorizer; without the header API "
            "Gateway answers 401 without calling it, and with a wrong value the authorizer denies. A cached answer "
            "covers the whole API (REST: a policy for the stage; HTTP: a simple response).",
            when="demo_api",
        ),
        path(
            "internet",
            "residual",
            ("CFG_APIGW_AUTHORIZER_SECRET", "CFG_APIGW_AUTHORIZER_METHODS"),
            "cfgen creates the authorizer on the API, but the API's methods and routes are not in the plan (those the "
            "plan adds to it are judged): one that does not use the authorizer answers anyone. Closed once every "
            "method (authorization CUSTOM) or route "
            "($default too) uses it and the stage is redeployed (listed under to do); `waf_header` covers every "
            "method of a REST stage without a redeploy.",
            when="adopted",
        ),
        path(
            "other_distribution",
            "closed",
            ("CFG_APIGW_AUTHORIZER_SECRET",),
            f"Another distribution does not send the secret (CloudFront overwrites an {HEADER} a viewer sends), so "
            "the authorizer denies it.",
            when="demo_api",
        ),
        path(
            "other_distribution",
            "residual",
            ("CFG_APIGW_AUTHORIZER_SECRET",),
            "Another distribution does not send the secret, so the authorizer denies it, on the methods and routes "
            "that use the authorizer (see the path above).",
            when="adopted",
        ),
        path(
            "secret_holders",
            "residual",
            ("CFG_APIGW_HTTPS",),
            "The check is a shared secret, not CloudFront's identity: whoever reads it from the state, plan files, "
            "the distribution's configuration or its store (or the function's environment, with "
            "`secret_from: environment`: lambda:GetFunctionConfiguration) calls the API directly, around the "
            "distribution's WAF, geo restriction and logs. A value dropped by a rotation is still admitted for the "
            "authorizer's result TTL. Narrowed by HTTPS to the origin and by rotation; closed only by `iam_sigv4`.",
        ),
        admins(
            ("the authorizer and its function", "the API's methods or routes", "the distribution"), apigw.TEST_INVOKE
        ),
    ),
)


def details(spec: Spec, dist: Distribution, origin: Origin) -> OriginDetails:
    assert isinstance(origin, ApiGatewayAuthorizerOrigin)
    api = origin.api
    adopted = api.api_id is not None
    ttl = origin.authorizer.result_ttl_seconds
    todo = [
        f"Rotate the secret: set the new value with the old one as previous and apply; once the distribution is "
        f"deployed and {ttl} s (the authorizer's result TTL) have passed, drop the previous one and apply.",
    ]
    also = (
        ["the authorizer function's environment (lambda:GetFunctionConfiguration)"]
        if (origin.secret_in_environment)
        else []
    )
    if not origin.secret_in_environment:
        todo.append(
            "When the secret is encrypted with a customer managed KMS key, grant kms:Decrypt on it to the "
            "authorizer's role (output *_authorizer_role_arn)."
        )
    if adopted and api.kind == "rest":
        todo.insert(
            0,
            f"On every method of API {api.api_id}, set authorization CUSTOM with the authorizer (output "
            f"*_authorizer_id), then redeploy stage {api.stage_name}: until then a method without it answers anyone.",
        )
    elif adopted:
        todo.insert(
            0,
            f"On every route of HTTP API {api.api_id}, $default included, set authorization_type CUSTOM with the "
            f"authorizer (output *_authorizer_id); deploy stage {api.stage_name} unless it deploys automatically. "
            "Until then a route without it answers anyone.",
        )
    return OriginDetails(
        hops=(
            "viewer",
            f"CloudFront distribution {dist.name}",
            f"HTTPS with {HEADER}: <secret>",
            "Lambda REQUEST authorizer",
            f"{api.kind.upper()} API {api.api_id or '(demo)'}, stage {api.stage_name}",
        ),
        conditions=frozenset({"adopted" if adopted else "demo_api"}),
        secrets=(secret_use(f"{HEADER} secret", origin.secret, also_in=tuple(also)),),
        todo=tuple(todo),
        adopted=_adoption(spec, dist, origin),
    )


def _adoption(spec: Spec, dist: Distribution, origin: ApiGatewayAuthorizerOrigin) -> tuple[Adoption, ...]:
    """What cfgen adds to an existing API (an authorizer), and what destroy does with it."""
    api = origin.api
    if api.api_id is None:
        return ()
    uses = "method (authorization CUSTOM)" if api.kind == "rest" else "route (authorization_type CUSTOM)"
    return (
        Adoption(
            f"{api.kind.upper()} API {api.api_id}",
            (
                f"An authorizer {names.API_AUTHORIZER.name(spec.project, dist.name, origin.id)} (REQUEST, on "
                f"{HEADER}), with its function and role, and a permission for this API to invoke it.",
                f"Its {'methods' if api.kind == 'rest' else 'routes'}, stages, other authorizers and resource policy "
                "stay as they are: making each use the authorizer is yours (listed under to do).",
            ),
            "Removed: destroy deletes the authorizer, its function and role. API Gateway refuses to delete an "
            f"authorizer that a {uses} still uses (ConflictException), so destroy stops there until you set those "
            "back to the authorization you want: nothing of yours is left calling a deleted authorizer.",
        ),
    )


PROBES = (DISTRIBUTION, probe("internet", "execute_api"), probe("internet", "execute_api", wrong_header=HEADER))


PATTERN = Pattern(
    origin_type="api_gateway",
    protection="authorizer",
    summary="REST or HTTP API; CloudFront sends a secret header, a Lambda REQUEST authorizer on each method checks it.",
    template="api_gateway/origin.tf.j2",
    modules=(AUTHORIZER, SECRET_MODULE),
    view=view,
    prove=prove,
    threats=THREATS,
    probes=PROBES,
    details=details,
)
