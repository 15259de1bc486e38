"""What the public API Gateway modes share: the API (a demo or an existing one), the origin, common proofs.

Each mode (``api_gateway_api_key``, ``_resource_policy``, ``_authorizer``,
``_waf``, ``_iam``) is a root module made of module calls, one per concern,
all named ``<distribution>_<origin>_<part>``: ``_api`` (the demo API, when
cfgen creates it), then what guards it (``_keys``, ``_policy``,
``_authorizer``, ``_waf``, ``_edge``). The distribution's origin entry is
written in the root itself: the API's execute-api host over HTTPS, the stage
as origin path, and the header that carries the secret.

"This API" in a proof is read from the plan: the demo API of the origin's
``_api`` call when the plan has one, else the existing API whose id is the
first label of the origin's (then known) domain name.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .._hcl import Attr, Ref, template
from ..harness.plan import Const, PlanView, Resource, Sym, Value
from ..harness.results import Finding
from ..spec import _names as names
from ..spec.api_gateway import AuthorizerApi, RestApi
from ._base import ModuleCall, OriginBinding, module_name
from ._network import finding, source
from ._threats import Adoption, kept_on_destroy

if TYPE_CHECKING:
    from ..spec import Distribution, Spec
    from ..spec.api_gateway import PublicApiOrigin

__all__ = [
    "DEMO",
    "HTTP_DEMO",
    "REPLACES",
    "TEST_INVOKE",
    "Api",
    "adopted_policy_moves",
    "definition_problems",
    "demo_call",
    "existing_api_input",
    "existing_domain",
    "expressions",
    "finding",
    "http_demo_call",
    "https_finding",
    "kept_policy_address",
    "methods_address",
    "origin_entry",
    "part",
    "partition",
    "policies_on",
    "policy_adoption",
    "redeploy_finding",
    "resources_behind",
    "rest_methods",
    "sent_header",
    "this_api",
]

DEMO = "api-gateway-demo"
HTTP_DEMO = "api-gateway-http-demo"
_REST = "aws_api_gateway_rest_api"
_HTTP = "aws_apigatewayv2_api"


def part(module: str, name: str) -> str:
    """The root module call of one part of an origin (``api``, ``keys``, ``policy``, ...)."""
    return f"{module}_{name}"


# -- view ------------------------------------------------------------------------------


def partition(region: str) -> str:
    """The AWS partition of a region."""
    return "aws-cn" if region.startswith("cn-") else "aws-us-gov" if region.startswith("us-gov-") else "aws"


def existing_domain(api_id: str, region: str) -> str:
    """The execute-api host of an existing API."""
    return f"{api_id}.execute-api.{region}.amazonaws.com" + (".cn" if region.startswith("cn-") else "")


def origin_path(stage: str) -> str:
    """CloudFront's origin path for a stage ($default has none)."""
    return "" if stage == "$default" else f"/{stage}"


def origin_entry(domain: str | Ref, stage: str, headers: Sequence[tuple[str, Ref]]) -> dict[str, Any]:
    """The distribution's origin: the execute-api host over HTTPS (TLSv1.2), the stage, the secret header."""
    entry: dict[str, Any] = {"domain_name": domain}
    if origin_path(stage):
        entry["origin_path"] = origin_path(stage)
    entry["custom_origin_config"] = {"origin_protocol_policy": "https-only", "origin_ssl_protocols": ["TLSv1.2"]}
    if headers:
        entry["custom_headers"] = [{"name": name, "value": value} for name, value in headers]
    return entry


def endpoints(api: ApiRefs) -> dict[str, Ref]:
    """The origin's direct endpoint for `cfgen verify`: its execute-api URL with the stage CloudFront puts first."""
    return {"execute_api": template("https://", api.domain, origin_path(api.stage_name))}


@dataclass(frozen=True)
class ApiRefs:
    """How the other module calls of an origin name its API."""

    call: ModuleCall | None  # the demo API's module call, when cfgen creates it
    api_id: str | Ref
    stage: str | Ref  # the stage's name; from the demo's stage resource, so that users wait for it
    stage_name: str  # the same, as text (the origin path)
    domain: str | Ref
    stage_arn: str | Ref = ""  # of a REST stage (a WAF association's resource_arn)


