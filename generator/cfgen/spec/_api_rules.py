"""Rules of the public API Gateway origins that the provider or AWS only rejects at apply (or never).

Each yields ``(path, message)`` like ``_rules``; paths are relative to the spec root.
"""

from __future__ import annotations

from collections.abc import Iterator

from .api_gateway import ApiGatewayIamOrigin, ApiGatewayWafHeaderOrigin, PublicApiOrigin
from .managed_policies import OriginRequestPolicy
from .models import Spec
from .vpc_origins import ApiGatewayPrivateOrigin

Problem = tuple[tuple[str | int, ...], str]

# Managed origin request policies that pass the viewer's Host header to the origin.
_FORWARDS_HOST = (OriginRequestPolicy.ALL_VIEWER, OriginRequestPolicy.ALL_VIEWER_AND_CLOUDFRONT_HEADERS)


def check(spec: Spec, i: int) -> Iterator[Problem]:
    """Problems of the public API Gateway origins of distribution ``i``."""
    dist = spec.distributions[i]
    base: tuple[str | int, ...] = ("distributions", i)
    apis = {o.id: o for o in dist.origins if isinstance(o, PublicApiOrigin)}
    for j, origin in enumerate(dist.origins):
        if isinstance(origin, PublicApiOrigin):
            yield from _regions(spec, (*base, "origins", j), origin)
        if isinstance(origin, ApiGatewayWafHeaderOrigin):
            yield from _web_acl_replaced(spec, (*base, "origins", j), origin)
    for j, behavior in enumerate(dist.behaviors):
        if behavior.origin in apis and behavior.origin_request in _FORWARDS_HOST:
            yield (
                (*base, "behaviors", j, "origin_request"),
                f"'{behavior.origin_request}' forwards the viewer's Host header, and API Gateway answers only for "
                "the API's own execute-api name (403 otherwise): use `all_viewer_except_host` or `none`",
            )
    for j, group in enumerate(dist.origin_groups):
        for member in ("primary", "secondary"):
            member_origin = apis.get(getattr(group, member))
            if isinstance(member_origin, ApiGatewayIamOrigin):
                yield (
                    (*base, "origin_groups", j, member),
                    f"'{member_origin.id}' is signed by a Lambda@Edge function on the behaviors that target it, which "
                    "would sign for the other member too (or refuse it): target the origin from its own behavior",
                )


def _regions(spec: Spec, where: tuple[str | int, ...], origin: PublicApiOrigin) -> Iterator[Problem]:
    arns: list[tuple[tuple[str, ...], str | None]] = [
        (("api", "access_log_group_arn"), origin.api.access_log_group_arn)
    ]
    if isinstance(origin, ApiGatewayWafHeaderOrigin) and origin.waf_logging is not None:
        arns.append((("waf_logging", "destination_arn"), origin.waf_logging.destination_arn))
    for path, arn in arns:
        region = arn.split(":")[3] if arn is not None else ""
        if region and region != spec.region:
            yield (
                (*where, *path),
                f"{region} is not the spec's region {spec.region}: the API, its stage's logs and its web ACL's "
                "logs are in the origins' region",
            )


def _web_acl_replaced(spec: Spec, where: tuple[str | int, ...], origin: ApiGatewayWafHeaderOrigin) -> Iterator[Problem]:
    """An existing stage's web ACL is replaced knowingly (as an adopted ALB's is), never silently."""
    api = origin.api
    if api.rest_api_id is None:
        if origin.replace_web_acl:
            yield (
                (*where, "replace_web_acl"),
                "replace_web_acl is for an existing API (`api.rest_api_id`); the demo stage cfgen creates has no other "
                "web ACL: remove it",
            )
        return
    if origin.replace_web_acl:
        return
    partition = (
        "aws-cn" if spec.region.startswith("cn-") else "aws-us-gov" if spec.region.startswith("us-gov-") else "aws"
    )
    stage = f"arn:{partition}:apigateway:{spec.region}::/restapis/{api.rest_api_id}/stages/{api.stage}"
    yield (
        (*where, "api", "rest_api_id"),
        f"a stage takes one web ACL, so cfgen's replaces any web ACL stage {api.stage} has now, with its rules, "
        "and `terraform destroy` leaves the stage with none: check with `aws wafv2 get-web-acl-for-resource "
        f"--resource-arn {stage}`, move its rules to the distribution's web_acl_arn, then set "
        "`replace_web_acl: true` to say so",
    )


def shared_apis(spec: Spec) -> Iterator[Problem]:
    """An existing API named by two origins, one of them public: their policies, keys or web ACLs would collide."""
    owners: dict[str, str] = {}
    public: set[str] = set()
    for i, dist in enumerate(spec.distributions):
        for j, origin in enumerate(dist.origins):
            if not isinstance(origin, PublicApiOrigin | ApiGatewayPrivateOrigin):
                continue
            api = origin.api.rest_api_id if isinstance(origin, ApiGatewayPrivateOrigin) else origin.api.api_id
            if api is None:
                continue
            field = "http_api_id" if getattr(origin.api, "kind", "rest") == "http" else "rest_api_id"
            mine = isinstance(origin, PublicApiOrigin)
            if api in owners and (mine or api in public):
                yield (
                    ("distributions", i, "origins", j, "api", field),
                    f"API {api} is already the origin '{owners[api]}'; each origin writes what guards its API (a "
                    "resource policy, a usage plan, an authorizer or a web ACL on the stage), and two would "
                    "overwrite or open each other: give each origin its own API",
                )
            owners.setdefault(api, f"{dist.name}/{origin.id}")
            if mine:
                public.add(api)
