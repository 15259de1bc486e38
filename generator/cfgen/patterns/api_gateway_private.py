"""PRIVATE REST API behind a VPC origin and an internal ALB (``api_gateway`` + ``private_vpc_origin``).

Wiring: the ``private-api-origin`` module creates the execute-api interface
endpoint, an internal ALB (HTTPS listener, public-CA certificate) whose IP
target group holds the endpoint's ENI IPs (health check 200,403), the
CloudFront VPC origin of that ALB (through ``vpc-origin``), and the API's
resource policy: ``execute-api:Invoke`` only with ``aws:SourceVpce`` = this
endpoint. CloudFront sends ``x-apigw-api-id``; ``origin_path`` is the stage.

Target sync: ``static_ips`` fixes the endpoint's IPs (subnet_configuration);
``apply_time`` looks up the endpoint's interface per subnet; ``lambda``
registers targets from a sync function (``ip-target-sync``) on a schedule.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .._hcl import Attr, Ref
from ..harness.plan import Const, PlanView, Resource, Statement, Sym, policy_statements
from ..harness.results import Finding
from ..spec.vpc_origins import ApiGatewayPrivateOrigin
from . import _network
from ._base import OriginBinding, OriginView, Pattern, module_name

if TYPE_CHECKING:
    from ..spec import Distribution, Spec
    from ..spec.models import Origin

HEADER = "x-apigw-api-id"
ENDPOINT = "aws_vpc_endpoint.execute_api"
SYNC_MODULE = "ip-target-sync"


def sync_module_name(module: str) -> str:
    """The root module call of an origin's sync function (target_sync: lambda)."""
    return f"{module}_target_sync"


def view(spec: Spec, dist: Distribution, origin: Origin) -> OriginView:
    assert isinstance(origin, ApiGatewayPrivateOrigin)
    module = module_name(dist.name, origin.id)
    inputs = [
        Attr("name", f"{spec.project}-{dist.name}-{origin.id}"),
        Attr("origin_domain", origin.origin_domain),
        Attr("certificate_arn", origin.alb_certificate.arn),
        Attr("region", Ref("var.region")),
        Attr("vpc_id", origin.network.vpc_id),
        Attr("subnets", [{"id": s.id, "cidr": s.cidr} for s in origin.network.subnets]),
    ]
    if origin.api.create_demo:
        inputs.append(Attr("create_demo_api", True))
    else:
        inputs.append(Attr("rest_api_id", origin.api.rest_api_id))
    inputs += [Attr("stage_name", origin.api.stage), Attr("target_sync", origin.target_sync)]
    if origin.target_sync == "static_ips":
        inputs.append(Attr("static_ips", {s.subnet: s.ip for s in origin.static_ips}))
    outputs = [
        (f"{module}_api_id", f"module.{module}.api_id", f"PRIVATE REST API behind {dist.name}/{origin.id}."),
        (
            f"{module}_vpc_endpoint_id",
            f"module.{module}.vpc_endpoint_id",
            "execute-api endpoint: the only aws:SourceVpce the API's resource policy admits.",
        ),
    ]
    if origin.target_sync != "lambda":
        return OriginView(
            module=module,
            inputs=inputs,
            distribution_origin=Ref(f"module.{module}.cloudfront_origin"),
            outputs=outputs,
        )
    from ..artifacts import lambda_zip

    return OriginView(
        module=module,
        inputs=inputs,
        distribution_origin=Ref(f"module.{module}.cloudfront_origin"),
        outputs=outputs,
        files={f"artifacts/{module}/target_sync.zip": lambda_zip("target_sync")},
        # Vendored only when used, so checkov never scans a module the spec does not need.
        modules=(SYNC_MODULE,),
        # The function keeps its state in a tag of the target group (see the module's README);
        # without this, the next apply would remove it.
        ignore_tag_prefixes=("cfgen:target-sync:",),
    )


# -- proofs ------------------------------------------------------------------


def prove(plan: PlanView, binding: OriginBinding) -> list[Finding]:
    """Findings that ``binding``'s API answers only through CloudFront, its VPC origin, ALB and endpoint."""
    module = (binding.module,)
    endpoint = plan.one(module, "aws_vpc_endpoint")
    endpoint_address = f"module.{binding.module}.{ENDPOINT}"
    return [
        _endpoint_type(plan, binding, module),
        _policy(plan, binding, module, endpoint_address),
        _alb_internal(plan, binding, module),
        _listener(plan, binding, module),
        _ingress(plan, binding, module),
        _header(plan, binding, module),
        _targets(plan, binding, module, endpoint),
    ]