def demo_call(
    spec: Spec,
    dist: Distribution,
    origin: PublicApiOrigin,
    module: str,
    *,
    authorization: str = "NONE",
    authorizer_id: Ref | None = None,
    api_key_required: bool = False,
    cors: bool = False,
    redeploy: Ref | None = None,
    skips: Sequence[tuple[str, str]] = (),
) -> ApiRefs:
    """The REST API of ``origin``: the demo module's call, or the existing API's id and stage."""
    api = origin.api
    stage = api.stage_name if isinstance(api, AuthorizerApi) else api.stage
    assert isinstance(api, RestApi) or api.kind == "rest"
    if api.api_id is not None:
        arn = f"arn:{partition(spec.region)}:apigateway:{spec.region}::/restapis/{api.api_id}/stages/{stage}"
        return ApiRefs(None, api.api_id, stage, stage, existing_domain(api.api_id, spec.region), arn)
    name = part(module, "api")
    inputs = [Attr("name", names.API_DEMO.name(spec.project, dist.name, origin.id)), Attr("stage_name", stage)]
    if authorization != "NONE":
        inputs.append(Attr("authorization", authorization))
    if authorizer_id is not None:
        inputs.append(Attr("authorizer_id", authorizer_id))
    if api_key_required:
        inputs.append(Attr("api_key_required", True))
    if cors:
        inputs.append(Attr("cors", True))
    if redeploy is not None:
        inputs.append(Attr("redeploy_triggers", {"resource_policy": redeploy}))
    all_skips = list(skips)
    if api.access_log_group_arn is not None:
        inputs.append(Attr("access_log_group_arn", api.access_log_group_arn))
    else:
        all_skips.append(
            (
                "CKV_AWS_76",
                "No api.access_log_group_arn in the spec: the demo stage keeps no access logs; name a CloudWatch "
                "Logs group to keep them.",
            )
        )
    call = ModuleCall(
        name=name,
        source=DEMO,
        comment="The demo REST API (REGIONAL): GET / answers from a mock.",
        inputs=inputs,
        checkov_skips=all_skips,
    )
    return ApiRefs(
        call,
        Ref(f"module.{name}.rest_api_id"),
        Ref(f"module.{name}.stage_name"),
        stage,
        Ref(f"module.{name}.domain_name"),
        Ref(f"module.{name}.stage_arn"),
    )


def http_demo_call(spec: Spec, dist: Distribution, origin: PublicApiOrigin, module: str, authorizer_id: Ref) -> ApiRefs:
    """The demo HTTP API's module call (its $default stage and routes, its backend function)."""
    name = part(module, "api")
    call = ModuleCall(
        name=name,
        source=HTTP_DEMO,
        comment="The demo HTTP API: GET / and $default answer from a small function.",
        inputs=[
            Attr("name", names.API_HTTP_DEMO.name(spec.project, dist.name, origin.id)),
            Attr("zip_path", Ref(f'"${{path.module}}/artifacts/{module}/demo_api.zip"')),
            Attr("authorization", "CUSTOM"),
            Attr("authorizer_id", authorizer_id),
        ],
    )
    return ApiRefs(
        call,
        Ref(f"module.{name}.api_id"),
        Ref(f"module.{name}.stage_name"),
        "$default",
        Ref(f"module.{name}.domain_name"),
    )


# The policy call's comment on an existing API.
REPLACES = " It replaces the API's own, with the statements it had (current_policy); redeploy the stage after apply."


def existing_api_input(api: ApiRefs) -> list[Attr]:
    """The policy module's ``existing_api`` for an API cfgen does not create: its policy is kept on destroy."""
    return [] if api.call else [Attr("existing_api", True)]


def kept_policy_address(dist: Distribution, origin: PublicApiOrigin, guard: str) -> str:
    """The state address of an existing API's resource policy, which destroy keeps."""
    call = part(module_name(dist.name, origin.id), "policy")
    return f"module.{call}.aws_api_gateway_rest_api_policy.adopted_{guard}[0]"


