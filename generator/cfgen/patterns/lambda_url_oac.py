"""Lambda function URL behind Origin Access Control (``type: lambda_url``, ``protection: oac``).

Wiring: the ``lambda-url-origin`` module creates the function URL with auth
type ``AWS_IAM`` (or reads an existing one at apply and stops unless it is
``AWS_IAM``), an OAC of type ``lambda`` that always signs with SigV4, and
the two permissions AWS requires for ``cloudfront.amazonaws.com``, each with
``AWS:SourceArn`` = this distribution: ``lambda:InvokeFunctionUrl`` (with
``function_url_auth_type = "AWS_IAM"``) and ``lambda:InvokeFunction``, on
the URL's alias when it has one. Or it creates a small demo function.

An unsigned request gets 403 from Lambda; a request another distribution
signs carries that distribution's SourceArn, which no statement admits.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .._hcl import Attr, Ref, template
from ..harness.plan import Const, PlanView, Resource, Sym, Value
from ..harness.results import Finding
from ..spec import _names as names
from ..spec.managed_policies import FORWARDS_HOST, ORIGIN_REQUEST_POLICY_IDS, OriginRequestPolicy
from ..spec.public_origins import LambdaUrlOrigin
from . import _network
from ._base import OriginBinding, OriginView, Pattern, module_name
from ._probes import DISTRIBUTION, probe
from ._threats import Adoption, OriginDetails, ThreatModel, admins, path

if TYPE_CHECKING:
    from ..spec import Distribution, Spec
    from ..spec.models import Origin

CLOUDFRONT = "cloudfront.amazonaws.com"
DEMO = "url_demo"
# What the two statements allow, and the one of them that names the URL's auth type.
ACTIONS = ("lambda:InvokeFunctionUrl", "lambda:InvokeFunction")
# The managed origin request policy that forwards x-amz-content-sha256 (every viewer header) but not Host.
_EXCEPT_HOST = ORIGIN_REQUEST_POLICY_IDS[OriginRequestPolicy.ALL_VIEWER_EXCEPT_HOST][1]
_WITH_HOST = {ORIGIN_REQUEST_POLICY_IDS[p][1] for p in FORWARDS_HOST}
_BODY_METHODS = {"POST", "PUT", "PATCH"}


def view(spec: Spec, dist: Distribution, origin: Origin) -> OriginView:
    """The ``lambda-url-origin`` module call (and the demo's zip) of a Lambda URL origin."""
    assert isinstance(origin, LambdaUrlOrigin)
    module = module_name(dist.name, origin.id)
    function = origin.function
    inputs = [
        Attr("name", names.OAC.name(spec.project, dist.name, origin.id)),
        Attr("distribution_arn", Ref(f"module.{module_name(dist.name)}.arn")),
    ]
    files: dict[str, str | bytes] = {}
    if function.create_demo:
        from ..artifacts import lambda_zip

        files[f"artifacts/{module}/{DEMO}.zip"] = lambda_zip(DEMO)
        inputs += [
            Attr("create_demo_function", True),
            Attr("demo_zip_path", Ref(f'"${{path.module}}/artifacts/{module}/{DEMO}.zip"')),
        ]
    else:
        inputs.append(Attr("function_name", function.name))
        if function.qualifier is not None:
            inputs.append(Attr("qualifier", function.qualifier))
        if function.url == "existing":
            inputs.append(Attr("create_function_url", False))
    if origin.origin_path:
        inputs.append(Attr("origin_path", origin.origin_path))
    # The URL ends in "/": the origin path follows it without its own first "/".
    url = Ref(f"module.{module}.function_url")
    path = origin.origin_path.removeprefix("/")
    endpoints = {"function_url": template("", url, path) if path else url}
    return OriginView(
        module=module,
        inputs=inputs,
        distribution_origin=Ref(f"module.{module}.cloudfront_origin"),
        outputs=[
            (
                f"{module}_function_url",
                f"module.{module}.function_url",
                f"Function URL of {dist.name}/{origin.id}: it answers only requests CloudFront signs for {dist.name}.",
            )
        ],
        files=files,
        endpoints=endpoints,
    )


# -- proofs ------------------------------------------------------------------


def prove(plan: PlanView, binding: OriginBinding) -> list[Finding]:
    """Findings that ``binding``'s function URL answers only requests CloudFront signs for this distribution."""
    module = (binding.module,)
    return [_auth(plan, binding, module), _permissions(plan, binding, module), _oac(plan, binding, module)]


def _auth(plan: PlanView, binding: OriginBinding, module: tuple[str, ...]) -> Finding:
    title = "the function URL's auth type is AWS_IAM: unsigned requests get 403"
    check = "CFG_LAMBDA_URL_AUTH"
    here = f"module.{binding.module}"
    urls = [r for r in _network.module_resources(plan, module, "aws_lambda_function_url") if r.mode == "managed"]
    guards = [r for r in _network.module_resources(plan, module, "aws_lambda_function_url") if r.mode == "data"]
    if len(urls) + len(guards) != 1:
        return _network.finding(binding, check, title, here, f"{len(urls) + len(guards)} function URLs, not one")
    url = (urls or guards)[0]
    problems = _urls_elsewhere(plan, module, _network.source(plan, url, "function_name"))
    if urls:
        auth = urls[0].values.get("authorization_type")
        if auth != "AWS_IAM":
            problems.insert(0, f"{urls[0].address} has authorization_type {auth!r}, not 'AWS_IAM'")
    else:
        # An existing URL is read at apply: its guard stops the apply unless it is AWS_IAM.
        problems = _network.guard_problems(plan, binding, guards[0]) + problems
    return _network.finding(binding, check, title, url.address, "; ".join(problems))


def _permissions(plan: PlanView, binding: OriginBinding, module: tuple[str, ...]) -> Finding:
    title = "both permissions: cloudfront.amazonaws.com, AWS:SourceArn = this distribution, the URL's function"
    check = "CFG_LAMBDA_URL_PERMISSIONS"
    here = f"module.{binding.module}"
    arn = Sym(f"module.{binding.distribution_module}.aws_cloudfront_distribution.this", "arn")
    url = _url(plan, module)
    function = _network.source(plan, url, "function_name") if url is not None else []
    qualifier = _known(plan, url, "qualifier") if url is not None else None
    ids = _function_ids(plan, function)
    permissions = [
        p
        for p in plan.resources(type="aws_lambda_permission")
        if p.module[: len(module)] == module
        or _same(_network.source(plan, p, "function_name"), function)
        or _may_be(_function_ids(plan, _network.source(plan, p, "function_name")), ids)
    ]
    problems: list[str] = []
    for action in ACTIONS:
        found = [p for p in permissions if p.values.get("action") == action]
        if len(found) != 1:
            problems.append(f"{len(found)} permissions for {action}, not one: CloudFront needs both")
    for permission in permissions:
        problems += _permission_problems(plan, permission, arn, function, qualifier)
    address = permissions[0].address if permissions else here
    return _network.finding(binding, check, title, address, "; ".join(problems))


def _permission_problems(
    plan: PlanView, permission: Resource, arn: Sym, function: list[Value], qualifier: object
) -> list[str]:
    """Why one permission on the function lets in more than CloudFront for this distribution."""
    name, values = permission.address, permission.values
    if values.get("action") not in ACTIONS:
        return [f"{name} allows {values.get('action')!r}, which cfgen does not grant"]
    problems = []
    if values.get("principal") != CLOUDFRONT:
        problems.append(f"{name} allows {values.get('principal')!r}, not {CLOUDFRONT}")
    sources = _network.source(plan, permission, "source_arn")
    if sources != [arn]:
        shown = ", ".join(map(str, sources)) or "any distribution"
        problems.append(f"{name} admits source_arn {shown}, not this distribution ({arn})")
    if values.get("action") == ACTIONS[0] and values.get("function_url_auth_type") != "AWS_IAM":
        problems.append(f"{name} has function_url_auth_type {values.get('function_url_auth_type')!r}, not 'AWS_IAM'")
    if function and not _same(_network.source(plan, permission, "function_name"), function):
        given = _function_ids(plan, _network.source(plan, permission, "function_name"))
        if given is None or given != _function_ids(plan, function):
            problems.append(f"{name} is on another function than the URL's, or one cfgen cannot tell apart")
    if _known(plan, permission, "qualifier") != qualifier:
        problems.append(
            f"{name} has qualifier {_known(plan, permission, 'qualifier')!r}, the URL {qualifier!r}: they must match"
        )
    return problems


def _oac(plan: PlanView, binding: OriginBinding, module: tuple[str, ...]) -> Finding:
    title = "CloudFront signs for this origin: OAC of type lambda, always, sigv4; HTTPS; Host not forwarded"
    check = "CFG_LAMBDA_URL_OAC"
    here = f"module.{binding.module}"
    oac = plan.one(module, "aws_cloudfront_origin_access_control")
    if oac is None:
        return _network.finding(binding, check, title, here, "no origin access control")
    expected = {
        "origin_access_control_origin_type": "lambda",
        "signing_behavior": "always",
        "signing_protocol": "sigv4",
    }
    problems = [
        f"{oac.address} {k} is {oac.values.get(k)!r}, not {v!r}" for k, v in expected.items() if oac.values.get(k) != v
    ]
    output = (plan.module_config(module) or {}).get("outputs", {}).get("cloudfront_origin", {})
    refs = output.get("expression", {}).get("references", [])
    if "aws_cloudfront_origin_access_control.this.id" not in refs:
        problems.append(f"{here}.cloudfront_origin does not take this origin access control's id")
    distribution, _, missing = _network.distribution_origin(plan, binding)
    if missing:
        problems.append(missing)
    for index, origin in _entries(distribution, binding.origin):
        problems += _network.https_only_problems(origin)
        unknown = (distribution.unknown.get("origin") or [{}])[index] if distribution is not None else {}
        if not origin.get("origin_access_control_id") and not (
            isinstance(unknown, dict) and unknown.get("origin_access_control_id")
        ):
            problems.append(f"origin '{binding.origin}' has no origin_access_control_id: CloudFront would not sign")
    if distribution is not None:
        problems += _behavior_problems(distribution, binding.origin)
    return _network.finding(binding, check, title, oac.address, "; ".join(problems))


def _behavior_problems(distribution: Resource, origin_id: str) -> list[str]:
    """Why a behavior of this origin would break the signature or a body's hash."""
    values = distribution.values
    behaviors = [*(values.get("default_cache_behavior") or []), *(values.get("ordered_cache_behavior") or [])]
    problems = []
    for behavior in behaviors:
        if behavior.get("target_origin_id") != origin_id:
            continue
        where = f"behavior {behavior.get('path_pattern') or 'default'}"
        policy = behavior.get("origin_request_policy_id")
        if policy in _WITH_HOST:
            problems.append(f"{where} forwards the viewer's Host: the function URL would refuse the signature")
        elif _BODY_METHODS & set(behavior.get("allowed_methods") or []) and policy != _EXCEPT_HOST:
            problems.append(
                f"{where} allows POST and PUT but does not forward x-amz-content-sha256 "
                "(origin request policy Managed-AllViewerExceptHostHeader)"
            )
    return problems


def _entries(distribution: Resource | None, origin_id: str) -> list[tuple[int, dict[str, Any]]]:
    if distribution is None:
        return []
    return [(i, o) for i, o in enumerate(distribution.values.get("origin") or []) if o.get("origin_id") == origin_id]


def _url(plan: PlanView, module: tuple[str, ...]) -> Resource | None:
    found = _network.module_resources(plan, module, "aws_lambda_function_url")
    return found[0] if len(found) == 1 else None


def _known(plan: PlanView, resource: Resource, attribute: str) -> object:
    """A configured value of ``resource``: its planned value, else the constant its configuration gives."""
    values = _network.source(plan, resource, attribute)
    return values[0].value if len(values) == 1 and isinstance(values[0], Const) else None


def _same(a: list[Value], b: list[Value]) -> bool:
    return bool(a) and a == b


def _function_ids(plan: PlanView, values: list[Value]) -> set[str] | None:
    """The functions a ``function_name`` argument names (bare names), or None when cfgen cannot tell.

    Lambda takes a name, ``name:qualifier``, a partial ARN
    (``account:function:name``) or a full ARN; a reference to a function of the
    plan is that function's name when known, else its address. A local, a data
    source or a function call may name any function.
    """
    found: set[str] = set()
    for value in values:
        if isinstance(value, Const) and isinstance(value.value, str) and value.value:
            parts = value.value.split(":")
            found.add(parts[parts.index("function") + 1] if "function" in parts[:-1] else parts[0])
        elif (
            isinstance(value, Sym)
            and value.address.split(".")[-2:-1] == ["aws_lambda_function"]
            and (".data." not in f".{value.address}")
        ):
            functions = [f for f in plan.resources(type="aws_lambda_function") if f.config_address == value.address]
            names = {str(f.values["function_name"]) for f in functions if f.known("function_name")}
            found |= names if names and len(names) == len(functions) else {value.address}
        else:
            return None
    return found or None


def _may_be(given: set[str] | None, ours: set[str] | None) -> bool:
    """Whether a permission's function may be the URL's: judged unless both are known and differ (fail closed)."""
    return given is None or ours is None or bool(given & ours)


def _urls_elsewhere(plan: PlanView, module: tuple[str, ...], function: list[Value]) -> list[str]:
    """Function URLs outside the origin's module whose function may be this one: a second way in."""
    ours = _function_ids(plan, function)
    return [
        f"{u.address} is another URL of the function (or of one cfgen cannot tell apart): it answers beside "
        "cfgen's, without its proofs"
        for u in plan.resources(type="aws_lambda_function_url")
        if u.mode == "managed"
        and u.module[: len(module)] != module
        and _may_be(_function_ids(plan, _network.source(plan, u, "function_name")), ours)
    ]


# -- threat model --------------------------------------------------------------

THREATS = ThreatModel(
    hops=("viewer", "CloudFront distribution", "Origin Access Control (SigV4 as the distribution)", "function URL"),
    paths=(
        path(
            "distribution",
            "allowed",
            note="CloudFront signs each request as this distribution; the function's policy lets "
            "cloudfront.amazonaws.com call it with AWS:SourceArn = this distribution.",
        ),
        path(
            "internet",
            "closed",
            ("CFG_LAMBDA_URL_AUTH",),
            "The URL's auth type is AWS_IAM: Lambda answers 403 to a request that is not signed by a principal the "
            "function's policy or the caller's own IAM policy allows.",
        ),
        path(
            "other_distribution",
            "closed",
            ("CFG_LAMBDA_URL_PERMISSIONS", "CFG_LAMBDA_URL_OAC"),
            "Another distribution, of any account, signs as itself: its AWS:SourceArn is not the one both "
            "permissions name.",
            when="demo_function",
        ),
        path(
            "other_distribution",
            "residual",
            ("CFG_LAMBDA_URL_PERMISSIONS", "CFG_LAMBDA_URL_OAC"),
            "Both permissions cfgen adds name this distribution, but the function's policy may hold statements "
            "cfgen did not add (they are not in the plan): one that lets cloudfront.amazonaws.com call it without "
            "this SourceArn lets any distribution in. Closed when no other statement names CloudFront.",
            when="existing_function",
        ),
        path(
            "account_principals",
            "residual",
            ("CFG_LAMBDA_URL_AUTH",),
            "A principal whose IAM policy allows lambda:InvokeFunctionUrl or lambda:InvokeFunction on the function "
            "(in its own account; in another, if a statement of the function's policy names it) calls it around "
            "the distribution, through the URL or the Invoke API: a function's policy holds Allows only. Narrowed by "
            "least-privilege IAM, or an SCP that denies both actions on this function to all but CloudFront.",
        ),
        admins(("the function, its URL or its policy", "the distribution")),
    ),
)


def details(spec: Spec, dist: Distribution, origin: Origin) -> OriginDetails:
    assert isinstance(origin, LambdaUrlOrigin)
    module = module_name(dist.name, origin.id)
    function = origin.function
    what = "demo function cfgen creates" if function.create_demo else f"function {function.name}"
    if function.qualifier is not None:
        what += f" (alias {function.qualifier})"
    todo = [
        "Clients that send POST or PUT must send x-amz-content-sha256 with the SHA-256 (hex) of the body: Lambda "
        "accepts no unsigned payload, and CloudFront cannot add it (README: Lambda function URLs).",
    ]
    if not function.create_demo:
        todo.append(
            f"Check that the policy of {function.name} holds no statement cfgen did not add that lets "
            "cloudfront.amazonaws.com (without this distribution's SourceArn) or anyone else call it "
            "(aws lambda get-policy)."
        )
    if function.url == "existing":
        todo.append(f"Keep the auth type of the URL of {function.name} AWS_IAM; the apply checks it.")
    return OriginDetails(
        hops=(
            "viewer",
            f"CloudFront distribution {dist.name}",
            "Origin Access Control (SigV4 as the distribution)",
            f"function URL of the {what} (output {module}_function_url)",
        ),
        conditions=frozenset({"demo_function" if function.create_demo else "existing_function"}),
        todo=tuple(todo),
        adopted=_adoption(spec, dist, origin),
    )


def _adoption(spec: Spec, dist: Distribution, origin: LambdaUrlOrigin) -> tuple[Adoption, ...]:
    """What cfgen adds to a function it does not own, and what destroy removes."""
    function = origin.function
    if function.create_demo:
        return ()
    name = names.OAC.name(spec.project, dist.name, origin.id)
    on = f" (alias {function.qualifier})" if function.qualifier else ""
    changes = [
        f"Policy{on}: two statements, {name}-invoke-url (lambda:InvokeFunctionUrl) and {name}-invoke "
        "(lambda:InvokeFunction), for cloudfront.amazonaws.com with this distribution's SourceArn; its other "
        "statements stay.",
    ]
    if function.url == "existing":
        changes.append(f"Function URL{on}: yours, read at apply (it must be AWS_IAM) and never changed.")
        destroyed = "the two statements; your URL stays as it is"
    else:
        changes.append(
            f"Function URL{on}: created by cfgen (auth type AWS_IAM); a function has one URL, so the apply fails "
            "rather than replace one you have (then use `url: existing`)."
        )
        destroyed = "the two statements and the URL cfgen created (the function then has none, as before)"
    changes.append("Its code, configuration, role and aliases stay as they are.")
    return (
        Adoption(
            f"function {function.name}",
            tuple(changes),
            f"Removed: destroy deletes only what cfgen added, {destroyed}; nothing else of yours changes.",
        ),
    )


PROBES = (DISTRIBUTION, probe("internet", "function_url"))


PATTERN = Pattern(
    origin_type="lambda_url",
    protection="oac",
    summary="Lambda function URL with AWS_IAM auth; OAC signs, both permissions admit only this distribution.",
    template="lambda_url/origin.tf.j2",
    modules=("lambda-url-origin",),
    view=view,
    prove=prove,
    threats=THREATS,
    probes=PROBES,
    details=details,
)
