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

import re
from typing import TYPE_CHECKING

from .._hcl import Attr, Ref, template
from ..harness.plan import Const, PlanView, Resource, Statement, Sym, Value, policy_statements
from ..harness.results import Finding
from ..spec import _names as names
from ..spec.vpc_origins import DEFAULT_TLS_POLICY, ApiGatewayPrivateOrigin
from . import _api_gateway, _network, _origin_verify, _prices
from ._base import OriginBinding, OriginView, Pattern, adopted_moves, module_name
from ._probes import DISTRIBUTION, probe
from ._threats import Adoption, OriginDetails, ThreatModel, admins, path

if TYPE_CHECKING:
    from ..spec import Distribution, Spec
    from ..spec.models import Origin

HEADER = "x-apigw-api-id"
# This API's methods, every stage: arn:PARTITION:execute-api:REGION:ACCOUNT:API_ID/*
_EXECUTE_API_ARN = re.compile(r"arn:aws[a-z-]*:execute-api:[a-z0-9-]+:\d{12}:([a-z0-9]{10})/\*")
ENDPOINT = "aws_vpc_endpoint.execute_api"
SYNC_MODULE = "ip-target-sync"


def sync_module_name(module: str) -> str:
    """The root module call of an origin's sync function (target_sync: lambda)."""
    return f"{module}_target_sync"