def adopted_policy_moves(call: str, guard: str, api: ApiRefs) -> list[tuple[str, str]]:
    """``moved`` from where renders before ``existing_api`` kept an existing API's policy (``TYPE.GUARD[0]``)."""
    if api.call is not None:
        return []
    address = f"module.{call}.aws_api_gateway_rest_api_policy"
    return [(f"{address}.{guard}[0]", f"{address}.adopted_{guard}[0]")]


def policy_adoption(api_id: str, writes: str, kept_file: str, judged: str, kept: str) -> Adoption:
    """What cfgen writes on an existing API whose resource policy it replaces, keeping the owner's statements.

    ``writes`` says what cfgen's statements do, ``judged`` which kept statement
    fails which proof, ``kept`` is the state address of the policy, which
    destroy keeps (``prevent_destroy``).
    """
    if kept_file == "none":
        policy = (
            f"Resource policy: cfgen's statements ({writes}); the spec says the API had none (current_policy: none)."
        )
    else:
        policy = (
            f"Resource policy: replaced by cfgen's statements ({writes}) and the statements of {kept_file} "
            f"(current_policy), which the proofs judge with cfgen's: {judged}"
        )
    return Adoption(
        resource=f"API {api_id}",
        changes=(policy, "Its stages, deployments, methods, authorizers and endpoint type stay as they are."),
        on_destroy=kept_on_destroy("API", (kept,)),
        kept=(kept,),
    )


# What the admins path of every REST mode adds: a test call runs the integration around every guard.
TEST_INVOKE = (
    "So can anyone allowed to test a REST method (apigateway:POST on its /test-invoke-request, TestInvokeMethod): "
    "API Gateway then runs the integration without the authorizer, API key, resource policy or web ACL."
)


def no_waf_skip(what: str) -> tuple[str, str]:
    """The demo stage's CKV2_AWS_29 (no WAF on a public stage), which every mode but waf_header fails on purpose."""
    return ("CKV2_AWS_29", f"No web ACL on the demo stage: {what}; `protection: waf_header` adds one.")


# -- proofs: this API --------------------------------------------------------------------


@dataclass(frozen=True)
class Api:
    """The API an origin reaches, as the plan shows it."""

    kind: str  # rest or http
    demo: Resource | None  # the API resource of the origin's demo module
    api_id: str | None  # an existing API's id (from the origin's domain name)
    stage: Value | None  # the stage's name: Sym of the demo stage's, or Const
    region: str = ""  # an existing API's region (from its domain)

    @property
    def label(self) -> str:
        return self.demo.address if self.demo is not None else f"API {self.api_id}"

    def is_this(self, value: Value) -> bool:
        """Whether ``value`` (an API id as a resource's argument) names this API."""
        if self.demo is not None:
            return isinstance(value, Sym) and value.address == self.demo.config_address and value.attribute == "id"
        return isinstance(value, Const) and value.value == self.api_id

    def names_it(self, values: list[Value]) -> bool:
        """Whether ``values`` (an API id argument) certainly name this API: what cfgen's own resources must show."""
        return bool(values) and all(self.is_this(v) for v in values)

    def is_resource(self, resource: Resource) -> bool:
        """Whether ``resource`` (an API of the plan) is this API: the demo's, or one whose known id is this one's."""
        if self.demo is not None:
            return resource.address == self.demo.address
        return resource.known("id") and resource.values.get("id") == self.api_id

    def may_be(self, values: list[Value]) -> bool:
        """Whether ``values`` (an API id argument) may name this API: what a proof must judge (fail closed).

        Only a provably different API is left out: a known id that differs, or
        the id of another API resource of the plan. A local, a data source, a
        function or any other attribute may be this API's id, so it counts as it.
        """
        return not values or not all(self._another(v) for v in values)

    def _another(self, value: Value) -> bool:
        if isinstance(value, Const):
            if not isinstance(value.value, str) or not value.value:
                return False
            if self.demo is not None:
                return not (self.demo.known("id") and self.demo.values.get("id") == value.value)
            return value.value != self.api_id
        if isinstance(value, Sym):
            parts = value.address.split(".")
            managed = len(parts) >= 2 and parts[-2] in (_REST, _HTTP) and (len(parts) < 3 or parts[-3] != "data")
            ours = self.demo is not None and value.address == self.demo.config_address
            return managed and value.attribute == "id" and not ours
        return False

    def is_stage_arn(self, value: Value) -> bool:
        """Whether ``value`` is the ARN of this API's stage."""
        if self.demo is not None:
            return isinstance(self.stage, Sym) and value == Sym(self.stage.address, "arn")
        expected = f":apigateway:{self.region}::/restapis/{self.api_id}/stages/{self.stage}"
        return isinstance(value, Const) and isinstance(value.value, str) and value.value.endswith(expected)


