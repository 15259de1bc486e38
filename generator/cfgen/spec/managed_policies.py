"""CloudFront's managed policies, by the fixed IDs AWS publishes.

Rendering them as literal IDs (not ``data`` lookups) keeps plans offline and
the generated HCL readable. Source: the CloudFront Developer Guide pages
"Use managed cache policies", "Use managed origin request policies" and
"Use managed response headers policies".
"""

from __future__ import annotations

from enum import StrEnum

__all__ = [
    "CACHE_POLICY_IDS",
    "FORWARDS_HOST",
    "ORIGIN_REQUEST_POLICY_IDS",
    "RESPONSE_HEADERS_POLICY_IDS",
    "CachePolicy",
    "OriginRequestPolicy",
    "ResponseHeadersPolicy",
]


class CachePolicy(StrEnum):
    OPTIMIZED = "optimized"
    OPTIMIZED_UNCOMPRESSED = "optimized_uncompressed"
    DISABLED = "disabled"
    ORIGIN_CACHE_CONTROL = "origin_cache_control"
    ORIGIN_CACHE_CONTROL_QUERY_STRINGS = "origin_cache_control_query_strings"


CACHE_POLICY_IDS: dict[CachePolicy, tuple[str, str]] = {
    CachePolicy.OPTIMIZED: ("Managed-CachingOptimized", "658327ea-f89d-4fab-a63d-7e88639e58f6"),
    CachePolicy.OPTIMIZED_UNCOMPRESSED: (
        "Managed-CachingOptimizedForUncompressedObjects",
        "b2884449-e4de-46a7-ac36-70bc7f1ddd6d",
    ),
    CachePolicy.DISABLED: ("Managed-CachingDisabled", "4135ea2d-6df8-44a3-9df3-4b5a84be39ad"),
    CachePolicy.ORIGIN_CACHE_CONTROL: (
        "UseOriginCacheControlHeaders",
        "83da9c7e-98b4-4e11-a168-04f0df8e2c65",
    ),
    CachePolicy.ORIGIN_CACHE_CONTROL_QUERY_STRINGS: (
        "UseOriginCacheControlHeaders-QueryStrings",
        "4cc15a8a-d715-48a4-82b8-cc0b614638fe",
    ),
}


class OriginRequestPolicy(StrEnum):
    NONE = "none"
    CORS_S3 = "cors_s3"
    CORS_CUSTOM = "cors_custom"
    ALL_VIEWER = "all_viewer"
    ALL_VIEWER_EXCEPT_HOST = "all_viewer_except_host"
    ALL_VIEWER_AND_CLOUDFRONT_HEADERS = "all_viewer_and_cloudfront_headers"
    USER_AGENT_REFERER = "user_agent_referer"


ORIGIN_REQUEST_POLICY_IDS: dict[OriginRequestPolicy, tuple[str, str]] = {
    OriginRequestPolicy.CORS_S3: ("Managed-CORS-S3Origin", "88a5eaf4-2fd4-4709-b370-b4c650ea3fcf"),
    OriginRequestPolicy.CORS_CUSTOM: (
        "Managed-CORS-CustomOrigin",
        "59781a5b-3903-41f3-afcb-af62929ccde1",
    ),
    OriginRequestPolicy.ALL_VIEWER: ("Managed-AllViewer", "216adef6-5c7f-47e4-b989-5492eafa07d3"),
    OriginRequestPolicy.ALL_VIEWER_EXCEPT_HOST: (
        "Managed-AllViewerExceptHostHeader",
        "b689b0a8-53d0-40ab-baf2-68738e2966ac",
    ),
    OriginRequestPolicy.ALL_VIEWER_AND_CLOUDFRONT_HEADERS: (
        "Managed-AllViewerAndCloudFrontHeaders-2022-06",
        "33f36d7e-f396-46d9-90e0-52428a34d9dc",
    ),
    OriginRequestPolicy.USER_AGENT_REFERER: (
        "Managed-UserAgentRefererHeaders",
        "acba4595-bd28-49b8-b9fe-13317c0390fa",
    ),
}


# Managed origin request policies that pass the viewer's Host header to the origin.
FORWARDS_HOST = (OriginRequestPolicy.ALL_VIEWER, OriginRequestPolicy.ALL_VIEWER_AND_CLOUDFRONT_HEADERS)


class ResponseHeadersPolicy(StrEnum):
    NONE = "none"
    SECURITY_HEADERS = "security_headers"
    SIMPLE_CORS = "simple_cors"
    CORS_WITH_PREFLIGHT = "cors_with_preflight"
    CORS_AND_SECURITY_HEADERS = "cors_and_security_headers"
    CORS_WITH_PREFLIGHT_AND_SECURITY_HEADERS = "cors_with_preflight_and_security_headers"
    # Not managed: a policy cfgen creates (HSTS preload, nosniff, DENY framing, a strict CSP).
    STRICT = "strict"


RESPONSE_HEADERS_POLICY_IDS: dict[ResponseHeadersPolicy, tuple[str, str]] = {
    ResponseHeadersPolicy.SECURITY_HEADERS: (
        "Managed-SecurityHeadersPolicy",
        "67f7725c-6f97-4210-82d7-5512b31e9d03",
    ),
    ResponseHeadersPolicy.SIMPLE_CORS: (
        "Managed-SimpleCORS",
        "60669652-455b-4ae9-85a4-c4c02393f86c",
    ),
    ResponseHeadersPolicy.CORS_WITH_PREFLIGHT: (
        "Managed-CORS-With-Preflight",
        "5cc3b908-e619-4b99-88e5-2cf7f45965bd",
    ),
    ResponseHeadersPolicy.CORS_AND_SECURITY_HEADERS: (
        "Managed-CORS-and-SecurityHeadersPolicy",
        "e61eb60c-9c35-4d20-a928-2b84e02af89c",
    ),
    ResponseHeadersPolicy.CORS_WITH_PREFLIGHT_AND_SECURITY_HEADERS: (
        "Managed-CORS-With-Preflight-and-SecurityHeadersPolicy",
        "eaab4381-ed33-4a86-88ca-d9558dc6cd63",
    ),
}