def _endpoint_type(plan: PlanView, binding: OriginBinding, module: tuple[str, ...]) -> Finding:
    title = "API endpoint type is PRIVATE"
    check = "CFG_PRIVATE_API_TYPE"
    api = plan.one(module, "aws_api_gateway_rest_api")
    if api is None:
        # An existing API: cfgen manages its resource policy (CFG_PRIVATE_API_POLICY), which denies
        # every call that does not come through this endpoint whatever the endpoint type is.
        policy = plan.one(module, "aws_api_gateway_rest_api_policy")
        problem = "" if policy is not None else "no API and no resource policy in the plan"
        title = "existing API: its type is not in the plan; the resource policy cfgen manages admits only the endpoint"
        return _network.finding(
            binding, check, title, policy.address if policy else f"module.{binding.module}", problem
        )
    configs = api.values.get("endpoint_configuration") or [{}]
    types = configs[0].get("types")
    problem = "" if types == ["PRIVATE"] else f"endpoint_configuration.types is {types}, not [PRIVATE]"
    return _network.finding(binding, check, title, api.address, problem)


def _policy(plan: PlanView, binding: OriginBinding, module: tuple[str, ...], endpoint: str) -> Finding:
    title = "resource policy: execute-api:Invoke only with aws:SourceVpce = this endpoint"
    check = "CFG_PRIVATE_API_POLICY"
    policy = plan.one(module, "aws_api_gateway_rest_api_policy")
    if policy is None:
        return _network.finding(binding, check, title, f"module.{binding.module}", "no API resource policy")
    statements = policy_statements(plan, policy)
    if statements is None:
        return _network.finding(
            binding, check, title, policy.address, "cannot read the policy; build it with data.aws_iam_policy_document"
        )
    return _network.finding(binding, check, title, policy.address, _policy_problem(statements, endpoint))


def _policy_problem(statements: list[Statement], endpoint: str) -> str:
    allows = [s for s in statements if s.effect == "Allow"]
    if not allows:
        return "no Allow statement: nobody could invoke the API"
    for s in allows:
        name = f"statement '{s.sid}'" if s.sid else "an Allow statement"
        values = s.condition_values("StringEquals", "aws:SourceVpce")
        if values is None:
            return f"{name} has no StringEquals aws:SourceVpce condition: it allows invocations from anywhere"
        wrong = [v for v in values if not (isinstance(v, Sym) and v.address == endpoint and v.attribute == "id")]
        if wrong or not values:
            shown = ", ".join(map(str, wrong)) or "no value"
            return f"{name} has aws:SourceVpce {shown}, not {endpoint}.id"
    return ""


def _alb_internal(plan: PlanView, binding: OriginBinding, module: tuple[str, ...]) -> Finding:
    title = "the ALB of the chain is internal"
    alb = plan.one(module, "aws_lb")
    if alb is None:
        return _network.finding(binding, "CFG_PRIVATE_API_ALB_INTERNAL", title, f"module.{binding.module}", "no ALB")
    problem = "" if alb.values.get("internal") is True else "the ALB is internet-facing (internal = false)"
    return _network.finding(binding, "CFG_PRIVATE_API_ALB_INTERNAL", title, alb.address, problem)


def _listener(plan: PlanView, binding: OriginBinding, module: tuple[str, ...]) -> Finding:
    title = "HTTPS only: ALB listener HTTPS with TLS 1.2+, VPC origin https-only TLSv1.2"
    listeners = plan.resources(module=module, type="aws_lb_listener")
    problems = _network.listener_problems(plan, module, "HTTPS") if listeners else ["no ALB listener"]
    problems += _network.vpc_origin_problems(plan, plan.one((*module, "vpc_origin"), "aws_cloudfront_vpc_origin"))
    address = listeners[0].address if listeners else f"module.{binding.module}"
    return _network.finding(binding, "CFG_PRIVATE_API_HTTPS", title, address, "; ".join(problems))


def _ingress(plan: PlanView, binding: OriginBinding, module: tuple[str, ...]) -> Finding:
    title = "each security group admits only the previous hop (CloudFront -> ALB -> endpoint)"
    prefix = f"module.{binding.module}."
    problems = _network.ingress_problems(
        plan,
        module,
        default_source=f"{prefix}module.vpc_origin.{_network.SERVICE_SG}",
        sources={f"{prefix}aws_security_group.endpoint": f"{prefix}aws_security_group.alb"},
    )
    groups = {r.config_address for r in _network.module_resources(plan, module, "aws_security_group")}
    for needed in (f"{prefix}aws_security_group.alb", f"{prefix}aws_security_group.endpoint"):
        if needed not in groups:
            problems.append(f"{needed} is missing: the chain has no group of its own there")
    endpoint = plan.one(module, "aws_vpc_endpoint")
    if endpoint is not None:
        groups_of_endpoint = plan.values_of(
            module, (plan.resource_config(module, ENDPOINT) or {}).get("expressions", {}).get("security_group_ids")
        )
        if not any(
            isinstance(v, Sym) and v.address == f"{prefix}aws_security_group.endpoint" for v in groups_of_endpoint
        ):
            problems.append(f"{endpoint.address} is not in {prefix}aws_security_group.endpoint")
    return _network.finding(binding, "CFG_PRIVATE_API_INGRESS", title, f"module.{binding.module}", "; ".join(problems))