def this_api(plan: PlanView, binding: OriginBinding) -> tuple[Api | None, str]:
    """The API of ``binding``, or why the plan shows none."""
    module = (part(binding.module, "api"),)
    for kind, type_, stage_type, stage_attr in (
        ("rest", _REST, "aws_api_gateway_stage", "stage_name"),
        ("http", _HTTP, "aws_apigatewayv2_stage", "name"),
    ):
        demo = plan.one(module, type_)
        if demo is not None:
            stages = plan.resources(module=module, type=stage_type)
            value: Value | None = Sym(stages[0].config_address, stage_attr) if len(stages) == 1 else None
            return Api(kind, demo, None, value), ""
    distribution = plan.one((binding.distribution_module,), "aws_cloudfront_distribution")
    planned = distribution.values.get("origin") or [] if distribution is not None else []
    origins = [o for o in planned if o.get("origin_id") == binding.origin]
    domain = origins[0].get("domain_name") if len(origins) == 1 else None
    if not isinstance(domain, str) or ".execute-api." not in domain:
        return None, f"no demo API in module.{module[0]} and no execute-api domain on origin '{binding.origin}'"
    path = str(origins[0].get("origin_path") or "")
    # An existing API is an HTTP API only when the origin's authorizer is an HTTP API's.
    http = plan.one((part(binding.module, "authorizer"),), "aws_apigatewayv2_authorizer") is not None
    labels = domain.split(".")
    return Api("http" if http else "rest", None, labels[0], Const(path.removeprefix("/") or "$default"), labels[2]), ""


def rest_methods(plan: PlanView, api: Api) -> list[Resource]:
    """Every REST method of the plan, wherever it is written, whose API may be this one (:meth:`Api.may_be`)."""
    return [m for m in plan.resources(type="aws_api_gateway_method") if api.may_be(source(plan, m, "rest_api_id"))]


def policies_on(plan: PlanView, api: Api) -> list[Resource]:
    """Every resource policy of the plan that may be attached to this API (:meth:`Api.may_be`)."""
    return [
        p for p in plan.resources(type="aws_api_gateway_rest_api_policy") if api.may_be(source(plan, p, "rest_api_id"))
    ]


def methods_address(api: Api, binding: OriginBinding) -> str:
    """Where a finding on this API's methods points: the demo API, or the origin's calls for an existing one."""
    return api.demo.address if api.demo is not None else f"module.{binding.module}"


# Arguments that make routes of an API without an aws_api_gateway_method or aws_apigatewayv2_route.
_DEFINES = {_REST: ("body",), _HTTP: ("body", "target", "route_key")}


def definition_problems(plan: PlanView, api: Api) -> list[str]:
    """Why methods or routes no proof reads may answer on this API: an OpenAPI body, a quick create, a put.

    The methods proofs read ``aws_api_gateway_method`` and ``aws_apigatewayv2_route``
    only; an ``aws_api_gateway_rest_api_put`` whose API may be this one, or a
    definition argument on this API's own resource, adds routes beside them.
    """
    problems = []
    for put in plan.resources(type="aws_api_gateway_rest_api_put"):
        if api.may_be(source(plan, put, "rest_api_id")):
            problems.append(
                f"{put.address} puts an OpenAPI definition on {api.label}: its methods are read by no proof; write "
                "them as aws_api_gateway_method"
            )
    for type_, arguments in _DEFINES.items():
        for resource in plan.resources(type=type_):
            if resource.mode != "managed" or not api.is_resource(resource):
                continue
            for argument in arguments:
                if resource.values.get(argument) or resource.unknown.get(argument):
                    problems.append(
                        f"{resource.address} sets {argument}: it adds routes no proof reads; write them as "
                        "methods or routes"
                    )
    return problems