def view(spec: Spec, dist: Distribution, origin: Origin) -> OriginView:
    assert isinstance(origin, ApiGatewayPrivateOrigin)
    module = module_name(dist.name, origin.id)
    inputs = [
        Attr("name", names.VPC_ORIGIN.name(spec.project, dist.name, origin.id)),
        Attr("origin_domain", origin.origin_domain),
        Attr("certificate_arn", origin.alb_certificate.arn),
        Attr("region", Ref("var.region")),
        Attr("vpc_id", origin.network.vpc_id),
        Attr("subnets", [{"id": s.id, "cidr": s.cidr} for s in origin.network.subnets]),
    ]
    skips: list[tuple[str, str]] = []
    if origin.alb_ssl_policy != DEFAULT_TLS_POLICY:
        inputs.append(Attr("ssl_policy", origin.alb_ssl_policy))
    if origin.alb_access_logs is not None:
        logs = origin.alb_access_logs
        inputs.append(Attr("access_logs", {"bucket": logs.bucket, "prefix": logs.prefix}))
    else:
        skips.append(_network.no_access_logs("alb_access_logs"))
    if origin.api.create_demo:
        inputs.append(Attr("create_demo_api", True))
        if origin.api.access_log_group_arn is not None:
            inputs.append(Attr("stage_access_log_group_arn", origin.api.access_log_group_arn))
        else:
            skips.append(
                (
                    "CKV_AWS_76",
                    "No api.access_log_group_arn in the spec: the demo stage keeps no access logs; name a "
                    "CloudWatch Logs group to keep them.",
                )
            )
    else:
        inputs.append(Attr("rest_api_id", origin.api.rest_api_id))
    inputs += [Attr("stage_name", origin.api.stage), Attr("target_sync", origin.target_sync)]
    secret = _origin_verify.secret_of(module, origin.secret, f"{dist.name}/{origin.id}")
    inputs.append(_origin_verify.input_of(secret))
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
    # The stage is the path CloudFront puts before every request (the chain's origin_path).
    stage = f"/{origin.api.stage}"
    api_id = Ref(f"module.{module}.api_id")
    endpoints = {
        "execute_api": template("https://", api_id, ".execute-api.", Ref("var.region"), f".amazonaws.com{stage}"),
        "origin_domain": template(f"https://{origin.origin_domain}{stage}"),
    }
    # Renders before the module's `adopted` policy kept an existing API's policy in `this`.
    moved = adopted_moves(module, ("aws_api_gateway_rest_api_policy.this",)) if origin.api.rest_api_id else []
    if origin.target_sync != "lambda":
        return OriginView(
            module=module,
            inputs=inputs,
            distribution_origin=Ref(f"module.{module}.cloudfront_origin"),
            checkov_skips=skips,
            outputs=outputs,
            secrets=[secret],
            endpoints=endpoints,
            moved=moved,
        )
    from ..artifacts import lambda_zip

    return OriginView(
        module=module,
        inputs=inputs,
        distribution_origin=Ref(f"module.{module}.cloudfront_origin"),
        checkov_skips=skips,
        outputs=outputs,
        secrets=[secret],
        endpoints=endpoints,
        moved=moved,
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
        _endpoint_policy(plan, binding, endpoint),
        _alb_internal(plan, binding, module),
        _listener(plan, binding, module),
        _ingress(plan, binding, module),
        _header(plan, binding, module),
        _origin_verify.finding(plan, binding, module, "CFG_PRIVATE_API_SECRET"),
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


def _endpoint_policy(plan: PlanView, binding: OriginBinding, endpoint: Resource | None) -> Finding:
    title = "endpoint policy: execute-api:Invoke on this API alone"
    check = "CFG_PRIVATE_API_ENDPOINT_POLICY"
    if endpoint is None:
        return _network.finding(binding, check, title, f"module.{binding.module}", "no execute-api endpoint")
    statements = policy_statements(plan, endpoint)
    if statements is None:
        problem = (
            "the endpoint has no policy cfgen can read, and an endpoint without one admits every private API "
            "that admits it: build it with data.aws_iam_policy_document"
        )
        return _network.finding(binding, check, title, endpoint.address, problem)
    api_ids = plan.resolve((), f"module.{binding.module}.api_id")
    return _network.finding(binding, check, title, endpoint.address, _endpoint_policy_problem(statements, api_ids))


def _endpoint_policy_problem(statements: list[Statement], api_ids: list[Value]) -> str:
    allows = [s for s in statements if s.effect == "Allow"]
    if not allows:
        return "no Allow statement: the chain could reach no API"
    ids = {a.value for a in api_ids if isinstance(a, Const) and isinstance(a.value, str)}
    apis = {a.address for a in api_ids if isinstance(a, Sym)}
    for s in allows:
        name = f"statement '{s.sid}'" if s.sid else "an Allow statement"
        actions = [str(a) for a in s.actions]
        if actions != ["execute-api:Invoke"]:
            return f"{name} allows {', '.join(actions) or 'no listed action'}; allow only execute-api:Invoke"
        if not s.resources:
            return f"{name} names no Resource: it could apply to any API"
        for resource in s.resources:
            this_api = (
                isinstance(resource, Sym) and resource.address in apis and resource.attribute == "execution_arn"
            ) or (
                isinstance(resource, Const)
                and isinstance(resource.value, str)
                and (match := _EXECUTE_API_ARN.fullmatch(resource.value)) is not None
                and match.group(1) in ids
            )
            if not this_api:
                return f"{name} allows {resource}, not this API's execute-api ARN: another private API would answer"
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
    listeners = _network.module_resources(plan, module, "aws_lb_listener")
    problems = _network.listener_problems(listeners, "HTTPS") if listeners else ["no ALB listener"]
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
    # Rules written around the module, on either group: by a reference, a local or a literal id.
    for name, previous in (("alb", "CloudFront's VPC origins"), ("endpoint", "the ALB's group")):
        problems += _network.root_ingress_problems(plan, _network.security_group(plan, module, name), previous)
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
    problems += _rule_names_this_api(plan, module, api_ids)
    return _network.finding(binding, check, title, distribution.address, "; ".join(problems))


def _rule_names_this_api(plan: PlanView, module: tuple[str, ...], api_ids: list[Value]) -> list[str]:
    """Why the ALB's forwarding rule would pass a request that names another API."""
    rule = plan.one((*module, "vpc_origin", "listener"), "aws_lb_listener_rule", "origin_verify")
    if rule is None:
        return [f"no ALB rule requires {HEADER}: requests naming any API would be forwarded"]
    named = [
        header
        for condition in rule.values.get("condition") or []
        for header in condition.get("http_header") or []
        if str(header.get("http_header_name", "")).lower() == HEADER
    ]
    if len(named) != 1:
        return [f"{rule.address} has {len(named)} {HEADER} conditions, not one naming this API"]
    values = named[0].get("values")
    if values is not None:
        wanted = {str(a.value) for a in api_ids if isinstance(a, Const) and isinstance(a.value, str)}
        return [] if values and set(values) <= wanted else [f"{rule.address} forwards {HEADER} {values}, not this API"]
    # Unknown until apply (a new API): the rule must be given the very expression CloudFront's header is.
    call = (plan.module_config(module) or {}).get("module_calls", {}).get("vpc_origin", {})
    expression = call.get("expressions", {}).get("rule_headers")
    given = set(map(str, plan.values_of(module, expression)))
    if given != set(map(str, api_ids)):
        return [f"{rule.address} forwards {HEADER} {', '.join(sorted(given))}, not this API's id"]
    return []


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


# -- threat model --------------------------------------------------------------

THREATS = ThreatModel(
    hops=(
        "viewer",
        "CloudFront distribution",
        "VPC origin, HTTPS",
        "internal ALB",
        "execute-api VPC endpoint",
        "PRIVATE REST API",
    ),
    paths=(
        path(
            "distribution",
            "allowed",
            ("CFG_PRIVATE_API_TARGETS",),
            f"CloudFront sends {HEADER}; the internal ALB forwards to the endpoint's IPs; the API's policy "
            "admits only calls through this endpoint.",
        ),
        path(
            "internet",
            "closed",
            ("CFG_PRIVATE_API_TYPE", "CFG_PRIVATE_API_POLICY", "CFG_PRIVATE_API_ALB_INTERNAL"),
            "A PRIVATE API has no public endpoint, its policy admits only this VPC endpoint, and the ALB is internal.",
        ),
        path(
            "other_distribution",
            "closed",
            ("CFG_PRIVATE_API_ALB_INTERNAL", "CFG_PRIVATE_API_HTTPS", "CFG_PRIVATE_API_HEADER"),
            "A distribution reaches the internal ALB only through a VPC origin of this account.",
        ),
        path(
            "vpc_hosts",
            "closed",
            ("CFG_PRIVATE_API_INGRESS", "CFG_PRIVATE_API_POLICY"),
            "The ALB's group admits only CloudFront's VPC origins, the endpoint's only the ALB; the API admits "
            "only calls through this endpoint, so other endpoints of the VPC are refused.",
        ),
        path(
            "other_vpc_origin",
            "closed",
            ("CFG_PRIVATE_API_SECRET",),
            "CloudFront-VPCOrigins-Service-SG admits every VPC origin of the account, but the ALB answers a fixed "
            f"403 unless {_origin_verify.HEADER} is this distribution's secret (current or previous), which "
            "CloudFront sends as an origin header and another distribution does not know.",
        ),
        path(
            "other_api",
            "closed",
            ("CFG_PRIVATE_API_ENDPOINT_POLICY", "CFG_PRIVATE_API_HEADER"),
            f"The endpoint would route any {HEADER} to any private API whose policy admits it, but its own policy "
            f"allows execute-api:Invoke on this API alone, and the ALB forwards only requests whose {HEADER} names "
            "it.",
        ),
        admins(
            (
                "the API's resource policy",
                "the endpoint's policy",
                "the security groups",
                "the ALB and its listener rules",
                "the distribution",
            ),
            _api_gateway.TEST_INVOKE,
        ),
    ),
)
# After apply: CloudFront reaches the API; from outside, API Gateway refuses the PRIVATE API's execute-api URL
# (or its name does not resolve), and the internal ALB's name does not resolve or does not answer.
PROBES = (DISTRIBUTION, probe("internet", "execute_api"), probe("internet", "origin_domain"))


def details(spec: Spec, dist: Distribution, origin: Origin) -> OriginDetails:
    assert isinstance(origin, ApiGatewayPrivateOrigin)
    costs = [
        _prices.alb("internal ALB of the chain"),
        _prices.interface_endpoint(len(origin.network.subnets)),
    ]
    todo = [f"Resolve {origin.origin_domain} to the chain's ALB in a private hosted zone.", _origin_verify.ROTATE]
    adopted: tuple[Adoption, ...] = ()
    if origin.api.rest_api_id is not None:
        todo.append(
            f"Redeploy stage {origin.api.stage} of API {origin.api.rest_api_id} after the first apply, and after "
            "any apply that replaces the execute-api endpoint (a new VPC, say): a resource policy takes effect only "
            "with a new deployment, and until then the API admits only the old endpoint."
        )
        kept = f"module.{module_name(dist.name, origin.id)}.aws_api_gateway_rest_api_policy.adopted[0]"
        adopted = (
            _api_gateway.policy_adoption(
                origin.api.rest_api_id,
                "execute-api:Invoke only through the chain's endpoint",
                origin.api.current_policy or "none",
                "an Allow that does not require this endpoint fails CFG_PRIVATE_API_POLICY.",
                kept,
            ),
        )
    return OriginDetails(
        hops=(
            "viewer",
            f"CloudFront distribution {dist.name}",
            f"VPC origin, HTTPS, {_origin_verify.HEADER}: <secret>",
            f"internal ALB ({origin.origin_domain})",
            "execute-api VPC endpoint",
            f"PRIVATE REST API {origin.api.rest_api_id or '(demo)'}, stage {origin.api.stage}",
        ),
        secrets=(_origin_verify.use_of(origin.secret),),
        costs=tuple(costs),
        todo=tuple(todo),
        adopted=adopted,
    )


PATTERN = Pattern(
    origin_type="api_gateway",
    protection="private_vpc_origin",
    summary="PRIVATE REST API; VPC origin -> internal ALB -> execute-api endpoint IPs; policy on aws:SourceVpce.",
    template="api_gateway_private/origin.tf.j2",
    modules=("private-api-origin", "vpc-origin", "lb-listener"),
    view=view,
    prove=prove,
    threats=THREATS,
    details=details,
    probes=PROBES,
)