def _header(plan: PlanView, binding: OriginBinding, module: tuple[str, ...]) -> Finding:
    title = f"CloudFront sends {HEADER} naming this API, through the VPC origin"
    check = "CFG_PRIVATE_API_HEADER"
    distribution, origins, missing = _network.distribution_origin(plan, binding)
    if missing or distribution is None:
        return _network.finding(binding, check, title, f"module.{binding.module}", missing)
    problems = [p for p in map(_network.uses_vpc_origin, origins) if p]
    api_ids = plan.resolve((), f"module.{binding.module}.api_id")
    for origin in origins:
        headers = [h for h in origin.get("custom_header") or [] if str(h.get("name", "")).lower() == HEADER]
        if len(headers) != 1:
            problems.append(f"origin '{binding.origin}' sends {len(headers)} {HEADER} headers, not one")
            continue
        value = headers[0].get("value")
        if value is not None and not any(isinstance(a, Const) and a.value == value for a in api_ids):
            problems.append(f"{HEADER} is {value!r}, not the API's id ({', '.join(map(str, api_ids))})")
        if value is None and not any(isinstance(a, Sym) for a in api_ids):
            problems.append(f"{HEADER} is unknown at plan but the API id is {', '.join(map(str, api_ids))}")
    return _network.finding(binding, check, title, distribution.address, "; ".join(problems))


def _targets(plan: PlanView, binding: OriginBinding, module: tuple[str, ...], endpoint: Resource | None) -> Finding:
    title = "ALB targets are the endpoint's IPs (HTTPS, health check 200,403), kept in sync"
    check = "CFG_PRIVATE_API_TARGETS"
    group = plan.one(module, "aws_lb_target_group")
    if group is None or endpoint is None:
        return _network.finding(binding, check, title, f"module.{binding.module}", "no target group or endpoint")
    problems = []
    values = group.values
    if values.get("target_type") != "ip" or values.get("protocol") != "HTTPS":
        problems.append(f"target group is {values.get('target_type')}/{values.get('protocol')}, not ip/HTTPS")
    matcher = ((values.get("health_check") or [{}])[0]).get("matcher")
    if matcher != "200,403":
        problems.append(f"health check matcher is {matcher!r}; an execute-api endpoint answers 403: use '200,403'")
    static = plan.resources(module=module, type="aws_lb_target_group_attachment")
    fixed = {c.get("subnet_id"): c.get("ipv4") for c in endpoint.values.get("subnet_configuration") or []}
    sync = [r for r in plan.resources() if r.module[:1] == (sync_module_name(binding.module),)]
    if fixed:
        ips = sorted(str(r.values.get("target_id")) for r in static)
        if ips != sorted(map(str, fixed.values())):
            problems.append(f"targets {ips} are not the endpoint's fixed IPs {sorted(map(str, fixed.values()))}")
    elif static:
        lookup = f"module.{binding.module}.data.aws_network_interface.endpoint"
        for r in static:
            config = plan.resource_config(module, r.config_address.removeprefix(f"module.{binding.module}."))
            # `[each.key]` is the instance key, not a value: only what the key selects counts. Terraform
            # names `data.x.y[each.key].private_ip` only as `data.x.y`, so compare the text.
            source = [
                v
                for v in plan.values_of(module, (config or {}).get("expressions", {}).get("target_id"))
                if isinstance(v, Sym | Const)
            ]
            if r.known("target_id") or not source or not all(str(v).split(".private_ip")[0] == lookup for v in source):
                shown = r.values.get("target_id") or ", ".join(map(str, source))
                problems.append(f"{r.address} registers {shown}, not the endpoint's interface ({lookup})")
    elif not sync:
        problems.append("no target attachment and no sync function: the target group stays empty")
    return _network.finding(binding, check, title, group.address, "; ".join(problems))


PATTERN = Pattern(
    origin_type="api_gateway",
    protection="private_vpc_origin",
    summary="PRIVATE REST API; VPC origin -> internal ALB -> execute-api endpoint IPs; policy on aws:SourceVpce.",
    template="api_gateway_private/origin.tf.j2",
    modules=("private-api-origin", "vpc-origin"),
    view=view,
    prove=prove,
)