# -- proofs: the origin ------------------------------------------------------------------


def _origin(plan: PlanView, binding: OriginBinding) -> tuple[Resource | None, int, dict[str, Any] | None, str]:
    distribution = plan.one((binding.distribution_module,), "aws_cloudfront_distribution")
    if distribution is None:
        return None, -1, None, "the distribution of this origin is not in the plan"
    entries = [
        (i, o) for i, o in enumerate(distribution.values.get("origin") or []) if o.get("origin_id") == binding.origin
    ]
    if len(entries) != 1:
        return distribution, -1, None, f"{distribution.address} has {len(entries)} origins '{binding.origin}', not one"
    i, entry = entries[0]
    return distribution, i, entry, ""


def https_finding(plan: PlanView, binding: OriginBinding, check_id: str = "CFG_APIGW_HTTPS") -> Finding:
    """CloudFront reaches the API's execute-api host over HTTPS with TLSv1.2 only."""
    title = "origin: the API's execute-api host over HTTPS (TLSv1.2), never the viewer's Host"
    distribution, _, entry, missing = _origin(plan, binding)
    address = distribution.address if distribution is not None else f"module.{binding.distribution_module}"
    if entry is None:
        return finding(binding, check_id, title, address, missing)
    problems = []
    configs = entry.get("custom_origin_config") or []
    if not configs or entry.get("s3_origin_config") or entry.get("vpc_origin_config"):
        problems.append("the origin is not a custom origin")
    else:
        config = configs[0]
        if config.get("origin_protocol_policy") != "https-only":
            problems.append(
                f"origin_protocol_policy is {config.get('origin_protocol_policy')!r}: the secret would cross the "
                "network in clear, use https-only"
            )
        if sorted(config.get("origin_ssl_protocols") or []) != ["TLSv1.2"]:
            problems.append(f"origin_ssl_protocols is {config.get('origin_ssl_protocols')}, not [TLSv1.2]")
    domain = entry.get("domain_name")
    if isinstance(domain, str) and not (".execute-api." in domain and domain.endswith(".amazonaws.com")):
        problems.append(f"the origin's domain {domain} is not an execute-api host")
    return finding(binding, check_id, title, address, "; ".join(problems))


@dataclass(frozen=True)
class Sent:
    """The secret header CloudFront sends to an origin."""

    distribution: Resource | None
    value: str | None  # None while unknown at plan (a key API Gateway generates)
    problems: list[str]

    @property
    def address(self) -> str:
        return self.distribution.address if self.distribution is not None else "the distribution"


def sent_header(plan: PlanView, binding: OriginBinding, header: str, literals: set[str]) -> Sent:
    """The one ``header`` the distribution sends this origin: sensitive, never a literal of the configuration."""
    distribution, i, entry, missing = _origin(plan, binding)
    if entry is None:
        return Sent(distribution, None, [missing])
    assert distribution is not None
    headers = [
        (j, h)
        for j, h in enumerate(entry.get("custom_header") or [])
        if str(h.get("name", "")).lower() == header.lower()
    ]
    unknown = distribution.unknown.get("origin")
    if len(headers) != 1:
        return Sent(distribution, None, [f"origin '{binding.origin}' sends {len(headers)} {header} headers, not one"])
    j, sent = headers[0]
    value = sent.get("value")
    if value is None and not _unknown_at(unknown, i, j):
        return Sent(distribution, None, [f"the {header} header has no value"])
    if not distribution.is_sensitive("origin", i, "custom_header", j, "value") and value is not None:
        return Sent(
            distribution,
            None,
            [f"the {header} value is not sensitive in the plan, so it was written in the code: a leaked secret"],
        )
    if value is not None and value in literals:
        return Sent(distribution, None, [f"the {header} value is written in the configuration: a leaked secret"])
    return Sent(distribution, value if isinstance(value, str) else None, [])


