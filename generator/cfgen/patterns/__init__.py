"""The registry of patterns: every origin type x protection mode cfgen renders.

Explicit on purpose: adding a pattern is adding its module here, and the
order below is the order ``cfgen patterns`` lists them.
"""

from __future__ import annotations

from ..errors import RenderError
from . import (
    alb_listener_header,
    alb_waf_header,
    api_gateway_api_key,
    api_gateway_authorizer,
    api_gateway_iam,
    api_gateway_private,
    api_gateway_resource_policy,
    api_gateway_waf,
    custom_origin,
    lambda_url_oac,
    s3_oac,
    s3_oai,
    s3_oai_to_oac,
    s3_website,
    vpc_origin,
)
from ._base import OriginBinding, OriginView, Pattern, RootVariable, module_name

__all__ = [
    "PATTERNS",
    "OriginBinding",
    "OriginView",
    "Pattern",
    "RootVariable",
    "module_name",
    "pattern_for",
]

PATTERNS: dict[str, Pattern] = {
    p.key: p
    for p in (
        s3_oac.PATTERN,
        s3_oai.PATTERN,
        s3_oai_to_oac.PATTERN,
        s3_website.PATTERN,
        vpc_origin.ALB,
        alb_listener_header.PATTERN,
        alb_waf_header.PATTERN,
        vpc_origin.NLB,
        vpc_origin.EC2,
        api_gateway_private.PATTERN,
        api_gateway_api_key.PATTERN,
        api_gateway_resource_policy.PATTERN,
        api_gateway_authorizer.PATTERN,
        api_gateway_waf.PATTERN,
        api_gateway_iam.PATTERN,
        lambda_url_oac.PATTERN,
        custom_origin.PATTERN,
    )
}


def pattern_for(origin_type: str, protection: str) -> Pattern:
    """The pattern of an origin; the spec's schema admits no other pair."""
    try:
        return PATTERNS[f"{origin_type}/{protection}"]
    except KeyError:
        raise RenderError(f"no pattern for {origin_type}/{protection}; see `cfgen patterns`") from None
