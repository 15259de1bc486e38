"""REST API whose every method requires an API key only CloudFront sends (``api_gateway`` + ``api_key``).

Wiring: the ``api-gateway-keys`` module creates one usage plan for this
distribution and API (a key valid in a plan opens every API of that plan, so
the plan covers this stage alone), one or two API keys whose values API
Gateway generates (two during a rotation), and attaches them. CloudFront
sends one of them as ``x-api-key``. The demo API (``api-gateway-demo``)
requires a key on every method; an OPTIONS preflight is keyless only when the
spec turns CORS on. On an existing API, setting ``api_key_required`` on its
methods and redeploying are the user's: ``explain`` says so, and keeps that
path residual.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .._hcl import Attr, Ref
from ..harness.plan import Const, PlanView, Resource, Sym, Value
from ..harness.results import Finding
from ..spec import _names as names
from ..spec.api_gateway import ApiGatewayApiKeyOrigin
from . import _api_gateway as apigw
from ._base import ModuleCall, OriginBinding, OriginView, Pattern, module_name
from ._network import source
from ._probes import DISTRIBUTION, probe
from ._threats import Adoption, OriginDetails, SecretUse, ThreatModel, admins, path

if TYPE_CHECKING:
    from ..spec import Distribution, Spec
    from ..spec.models import Origin

HEADER = "x-api-key"
KEYS = "api-gateway-keys"
_PLAN = "aws_api_gateway_usage_plan"
_KEY = "aws_api_gateway_api_key"


def view(spec: Spec, dist: Distribution, origin: Origin) -> OriginView:
    """The demo API (or the existing one's id), the usage plan and its keys, and the origin sending one key."""
    assert isinstance(origin, ApiGatewayApiKeyOrigin)
    module = module_name(dist.name, origin.id)
    api = apigw.demo_call(
        spec,
        dist,
        origin,
        module,
        api_key_required=True,
        cors=origin.cors,
        skips=[
            apigw.no_waf_skip("every method requires the API key CloudFront sends (CFG_APIGW_KEY_METHODS)"),
        ],
    )
    keys = apigw.part(module, "keys")
    inputs = [
        Attr("name", names.API_USAGE_PLAN.name(spec.project, dist.name, origin.id)),
        Attr("rest_api_id", api.api_id),
        Attr("stage_name", api.stage),
        Attr("key_names", list(origin.api_keys.generations)),
    ]
    if origin.api_keys.throttle is not None:
        throttle = origin.api_keys.throttle
        inputs.append(Attr("throttle", {"rate_limit": throttle.rate_limit, "burst_limit": throttle.burst_limit}))
    if origin.api_keys.quota is not None:
        inputs.append(Attr("quota", {"limit": origin.api_keys.quota.limit, "period": origin.api_keys.quota.period}))
    calls = [
        *([api.call] if api.call else []),
        ModuleCall(
            name=keys,
            source=KEYS,
            comment="The usage plan of this stage alone, and the API keys CloudFront sends (values API Gateway "
            "generates).",
            inputs=inputs,
        ),
    ]
    sent = Ref(f'module.{keys}.values["{origin.api_keys.sent}"]')
    outputs = [
        (f"{module}_usage_plan_id", f"module.{keys}.usage_plan_id", f"Usage plan of {dist.name}/{origin.id}'s keys."),
        (f"{module}_api_key_ids", f"module.{keys}.key_ids", "Ids of the API keys, by generation (never their values)."),
    ]
    if api.call is not None:
        outputs.append((f"{module}_api_id", f"module.{api.call.name}.rest_api_id", "The demo REST API's id."))
    return OriginView(
        module=module,
        inputs=(),
        distribution_origin=apigw.origin_entry(api.domain, api.stage_name, [(HEADER, sent)]),
        endpoints=apigw.endpoints(api),
        outputs=outputs,
        calls=calls,
        modules=(apigw.DEMO,) if api.call else (),
    )


# -- proofs ------------------------------------------------------------------


def prove(plan: PlanView, binding: OriginBinding) -> list[Finding]:
    """Findings that only requests carrying a key of this origin's usage plan reach its API."""
    api, missing = apigw.this_api(plan, binding)
    findings = [apigw.https_finding(plan, binding)]
    if api is None:
        address = f"module.{binding.module}"
        for check in ("CFG_APIGW_KEY_PLAN", "CFG_APIGW_KEY_SENT"):
            findings.append(apigw.finding(binding, check, "the API of this origin", address, missing))
        return findings
    usage_plan, plan_finding = _usage_plan(plan, binding, api)
    findings += [plan_finding, _sent(plan, binding, usage_plan)]
    findings.append(_methods(plan, binding, api))
    return findings


def _methods(plan: PlanView, binding: OriginBinding, api: apigw.Api) -> Finding:
    """Every method of the API requires a key from the x-api-key header (the CORS preflight aside).

    An existing API's own methods are not in the plan (a residual path); those
    the plan adds to it are judged.
    """
    title = "every method requires an API key from x-api-key (a keyless OPTIONS preflight only with CORS on)"
    check = "CFG_APIGW_KEY_METHODS"
    problems = apigw.definition_problems(plan, api)
    if api.demo is not None and api.demo.values.get("api_key_source") not in (None, "HEADER"):
        problems.append(
            f"{api.demo.address} reads keys from {api.demo.values.get('api_key_source')}, not the x-api-key header"
        )
    cors = api.demo is not None and plan.resolve(api.demo.module, "var.cors") == [Const(True)]
    methods = apigw.rest_methods(plan, api)
    if not methods and api.demo is not None:
        problems.append(f"no method of {api.label} is in the plan")
    for method in methods:
        if method.values.get("api_key_required") is True:
            continue
        verb = method.values.get("http_method")
        if verb == "OPTIONS" and cors and _answered_by_mock(plan, api, method):
            continue
        why = "" if verb != "OPTIONS" else " (a keyless preflight needs cors on and a MOCK integration)"
        problems.append(f"{method.address} ({verb}) does not require an API key{why}: anyone may call it")
    return apigw.finding(binding, check, title, apigw.methods_address(api, binding), "; ".join(problems))


def _answered_by_mock(plan: PlanView, api: apigw.Api, method: Resource) -> bool:
    integrations = [
        i
        for i in plan.resources(type="aws_api_gateway_integration")
        if api.may_be(source(plan, i, "rest_api_id"))
        and i.values.get("http_method") == method.values.get("http_method")
    ]
    return bool(integrations) and all(i.values.get("type") == "MOCK" for i in integrations)


def _usage_plan(plan: PlanView, binding: OriginBinding, api: apigw.Api) -> tuple[Resource | None, Finding]:
    """The origin's usage plan covers this API's stage alone, holds only cfgen's keys, and is the stage's only one."""
    title = "one usage plan for this stage alone, holding only the keys cfgen creates"
    check = "CFG_APIGW_KEY_PLAN"
    module = (apigw.part(binding.module, "keys"),)
    ours = plan.one(module, _PLAN)
    address = ours.address if ours is not None else f"module.{module[0]}"
    if ours is None:
        return None, apigw.finding(binding, check, title, address, f"no usage plan in module.{module[0]}")
    problems = []
    stages = _stages(plan, ours)
    if len(stages) != 1:
        problems.append(
            f"{ours.address} covers {len(stages)} API stages: a key valid in a plan opens every API of it, so it must "
            "cover this stage alone"
        )
    for api_id, stage in stages:
        if not api.names_it(api_id):
            problems.append(f"{ours.address} covers API {', '.join(map(str, api_id))}, not {api.label}")
        elif api.stage is not None and stage != [api.stage]:
            problems.append(f"{ours.address} covers stage {', '.join(map(str, stage))}, not {api.stage}")
    for other in plan.resources(type=_PLAN):
        if other.address != ours.address and any(api.may_be(i) for i, _ in _stages(plan, other)):
            problems.append(f"{other.address} also covers {api.label}: its keys would open it too")
    keys = {k.config_address for k in plan.resources(module=module, type=_KEY)}
    attached = _attached(plan, ours)
    if not attached:
        problems.append(f"no API key is attached to {ours.address}: CloudFront's key would be refused")
    for key, sources in attached:
        if not sources or not sources <= keys:
            shown = ", ".join(sorted(sources)) or "an unknown key"
            problems.append(f"{key.address} attaches {shown}, not a key of module.{module[0]}: it would open the API")
    return ours, apigw.finding(binding, check, title, ours.address, "; ".join(problems))


def _attached(plan: PlanView, usage_plan: Resource) -> list[tuple[Resource, set[str]]]:
    """Each usage plan key of ``usage_plan``, with the API keys its ``key_id`` comes from (addresses or ids).

    Terraform names ``aws_x.y[each.key].id`` only as ``aws_x.y`` (and ``each.key``), so
    a reference is read as the address of the resource it names.
    """
    found = []
    for key in plan.resources(type="aws_api_gateway_usage_plan_key"):
        if not any(
            isinstance(u, Sym) and u.address == usage_plan.config_address for u in source(plan, key, "usage_plan_id")
        ):
            continue
        if key.known("key_id") and key.values.get("key_id"):
            found.append((key, {f"key id {key.values['key_id']}"}))
            continue
        found.append((key, apigw.resources_behind(plan, key.module, apigw.expressions(plan, key).get("key_id"), _KEY)))
    return found


def _stages(plan: PlanView, usage_plan: Resource) -> list[tuple[list[Value], list[Value]]]:
    """(API id, stage) of each api_stages block of a usage plan: planned, or from its configuration."""
    planned = usage_plan.values.get("api_stages") or []
    if planned and not _unknown(usage_plan.unknown.get("api_stages")):
        return [([Const(s.get("api_id"))], [Const(s.get("stage"))]) for s in planned]
    blocks = apigw.expressions(plan, usage_plan).get("api_stages") or []
    return [
        (plan.values_of(usage_plan.module, b.get("api_id")), plan.values_of(usage_plan.module, b.get("stage")))
        for b in blocks
    ]


def _unknown(marks: Any) -> bool:
    """Whether any part of an after_unknown tree is unknown."""
    if isinstance(marks, dict):
        return any(_unknown(v) for v in marks.values())
    if isinstance(marks, list):
        return any(_unknown(v) for v in marks)
    return marks is True


def _sent(plan: PlanView, binding: OriginBinding, usage_plan: Resource | None) -> Finding:
    """CloudFront sends one x-api-key, a key of this origin's usage plan, never a value written in the code."""
    title = "CloudFront sends x-api-key: a key of this usage plan, generated by API Gateway"
    check = "CFG_APIGW_KEY_SENT"
    sent = apigw.sent_header(plan, binding, HEADER, plan.configured_strings())
    problems = list(sent.problems)
    if not problems and sent.value is not None:
        problems.append(
            "the x-api-key value is known at plan, so it is not a key API Gateway generates: it was set in the code"
        )
    if not problems:
        module = (apigw.part(binding.module, "keys"),)
        ours = {k.config_address for k in plan.resources(module=module, type=_KEY)}
        held = _held_by(plan, usage_plan) if usage_plan is not None else set()
        call = (plan.module_config(()) or {}).get("module_calls", {}).get(binding.distribution_module, {})
        sent_keys = apigw.resources_behind(plan, (), call.get("expressions", {}).get("origins"), _KEY)
        if not sent_keys & ours & held:
            problems.append(
                f"the distribution's origins send no key of module.{module[0]} attached to its usage plan: "
                "CloudFront's requests would be refused, or carry a key cfgen does not control"
            )
        stray = sent_keys - {k for u in plan.resources(type=_PLAN) for k in _held_by(plan, u)}
        if stray:
            problems.append(f"the distribution sends {', '.join(sorted(stray))}, which no usage plan holds")
    return apigw.finding(binding, check, title, sent.address, "; ".join(problems))


def _held_by(plan: PlanView, usage_plan: Resource) -> set[str]:
    """Addresses of the API keys attached to ``usage_plan``."""
    return {address for _, sources in _attached(plan, usage_plan) for address in sources}


# -- threat model --------------------------------------------------------------

THREATS = ThreatModel(
    hops=("viewer", "CloudFront distribution", f"HTTPS with {HEADER}: <API key>", "REST API stage"),
    paths=(
        path(
            "distribution",
            "allowed",
            ("CFG_APIGW_HTTPS", "CFG_APIGW_KEY_SENT"),
            "CloudFront sends an API key of the usage plan that covers this stage; API Gateway checks it before any "
            "method runs.",
        ),
        path(
            "internet",
            "closed",
            ("CFG_APIGW_KEY_METHODS", "CFG_APIGW_KEY_PLAN"),
            "Every method requires a key from x-api-key (a CORS preflight, when the spec turns CORS on, answers from a "
            "mock); a request without a key of the usage plan gets 403.",
            when="demo_api",
        ),
        path(
            "internet",
            "residual",
            ("CFG_APIGW_KEY_PLAN", "CFG_APIGW_KEY_METHODS"),
            "The API's methods are not in the plan: cfgen cannot prove that each requires a key, and a method "
            "without api_key_required answers anyone (those the plan adds to it are judged). Closed once every method "
            "requires a key and the stage is "
            "redeployed (listed under to do); `protection: waf_header` covers every method without a redeploy.",
            when="adopted",
        ),
        path(
            "other_distribution",
            "closed",
            ("CFG_APIGW_KEY_SENT", "CFG_APIGW_KEY_PLAN"),
            "Another distribution does not know the key (CloudFront overwrites an x-api-key a viewer sends), and no "
            "other key is valid on the stage.",
            when="demo_api",
        ),
        path(
            "other_distribution",
            "residual",
            ("CFG_APIGW_KEY_SENT",),
            "Another distribution does not know the key CloudFront sends, but one that sends any key valid on this "
            "stage (of the API's own usage plans) gets in: see the path below.",
            when="adopted",
        ),
        path(
            "other_api_keys",
            "closed",
            ("CFG_APIGW_KEY_PLAN",),
            "The demo stage's only usage plan is cfgen's: it covers this stage alone, and its only keys are the ones "
            "CloudFront sends.",
            when="demo_api",
        ),
        path(
            "other_api_keys",
            "residual",
            ("CFG_APIGW_KEY_PLAN",),
            "The API's own usage plans and their keys are not in the plan: any key valid on this stage (a customer's, "
            "a test key) reaches the API directly. cfgen's plan covers this stage alone and holds only its keys; list "
            "the others with `aws apigateway get-usage-plans` and remove what must not call it.",
            when="adopted",
        ),
        path(
            "secret_holders",
            "residual",
            ("CFG_APIGW_HTTPS",),
            "An API key is a shared secret, not CloudFront's identity (AWS advises against API keys for "
            "authorization): whoever reads it calls the API directly, around the distribution's WAF, geo "
            "restriction and logs. It is readable with apigateway:GET (which broad read-only policies grant), in the "
            "state and in the distribution's configuration. Narrowed by HTTPS to the origin and by rotation (two key "
            "generations); closed only by `iam_sigv4`.",
        ),
        admins(("the usage plan and its keys", "the API's methods and stage", "the distribution"), apigw.TEST_INVOKE),
    ),
)


ROTATE = (
    "Rotate the API key: add a generation (api_keys.generations: [g1, g2], send: g1) and apply; send it "
    "(send: g2) and apply, which returns once the distribution is deployed; drop the old one (generations: [g2]) "
    "and apply."
)


def details(spec: Spec, dist: Distribution, origin: Origin) -> OriginDetails:
    assert isinstance(origin, ApiGatewayApiKeyOrigin)
    api = origin.api
    adopted = api.rest_api_id is not None
    todo = [ROTATE]
    adoption: tuple[Adoption, ...] = ()
    if adopted:
        plan = names.API_USAGE_PLAN.name(spec.project, dist.name, origin.id)
        adoption = (
            Adoption(
                f"API {api.rest_api_id}",
                (
                    f"A usage plan {plan} covering stage {api.stage} alone, with cfgen's API keys (generations "
                    f"{', '.join(origin.api_keys.generations)}).",
                    "Its methods (whether each requires a key), its other usage plans and keys, stages and resource "
                    "policy stay as they are.",
                ),
                "Removed: destroy deletes only the usage plan and the keys cfgen added; nothing of yours changes "
                "(a method that requires a key then admits only the keys of your own plans).",
            ),
        )
        todo[:0] = [
            f"Set api_key_required = true on every method of API {api.rest_api_id} (keep its api_key_source HEADER), "
            f"then redeploy stage {api.stage}: until then a method without it answers anyone, key or not.",
            f"List the usage plans of API {api.rest_api_id} (aws apigateway get-usage-plans): every key valid on "
            f"stage {api.stage} reaches it without CloudFront.",
        ]
    return OriginDetails(
        hops=(
            "viewer",
            f"CloudFront distribution {dist.name}",
            f"HTTPS with {HEADER}: <API key {origin.api_keys.sent}>",
            f"REST API {api.rest_api_id or '(demo)'}, stage {api.stage}",
        ),
        conditions=frozenset({"adopted" if adopted else "demo_api"}),
        secrets=(
            SecretUse(
                name=f"API key ({HEADER})",
                source=f"generated by API Gateway (generations {', '.join(origin.api_keys.generations)})",
                lives_in=(
                    "Terraform state: the key's value is marked sensitive, but aws_api_gateway_usage_plan_key holds it "
                    "in `value` unmarked, so `terraform show` and `state show` print it",
                    "CloudFront's origin configuration (custom header; cloudfront:GetDistributionConfig)",
                    "API Gateway (apigateway:GET on the key with includeValue)",
                ),
            ),
        ),
        todo=tuple(todo),
        adopted=adoption,
    )


PROBES = (DISTRIBUTION, probe("internet", "execute_api"), probe("internet", "execute_api", wrong_header=HEADER))


PATTERN = Pattern(
    origin_type="api_gateway",
    protection="api_key",
    summary="REGIONAL REST API; CloudFront sends x-api-key, a key of a usage plan on this stage alone.",
    template="api_gateway/origin.tf.j2",
    modules=(KEYS,),
    view=view,
    prove=prove,
    threats=THREATS,
    probes=PROBES,
    details=details,
)