def _unknown_at(unknown: Any, i: int, j: int) -> bool:
    if unknown is True:
        return True
    try:
        node = unknown[i]
        if node is True:
            return True
        headers = node.get("custom_header")
        return bool(headers is True or headers[j] is True or headers[j].get("value") is True)
    except (IndexError, KeyError, TypeError, AttributeError):
        return False


def redeploy_finding(plan: PlanView, binding: OriginBinding, api: Api, check_id: str = "CFG_APIGW_REDEPLOY") -> Finding:
    """The demo stage is redeployed whenever its resource policy changes (the policy acts only once deployed)."""
    title = "a change of the resource policy redeploys the stage (deployment triggers; a separate stage)"
    assert api.demo is not None
    module = api.demo.module
    deployments = plan.resources(module=module, type="aws_api_gateway_deployment")
    stages = plan.resources(module=module, type="aws_api_gateway_stage")
    if len(deployments) != 1 or len(stages) != 1:
        problem = f"{len(deployments)} deployments and {len(stages)} stages in module.{module[0]}, not one of each"
        return finding(binding, check_id, title, f"module.{module[0]}", problem)
    deployment, stage = deployments[0], stages[0]
    problems = []
    if deployment.values.get("stage_name"):
        problems.append(f"{deployment.address} sets stage_name: the stage must be its own aws_api_gateway_stage")
    if not any(
        isinstance(v, Sym) and v.address == deployment.config_address for v in source(plan, stage, "deployment_id")
    ):
        problems.append(f"{stage.address} does not run {deployment.address}")
    policies = {p.config_address for p in policies_on(plan, api)}
    expression = expressions(plan, deployment).get("triggers")
    triggers = plan.values_of(module, expression)
    hashed = {v.address for v in triggers if isinstance(v, Sym) and v.attribute == "policy"}
    if not policies:
        problems.append(f"no resource policy is attached to {api.label}")
    elif not policies <= hashed:
        problems.append(
            f"{deployment.address}'s triggers do not hash {', '.join(sorted(policies - hashed))}.policy: a change of "
            "the policy would not be deployed, and the stage would keep answering with the old one"
        )
    return finding(binding, check_id, title, deployment.address, "; ".join(problems))


def expressions(plan: PlanView, resource: Resource) -> dict[str, Any]:
    """The configuration expressions of ``resource``."""
    prefix = "".join(f"module.{m}." for m in resource.module)
    config = plan.resource_config(resource.module, resource.config_address.removeprefix(prefix)) or {}
    found: dict[str, Any] = config.get("expressions", {})
    return found


def resources_behind(plan: PlanView, module: tuple[str, ...], expression: Any, type_: str, depth: int = 0) -> set[str]:
    """Addresses of the ``type_`` resources an expression takes values from, through variables and outputs.

    Unlike :meth:`PlanView.resolve`, it reads ``aws_x.y[each.key].attr``, which
    Terraform lists only as ``aws_x.y``, as the resource ``aws_x.y``.
    """
    if not isinstance(expression, dict) or depth > 20:
        return set()
    prefix = "".join(f"module.{m}." for m in module)
    found: set[str] = set()
    for ref in expression.get("references", []):
        parts = ref.split("[")[0].split(".")
        if parts[0] == "var" and len(parts) >= 2 and module:
            call = (plan.module_config(module[:-1]) or {}).get("module_calls", {}).get(module[-1], {})
            given = call.get("expressions", {}).get(parts[1])
            found |= resources_behind(plan, module[:-1], given, type_, depth + 1)
        elif parts[0] == "module" and len(parts) >= 3:
            output = (plan.module_config((*module, parts[1])) or {}).get("outputs", {}).get(parts[2], {})
            found |= resources_behind(plan, (*module, parts[1]), output.get("expression"), type_, depth + 1)
        elif parts[0] == type_ and len(parts) >= 2:
            found.add(f"{prefix}{parts[0]}.{parts[1]}")
    return found
