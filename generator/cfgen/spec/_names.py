"""Every AWS name cfgen derives from the spec, and the limit AWS puts on it: one table.

Render takes its names from here and ``cfgen validate`` checks the same
names against the same limits, so a name that would fail at plan or apply
fails at validate instead, located at the spec value to shorten. To name a
new resource, add one :class:`NameRule` to ``ORIGIN_NAMES`` or
``DISTRIBUTION_NAMES``.

Load balancers and target groups are not here: the modules give them fixed
``name_prefix`` values (``cfa-``, ``cfn-``, ``cfp-``) and AWS adds the rest,
so no spec value reaches their 32-character limit.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

from .api_gateway import (
    ApiGatewayApiKeyOrigin,
    ApiGatewayAuthorizerOrigin,
    ApiGatewayIamOrigin,
    ApiGatewayWafHeaderOrigin,
    PublicApiOrigin,
)
from .managed_policies import ResponseHeadersPolicy
from .models import Distribution, Origin, S3Origin, Spec
from .public_origins import AlbListenerHeaderOrigin, AlbWafHeaderOrigin, LambdaUrlOrigin
from .vpc_origins import AlbOrigin, ApiGatewayPrivateOrigin, Ec2Origin, NlbOrigin

__all__ = [
    "ALB_SECURITY_GROUP",
    "ALB_WAF",
    "API_AUTHORIZER",
    "API_DEMO",
    "API_EDGE_SIGNER",
    "API_HTTP_DEMO",
    "API_USAGE_PLAN",
    "API_WAF",
    "DEMO_FUNCTION",
    "DISTRIBUTION_NAMES",
    "FUNCTION",
    "KEY_GROUP",
    "OAC",
    "ORIGIN_NAMES",
    "PERMISSION",
    "PUBLIC_KEY",
    "STRICT_HEADERS",
    "SYNC",
    "VPC_ORIGIN",
    "NameRule",
    "problems",
]

Problem = tuple[tuple[str | int, ...], str]


@dataclass(frozen=True)
class NameRule:
    """A name ``project-distribution-<item>`` + ``suffix``, and what AWS allows for it."""

    resources: str  # what AWS names with it, for the message: "Lambda function and IAM role"
    limit: int  # AWS's limit in characters, for the name as AWS stores it
    suffix: str = ""  # what cfgen appends to the name it renders
    appended: int = 0  # characters a module appends at apply (the VPC origin's "-" + 8 hex)
    forbidden_prefix: str = ""  # a start AWS refuses (security group names cannot start with sg-)

    def name(self, *parts: str) -> str:
        """The name cfgen renders for ``parts`` (project, distribution, item)."""
        return "-".join(parts) + self.suffix


def _vpc(origin: Origin) -> bool:
    return isinstance(origin, AlbOrigin | NlbOrigin | Ec2Origin | ApiGatewayPrivateOrigin)


def _syncs(origin: Origin) -> bool:
    return isinstance(origin, ApiGatewayPrivateOrigin) and origin.target_sync == "lambda"


# -- names of an origin: project-distribution-origin -------------------------------------------

OAC = NameRule("origin access control", 64)
# modules/vpc-origin appends "-" and 8 hex characters of its configuration (a replacement needs a new name).
VPC_ORIGIN = NameRule("VPC origin", 64, appended=9)
# The security groups of modules/vpc-origin and private-api-origin: name_prefix "NAME-", "NAME-alb-", "NAME-vpce-".
SECURITY_GROUP = NameRule("security group name prefix", 100, "-vpce-", forbidden_prefix="sg-")
# modules/alb-origin: name_prefix "NAME-" and "NAME-targets-" for the internet-facing ALB's and its targets' groups.
ALB_SECURITY_GROUP = NameRule("security group name prefix", 100, appended=9, forbidden_prefix="sg-")
# modules/waf-header's web ACL on an internet-facing ALB (protection waf_header): the API_WAF shape.
ALB_WAF = NameRule("WAF web ACL", 128, "-origin-verify")
# modules/lambda-url-origin: the demo function and its role take this name; the two permissions of any function
# take it as the start of their statement ids ("NAME-invoke-url", "NAME-invoke").
DEMO_FUNCTION = NameRule("Lambda function and IAM role", 64)
PERMISSION = NameRule("Lambda permission statement id", 100, appended=len("-invoke-url"))
# modules/ip-target-sync gives the function, its role and its schedule this one name.
SYNC = NameRule("Lambda function, IAM role and EventBridge rule", 64, "-sync")

# The public API Gateway modes (spec/api_gateway.py): the demo APIs, the usage plan (and its keys,
# NAME-GENERATION), the authorizer function, the Lambda@Edge signer and the WAF web ACL.
API_DEMO = NameRule("demo REST API", 128, "-demo")
API_HTTP_DEMO = NameRule("demo HTTP API, its Lambda function and IAM role", 64, "-demo")
API_USAGE_PLAN = NameRule("usage plan and API key name prefix", 128, "-keys", appended=33)
API_AUTHORIZER = NameRule("Lambda function, IAM role and API Gateway authorizer", 64, "-authorizer")
API_EDGE_SIGNER = NameRule("Lambda@Edge function and IAM role", 64, "-edge")
API_WAF = NameRule("WAF web ACL", 128, "-origin-verify")


def _demo(origin: Origin) -> bool:
    return isinstance(origin, PublicApiOrigin) and origin.api.create_demo


def _http_demo(origin: Origin) -> bool:
    return isinstance(origin, ApiGatewayAuthorizerOrigin) and origin.api.create_demo and origin.api.kind == "http"


ORIGIN_NAMES: tuple[tuple[NameRule, Callable[[Origin], bool]], ...] = (
    (OAC, lambda origin: isinstance(origin, S3Origin | LambdaUrlOrigin)),
    (VPC_ORIGIN, _vpc),
    (SECURITY_GROUP, _vpc),
    (SYNC, _syncs),
    (API_DEMO, lambda origin: _demo(origin) and not _http_demo(origin)),
    (API_HTTP_DEMO, _http_demo),
    (API_USAGE_PLAN, lambda origin: isinstance(origin, ApiGatewayApiKeyOrigin)),
    (API_AUTHORIZER, lambda origin: isinstance(origin, ApiGatewayAuthorizerOrigin)),
    (API_EDGE_SIGNER, lambda origin: isinstance(origin, ApiGatewayIamOrigin)),
    (API_WAF, lambda origin: isinstance(origin, ApiGatewayWafHeaderOrigin)),
    (ALB_SECURITY_GROUP, lambda origin: isinstance(origin, AlbListenerHeaderOrigin | AlbWafHeaderOrigin)),
    (ALB_WAF, lambda origin: isinstance(origin, AlbWafHeaderOrigin)),
    (DEMO_FUNCTION, lambda origin: isinstance(origin, LambdaUrlOrigin) and origin.function.create_demo),
    (PERMISSION, lambda origin: isinstance(origin, LambdaUrlOrigin)),
)

# -- names of a distribution's own resources: project-distribution-item ------------------------

FUNCTION = NameRule("CloudFront Function", 64)
PUBLIC_KEY = NameRule("CloudFront public key", 128)
KEY_GROUP = NameRule("CloudFront key group", 128)
STRICT_HEADERS = NameRule("response headers policy", 128, "-strict")

# Which items of a distribution get a name, and the spec field each comes from.
DISTRIBUTION_NAMES: tuple[
    tuple[NameRule, Callable[[Distribution], Iterator[tuple[tuple[str | int, ...], str]]]], ...
] = (
    (FUNCTION, lambda d: ((("functions", j, "name"), f.name) for j, f in enumerate(d.functions))),
    (
        PUBLIC_KEY,
        lambda d: (
            (("key_groups", j, "public_keys", k, "name"), key.name)
            for j, g in enumerate(d.key_groups)
            for k, key in enumerate(g.public_keys)
        ),
    ),
    (KEY_GROUP, lambda d: ((("key_groups", j, "name"), g.name) for j, g in enumerate(d.key_groups))),
)


def problems(spec: Spec) -> Iterator[Problem]:
    """Every derived name over its AWS limit (or with a start AWS refuses), located at the value to change."""
    seen: set[Problem] = set()
    for problem in _all(spec):
        if problem not in seen:
            seen.add(problem)
            yield problem


def _all(spec: Spec) -> Iterator[Problem]:
    for i, dist in enumerate(spec.distributions):
        base: tuple[str | int, ...] = ("distributions", i)
        for j, origin in enumerate(dist.origins):
            for rule, applies in ORIGIN_NAMES:
                if applies(origin):
                    yield from _check(rule, (*base, "origins", j, "id"), spec.project, dist.name, origin.id)
        for rule, items in DISTRIBUTION_NAMES:
            for where, item in items(dist):
                yield from _check(rule, (*base, *where), spec.project, dist.name, item)
        if any(b.response_headers is ResponseHeadersPolicy.STRICT for b in dist.behaviors):
            yield from _check(STRICT_HEADERS, (*base, "name"), spec.project, dist.name)


def _check(rule: NameRule, where: tuple[str | int, ...], *parts: str) -> Iterator[Problem]:
    name = rule.name(*parts)
    length = len(name) + rule.appended
    if length > rule.limit:
        shown = f"'{name}' + {rule.appended} characters the module appends" if rule.appended else f"'{name}'"
        yield (
            where,
            f"the {rule.resources} name {shown} has {length} characters; AWS allows {rule.limit}: "
            f"shorten the project, the distribution name or this name by {length - rule.limit}",
        )
    if rule.forbidden_prefix and name.startswith(rule.forbidden_prefix):
        yield (
            ("project",),
            f"the {rule.resources} '{name}' starts with '{rule.forbidden_prefix}', which AWS refuses: "
            "rename the project",
        )
